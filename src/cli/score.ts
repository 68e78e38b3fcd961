// `tracetop score TRACE_ID NAME VALUE [--comment …] [--observation ID]`: one score through the
// same durable queue as the TUI. Exit 0 when stored; 1 when the backend rejects it (the
// reason is printed and the score kept as failed); 75 when the backend cannot be reached
// (the score stays queued and the next tracetop run sends it).

import { DurableScoreQueue } from '../scoring/durable-queue.js';
import { scoreQueuePath } from '../scoring/queue-path.js';
import { buildScore } from '../scoring/score-input.js';
import { ScoreSender } from '../scoring/sender.js';
import { connect } from './connect.js';
import { UsageError } from './get.js';
import type { TuiFlags } from './tui.js';

export async function scoreCommand(args: string[], flags: TuiFlags & { comment?: string; observation?: string }): Promise<number> {
  const [traceId, name, value] = args;
  if (!traceId || !name || value === undefined) {
    throw new UsageError('usage: tracetop score TRACE_ID NAME VALUE [--comment TEXT] [--observation ID]');
  }
  const backend = await connect(flags, (line) => process.stderr.write(`${line}\n`));
  const queue = DurableScoreQueue.open(scoreQueuePath(backend.host, backend.client.http.connection.publicKey));
  try {
    const configs = await backend.client.listScoreConfigs().catch(() => []);
    const score = buildScore({ traceId, name, value, comment: flags.comment, observationId: flags.observation, configs });
    queue.enqueue(score);
    // Also sends whatever an earlier run left queued for this backend.
    const sender = new ScoreSender(queue, backend.client, { minBackoffMs: 200, maxBackoffMs: 2_000 });
    sender.start();
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && queue.get(score.id)?.state === 'pending') await new Promise((resolve) => setTimeout(resolve, 50));
    sender.stop();
    const entry = queue.get(score.id);
    if (!entry) {
      process.stdout.write(`${score.id}\n`);
      return 0;
    }
    if (entry.state === 'failed') {
      process.stderr.write(`tracetop: the backend rejected the score: ${entry.error}\n`);
      return 1;
    }
    process.stderr.write(`tracetop: ${sender.status().detail ?? 'the backend did not answer'}; the score is queued and the next tracetop run sends it\n`);
    return 75;
  } finally {
    queue.close();
    await backend.close();
  }
}
