// The strict twin: `tracetop serve --read-api v1|v2|both` refuses what real Langfuse refuses
// (typos on strict endpoints, limits past 100, timestamps without an offset, a parameter sent
// twice), splits what it splits, gates the generations as v3.225.4 and v4 events_only do, and
// its answers still match the OpenAPI spec.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertMatchesSchema } from '../helpers/openapi.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';

const AT = new Date('2026-11-24T10:00:00Z');
const EVENTS_ONLY = 'This endpoint is not available on deployments running in Langfuse v4 events_only mode. Learn more about Langfuse v4 at: https://langfuse.com/docs/v4';
const V4_ONLY = 'The observations v2 API is only available in a Langfuse v4 write mode. Learn more at: https://langfuse.com/docs/v4';
const enc = encodeURIComponent;
const filterParam = (conditions: unknown[]) => `filter=${enc(JSON.stringify(conditions))}`;

async function seed(server: TestServer): Promise<void> {
  const batch: unknown[] = [
    ...ragTrace('t-prod', { tags: ['production', 'rag'], userId: 'u_1', sessionId: 's-1', at: AT, environment: 'production' }),
    ...ragTrace('t-stage', { tags: ['staging'], userId: 'u_2', sessionId: 's-2', at: new Date(AT.getTime() + 1000), environment: 'staging' }),
    ...ragTrace('t-both', { tags: ['production', 'staging'], userId: 'u_3', sessionId: 's-3', at: new Date(AT.getTime() + 2000), environment: 'production', error: true }),
    ...ragTrace('t-comma', { tags: ['a,b'], userId: 'u_4', at: new Date(AT.getTime() + 3000), environment: 'prod,eu' }),
    // An SDK app root: its parent span lives in another service, outside this trace.
    { id: 'ev-ext', type: 'trace-create', timestamp: AT.toISOString(), body: { id: 't-ext', name: 'downstream', timestamp: AT.toISOString() } },
    { id: 'ev-ext-s', type: 'span-create', timestamp: AT.toISOString(), body: { id: 'ext-root', traceId: 't-ext', parentObservationId: 'span-in-caller', name: 'handle', startTime: AT.toISOString() } },
    { id: 'ev-ext-c', type: 'span-create', timestamp: AT.toISOString(), body: { id: 'ext-child', traceId: 't-ext', parentObservationId: 'ext-root', name: 'step', startTime: AT.toISOString() } },
  ];
  assert.equal((await server.post('/api/public/ingestion', { batch })).status, 207);
  await server.post('/api/public/scores', { traceId: 't-prod', name: 'helpfulness', value: 0.9, source: 'API' });
  await server.post('/api/public/scores', { traceId: 't-stage', name: 'helpfulness', value: 0.2 });
  await server.post('/api/public/scores', { datasetRunId: 'run-1', name: 'accuracy', value: 0.5 });
  await server.post('/api/public/annotation-queues', { name: 'triage', scoreConfigIds: [] });
}

function assertInvalidData(response: { status: number; body: any }, path: string): void {
  assert.equal(response.status, 400, JSON.stringify(response.body));
  assert.equal(response.body.message, 'Invalid request data');
  assert.ok(Array.isArray(response.body.error), JSON.stringify(response.body));
  assert.ok(response.body.error.some((issue: { path: unknown[] }) => issue.path.join('.') === path), JSON.stringify(response.body.error));
}

