// `tracetop label --queue NAME|ID`: the annotation-queue walk.
import React from 'react';
import { connect } from './connect.js';
import { UsageError } from './usage.js';
import type { CliFlags } from './flags.js';
import { cannotDraw } from './colour.js';
import { createScoringService } from '../scoring/service.js';
import { scoreQueuePath } from '../scoring/queue-path.js';
import { stderrLine } from './output.js';

export async function labelCommand(flags: CliFlags): Promise<void> {
  if (!flags.queue) throw new UsageError('label needs --queue NAME|ID', 'label');
  if (!process.stdout.isTTY) throw new UsageError('tracetop label needs a terminal', 'label');
  const why = cannotDraw(process.env);
  if (why) throw new Error(`tracetop label draws a full screen, and ${why}; run it in a terminal such as TERM=xterm-256color`);
  const ui = import('ink');
  const backend = await connect(flags, stderrLine);
  const scoring = createScoringService({ writer: backend.client, queuePath: scoreQueuePath(backend.host, backend.client.http.connection.publicKey) });
  try {
    const queues = await backend.client.listQueues();
    const queue = queues.find((candidate) => candidate.id === flags.queue || candidate.name === flags.queue);
    if (!queue) {
      throw new UsageError(`no annotation queue "${flags.queue}"${queues.length ? ` (queues: ${queues.map((q) => q.name).join(', ')})` : ''}`);
    }
    const allConfigs = await scoring.configs();
    const configs = queue.scoreConfigIds.flatMap((id) => allConfigs.filter((config) => config.id === id));
    const items = await backend.client.listQueueItems(queue.id, 'PENDING');
    const completed = await backend.client.listQueueItems(queue.id, 'COMPLETED');
    const { render } = await ui;
    const { LabelApp } = await import('../ui/LabelApp.js');
    const instance = render(
      React.createElement(LabelApp, { queue, configs, items, total: items.length + completed.length, completedBefore: completed.length, client: backend.client, scoring }),
      { alternateScreen: true, interactive: true, exitOnCtrlC: true, maxFps: 15, incrementalRendering: true },
    );
    await instance.waitUntilExit();
    instance.unmount();
    // Let the last scores reach the backend before leaving (they are journalled regardless).
    const deadline = Date.now() + 5_000;
    while (scoring.status().pending > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    scoring.close();
    await backend.close();
  }
}
