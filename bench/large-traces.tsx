// Large traces: load-to-first-frame and per-keystroke render for 1,000 / 10,000 / 100,000
// observations (agent-like depth and fan-out), and RSS at 100,000. Targets: 10,000 → open
// ≤ 300 ms, keystroke ≤ 16 ms; 100,000 → open ≤ 1.5 s, keystroke ≤ 16 ms, ≤ 500 MB RSS.
//   npm run bench:large   (React in production mode and colour on, as the CLI runs them)

import React from 'react';
import { PassThrough } from 'node:stream';
import { render } from 'ink';
import { App } from '../src/ui/App.js';
import { createTuiStore } from '../src/store/store.js';
import type { Observation, TraceSummary, TraceWithFullDetails } from '../src/domain/types.js';
import { machine, NullTerminal } from './common.js';

/** An agent run: steps of tool calls and generations, retries nested below, some errors. */
function agentTrace(count: number): TraceWithFullDetails {
  const start = Date.parse('2026-11-24T10:00:00Z');
  const observations: Observation[] = [];
  for (let i = 0; i < count; i++) {
    const parent = i === 0 ? null : i < 50 ? 'o0' : `o${1 + ((i - 50) % 49)}`;
    const type = i % 7 === 0 ? 'GENERATION' : i % 3 === 0 ? 'TOOL' : 'SPAN';
    const at = start + i * 2;
    observations.push({
      id: `o${i}`, projectId: 'p', traceId: 'big', parentObservationId: parent, type, name: type === 'TOOL' ? 'tool:search' : `step_${i % 40}`,
      startTime: new Date(at).toISOString(), endTime: new Date(at + 20 + (i % 300)).toISOString(), completionStartTime: null,
      environment: 'production', version: null, input: { i }, output: { ok: true }, metadata: null, level: i % 997 === 13 ? 'ERROR' : 'DEFAULT',
      statusMessage: i % 997 === 13 ? 'tool failed' : null, model: type === 'GENERATION' ? 'gpt-4o-mini' : null, modelParameters: null, promptId: null,
      promptName: null, promptVersion: null, usageDetails: {}, costDetails: {}, usage: { unit: 'TOKENS', input: 0, output: 0, total: 0 },
      unit: 'TOKENS', promptTokens: 0, completionTokens: 0, totalTokens: 0, calculatedInputCost: null, calculatedOutputCost: null,
      calculatedTotalCost: null, modelId: null, inputPrice: null, outputPrice: null, totalPrice: null, latency: null, timeToFirstToken: null,
      createdAt: new Date(at).toISOString(), updatedAt: new Date(at).toISOString(),
    });
  }
  return {
    id: 'big', projectId: 'p', timestamp: new Date(start).toISOString(), name: 'agent_run', input: null, output: null, sessionId: null,
    release: null, version: null, userId: 'u_1', metadata: null, tags: [], public: false, bookmarked: false, environment: 'production',
    externalId: null, htmlPath: '/project/p/traces/big', latency: 1, totalCost: 0, observations, scores: [], createdAt: '', updatedAt: '',
  };
}

const summary: TraceSummary = {
  id: 'big', timestamp: new Date().toISOString(), name: 'agent_run', userId: 'u_1', sessionId: null, tags: [], environment: 'production',
  release: null, version: null, latency: 1, totalCost: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, observationCount: 0,
  errorCount: 1, warningCount: 0, scores: {}, updatedAt: new Date().toISOString(),
};

