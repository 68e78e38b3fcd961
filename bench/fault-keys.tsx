// Key latency while the backend misbehaves, measured in-process (no tmux polling in the way):
// the real App and a real LiveSource against a fault proxy in front of a real embedded
// server; for each fault, 20 presses of `?` and Esc, keystroke → frame. The issue's bar:
// keys still work within 100 ms.
//   npm run bench:fault-keys   (React in production mode, as the CLI runs it)

import React from 'react';
import { PassThrough } from 'node:stream';
import { render } from 'ink';
import { App } from '../src/ui/App.js';
import { createTuiStore } from '../src/store/store.js';
import { LangfuseClient } from '../src/api/client.js';
import { createLiveSource } from '../src/stream/live-source.js';
import { startTestServer, TEST_KEYS } from '../test/helpers/server.js';
import { startFaultProxy, type FaultMode } from '../test/helpers/fault-proxy.js';
import { ragTrace } from '../test/helpers/ingest.js';
import { machine, NullTerminal } from './common.js';

const server = await startTestServer();
const proxy = await startFaultProxy(server.url);
for (let i = 0; i < 50; i++) await server.post('/api/public/ingestion', { batch: ragTrace(`fk-${i}`) });
const client = new LangfuseClient({ host: proxy.url, ...TEST_KEYS });
const source = await createLiveSource({ client, streamTimeoutMs: 3_000 });
const store = createTuiStore({ reader: client, host: proxy.url });
source.onTraces((traces) => store.getState().actions.applyTraces(traces));
source.onStatus((status) => store.getState().actions.setStatus(status));
source.start();
const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {}, ref: () => {}, unref: () => {} });
let renders = 0;
const instance = render(<App store={store} />, {
  stdout: new NullTerminal() as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, interactive: true,
  incrementalRendering: true, patchConsole: false, exitOnCtrlC: false, maxFps: 1000, onRender: () => renders++,
});
await new Promise((resolve) => setTimeout(resolve, 1_000));

async function press(keys: string): Promise<number> {
  const before = renders;
  const at = performance.now();
  stdin.write(keys);
  while (renders === before && performance.now() - at < 2_000) await new Promise((resolve) => setImmediate(resolve));
  const ms = performance.now() - at;
  await new Promise((resolve) => setTimeout(resolve, 20));
  return ms;
}

console.log(`machine: ${machine()}; React ${process.env.NODE_ENV === 'production' ? 'production' : 'development'}`);
const faults: [string, FaultMode][] = [
  ['healthy', { kind: 'pass' }],
  ['500/502/503/524 bursts', { kind: 'status', statuses: [500, 502, 503, 524] }],
  ['429 with Retry-After', { kind: 'status', statuses: [429], retryAfterSeconds: 1 }],
  ['truncated bodies', { kind: 'truncated' }],
  ['non-JSON bodies', { kind: 'non-json' }],
  ['slow (5 s)', { kind: 'slow', delayMs: 5_000 }],
  ['hung', { kind: 'hung' }],
];
for (const [label, mode] of faults) {
  proxy.setMode(mode);
  // Live traffic keeps coming while the backend misbehaves.
  for (let i = 0; i < 5; i++) await server.post('/api/public/ingestion', { batch: ragTrace(`fk-${label.replace(/\W/g, '')}-${i}`) });
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const times: number[] = [];
  for (let i = 0; i < 20; i++) times.push(await press(i % 2 === 0 ? '?' : '\x1b'));
  times.sort((a, b) => a - b);
  const status = store.getState().status;
  console.log(`${label.padEnd(24)} keystroke → frame median ${times[10]!.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms; status: ${status.state}${status.detail ? ` (${status.detail})` : ''}`);
}
proxy.setMode({ kind: 'pass' });
instance.unmount();
await source.stop();
process.exit(0);