describe('strict twin: parameters as real Langfuse reads them (--read-api both)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await seed(server);
  });
  after(() => server.close());

  it('a typo on a strict endpoint is a 400 naming the unknown key; elsewhere it is ignored', async () => {
    const typo = await server.get('/api/public/v3/scores?nmae=helpfulness');
    assert.equal(typo.status, 400);
    assert.equal(typo.body.message, 'Invalid request data');
    assert.deepEqual(typo.body.error.map((issue: { code: string; keys: string[] }) => [issue.code, issue.keys]), [['unrecognized_keys', ['nmae']]]);
    const queues = await server.get('/api/public/annotation-queues?limt=5');
    assert.equal(queues.status, 400);
    assert.equal(queues.body.error[0].code, 'unrecognized_keys');
    assert.equal((await server.get('/api/public/annotation-queues?limit=5')).status, 200);
    // Most endpoints ignore unknown keys, as the real ones do.
    const traces = await server.get('/api/public/traces?nmae=x');
    assert.equal(traces.status, 200);
    assert.equal(traces.body.data.length, 5);
  });

  it('limit past 100, a timestamp without an offset and a repeated plain parameter are 400s', async () => {
    assertInvalidData(await server.get('/api/public/traces?limit=101'), 'limit');
    assertInvalidData(await server.get('/api/public/v3/scores?limit=101'), 'limit');
    assert.equal((await server.get('/api/public/v2/observations?limit=1000')).status, 200);
    assertInvalidData(await server.get('/api/public/v2/observations?limit=1001'), 'limit');
    assertInvalidData(await server.get('/api/public/traces?fromTimestamp=2026-11-24T10:00:00'), 'fromTimestamp');
    assertInvalidData(await server.get('/api/public/observations?fromStartTime=2026-11-24'), 'fromStartTime');
    assertInvalidData(await server.get('/api/public/traces?name=a&name=b'), 'name');
    assertInvalidData(await server.get('/api/public/v3/scores?name=a&name=b'), 'name');
    // An offset other than Z is fine.
    assert.equal((await server.get(`/api/public/traces?fromTimestamp=${enc('2026-11-24T11:00:00+01:00')}`)).body.data.length, 5);
  });

  it('tags: comma-separated or repeated, all of them', async () => {
    const ids = async (path: string) => ((await server.get(path)).body.data as { id: string }[]).map((trace) => trace.id).sort();
    assert.deepEqual(await ids('/api/public/traces?tags=production,staging'), ['t-both']);
    assert.deepEqual(await ids('/api/public/traces?tags=production&tags=staging'), ['t-both']);
    assert.deepEqual(await ids('/api/public/traces?tags=production'), ['t-both', 't-prod']);
    // A tag with a comma can only be asked for by repeating the key.
    assert.deepEqual(await ids('/api/public/traces?tags=a,b'), []);
    assert.deepEqual(await ids('/api/public/traces?tags=a,b&tags=a,b'), ['t-comma']);
    // environment is csv|rep on traces, never split on sessions.
    assert.deepEqual(await ids('/api/public/traces?environment=staging,production'), ['t-both', 't-prod', 't-stage']);
    const sessions = await server.get('/api/public/sessions?environment=staging,production');
    assert.deepEqual(sessions.body.data, []);
    assert.equal((await server.get('/api/public/sessions?environment=staging&environment=production')).body.data.length, 3);
  });

  it('v3 scores: fields=core, case-insensitive source, csv traceId, experimentId, timestamps', async () => {
    const core = await server.get('/api/public/v3/scores?fields=core');
    assert.equal(core.status, 200);
    assert.equal(core.body.data.length, 3);
    assertMatchesSchema('GetScoresV3Response', core.body);
    assertInvalidData(await server.get('/api/public/v3/scores?fields=core,everything'), 'fields');
    assert.equal((await server.get('/api/public/v3/scores?source=api')).body.data.length, 3);
    assert.equal((await server.get('/api/public/v3/scores?dataType=numeric&valueMin=0.5')).body.data.length, 2);
    assertInvalidData(await server.get('/api/public/v3/scores?source=robot'), 'source');
    const both = await server.get('/api/public/v3/scores?traceId=t-prod,t-stage');
    assert.deepEqual(both.body.data.map((score: { value: number }) => score.value).sort(), [0.2, 0.9]);
    const experiment = await server.get('/api/public/v3/scores?experimentId=run-1&fields=subject');
    assert.deepEqual(experiment.body.data.map((score: { subject: unknown }) => score.subject), [{ kind: 'experiment', id: 'run-1' }]);
    assert.equal((await server.get('/api/public/v3/scores?traceId=t-prod&experimentId=run-1')).status, 400);
    assert.equal((await server.get('/api/public/v3/scores?observationId=x')).status, 400);
    assert.equal((await server.get('/api/public/v3/scores?userId=u_1')).status, 400);
    assert.equal((await server.get(`/api/public/v3/scores?fromTimestamp=${enc(new Date(Date.now() + 60_000).toISOString())}`)).body.data.length, 0);
    assert.equal((await server.get(`/api/public/v2/scores?fromTimestamp=${enc(new Date(Date.now() + 60_000).toISOString())}`)).body.data.length, 0);
    assert.equal((await server.get(`/api/public/v2/scores?toTimestamp=${enc(new Date(Date.now() + 60_000).toISOString())}`)).body.data.length, 3);
  });

  it('v3 scores page by cursor; a bad cursor is "Invalid cursor format"', async () => {
    const first = await server.get('/api/public/v3/scores?limit=2');
    assert.equal(first.body.data.length, 2);
    assert.equal(typeof first.body.meta.cursor, 'string');
    const second = await server.get(`/api/public/v3/scores?limit=2&cursor=${enc(first.body.meta.cursor)}`);
    assert.equal(second.body.data.length, 1);
    assert.equal(second.body.meta.cursor, undefined);
    const bad = await server.get('/api/public/v3/scores?cursor=not-a-cursor');
    assert.deepEqual([bad.status, bad.body.message], [400, 'Invalid cursor format']);
  });

  it('v2 observations: app roots with an external parent are roots; cursor pages cover every row once', async () => {
    const roots = await server.get('/api/public/v2/observations?traceId=t-ext&isRootObservation=true');
    assert.deepEqual(roots.body.data.map((row: { id: string; isRootObservation: boolean }) => [row.id, row.isRootObservation]), [['ext-root', true]]);
    const filtered = await server.get(`/api/public/v2/observations?traceId=t-ext&${filterParam([{ type: 'boolean', column: 'isRootObservation', operator: '=', value: false }])}`);
    assert.deepEqual(filtered.body.data.map((row: { id: string }) => row.id), ['ext-child']);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await server.get(`/api/public/v2/observations?limit=3${cursor ? `&cursor=${enc(cursor)}` : ''}`);
      assert.equal(page.status, 200);
      assertMatchesSchema('ObservationsV2Response', page.body);
      seen.push(...page.body.data.map((row: { id: string }) => row.id));
      cursor = page.body.meta.cursor;
    } while (cursor);
    assert.equal(seen.length, 10);
    assert.equal(new Set(seen).size, 10);
    assert.deepEqual((await server.get('/api/public/v2/observations?cursor=%%%')).status, 400);
    const bad = await server.get(`/api/public/v2/observations?cursor=${enc(Buffer.from('{"x":1}').toString('base64'))}`);
    assert.deepEqual([bad.status, bad.body.message], [400, 'Invalid cursor format']);
  });

  it('v2 observations: unknown field groups are dropped, defaults are core and basic, parseIoAsJson=true is refused', async () => {
    const plain = (await server.get('/api/public/v2/observations?limit=1')).body.data[0];
    assert.ok('name' in plain && 'isRootObservation' in plain && !('input' in plain));
    const io = (await server.get('/api/public/v2/observations?limit=1&fields=io,nonsense')).body.data[0];
    assert.ok('input' in io && !('name' in io));
    assert.equal((await server.get('/api/public/v2/observations?parseIoAsJson=true')).status, 400);
  });

  it('orderBy on /traces takes its column list; anything else is a 400', async () => {
    const asc = await server.get('/api/public/traces?orderBy=timestamp.asc');
    assert.equal(asc.body.data[0].id, 't-prod');
    const bad = await server.get('/api/public/traces?orderBy=latency.desc');
    assert.deepEqual([bad.status, bad.body.message], [400, 'Invalid order by column: latency']);
    assert.equal((await server.get('/api/public/traces?orderBy=name.sideways')).status, 400);
  });

  it('filter: bad JSON, unknown column, wrong type: 400 with Langfuse\'s words', async () => {
    const json = await server.get('/api/public/traces?filter=%5Bnot-json');
    assert.deepEqual([json.status, json.body.message], [400, 'Invalid JSON in filter parameter']);
    const column = await server.get(`/api/public/traces?${filterParam([{ type: 'string', column: 'colour', operator: '=', value: 'x' }])}`);
    assert.deepEqual([column.status, column.body.message], [400, 'Column colour does not match a UI / CH table mapping.']);
    const type = await server.get(`/api/public/traces?${filterParam([{ type: 'string', column: 'metadata', operator: '=', value: 'x' }])}`);
    assert.equal(type.status, 400);
    assert.match(type.body.message, /^Invalid filter type 'string' for column 'metadata'/);
    const shape = await server.get(`/api/public/v2/observations?${filterParam([{ type: 'number', column: 'latency', operator: '~', value: 1 }])}`);
    assertInvalidData(shape, 'filter.0');
    // Score columns are v1 trace columns only.
    const noScores = await server.get(`/api/public/v2/observations?${filterParam([{ type: 'numberObject', column: 'scores_avg', key: 'h', operator: '<', value: 1 }])}`);
    assert.equal(noScores.status, 400);
  });

  it('an advanced filter on a column drops the simple parameter for that column', async () => {
    const tagFilter = filterParam([{ type: 'arrayOptions', column: 'tags', operator: 'any of', value: ['staging'] }]);
    const traces = await server.get(`/api/public/traces?tags=production&${tagFilter}`);
    assert.deepEqual(traces.body.data.map((trace: { id: string }) => trace.id).sort(), ['t-both', 't-stage']);
    const time = filterParam([{ type: 'datetime', column: 'timestamp', operator: '>=', value: AT.toISOString() }]);
    const future = enc(new Date(AT.getTime() + 86_400_000).toISOString());
    assert.equal((await server.get(`/api/public/traces?fromTimestamp=${future}&${time}`)).body.data.length, 5);
    assert.equal((await server.get(`/api/public/traces?fromTimestamp=${future}`)).body.data.length, 0);
  });

  it('scores take filter on their columns', async () => {
    const low = await server.get(`/api/public/v2/scores?${filterParam([{ type: 'number', column: 'value', operator: '<', value: 0.5 }])}`);
    assert.deepEqual(low.body.data.map((score: { traceId: string }) => score.traceId), ['t-stage']);
    assertMatchesSchema('GetScoresResponse', low.body);
  });
});

