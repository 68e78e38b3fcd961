// Run with NODE_ENV=production (npm run bench:tui), as the CLI runs React.
// TUI figures: bytes written per second during a 50 traces/s tail (incremental vs full
// redraw, same run), time to open a 10,000-observation trace and per-keystroke render in it,
// keystroke → frame in the live list,
// RSS with 50,000 buffered traces, `tracetop --version`, and first frame with data.
//   npm run bench:tui

import React from 'react';
import { execFileSync, spawnSync } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { render } from 'ink';
import { App } from '../src/ui/App.js';
import { createTuiStore } from '../src/store/store.js';
import type { TraceSummary, TraceWithFullDetails, Observation } from '../src/domain/types.js';
import { startServer } from '../src/server/index.js';
import { machine, percentile } from './common.js';

class FakeTerminal extends Writable {
  bytes = 0;
  columns = 120;
  rows = 40;
  isTTY = true;
  override _write(chunk: Buffer, _encoding: string, callback: () => void) {
    this.bytes += chunk.length;
    callback();
  }
}

function fakeStdin() {
  const stdin = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode(mode: boolean): void; ref(): void; unref(): void };
  stdin.isTTY = true;
  stdin.setRawMode = () => {};
  stdin.ref = () => {};
  stdin.unref = () => {};
  return stdin;
}

const summary = (i: number): TraceSummary => ({
  id: `t${i}`, timestamp: new Date().toISOString(), name: `rag_pipeline_${i % 7}`, userId: `u_${i % 12}`, sessionId: `s_${i % 40}`,
  tags: ['production', 'rag'], environment: 'production', release: null, version: null, latency: 0.5 + (i % 10) / 10,
  totalCost: 0.0003, inputTokens: 100, outputTokens: 20, totalTokens: 120, observationCount: 5, errorCount: i % 17 === 0 ? 1 : 0,
  warningCount: 0, scores: { groundedness: 0.9 }, updatedAt: new Date().toISOString(),
});

const reader = (trace?: TraceWithFullDetails) => ({
  getTrace: async () => trace!,
  listTraces: async () => [],
});

