// Runs the TUI full-screen: the alternate screen (restored on exit, Ctrl-C and crashes),
// throttled incremental rendering for SSH, the LiveSource feeding the store in batches.
import React from 'react';
import { render } from 'ink';
import type { TraceReader } from '../api/types.js';
import type { LiveSource } from '../stream/types.js';
import { createTuiStore } from '../store/store.js';
import { App } from './App.js';

export interface RunTuiOptions {
  source: LiveSource;
  reader: TraceReader;
  host: string;
  filterText?: string;
  capacity?: number;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

export async function runTui(options: RunTuiOptions): Promise<void> {
  const store = createTuiStore({ reader: options.reader, host: options.host, filterText: options.filterText, capacity: options.capacity });
  const { actions } = store.getState();
  const stopTraces = options.source.onTraces((traces) => actions.applyTraces(traces));
  const stopStatus = options.source.onStatus((status) => actions.setStatus(status));
  // The status bar's rate and the connection detail age even when nothing arrives.
  const ticker = setInterval(() => actions.setStatus({ ...options.source.status() }), 1000);
  const instance = render(<App store={store} />, {
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
  options.source.start();
  try {
    await instance.waitUntilExit();
  } finally {
    clearInterval(ticker);
    stopTraces();
    stopStatus();
    instance.unmount();
    await options.source.stop();
  }
}
