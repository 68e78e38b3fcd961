// GET /metrics (v1) and /v2/metrics against the same aggregates computed by hand from the raw
// rows of a fixture, for every dimension and measure tracetop relies on; replies checked
// against Langfuse's OpenAPI spec; validation and version gating as the reference gives them.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { assertMatchesSchema } from '../helpers/openapi.js';
import { buildFixture, percentileOf, type Fixture, type RawObservation, type RawScore, type RawTrace } from './metrics-fixture.js';

const END = Date.parse('2026-11-24T10:30:00.000Z');

type Version = 'v1' | 'v2';
const path = (version: Version) => (version === 'v1' ? '/api/public/metrics' : '/api/public/v2/metrics');

function close(actual: unknown, expected: number | null, label: string): void {
  if (expected === null) {
    assert.equal(actual, null, label);
    return;
  }
  assert.equal(typeof actual, 'number', `${label}: ${JSON.stringify(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${label}: ${actual} != ${expected}`);
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const avg = (values: number[]) => (values.length ? sum(values) / values.length : null);
const key = (value: unknown) => JSON.stringify(value);

describe('metrics API: v1 /metrics and /v2/metrics', () => {
  let server: TestServer;
  let fixture: Fixture;
  let traces: Map<string, RawTrace>;

  before(async () => {
    server = await startTestServer();
    fixture = buildFixture(END);
    traces = new Map(fixture.traces.map((trace) => [trace.id, trace]));
    // Newest events first: scores and observations before their traces, so the projection the
    // metrics read is also right when a trace arrives (or is named) after its observations.
    const events = [...fixture.events].reverse();
    for (let i = 0; i < events.length; i += 200) {
      const reply = await server.post('/api/public/ingestion', { batch: events.slice(i, i + 200) });
      assert.equal(reply.status, 207);
      assert.deepEqual(reply.body.errors, []);
    }
  });
  after(() => server.close());

  const query = async (version: Version, body: Record<string, unknown>) => {
    const q = { fromTimestamp: new Date(fixture.fromMs).toISOString(), toTimestamp: new Date(fixture.toMs).toISOString(), ...body };
    return server.get(`${path(version)}?query=${encodeURIComponent(JSON.stringify(q))}`);
  };

  const observationDimension: Record<string, (o: RawObservation) => unknown> = {
    name: (o) => o.name,
    traceName: (o) => traces.get(o.traceId)!.name,
    type: (o) => o.type,
    level: (o) => o.level,
    environment: (o) => o.environment,
    version: (o) => o.version,
    traceRelease: (o) => traces.get(o.traceId)!.release,
    traceVersion: (o) => traces.get(o.traceId)!.version,
    providedModelName: (o) => o.model,
    promptName: (o) => o.promptName,
    promptVersion: (o) => o.promptVersion,
    tags: (o) => [...traces.get(o.traceId)!.tags].sort(),
    sessionId: (o) => traces.get(o.traceId)!.sessionId,
    userId: (o) => traces.get(o.traceId)!.userId,
  };
  const latency = (o: RawObservation) => o.endMs - o.startMs;
  const ttft = (o: RawObservation) => (o.completionStartMs === null ? null : o.completionStartMs - o.startMs);
  const totalCost = (o: RawObservation) => (o.inputCost === null && o.outputCost === null ? null : (o.inputCost ?? 0) + (o.outputCost ?? 0));
  const METRICS = [
    { measure: 'count', aggregation: 'count' },
    { measure: 'latency', aggregation: 'avg' },
    { measure: 'latency', aggregation: 'p50' },
    { measure: 'latency', aggregation: 'p95' },
    { measure: 'latency', aggregation: 'max' },
    { measure: 'totalCost', aggregation: 'sum' },
    { measure: 'totalTokens', aggregation: 'sum' },
    { measure: 'inputTokens', aggregation: 'sum' },
    { measure: 'outputTokens', aggregation: 'sum' },
    { measure: 'timeToFirstToken', aggregation: 'avg' },
    { measure: 'timeToFirstToken', aggregation: 'p90' },
  ];

  function expectedObservationRow(rows: RawObservation[]): Record<string, number | null> {
    const costs = rows.map(totalCost).filter((c): c is number => c !== null);
    const ttfts = rows.map(ttft).filter((t): t is number => t !== null);
    return {
      count_count: rows.length,
      avg_latency: avg(rows.map(latency)),
      p50_latency: percentileOf(rows.map(latency), 0.5),
      p95_latency: percentileOf(rows.map(latency), 0.95),
      max_latency: Math.max(...rows.map(latency)),
      sum_totalCost: sum(costs),
      sum_totalTokens: sum(rows.map((o) => o.inputTokens + o.outputTokens)),
      sum_inputTokens: sum(rows.map((o) => o.inputTokens)),
      sum_outputTokens: sum(rows.map((o) => o.outputTokens)),
      avg_timeToFirstToken: avg(ttfts),
      p90_timeToFirstToken: percentileOf(ttfts, 0.9),
    };
  }

  for (const version of ['v1', 'v2'] as const) {
    for (const dimension of Object.keys(observationDimension)) {
      it(`${version} observations by ${dimension}: every measure equals the hand-computed aggregate`, async () => {
        const highCardinality = dimension === 'userId' || dimension === 'sessionId';
        const body: Record<string, unknown> = { view: 'observations', dimensions: [{ field: dimension }], metrics: METRICS };
        if (version === 'v2' && highCardinality) Object.assign(body, { config: { row_limit: 1000 }, orderBy: [{ field: 'count_count', direction: 'desc' }] });
        const reply = await query(version, body);
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assertMatchesSchema(version === 'v1' ? 'legacyMetricsResponse' : 'MetricsV2Response', reply.body);
        const groups = new Map<string, RawObservation[]>();
        for (const o of fixture.observations) {
          const k = key(observationDimension[dimension]!(o));
          groups.set(k, [...(groups.get(k) ?? []), o]);
        }
        assert.equal(reply.body.data.length, groups.size, 'one row per group');
        for (const row of reply.body.data) {
          const rows = groups.get(key(row[dimension]));
          assert.ok(rows, `unexpected group ${key(row[dimension])}`);
          for (const [alias, expected] of Object.entries(expectedObservationRow(rows))) close(row[alias], expected, `${dimension}=${key(row[dimension])} ${alias}`);
        }
      });
    }
  }

  it('v2 observations by release (the v2 name of traceRelease) and by prompt name + version', async () => {
    const reply = await query('v2', {
      view: 'observations',
      dimensions: [{ field: 'release' }, { field: 'promptName' }, { field: 'promptVersion' }],
      metrics: [{ measure: 'count', aggregation: 'count' }],
      filters: [{ column: 'type', type: 'stringOptions', operator: 'any of', value: ['GENERATION'] }],
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const counts = new Map<string, number>();
    for (const o of fixture.observations.filter((o) => o.type === 'GENERATION')) {
      const k = key([traces.get(o.traceId)!.release, o.promptName, o.promptVersion]);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    assert.equal(reply.body.data.length, counts.size);
    for (const row of reply.body.data) assert.equal(row.count_count, counts.get(key([row.release, row.promptName, row.promptVersion])));
  });

  it('filters use the filter grammar: level ERROR of one model, tags, metadata-free columns', async () => {
    const reply = await query('v2', {
      view: 'observations',
      dimensions: [{ field: 'providedModelName' }],
      metrics: [{ measure: 'count', aggregation: 'count' }],
      filters: [
        { column: 'level', type: 'stringOptions', operator: 'any of', value: ['ERROR'] },
        { column: 'tags', type: 'arrayOptions', operator: 'any of', value: ['production'] },
      ],
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const counts = new Map<string, number>();
    for (const o of fixture.observations) {
      if (o.level !== 'ERROR' || !traces.get(o.traceId)!.tags.includes('production')) continue;
      counts.set(o.model!, (counts.get(o.model!) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(reply.body.data.map((row: any) => [row.providedModelName, row.count_count])), Object.fromEntries(counts));
  });

  it('scores-numeric grouped by the trace and observation dimensions: count and mean value', async () => {
    const scoreDimension: Record<string, (s: RawScore) => unknown> = {
      name: (s) => s.name,
      traceName: (s) => traces.get(s.traceId)!.name,
      tags: (s) => [...traces.get(s.traceId)!.tags].sort(),
      traceRelease: (s) => traces.get(s.traceId)!.release,
      observationName: (s) => fixture.observations.find((o) => o.id === s.observationId)?.name ?? null,
      observationModelName: (s) => fixture.observations.find((o) => o.id === s.observationId)?.model ?? null,
      observationPromptName: (s) => fixture.observations.find((o) => o.id === s.observationId)?.promptName ?? null,
      observationPromptVersion: (s) => fixture.observations.find((o) => o.id === s.observationId)?.promptVersion ?? null,
    };
    for (const version of ['v1', 'v2'] as const) {
      for (const [dimension, read] of Object.entries(scoreDimension)) {
        const reply = await query(version, {
          view: 'scores-numeric',
          dimensions: [{ field: dimension }, { field: 'name' }].filter((d, i) => i === 0 || dimension !== 'name'),
          metrics: [{ measure: 'count', aggregation: 'count' }, { measure: 'value', aggregation: 'avg' }],
        });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        const groups = new Map<string, number[]>();
        for (const s of fixture.scores) {
          const k = key([read(s), s.name]);
          groups.set(k, [...(groups.get(k) ?? []), s.value]);
        }
        assert.equal(reply.body.data.length, groups.size, `${version} ${dimension}`);
        for (const row of reply.body.data) {
          const values = groups.get(key([row[dimension], row.name]))!;
          assert.equal(row.count_count, values.length);
          close(row.avg_value, avg(values), `${version} ${dimension} avg_value`);
        }
      }
    }
  });

  it('v1 traces view: count, latency percentiles, tokens and cost by name; 400 in v2', async () => {
    const reply = await query('v1', {
      view: 'traces',
      dimensions: [{ field: 'name' }],
      metrics: [
        { measure: 'count', aggregation: 'count' },
        { measure: 'latency', aggregation: 'p95' },
        { measure: 'totalTokens', aggregation: 'sum' },
        { measure: 'totalCost', aggregation: 'sum' },
        { measure: 'uniqueUserIds', aggregation: 'uniq' },
      ],
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    for (const row of reply.body.data) {
      const group = fixture.traces.filter((trace) => trace.name === row.name);
      const obs = fixture.observations.filter((o) => traces.get(o.traceId)!.name === row.name);
      assert.equal(row.count_count, group.length);
      assert.equal(row.uniq_uniqueUserIds, new Set(group.map((t) => t.userId)).size);
      const latencies = group.map((trace) => {
        const own = fixture.observations.filter((o) => o.traceId === trace.id);
        return Math.max(...own.map((o) => o.endMs)) - Math.min(...own.map((o) => o.startMs));
      });
      close(row.p95_latency, percentileOf(latencies, 0.95), 'p95_latency');
      close(row.sum_totalTokens, sum(obs.map((o) => o.inputTokens + o.outputTokens)), 'sum_totalTokens');
      close(row.sum_totalCost, sum(obs.map(totalCost).filter((c): c is number => c !== null)), 'sum_totalCost');
    }
    const v2 = await query('v2', { view: 'traces', metrics: [{ measure: 'count', aggregation: 'count' }] });
    assert.equal(v2.status, 400);
  });

  it('a trace renamed after its observations is grouped under its new name', async () => {
    // Outside the fixture's window, so the other tests' counts stay as they are.
    const at = new Date(fixture.fromMs - 600_000).toISOString();
    const batch = (name: string, suffix: string) => [
      { id: `rn-t-${suffix}`, type: 'trace-create', timestamp: at, body: { id: 'rn', name, timestamp: at } },
      { id: `rn-o-${suffix}`, type: 'span-create', timestamp: at, body: { id: 'rn-o', traceId: 'rn', name: 'step', startTime: at, endTime: at } },
    ];
    await server.post('/api/public/ingestion', { batch: batch('before', '1') });
    await server.post('/api/public/ingestion', { batch: [batch('after', '2')[0]] });
    const reply = await query('v2', {
      view: 'observations', dimensions: [{ field: 'traceName' }], metrics: [{ measure: 'count', aggregation: 'count' }],
      filters: [{ column: 'traceId', type: 'string', operator: '=', value: 'rn' }],
      fromTimestamp: new Date(fixture.fromMs - 900_000).toISOString(), toTimestamp: new Date(fixture.fromMs - 1).toISOString(),
    });
    assert.deepEqual(reply.body.data, [{ traceName: 'after', count_count: 1 }]);
  });

  it('time dimension with granularity: per-minute counts that add up', async () => {
    const reply = await query('v2', { view: 'observations', metrics: [{ measure: 'count', aggregation: 'count' }], timeDimension: { granularity: 'minute' } });
    assert.equal(reply.status, 200);
    const expected = new Map<string, number>();
    for (const o of fixture.observations) {
      const bucket = new Date(Math.floor(o.startMs / 60_000) * 60_000).toISOString();
      expected.set(bucket, (expected.get(bucket) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(reply.body.data.map((row: any) => [row.time_dimension, row.count_count])), Object.fromEntries([...expected].sort()));
    const auto = await query('v2', { view: 'observations', metrics: [{ measure: 'count', aggregation: 'count' }], timeDimension: { granularity: 'auto' } });
    assert.equal(sum(auto.body.data.map((row: any) => row.count_count)), fixture.observations.length);
  });

  it('orderBy and row_limit; histogram bins', async () => {
    const reply = await query('v2', {
      view: 'observations',
      dimensions: [{ field: 'providedModelName' }],
      metrics: [{ measure: 'latency', aggregation: 'p95' }, { measure: 'latency', aggregation: 'histogram' }],
      filters: [{ column: 'type', type: 'stringOptions', operator: 'any of', value: ['GENERATION'] }],
      orderBy: [{ field: 'p95_latency', direction: 'desc' }],
      config: { row_limit: 2, bins: 5 },
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.data.length, 2);
    assert.ok(reply.body.data[0].p95_latency >= reply.body.data[1].p95_latency);
    const model = reply.body.data[0].providedModelName;
    const count = fixture.observations.filter((o) => o.model === model).length;
    assert.equal(reply.body.data[0].histogram_latency.length, 5);
    assert.equal(sum(reply.body.data[0].histogram_latency.map((bin: number[]) => bin[2])), count);
  });

  it('400s: unknown dimension, measure or column; string measure summed; bad window; v2 high cardinality', async () => {
    const bad = async (version: Version, body: Record<string, unknown>, pattern?: RegExp) => {
      const reply = await query(version, body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      if (pattern) assert.match(JSON.stringify(reply.body), pattern);
    };
    const count = [{ measure: 'count', aggregation: 'count' }];
    await bad('v2', { view: 'observations', dimensions: [{ field: 'nope' }], metrics: count }, /dimension/);
    await bad('v2', { view: 'observations', metrics: [{ measure: 'nope', aggregation: 'sum' }] }, /measure/);
    await bad('v2', { view: 'observations', metrics: [{ measure: 'latency', aggregation: 'median' }] });
    await bad('v2', { view: 'observations', metrics: [{ measure: 'traceId', aggregation: 'sum' }] });
    await bad('v2', { view: 'observations', metrics: [] });
    await bad('v2', { view: 'observations', metrics: count, filters: [{ column: 'nope', type: 'string', operator: '=', value: 'x' }] }, /does not match/);
    await bad('v2', { view: 'observations', metrics: count, fromTimestamp: new Date(END).toISOString(), toTimestamp: new Date(END - 1000).toISOString() });
    await bad('v2', { view: 'observations', dimensions: [{ field: 'userId' }], metrics: count }, /row_limit/);
    await bad('v2', { view: 'observations', dimensions: [{ field: 'traceId' }], metrics: count, config: { row_limit: 10 }, orderBy: [{ field: 'count_count', direction: 'asc' }] }, /row_limit/);
    await bad('v2', { view: 'observations', dimensions: [{ field: 'userId' }], metrics: count, config: { row_limit: 10 }, orderBy: [{ field: 'count_count', direction: 'desc' }], timeDimension: { granularity: 'hour' } });
    await bad('v2', { view: 'observations', metrics: count, config: { row_limit: 1001 } });
    const notJson = await server.get('/api/public/v2/metrics?query=%7Bnope');
    assert.equal(notJson.status, 400);
    // v1 checks none of the high-cardinality rules.
    const v1 = await query('v1', { view: 'observations', dimensions: [{ field: 'traceId' }], metrics: count });
    assert.equal(v1.status, 200);
    assert.equal(v1.body.data.length, fixture.traces.length);
  });
});

describe('metrics projection', () => {
  it('a database stored before the projection existed is backfilled when opened', async () => {
    const dir = tempDir('tracetop-metrics-');
    const dbPath = join(dir.path, 'old.db');
    try {
      const fixture = buildFixture(END, 10, 'bf');
      let server = await startTestServer({ dbPath });
      await server.post('/api/public/ingestion', { batch: fixture.events });
      await server.close();
      const db = new DatabaseSync(dbPath);
      db.exec('DROP TABLE observation_facts');
      db.close();
      server = await startTestServer({ dbPath });
      const q = encodeURIComponent(JSON.stringify({
        view: 'observations', dimensions: [{ field: 'traceName' }], metrics: [{ measure: 'count', aggregation: 'count' }, { measure: 'totalTokens', aggregation: 'sum' }],
        fromTimestamp: new Date(fixture.fromMs).toISOString(), toTimestamp: new Date(fixture.toMs).toISOString(),
      }));
      const reply = await server.get(`/api/public/v2/metrics?query=${q}`);
      await server.close();
      const traceName = new Map(fixture.traces.map((t) => [t.id, t.name]));
      const expected = new Map<string, [number, number]>();
      for (const o of fixture.observations) {
        const entry = expected.get(traceName.get(o.traceId)!) ?? [0, 0];
        expected.set(traceName.get(o.traceId)!, [entry[0] + 1, entry[1] + o.inputTokens + o.outputTokens]);
      }
      assert.deepEqual(
        Object.fromEntries(reply.body.data.map((row: any) => [row.traceName, [row.count_count, row.sum_totalTokens]])),
        Object.fromEntries(expected),
      );
    } finally {
      dir.remove();
    }
  });
});

describe('metrics API version gating', () => {
  it('v1 /metrics answers 404 on a v4 events_only server; /v2/metrics 404 on a v3 server', async () => {
    const q = encodeURIComponent(JSON.stringify({ view: 'observations', metrics: [{ measure: 'count', aggregation: 'count' }], fromTimestamp: '2026-01-01T00:00:00Z', toTimestamp: '2026-01-02T00:00:00Z' }));
    const v4 = await startTestServer({ readApi: 'v2' });
    try {
      assert.equal((await v4.get(`/api/public/metrics?query=${q}`)).status, 404);
      assert.equal((await v4.get(`/api/public/v2/metrics?query=${q}`)).status, 200);
    } finally {
      await v4.close();
    }
    const v3 = await startTestServer({ readApi: 'v1' });
    try {
      assert.equal((await v3.get(`/api/public/metrics?query=${q}`)).status, 200);
      assert.equal((await v3.get(`/api/public/v2/metrics?query=${q}`)).status, 404);
    } finally {
      await v3.close();
    }
  });
});