async function tailBytes(incrementalRendering: boolean, paused = false): Promise<number> {
  const terminal = new FakeTerminal();
  const store = createTuiStore({ reader: reader(), host: 'bench' });
  for (let i = 0; i < 200; i++) store.getState().actions.applyTraces([summary(i)]);
  const instance = render(<App store={store} />, { stdout: terminal as unknown as NodeJS.WriteStream, stdin: fakeStdin() as unknown as NodeJS.ReadStream, interactive: true, maxFps: 15, incrementalRendering, patchConsole: false, exitOnCtrlC: false });
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (paused) store.getState().actions.toggleFollow();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const before = terminal.bytes;
  const seconds = 4;
  let next = 200;
  // 50 traces/s, delivered as the LiveSource does: a batch every 100 ms.
  for (let tick = 0; tick < seconds * 10; tick++) {
    store.getState().actions.applyTraces(Array.from({ length: 5 }, () => summary(next++)));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const perSecond = (terminal.bytes - before) / seconds;
  instance.unmount();
  return perSecond;
}

function bigTrace(count: number): TraceWithFullDetails {
  const start = Date.parse('2026-11-24T10:00:00Z');
  const observations: Observation[] = [];
  for (let i = 0; i < count; i++) {
    const parent = i === 0 ? null : `o${Math.floor((i - 1) / 6)}`;
    const at = start + i * 3;
    observations.push({
      id: `o${i}`, projectId: 'p', traceId: 'big', parentObservationId: parent, type: i % 5 === 0 ? 'GENERATION' : i % 3 === 0 ? 'TOOL' : 'SPAN',
      name: `step_${i % 50}`, startTime: new Date(at).toISOString(), endTime: new Date(at + 50 + (i % 200)).toISOString(), completionStartTime: null,
      environment: 'production', version: null, input: { i }, output: { ok: true }, metadata: null, level: i % 997 === 0 ? 'ERROR' : 'DEFAULT',
      statusMessage: null, model: null, modelParameters: null, promptId: null, promptName: null, promptVersion: null, usageDetails: {}, costDetails: {},
      usage: { unit: 'TOKENS', input: 0, output: 0, total: 0 }, unit: 'TOKENS', promptTokens: 0, completionTokens: 0, totalTokens: 0,
      calculatedInputCost: null, calculatedOutputCost: null, calculatedTotalCost: null, modelId: null, inputPrice: null, outputPrice: null,
      totalPrice: null, latency: null, timeToFirstToken: null, createdAt: new Date(at).toISOString(), updatedAt: new Date(at).toISOString(),
    });
  }
  return {
    id: 'big', projectId: 'p', timestamp: new Date(start).toISOString(), name: 'agent_run', input: null, output: null, sessionId: null,
    release: null, version: null, userId: 'u_1', metadata: null, tags: [], public: false, bookmarked: false, environment: 'production',
    externalId: null, htmlPath: '', latency: 30, totalCost: 0, observations, scores: [], createdAt: '', updatedAt: '',
  };
}

async function openBigTrace(count: number) {
  const terminal = new FakeTerminal();
  const stdin = fakeStdin();
  const trace = bigTrace(count);
  const store = createTuiStore({ reader: reader(trace), host: 'bench' });
  store.getState().actions.applyTraces([summary(0)]);
  const renders: number[] = [];
  const instance = render(<App store={store} />, {
    stdout: terminal as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, interactive: true, maxFps: 1000,
    incrementalRendering: true, patchConsole: false, exitOnCtrlC: false, onRender: ({ renderTime }) => renders.push(renderTime),
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const opened = performance.now();
  // The render count when the trace is in: the first frame is the next render (which may come
  // before this loop looks again, so it is not read after the fact, as bench:large does).
  let loaded = -1;
  const unsubscribe = store.subscribe((state) => {
    if (loaded < 0 && state.open?.state === 'loaded') loaded = renders.length;
  });
  store.getState().actions.openTrace('big');
  while (loaded < 0 || renders.length === loaded) await new Promise((resolve) => setImmediate(resolve));
  unsubscribe();
  const openMs = performance.now() - opened;
  // Per keystroke: move down, then expand all / collapse all, timed from key to rendered frame.
  const keystrokes: number[] = [];
  // Down, expand all, jump to the end and back, collapse all, again: 40 keystrokes.
  for (const key of [...'jjjejjGgcejj', ...'jjjjjjjjjjkkkkkkkkkkjjjjjjjj']) {
    const count = renders.length;
    const started = performance.now();
    stdin.write(key);
    while (renders.length === count) await new Promise((resolve) => setImmediate(resolve));
    keystrokes.push(performance.now() - started);
  }
  instance.unmount();
  keystrokes.sort((a, b) => a - b);
  return { openMs, p50: percentile(keystrokes, 50), max: keystrokes[keystrokes.length - 1]! };
}

/** The live list with 1,000 traces: j/k on the screen, then j held past the bottom (every row moves). */
async function listKeys() {
  const stdin = fakeStdin();
  const store = createTuiStore({ reader: reader(), host: 'bench' });
  store.getState().actions.applyTraces(Array.from({ length: 1_000 }, (_, i) => summary(i)));
  let renders = 0;
  const instance = render(<App store={store} />, {
    stdout: new FakeTerminal() as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, interactive: true, maxFps: 1000,
    incrementalRendering: true, patchConsole: false, exitOnCtrlC: false, onRender: () => renders++,
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const time = async (keys: string) => {
    const samples: number[] = [];
    for (const key of keys) {
      const count = renders;
      const started = performance.now();
      stdin.write(key);
      while (renders === count) await new Promise((resolve) => setImmediate(resolve));
      samples.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return samples.sort((a, b) => a - b);
  };
  const move = await time('jk'.repeat(100));
  await time('j'.repeat(40));
  const scroll = await time('j'.repeat(200));
  instance.unmount();
  return { move: percentile(move, 50), scroll: percentile(scroll, 50), scrollP90: percentile(scroll, 90) };
}

function rssWithBuffered(count: number) {
  const before = process.memoryUsage().rss;
  const store = createTuiStore({ reader: reader(), host: 'bench', capacity: count });
  for (let i = 0; i < count; i += 500) store.getState().actions.applyTraces(Array.from({ length: 500 }, (_, j) => summary(i + j)));
  (globalThis as { gc?: () => void }).gc?.();
  return { rss: process.memoryUsage().rss, delta: process.memoryUsage().rss - before, kept: store.getState().order.length };
}

const bin = fileURLToPath(new URL('../bin/tracetop.js', import.meta.url));
function versionTimes(): number[] {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    spawnSync(process.execPath, [bin, '--version']);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

async function firstFrame(): Promise<number | null> {
  if (spawnSync('tmux', ['-V']).status !== 0) return null;
  const keys = { publicKey: 'pk-lf-bench', secretKey: 'sk-lf-bench' };
  const server = await startServer({ dbPath: ':memory:', port: 0, ...keys });
  await fetch(`${server.url}/api/public/ingestion`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${keys.publicKey}:${keys.secretKey}`).toString('base64')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ batch: [{ id: 'e1', type: 'trace-create', timestamp: new Date().toISOString(), body: { id: 'first', name: 'first_frame_marker' } }] }),
  });
  const session = `tracetop-bench-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  const started = performance.now();
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '40', `env LANGFUSE_BASE_URL=${server.url} LANGFUSE_PUBLIC_KEY=${keys.publicKey} LANGFUSE_SECRET_KEY=${keys.secretKey} ${process.execPath} ${bin}`]);
  let elapsed: number | null = null;
  while (performance.now() - started < 10_000) {
    const screen = execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
    if (screen.includes('first_frame_marker')) {
      elapsed = performance.now() - started;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  spawnSync('tmux', ['kill-session', '-t', session]);
  await server.close();
  return elapsed;
}

const memory = rssWithBuffered(50_000);
const full = await tailBytes(false);
const incremental = await tailBytes(true);
const pausedFull = await tailBytes(false, true);
const pausedIncremental = await tailBytes(true, true);
const open10k = await openBigTrace(10_000);
const open100k = await openBigTrace(100_000);
const list = await listKeys();
const version = versionTimes();
const frames: number[] = [];
for (let run = 0; run < 5; run++) {
  const elapsed = await firstFrame();
  if (elapsed !== null) frames.push(elapsed);
}
frames.sort((a, b) => a - b);

console.log(`machine: ${machine()}`);
console.log(`bytes to the terminal during a 50 traces/s tail (120×40): full redraw ${Math.round(full).toLocaleString()} B/s, incremental ${Math.round(incremental).toLocaleString()} B/s → ratio ${(incremental / full).toFixed(3)}`);
console.log(`  … paused (the view holds still, the status bar counts): full redraw ${Math.round(pausedFull).toLocaleString()} B/s, incremental ${Math.round(pausedIncremental).toLocaleString()} B/s → ratio ${(pausedIncremental / pausedFull).toFixed(3)}`);
console.log(`open a 10,000-observation trace: ${open10k.openMs.toFixed(0)} ms to the first frame (target ≤ 300 ms); keystroke → frame p50 ${open10k.p50.toFixed(1)} ms, max ${open10k.max.toFixed(1)} ms (target ≤ 16 ms)`);
console.log(`open a 100,000-observation trace: ${open100k.openMs.toFixed(0)} ms; keystroke → frame p50 ${open100k.p50.toFixed(1)} ms, max ${open100k.max.toFixed(1)} ms`);
console.log(`live list, 1,000 traces: keystroke → frame p50 ${list.move.toFixed(1)} ms moving the cursor, ${list.scroll.toFixed(1)} ms (p90 ${list.scrollP90.toFixed(1)}) scrolling a row (every line redrawn)`);
console.log(`RSS with ${memory.kept.toLocaleString()} buffered traces: ${(memory.rss / 1e6).toFixed(0)} MB for the whole process, Ink and React loaded (the store's share ≈ ${(memory.delta / 1e6).toFixed(0)} MB; target ≤ 200 MB)`);
console.log(`tracetop --version: median ${version[3]!.toFixed(0)} ms, min ${version[0]!.toFixed(0)} ms (target ≤ 150 ms)`);
console.log(`first frame with data (tmux, local server, 5 runs): ${frames.length === 0 ? 'tmux not installed' : `median ${frames[2]!.toFixed(0)} ms, min ${frames[0]!.toFixed(0)} ms, max ${frames[frames.length - 1]!.toFixed(0)} ms`} (target ≤ 400 ms; a bare \`node -e\` shows in tmux after ~40 ms)`);
process.exit(0);
