// Runs the TUI full-screen: the alternate screen (restored on exit, Ctrl-C and crashes),
// throttled incremental rendering for SSH, a LiveSource feeding the store in batches, and a
// fresh LiveSource (history re-queried, tail resumed) whenever the filter changes.
import React from 'react';
import { render } from 'ink';
import type { TraceReader } from '../ports/readers.js';
import type { TraceFilter } from '../domain/filter-language.js';
import type { ScoringService } from '../scoring/service.js';
import type { LiveSource } from '../stream/types.js';
import { createTuiStore } from '../store/store.js';
import type { SliceDeps } from '../store/slices/index.js';
import { App } from './App.js';
import { enableStyles } from './theme.js';
import { terminalSupportsLinks } from './hyperlink.js';

export interface RunTuiOptions {
  createSource(filter: TraceFilter): Promise<LiveSource>;
  filter: TraceFilter;
  filterText: string;
  filterHistory?: string[];
  onFilterHistory?(entries: string[]): void;
  reader: TraceReader;
  host: string;
  scoring?: ScoringService;
  readOnly?: boolean;
  redact?: boolean;
  linkBase?: string | null;
  /**
   * The Langfuse web UI's base URL, when the backend has one (not tracetop's own server): the
   * detail pane shows a trace's page there, and the title links to it where the terminal can.
   * May arrive later (the backend is asked what it is while the TUI starts).
   */
  webBase?: string | null | Promise<string | null>;
  capacity?: number;
  /** The ports the slice screens read (`:datasets`, `:prompts`, `:top`); each screen says when one is missing. */
  slices?: SliceDeps;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

export async function runTui(options: RunTuiOptions): Promise<void> {
  let source = null as LiveSource | null;
  let detach = null as (() => void) | null;
  let generation = 0;

  const attach = async (filter: TraceFilter) => {
    const mine = ++generation;
    detach?.();
    const previous = source;
    source = null;
    await previous?.stop();
    const next = await options.createSource(filter);
    if (mine !== generation) return void (await next.stop());
    const stopTraces = next.onTraces((traces) => actions.applyTraces(traces));
    const stopStatus = next.onStatus((status) => actions.setStatus(status));
    detach = () => {
      stopTraces();
      stopStatus();
    };
    source = next;
    next.start();
    // What the source already knows (offline, waiting for an answer) shows on the first frame.
    actions.setStatus({ ...next.status() });
  };

  const store = createTuiStore({
    ...options.slices,
    reader: options.reader,
    host: options.host,
    filterText: options.filterText,
    filterHistory: options.filterHistory,
    capacity: options.capacity,
    scoring: options.scoring,
    readOnly: options.readOnly,
    redact: options.redact,
    linkBase: options.webBase === undefined ? options.linkBase : null,
    viewRows: () => (options.stdout ?? process.stdout).rows || 24,
    onFilterChange(filter) {
      actions.resetTraces();
      options.onFilterHistory?.(store.getState().queryLine.history);
      attach(filter).catch((error: unknown) => actions.setMessage(`filter not applied: ${(error as Error).message}`));
    },
  });
  const { actions } = store.getState();
  if (options.webBase !== undefined) {
    Promise.resolve(options.webBase).then(
      (base) => actions.setWebBase(base, base && terminalSupportsLinks() ? base : null),
      () => {},
    );
  }
  const stopScoring = options.scoring?.onStatus((status) => actions.setScoringStatus(status));
  // The status bar's rate and the connection detail age even when nothing arrives.
  const ticker = setInterval(() => {
    if (source) actions.setStatus({ ...source.status() });
    if (options.scoring) actions.setScoringStatus(options.scoring.status());
  }, 1000);
  // Start the source before the first frame and give history a moment to arrive, so the first
  // frame already shows traces instead of an empty list redrawn a frame later.
  await attach(options.filter);
  let instance: ReturnType<typeof render> | null = null;
  // A crash must not leave the terminal in the alternate screen with the cursor hidden.
  const crash = (error: unknown) => {
    instance?.unmount();
    process.stderr.write(`tracetop crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  };
  process.once('uncaughtException', crash);
  process.once('unhandledRejection', crash);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 150);
    const unsubscribe = store.subscribe((state) => {
      if (state.order.length > 0) {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  });
  enableStyles();
  instance = render(<App store={store} />, {
    stdout: options.stdout ?? process.stdout,
    stdin: options.stdin ?? process.stdin,
    // Ink turns itself off when CI is set; tracetop only gets here with a terminal on stdout,
    // so it draws whatever the environment says.
    interactive: true,
    alternateScreen: true,
    exitOnCtrlC: true,
    maxFps: 15,
    incrementalRendering: true,
    patchConsole: true,
  });

  try {
    await instance.waitUntilExit();
  } finally {
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
    clearInterval(ticker);
    stopScoring?.();
    detach?.();
    actions.disposeSlices();
    instance.unmount();
    await source?.stop();
  }
}