async function measure(count: number) {
  const trace = agentTrace(count);
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {}, ref: () => {}, unref: () => {} });
  // viewRows as the CLI passes it: a big trace opens collapsed to the depth that fits 40 rows.
  const store = createTuiStore({ reader: { getTrace: async () => trace, listTraces: async () => [] }, host: 'bench', viewRows: () => 40 });
  store.getState().actions.applyTraces([summary]);
  let renders = 0;
  const instance = render(<App store={store} />, {
    stdout: new NullTerminal() as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, interactive: true,
    incrementalRendering: true, patchConsole: false, exitOnCtrlC: false, maxFps: 1000, onRender: () => renders++,
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = performance.now();
  // The render count when the trace is in: the first frame is the next render (which may come
  // before this loop looks again, so it is not read after the fact).
  let loaded = -1;
  const unsubscribe = store.subscribe((state) => {
    if (loaded < 0 && state.open?.state === 'loaded') loaded = renders;
  });
  store.getState().actions.openTrace('big');
  while (loaded < 0 || renders === loaded) await new Promise((resolve) => setImmediate(resolve));
  unsubscribe();
  const openMs = performance.now() - started;
  // A person reads the first screen before the first key; the view precomputes its sets meanwhile.
  await new Promise((resolve) => setTimeout(resolve, 500));
  // Each key is pressed in 9 rounds (a key and the one that undoes it), and the median
  // is reported: a single press on a busy 2-vCPU machine measures the garbage collector as
  // much as the key.
  const samples: Record<string, number[]> = {};
  const press = async (label: string, keys: string) => {
    const before = renders;
    const at = performance.now();
    stdin.write(keys);
    // A key that changes nothing renders nothing: give up after 300 ms.
    while (renders === before && performance.now() - at < 300) await new Promise((resolve) => setImmediate(resolve));
    (samples[label] ??= []).push(renders === before ? Number.NaN : performance.now() - at);
    await new Promise((resolve) => setTimeout(resolve, 5));
  };
  const ROUNDS = 9;
  for (let round = 0; round < ROUNDS; round++) {
    await press('expand all', 'e');
    await press('scroll a page', '\x06');
    await press('collapse all', 'c');
  }
  await press('expand all', 'e');
  for (let round = 0; round < ROUNDS; round++) {
    // Search afresh each round: Esc clears the last search (with none, it would leave the trace), / opens a new one.
    for (const keys of [...(round > 0 ? ['\x1b'] : []), '/', 'tool failed']) {
      stdin.write(keys);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await press('search, Enter: to the first error', '\r');
  }
  for (let round = 0; round < ROUNDS; round++) await press('next error (n)', 'n');
  await press('to its parent (h)', 'h');
  for (let round = 0; round < ROUNDS; round++) {
    await press('collapse a node (h)', 'h');
    await press('expand it (l)', 'l');
  }
  for (let round = 0; round < ROUNDS; round++) {
    await press('errors only (x)', 'x');
    await press('all rows again (x)', 'x');
    await press('slow only (S)', 'S');
    await press('all rows again (S)', 'S');
    await press('critical path on/off (P)', 'P');
    await press('zoom in/out (z)', 'z');
  }
  const timings: Record<string, number> = {};
  for (const [label, values] of Object.entries(samples)) {
    const sorted = values.filter((value) => !Number.isNaN(value)).sort((x, y) => x - y);
    timings[label] = sorted.length ? sorted[Math.floor(sorted.length / 2)]! : Number.NaN;
  }
  instance.unmount();
  return { openMs, timings, rss: process.memoryUsage().rss };
}

console.log(`machine: ${machine()}; React ${process.env.NODE_ENV === 'production' ? 'production' : 'development (run with NODE_ENV=production)'}; colour ${process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0' ? 'on' : 'off (run with FORCE_COLOR=1)'}`);
// One unreported pass first: the JIT warms up on it, not on the 1,000-observation figures.
await measure(1_000);
for (const count of (process.env.SIZES ?? '1000,10000,100000').split(',').map(Number)) {
  const { openMs, timings, rss } = await measure(count);
  const keys = Object.entries(timings).map(([label, ms]) => `${label} ${Number.isNaN(ms) ? '(no change)' : ms.toFixed(1)}`).join(', ');
  console.log(`${count.toLocaleString()} observations: open → first frame ${openMs.toFixed(0)} ms; keystroke → frame, median of 9 (ms): ${keys}; RSS ${(rss / 1e6).toFixed(0)} MB`);
}
process.exit(0);
