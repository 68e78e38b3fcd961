// The default command: the full-screen TUI on a terminal, JSON lines when piped, text lines on
// a terminal that cannot draw (TERM=dumb).

import { printFilter } from '../domain/filter-language.js';
import { loadFilterHistory, saveFilterHistory } from '../config/filter-history.js';
import { connect } from './connect.js';
import { terminalSupportsLinks } from '../ui/hyperlink.js';
import { filterFromCli } from './filter-flags.js';
import { sourceFor } from './live.js';
import type { CliFlags } from './flags.js';
import { cannotDraw } from './colour.js';
import { stderrLine } from './output.js';
import type { LangfuseClient } from '../api/client.js';

/** The readers behind `:datasets`, `:prompts` and `:top`, over the same client. */
async function sliceReaders(client: LangfuseClient): Promise<import('../store/slices/index.js').SliceDeps> {
  const [{ DatasetClient }, { PromptClient }, { MetricsClient }] = await Promise.all([import('../api/datasets.js'), import('../api/prompts.js'), import('../api/metrics.js')]);
  const metrics = new MetricsClient(client);
  const prompts = new PromptClient(client, metrics);
  return { datasets: new DatasetClient(client), prompts, promptMetrics: prompts, top: metrics };
}

export async function tuiCommand(flags: CliFlags): Promise<void> {
  // A malformed filter flag fails before anything starts (no embedded server for nothing).
  filterFromCli(flags);
  if (!process.stdout.isTTY) {
    const { tailCommand } = await import('./tail.js');
    return tailCommand({ ...flags, json: true });
  }
  const why = cannotDraw(process.env);
  if (why) {
    // A person is reading: the stream as text lines, and why not the full screen.
    process.stderr.write(`tracetop: ${why}, so the live list is printed as lines (as tracetop tail does). For the full-screen view, run it in a terminal such as TERM=xterm-256color.\n`);
    const { tailCommand } = await import('./tail.js');
    return tailCommand({ ...flags, json: false });
  }
  // Colour follows NO_COLOR and --no-color; chalk (under Ink) reads FORCE_COLOR when loaded.
  if (flags.color === false || (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '')) process.env.FORCE_COLOR = '0';
  // Ink's import (its layout engine) is the slowest part of start-up: load it while connecting.
  const ui = import('../ui/run.js');
  const notices: string[] = [];
  const backend = await connect(flags, (line) => notices.push(line));
  // Ask the backend what it is (health, API generation) while Ink finishes loading: over a real
  // network these round trips would otherwise come after it.
  void backend.client.backend().catch(() => {});
  let traffic: { stop(): Promise<void> } | null = null;
  let scoring: import('../scoring/service.js').ScoringService | null = null;
  let demoQueue: { remove(): void } | null = null;
  try {
    const filter = filterFromCli(flags, backend.filterText);
    if (flags.demo) {
      const { startDemoTraffic } = await import('../demo/traffic.js');
      traffic = startDemoTraffic({ baseUrl: backend.host, publicKey: 'pk-lf-demo', secretKey: 'sk-lf-demo', ratePerSecond: 2 });
      // The capital-cities dataset and its two runs, so :datasets has something true to show.
      void import('../demo/datasets.js').then(({ seedDemoDatasets }) => seedDemoDatasets({ baseUrl: backend.host, publicKey: 'pk-lf-demo', secretKey: 'sk-lf-demo' })).catch(() => {});
    }
    const { runTui } = await ui;
    const { applyTheme } = await import('../ui/theme.js');
    applyTheme(backend.theme);
    const { createScoringService } = await import('../scoring/service.js');
    const { demoScoreQueue, scoreQueuePath } = await import('../scoring/queue-path.js');
    // The demo's backend is gone when it ends: so is its score queue.
    const demo = flags.demo ? demoScoreQueue() : null;
    demoQueue = demo;
    const queuePath = demo?.path ?? scoreQueuePath(backend.host, backend.client.http.connection.publicKey);
    scoring = flags.readOnly ? null : createScoringService({ writer: backend.client, queuePath });
    await runTui({
      scoring: scoring ?? undefined,
      readOnly: flags.readOnly,
      redact: flags.redact,
      // tracetop's own server has no web UI to link to.
      linkBase: backend.server === null && terminalSupportsLinks() ? backend.host : null,
      // Trace pages exist only where the backend has Langfuse's web UI: not on tracetop's own
      // server, started here or already running (its version says "+tracetop").
      webBase: backend.server !== null ? null : backend.client.backend().then((info) => (info.version?.includes('+tracetop') ? null : backend.host), () => null),
      createSource: (next) => sourceFor(backend.client, next),
      filter,
      filterText: printFilter(filter),
      filterHistory: loadFilterHistory(),
      onFilterHistory: saveFilterHistory,
      reader: backend.client,
      host: backend.host,
      slices: await sliceReaders(backend.client),
    });
  } finally {
    scoring?.close();
    demoQueue?.remove();
    await traffic?.stop();
    await backend.close();
  }
  for (const line of notices) stderrLine(line);
}
