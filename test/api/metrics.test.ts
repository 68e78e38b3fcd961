// `top` from the metrics API (what tracetop asks a big window of): the same counts, errors,
// tokens and cost per group as the raw rows, by trace name, model and prompt@version, on a v3
// (GET /metrics) and a v4 (GET /v2/metrics) server; answers cached per window.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LangfuseClient } from '../../src/api/client.js';
import { MetricsClient } from '../../src/api/metrics.js';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';
import { buildFixture, percentileOf, type Fixture } from '../server/metrics-fixture.js';

for (const readApi of ['v1', 'v2'] as const) {
  describe(`MetricsClient.topFromMetrics on a ${readApi === 'v1' ? 'v3' : 'v4'} server`, () => {
    let server: TestServer;
    let client: LangfuseClient;
    let metrics: MetricsClient;
    let fixture: Fixture;
    const now = Date.now();

    before(async () => {
      server = await startTestServer({ readApi, streamEnabled: false });
      fixture = buildFixture(now - 60_000, 40, `mt-${readApi}`);
      assert.deepEqual((await server.post('/api/public/ingestion', { batch: fixture.events })).body.errors, []);
      client = new LangfuseClient({ host: server.url, ...TEST_KEYS });
      metrics = new MetricsClient(client);
    });
    after(async () => {
      await client.close();
      await server.close();
    });

    const request = { windowMs: 60 * 60_000, now };

    it('by trace name: traces, traces with an error, tokens and cost of all their observations', async () => {
      const top = await metrics.topFromMetrics({ ...request, by: 'name' }, now);
      for (const group of top.groups) {
        const traces = fixture.traces.filter((t) => t.name === group.key);
        const ids = new Set(traces.map((t) => t.id));
        const observations = fixture.observations.filter((o) => ids.has(o.traceId));
        assert.equal(group.count, traces.length, `${group.key} count`);
        assert.equal(group.errorCount, new Set(observations.filter((o) => o.level === 'ERROR').map((o) => o.traceId)).size, `${group.key} errors`);
        assert.equal(group.totalTokens, observations.reduce((sum, o) => sum + o.inputTokens + o.outputTokens, 0));
        assert.ok(Math.abs(group.totalCost - observations.reduce((sum, o) => sum + (o.inputCost ?? 0) + (o.outputCost ?? 0), 0)) < 1e-9);
        const grounded = fixture.scores.filter((s) => ids.has(s.traceId) && s.name === 'groundedness').map((s) => s.value);
        assert.ok(Math.abs(group.scores.groundedness! - grounded.reduce((a, b) => a + b, 0) / grounded.length) < 1e-9);
      }
      assert.equal(top.total.count, fixture.traces.length);
    });

    it('by model and by prompt: generations, level ERROR, exact percentiles', async () => {
      for (const by of ['model', 'prompt'] as const) {
        const top = await metrics.topFromMetrics({ ...request, by }, now);
        const keyOf = (o: Fixture['observations'][number]) => (by === 'model' ? o.model : o.promptName ? `${o.promptName}@${o.promptVersion}` : null);
        const generations = fixture.observations.filter((o) => o.type === 'GENERATION' && keyOf(o) !== null);
        assert.equal(top.groups.length, new Set(generations.map(keyOf)).size);
        for (const group of top.groups) {
          const rows = generations.filter((o) => keyOf(o) === group.key);
          assert.equal(group.count, rows.length, `${by} ${group.key}`);
          assert.equal(group.errorCount, rows.filter((o) => o.level === 'ERROR').length);
          assert.ok(Math.abs(group.latencyP95! - percentileOf(rows.map((o) => o.endMs - o.startMs), 0.95)!) < 1e-9);
        }
      }
    });

    it('asks the metrics API once per window: a second top is answered from the cache', async () => {
      // Windows are cached by the minute: two asks ten seconds apart within one minute.
      const at = Math.floor(now / 60_000) * 60_000 + 5_000;
      await metrics.topFromMetrics({ ...request, by: 'model' }, at);
      const before = client.http.counters.requests;
      await metrics.topFromMetrics({ ...request, by: 'model' }, at + 10_000);
      assert.equal(client.http.counters.requests, before);
    });
  });
}
