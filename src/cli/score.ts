// `tracetop score TRACE_ID NAME VALUE [--comment …] [--observation ID]`: one score through the
// same durable queue as the TUI. Exit 0 when stored (what was stored is printed, and a warning
// when the backend says the trace does not exist); 1 when the backend rejects it (the reason is
// printed and the score kept as failed) or refuses the keys (nothing is queued); 75 when the
// backend cannot be reached (the score stays queued and the next tracetop run sends it).

import { LangfuseApiError } from '../api/http.js';
import type { LangfuseClient } from '../api/client.js';
import type { ScoreConfig } from '../domain/types.js';
import { sanitizeText } from '../domain/sanitize.js';
import { DurableScoreQueue, type QueuedScoreBody } from '../scoring/durable-queue.js';
import { scoreQueuePath } from '../scoring/queue-path.js';
import { buildScore } from '../scoring/score-input.js';
import { ScoreSender } from '../scoring/sender.js';
import { connect } from './connect.js';
import type { CliFlags } from './flags.js';
import { stderrLine, stdoutLine } from './output.js';

const isAuthFailure = (error: unknown) => error instanceof LangfuseApiError && (error.status === 401 || error.status === 403);

/** What was stored, in one line (pure; arguments made inert). */
export function storedLine(score: QueuedScoreBody): string {
  const value = typeof score.value === 'string' ? JSON.stringify(score.value) : String(score.value);
  const on = score.observationId ? `observation ${score.observationId} of trace ${score.traceId}` : `trace ${score.traceId}`;
  const comment = score.comment ? ` with comment ${JSON.stringify(score.comment)}` : '';
  return sanitizeText(`stored ${score.name} = ${value} (${score.dataType}${score.configId ? `, config ${score.configId}` : ''}) on ${on}${comment}; score id ${score.id}`);
}

/** The backend's score configs; throws only when the keys are refused. */
async function configsOrNone(client: LangfuseClient): Promise<ScoreConfig[]> {
  try {
    return await client.listScoreConfigs();
  } catch (error) {
    if (isAuthFailure(error)) throw error;
    return [];
  }
}

/** True when the backend says the trace does not exist (GET trace → 404); null when it cannot tell. */
async function traceMissing(client: LangfuseClient, traceId: string): Promise<boolean | null> {
  try {
    await client.http.json('GET', `/api/public/traces/${encodeURIComponent(traceId)}`, { query: { fields: 'core' }, attempts: 1 });
    return false;
  } catch (error) {
    return error instanceof LangfuseApiError && error.status === 404 ? true : null;
  }
}

export async function scoreCommand(args: string[], flags: CliFlags): Promise<number> {
  const [traceId, name, value] = args as [string, string, string];
  const backend = await connect(flags, stderrLine);
  let queue: DurableScoreQueue | null = null;
  try {
    let configs: ScoreConfig[];
    try {
      configs = await configsOrNone(backend.client);
    } catch (error) {
      // Wrong keys do not heal by retrying: nothing is queued.
      stderrLine(`tracetop: ${backend.host} refused the keys (${(error as LangfuseApiError).status}): check LANGFUSE_PUBLIC_KEY/LANGFUSE_SECRET_KEY (tracetop config doctor). Nothing was stored or queued.`);
      return 1;
    }
    const score = buildScore({ traceId, name, value, comment: flags.comment, observationId: flags.observation, configs });
    queue = DurableScoreQueue.open(scoreQueuePath(backend.host, backend.client.http.connection.publicKey));
    queue.enqueue(score);
    // Also sends whatever an earlier run left queued for this backend.
    const sender = new ScoreSender(queue, backend.client, { minBackoffMs: 200, maxBackoffMs: 2_000 });
    sender.start();
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && queue.get(score.id)?.state === 'pending') await new Promise((resolve) => setTimeout(resolve, 50));
    sender.stop();
    const entry = queue.get(score.id);
    if (!entry) {
      stdoutLine(storedLine(score));
      if (await traceMissing(backend.client, traceId)) {
        stderrLine(`tracetop: warning: ${backend.host} has no trace ${traceId} (yet): the score is stored, and shows once a trace with that id arrives`);
      }
      return 0;
    }
    if (entry.state === 'failed') {
      stderrLine(`tracetop: the backend rejected the score: ${entry.error ?? ''}`);
      return 1;
    }
    stderrLine(`tracetop: ${sender.status().detail ?? 'the backend did not answer'}; the score is queued and the next tracetop run sends it`);
    return 75;
  } finally {
    queue?.close();
    await backend.close();
  }
}
