// `tracetop tail`: the live stream as lines — JSON for jq, or one compact line per change.

import type { TraceSummary } from '../domain/types.js';
import { connect } from './connect.js';
import { filterFromCli, sourceFor, type TuiFlags } from './tui.js';
import { formatCost, formatLatency, formatLevels, formatScores, formatTime } from '../ui/format.js';
import { sanitizeLine, terminalSafeJson } from '../domain/sanitize.js';

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

export async function tailCommand(flags: TuiFlags & { json?: boolean }): Promise<void> {
  // A malformed filter flag fails before anything starts.
  filterFromCli(flags);
  const backend = await connect(flags, (line) => process.stderr.write(`${line}\n`));
  let source;
  try {
    source = await sourceFor(backend.client, filterFromCli(flags, backend.filterText));
  } catch (error) {
    await backend.close();
    throw error;
  }
  let closed = false;
  const finish = async () => {
    if (closed) return;
    closed = true;
    await source.stop();
    await backend.close();
  };
  // `| head` closes the pipe: that is a normal end, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') void finish().then(() => process.exit(0));
  });
  source.onTraces((traces) => {
    if (closed) return;
    const text = traces.map((trace) => (flags.json ? tailJsonLine(trace) : tailTextLine(trace, process.stdout.columns || 160))).join('\n');
    process.stdout.write(`${text}\n`);
  });
  source.onStatus((status) => {
    if (status.state === 'offline' || status.state === 'reconnecting') process.stderr.write(`tracetop: ${status.state}: ${status.detail ?? ''}\n`);
  });
  source.start();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await finish();
}
