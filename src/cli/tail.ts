// `tracetop tail`: the live stream as lines — JSON for jq, or one compact line per change.
// Ends quietly when the reader goes away (`| head -1`), even while no trace arrives.

import type { TraceSummary } from '../domain/types.js';
import { connect } from './connect.js';
import { filterFromCli } from './filter-flags.js';
import { sourceFor } from './live.js';
import type { CliFlags } from './flags.js';
import { watchPipeReader } from './pipe-reader.js';
import { formatCost, formatLatency, formatLevels, formatScores, formatTime } from '../ui/format.js';
import { sanitizeLine, terminalSafeJson } from '../domain/sanitize.js';
import { stderrLine } from './output.js';
import { describeHistory, describeRateLimit } from '../stream/status-text.js';

/** The stable shape of one `tail --json` line (documented in the README). */
export function tailJsonLine(trace: TraceSummary): string {
  return terminalSafeJson(JSON.stringify({
    type: 'trace',
    id: trace.id,
    timestamp: trace.timestamp,
    name: trace.name,
    userId: trace.userId,
    sessionId: trace.sessionId,
    tags: trace.tags,
    environment: trace.environment,
    release: trace.release,
    version: trace.version,
    latency: trace.latency,
    totalCost: trace.totalCost,
    inputTokens: trace.inputTokens,
    outputTokens: trace.outputTokens,
    totalTokens: trace.totalTokens,
    observationCount: trace.observationCount,
    errorCount: trace.errorCount,
    warningCount: trace.warningCount,
    scores: trace.scores,
    updatedAt: trace.updatedAt,
  }));
}

export function tailTextLine(trace: TraceSummary, width = 160): string {
  const parts = [
    formatTime(trace.timestamp),
    trace.name ?? trace.id,
    trace.userId ?? '-',
    formatLatency(trace.latency) || '-',
    formatCost(trace.totalCost) || '-',
    formatLevels(trace),
    formatScores(trace.scores),
  ].filter(Boolean);
  return sanitizeLine(parts.join('  '), width);
}

export async function tailCommand(flags: CliFlags): Promise<void> {
  // A malformed filter flag fails before anything starts.
  filterFromCli(flags);
  const backend = await connect(flags, stderrLine);
  let source;
  try {
    source = await sourceFor(backend.client, filterFromCli(flags, backend.filterText));
  } catch (error) {
    await backend.close();
    throw error;
  }
  // `tracetop --demo` on a terminal that cannot draw comes here: it still gets its traffic.
  const traffic = flags.demo
    ? (await import('../demo/traffic.js')).startDemoTraffic({ baseUrl: backend.host, publicKey: 'pk-lf-demo', secretKey: 'sk-lf-demo', ratePerSecond: 2 })
    : null;
  let closed = false;
  let stopWatching = () => {};
  const finish = async () => {
    if (closed) return;
    closed = true;
    stopWatching();
    await traffic?.stop();
    await source.stop();
    await backend.close();
  };
  // The reader is gone (`| head` closed the pipe): a normal end, not an error.
  // Closing is bounded: a backend that does not let go must not keep a finished pipeline waiting.
  const readerGone = () => void Promise.race([finish(), new Promise((resolve) => setTimeout(resolve, 2_000))]).then(() => process.exit(0));
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') readerGone();
  });
  stopWatching = watchPipeReader(readerGone);
  source.onTraces((traces) => {
    if (closed) return;
    const text = traces.map((trace) => (flags.json ? tailJsonLine(trace) : tailTextLine(trace, process.stdout.columns || 160))).join('\n');
    process.stdout.write(`${text}\n`);
  });
  let historySaid = false;
  let waitSaid: number | null = null;
  source.onStatus((status) => {
    if (status.state === 'offline' || status.state === 'reconnecting') stderrLine(`tracetop: ${status.state}: ${status.detail ?? ''}`);
    // Once the history is read: how much, and whether the window's capacity cut it.
    if (status.history && !status.history.loading && !historySaid) {
      historySaid = true;
      stderrLine(`tracetop: ${describeHistory(status.history)}`);
    }
    if (status.rateLimit && status.rateLimit.untilMs - Date.now() >= 1000 && status.rateLimit.untilMs !== waitSaid) {
      waitSaid = status.rateLimit.untilMs;
      stderrLine(`tracetop: ${describeRateLimit(status.rateLimit)}`);
    }
  });
  source.start();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await finish();
}
