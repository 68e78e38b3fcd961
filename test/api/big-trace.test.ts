// A big trace loads in pages with progress, over both read generations, and the result is
// the same trace a single request returns.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LangfuseClient, PAGED_TRACE_THRESHOLD } from '../../src/api/client.js';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';
import { createTuiStore } from '../../src/store/store.js';

const COUNT = 4_500;

async function seedBigTrace(server: TestServer) {
  const start = Date.UTC(2026, 10, 24, 9, 0, 0);
  const iso = (ms: number) => new Date(start + ms).toISOString();
  const events: unknown[] = [{ id: 'ev-big', type: 'trace-create', timestamp: iso(0), body: { id: 'big', name: 'agent_run', timestamp: iso(0), input: { task: 'many tools' } } }];
  for (let i = 0; i < COUNT; i++) {
    events.push({
      id: `ev-o${i}`, type: i % 5 === 0 ? 'generation-create' : 'span-create', timestamp: iso(i),
      body: { id: `o${i}`, traceId: 'big', name: i % 5 === 0 ? 'llm' : 'tool:search', parentObservationId: i === 0 ? undefined : `o${Math.floor((i - 1) / 50)}`, startTime: iso(i), endTime: iso(i + 20) },
    });
  }
  for (let i = 0; i < events.length; i += 1_000) {
    const response = await server.post('/api/public/ingestion', { batch: events.slice(i, i + 1_000) });
    assert.equal(response.status, 207);
  }
}

for (const readApi of ['v1', 'v2'] as const) {
  describe(`a ${COUNT}-observation trace over the ${readApi} read generation`, () => {
    let server: TestServer;
    let client: LangfuseClient;
    before(async () => {
      server = await startTestServer({ readApi, streamEnabled: false });
      await seedBigTrace(server);
      client = new LangfuseClient({ host: server.url, ...TEST_KEYS });
    });
    after(async () => {
      await client.close();
      await server.close();
    });

    it('loads in pages, reporting progress up to the total, with every observation once', async () => {
      assert.ok(COUNT > PAGED_TRACE_THRESHOLD);
      const progress: [number, number | null][] = [];
      const trace = await client.getTrace('big', { expectedObservations: COUNT, onProgress: (loaded, total) => progress.push([loaded, total]) });
      assert.equal(trace.name, 'agent_run');
      assert.equal(trace.observations.length, COUNT);
      assert.equal(new Set(trace.observations.map((o) => o.id)).size, COUNT);
      assert.ok(progress.length >= 4, `several pages (${progress.length})`);
      assert.deepEqual(progress.at(-1), [COUNT, COUNT]);
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i]![0] >= progress[i - 1]![0], 'progress only grows');
      const whole = await client.getTrace('big');
      assert.deepEqual(trace.observations.map((o) => o.id).sort(), whole.observations.map((o) => o.id).sort());
    });

    it('brings every one of 150 scores of the trace, paged or not', async () => {
      const batch = Array.from({ length: 150 }, (_, i) => ({ id: `ev-sc${i}`, type: 'score-create', timestamp: new Date().toISOString(), body: { id: `sc${i}`, traceId: 'big', name: `label_${i}`, value: i } }));
      assert.equal((await server.post('/api/public/ingestion', { batch })).status, 207);
      assert.equal((await client.getTrace('big')).scores.length, 150);
      assert.equal((await client.getTrace('big', { expectedObservations: COUNT })).scores.length, 150);
    });

    it('while a big trace loads the list keeps living: Esc goes back at once and new traces arrive', async () => {
      const store = createTuiStore({ reader: client, host: server.url });
      const summary = (id: string, observationCount: number) => ({ id, timestamp: new Date().toISOString(), name: id, userId: null, sessionId: null, tags: [], environment: 'default', release: null, version: null, latency: 1, totalCost: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, observationCount, errorCount: 0, warningCount: 0, scores: {}, updatedAt: new Date().toISOString() });
      store.getState().actions.applyTraces([summary('big', COUNT)]);
      store.getState().actions.openTrace('big');
      while (!store.getState().open?.progress) await new Promise((resolve) => setTimeout(resolve, 2));
      store.getState().actions.back();
      assert.equal(store.getState().screens.at(-1), 'list');
      store.getState().actions.applyTraces([summary('newer', 3)]);
      assert.deepEqual(store.getState().order, ['big', 'newer']);
      // The load that was under way finishes into nothing: the list stays on screen.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(store.getState().screens.at(-1), 'list');
      assert.equal(store.getState().open, null);
    });

    it('the trace view says how far loading got, then shows the tree', async () => {
      const store = createTuiStore({ reader: client, host: server.url });
      store.getState().actions.applyTraces([{ id: 'big', timestamp: new Date().toISOString(), name: 'agent_run', userId: null, sessionId: null, tags: [], environment: 'default', release: null, version: null, latency: 1, totalCost: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, observationCount: COUNT, errorCount: 0, warningCount: 0, scores: {}, updatedAt: new Date().toISOString() }]);
      const seen: string[] = [];
      const unsubscribe = store.subscribe((state) => {
        const progress = state.open?.progress;
        if (state.open?.state === 'loading' && progress) seen.push(`${progress.loaded}/${progress.total}`);
      });
      store.getState().actions.openTrace('big');
      while (store.getState().open?.state === 'loading') await new Promise((resolve) => setTimeout(resolve, 5));
      unsubscribe();
      assert.equal(store.getState().open?.state, 'loaded');
      assert.equal(store.getState().open?.tree?.observationCount, COUNT);
      assert.ok(seen.length >= 1, 'at least one progress report was shown');
      assert.match(seen.at(-1)!, new RegExp(`/(${COUNT}|null)$`));
    });
  });
}