describe('strict twin: generations', () => {
  const servers: TestServer[] = [];
  after(async () => {
    for (const server of servers) await server.close();
  });
  const start = async (readApi: 'v1' | 'v2', extra: Record<string, unknown> = {}) => {
    const server = await startTestServer({ readApi, ...extra });
    servers.push(server);
    await seed(server);
    return server;
  };
  const anonymous = async (server: TestServer, path: string) => {
    const response = await fetch(`${server.url}${path}`);
    return { status: response.status, body: (await response.json()) as any };
  };

  it('--read-api v2 (events_only): v1 reads are 404 before auth; v4 reads and /v3/scores serve', async () => {
    const server = await start('v2');
    for (const path of ['/api/public/traces', '/api/public/traces/t-prod', '/api/public/observations', '/api/public/sessions', '/api/public/scores', '/api/public/v2/scores']) {
      const keyless = await anonymous(server, path);
      assert.deepEqual([keyless.status, keyless.body], [404, { message: EVENTS_ONLY }], path);
      assert.equal((await server.get(path)).status, 404, path);
    }
    for (const path of ['/api/public/metrics', '/api/public/metrics/daily', '/api/public/datasets/d/runs', '/api/public/dataset-run-items']) {
      assert.deepEqual(await anonymous(server, path), { status: 404, body: { message: EVENTS_ONLY } }, path);
    }
    const legacyWrite = await fetch(`${server.url}/api/public/spans`, { method: 'POST', body: '{}' });
    assert.deepEqual([legacyWrite.status, await legacyWrite.json()], [404, { message: EVENTS_ONLY }]);
    assert.equal((await anonymous(server, '/api/public/v2/observations')).status, 401);
    assert.equal((await server.get('/api/public/v2/observations')).status, 200);
    assert.equal((await server.get('/api/public/v3/scores')).status, 200);
    // Writes are not gated.
    assert.equal((await server.post('/api/public/scores', { traceId: 't-prod', name: 'x', value: 1 })).status, 200);
    assert.match((await server.get('/api/public/health')).body.version, /^4\./);
  });

  it('--read-api v1 (v3.225.4): /v2/observations is 404 after auth; /v3/scores serves', async () => {
    const server = await start('v1');
    assert.equal((await anonymous(server, '/api/public/v2/observations')).status, 401);
    const gated = await server.get('/api/public/v2/observations?limit=1');
    assert.deepEqual([gated.status, gated.body.message], [404, V4_ONLY]);
    assert.equal((await server.get('/api/public/v3/scores')).status, 200);
    const traces = await server.get('/api/public/traces');
    assert.equal(traces.status, 200);
    assertMatchesSchema('Traces', traces.body, 'v3.225.4');
    assertMatchesSchema('TraceWithFullDetails', (await server.get('/api/public/traces/t-prod')).body, 'v3.225.4');
    assertMatchesSchema('GetScoresV3Response', (await server.get('/api/public/v3/scores?fields=core,details,subject,annotation')).body, 'v3.225.4');
    assert.match((await server.get('/api/public/health')).body.version, /^3\.225\.4/);
  });

  it('tracesRequireDateRange: GET /traces needs fromTimestamp (toTimestamp alone is not enough)', async () => {
    const server = await start('v1', { tracesRequireDateRange: true });
    const missing = await server.get(`/api/public/traces?limit=1&toTimestamp=${enc(new Date().toISOString())}`);
    assert.deepEqual([missing.status, missing.body.message], [400, 'fromTimestamp is required. Set the fromTimestamp query parameter to filter traces by date.']);
    const ok = await server.get(`/api/public/traces?limit=1&fromTimestamp=${enc(AT.toISOString())}`);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.data.length, 1);
  });
});
