// The dataset endpoints as the real Langfuse answers them: upserts (datasets by name, items by
// id), ACTIVE-only lists, versions, 404s, the strict run-item body, the events_only gate (before
// auth) and the v3 server's missing experiments API (after auth), GET /projects, and run items
// and run scores on the SSE stream. Bodies are checked against the OpenAPI spec.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { assertMatchesSchema } from '../helpers/openapi.js';

const EVENTS_ONLY = /not available on deployments running in Langfuse v4 events_only mode/;

async function unauthenticated(server: TestServer, path: string, method = 'GET') {
  const response = await request(`${server.url}${path}`, { method: method as 'GET' });
  return { status: response.statusCode, body: (await response.body.json()) as any };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('datasets and items (--read-api both)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server.close());

  it('POST /v2/datasets upserts by name; GET lists newest first and gets by name', async () => {
    const created = await server.post('/api/public/v2/datasets', { name: 'cities', description: 'first', metadata: { owner: 'qa' } });
    assert.equal(created.status, 200);
    assertMatchesSchema('Dataset', created.body);
    assert.equal(created.body.description, 'first');
    await pause(3);
    const again = await server.post('/api/public/v2/datasets', { name: 'cities', description: 'second' });
    assert.equal(again.body.id, created.body.id, 'same name, same dataset');
    assert.equal(again.body.description, 'second');
    assert.deepEqual(again.body.metadata, { owner: 'qa' }, 'what is not sent is kept');
    await pause(3);
    await server.post('/api/public/v2/datasets', { name: 'a/b c%', inputSchema: { type: 'object' } });
    const list = await server.get('/api/public/v2/datasets?limit=1');
    assertMatchesSchema('PaginatedDatasets', list.body);
    assert.deepEqual(list.body.meta, { page: 1, limit: 1, totalItems: 2, totalPages: 2 });
    assert.equal(list.body.data[0].name, 'a/b c%');
    const got = await server.get('/api/public/v2/datasets/cities');
    assert.equal(got.body.id, created.body.id);
    // The name is decoded twice by Langfuse: send it encoded twice.
    const odd = await server.get(`/api/public/v2/datasets/${encodeURIComponent(encodeURIComponent('a/b c%'))}`);
    assert.equal(odd.status, 200);
    assert.equal(odd.body.name, 'a/b c%');
    const missing = await server.get('/api/public/v2/datasets/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'Dataset not found');
  });

  it('refuses bad dataset bodies and paging with 400', async () => {
    for (const body of [{}, { name: 7 }, { name: 'x', description: 5 }, { name: 'x', inputSchema: 'not a schema' }, { name: 'lone \ud800 surrogate' }]) {
      const answer = await server.post('/api/public/v2/datasets', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.message, 'Invalid request data');
      assert.ok(Array.isArray(answer.body.error) && answer.body.error[0].path.length <= 1, JSON.stringify(answer.body));
    }
    assert.equal((await server.get('/api/public/v2/datasets?limit=101')).status, 400);
    assert.equal((await server.get('/api/public/v2/datasets?page=0')).status, 400);
    assert.equal((await server.post('/api/public/dataset-items', { input: 1 })).status, 400);
  });

  it('the v1 forms: POST /datasets, GET /datasets with item ids and run names, GET /datasets/{name} with items', async () => {
    const created = await server.post('/api/public/datasets', { name: 'v1-set' });
    assert.equal(created.status, 200);
    assert.deepEqual([created.body.items, created.body.runs], [[], []]);
    await server.post('/api/public/dataset-items', { datasetName: 'v1-set', id: 'v1-a', input: 'a' });
    const list = await server.get('/api/public/datasets');
    const entry = list.body.data.find((d: any) => d.name === 'v1-set');
    assert.deepEqual(entry.items, ['v1-a']);
    const one = await server.get('/api/public/datasets/v1-set');
    assert.equal(one.body.items[0].id, 'v1-a');
    assertMatchesSchema('DatasetItem', one.body.items[0]);
  });

  it('POST /dataset-items upserts by id, keeps unsent fields, lists ACTIVE only, newest first', async () => {
    const first = await server.post('/api/public/dataset-items', {
      datasetName: 'cities',
      id: 'fr',
      input: { country: 'France' },
      expectedOutput: 'Paris',
      metadata: { region: 'eu' },
    });
    assert.equal(first.status, 200);
    assertMatchesSchema('DatasetItem', first.body);
    assert.deepEqual([first.body.status, first.body.datasetName, first.body.mediaReferences], ['ACTIVE', 'cities', []]);
    await pause(3);
    const updated = await server.post('/api/public/dataset-items', { datasetName: 'cities', id: 'fr', expectedOutput: 'Paris, France', input: null });
    assert.deepEqual(updated.body.input, { country: 'France' }, 'null is "not given": kept');
    assert.equal(updated.body.expectedOutput, 'Paris, France');
    assert.deepEqual(updated.body.metadata, { region: 'eu' });
    assert.equal(updated.body.createdAt, first.body.createdAt);
    await pause(3);
    const generated = await server.post('/api/public/dataset-items', { datasetName: 'cities', input: 'Germany' });
    assert.match(generated.body.id, /^[0-9a-f-]{36}$/);
    await server.post('/api/public/dataset-items', { datasetName: 'cities', id: 'old', input: 'Prussia', status: 'ARCHIVED' });
    const list = await server.get('/api/public/dataset-items?datasetName=cities');
    assertMatchesSchema('PaginatedDatasetItems', list.body);
    assert.deepEqual(
      list.body.data.map((item: any) => item.id),
      [generated.body.id, 'fr'],
    );
    assert.equal(list.body.meta.totalItems, 2);
    // An archived item is still readable by id.
    assert.equal((await server.get('/api/public/dataset-items/old')).body.status, 'ARCHIVED');
  });

  it('404s: unknown dataset, an id of another dataset, unknown item', async () => {
    assert.equal((await server.post('/api/public/dataset-items', { datasetName: 'nope', input: 1 })).status, 404);
    assert.equal((await server.get('/api/public/dataset-items?datasetName=nope')).status, 404);
    const other = await server.post('/api/public/dataset-items', { datasetName: 'v1-set', id: 'fr', input: 1 });
    assert.equal(other.status, 404);
    assert.match(other.body.message, /already exists in a dataset other than v1-set/);
    assert.equal((await server.get('/api/public/dataset-items/nope')).status, 404);
    assert.equal((await server.post('/api/public/dataset-items/nope', {}, 'DELETE')).status, 404);
  });

  it('?version= reads the items as they were; DELETE removes an item from later versions', async () => {
    await server.post('/api/public/v2/datasets', { name: 'versioned' });
    await server.post('/api/public/dataset-items', { datasetName: 'versioned', id: 'v-1', input: 'one' });
    await pause(5);
    const checkpoint = new Date().toISOString();
    await pause(5);
    await server.post('/api/public/dataset-items', { datasetName: 'versioned', id: 'v-1', input: 'one, edited' });
    await server.post('/api/public/dataset-items', { datasetName: 'versioned', id: 'v-2', input: 'two' });
    const deleted = await server.post('/api/public/dataset-items/v-1', {}, 'DELETE');
    assert.deepEqual(deleted.body, { message: 'Dataset item successfully deleted' });
    const now = await server.get('/api/public/dataset-items?datasetName=versioned');
    assert.deepEqual(
      now.body.data.map((item: any) => item.id),
      ['v-2'],
    );
    const then = await server.get(`/api/public/dataset-items?datasetName=versioned&version=${encodeURIComponent(checkpoint)}`);
    assert.deepEqual(
      then.body.data.map((item: any) => [item.id, item.input]),
      [['v-1', 'one']],
    );
    assert.equal((await server.get(`/api/public/dataset-items?version=${encodeURIComponent(checkpoint)}`)).status, 400, 'version needs datasetName');
    assert.equal((await server.get('/api/public/dataset-items?datasetName=versioned&version=yesterday')).status, 400);
  });
});

describe('dataset runs and run items (--read-api both)', () => {
  let server: TestServer;
  let datasetId: string;
  before(async () => {
    server = await startTestServer();
    datasetId = (await server.post('/api/public/v2/datasets', { name: 'runs-set' })).body.id;
    await server.post('/api/public/dataset-items', { datasetName: 'runs-set', id: 'i1', input: 1 });
    await server.post('/api/public/dataset-items', { datasetName: 'runs-set', id: 'i2', input: 2 });
    await server.post('/api/public/dataset-items', { datasetName: 'runs-set', id: 'gone', input: 3, status: 'ARCHIVED' });
    await server.post('/api/public/ingestion', {
      batch: [
        { id: 'e1', type: 'trace-create', timestamp: new Date().toISOString(), body: { id: 'trace-1', name: 't' } },
        { id: 'e2', type: 'span-create', timestamp: new Date().toISOString(), body: { id: 'obs-1', traceId: 'trace-1', name: 's', startTime: new Date().toISOString() } },
      ],
    });
  });
  after(async () => server.close());

  it('POST /dataset-run-items creates the run by name and links; the run lists and reads back', async () => {
    const linked = await server.post('/api/public/dataset-run-items', { runName: 'r1', runDescription: 'first', datasetItemId: 'i1', traceId: 'trace-1', metadata: { model: 'm' } });
    assert.equal(linked.status, 200);
    assertMatchesSchema('DatasetRunItem', linked.body);
    assert.equal(linked.body.datasetRunName, 'r1');
    assert.equal(linked.body.observationId, null);
    // An observation alone: its trace is looked up.
    const byObservation = await server.post('/api/public/dataset-run-items', { runName: 'r1', datasetItemId: 'i2', observationId: 'obs-1' });
    assert.equal(byObservation.body.traceId, 'trace-1');
    assert.equal(byObservation.body.datasetRunId, linked.body.datasetRunId, 'one run per name');
    const runs = await server.get('/api/public/datasets/runs-set/runs');
    assertMatchesSchema('PaginatedDatasetRuns', runs.body);
    assert.equal(runs.body.data.length, 1);
    assert.deepEqual([runs.body.data[0].description, runs.body.data[0].metadata], ['first', { model: 'm' }]);
    const run = await server.get('/api/public/datasets/runs-set/runs/r1');
    assertMatchesSchema('DatasetRunWithItems', run.body);
    assert.equal(run.body.datasetRunItems.length, 2);
    const items = await server.get(`/api/public/dataset-run-items?datasetId=${datasetId}&runName=r1`);
    assertMatchesSchema('PaginatedDatasetRunItems', items.body);
    assert.equal(items.body.meta.totalItems, 2);
  });

  it('the run-item body is strict; items must be ACTIVE; observations must exist', async () => {
    const extra = await server.post('/api/public/dataset-run-items', { runName: 'r', datasetItemId: 'i1', traceId: 't', extra: 1 });
    assert.equal(extra.status, 400);
    assert.equal(extra.body.message, 'Invalid request data');
    assert.deepEqual(extra.body.error[0].code, 'unrecognized_keys');
    assert.deepEqual(extra.body.error[0].keys, ['extra']);
    assert.equal((await server.post('/api/public/dataset-run-items', { runName: 'r', datasetItemId: 'i1' })).status, 400, 'trace or observation');
    assert.equal((await server.post('/api/public/dataset-run-items', { datasetItemId: 'i1', traceId: 't' })).status, 400, 'runName');
    const archived = await server.post('/api/public/dataset-run-items', { runName: 'r', datasetItemId: 'gone', traceId: 't' });
    assert.equal(archived.status, 404);
    assert.equal(archived.body.message, 'Dataset item not found');
    assert.equal((await server.post('/api/public/dataset-run-items', { runName: 'r', datasetItemId: 'i1', observationId: 'no-such' })).status, 404);
  });

  it('404s and 400s of the run reads; DELETE removes the run', async () => {
    assert.equal((await server.get('/api/public/datasets/nope/runs')).status, 404);
    assert.equal((await server.get('/api/public/datasets/runs-set/runs/nope')).body.message, 'Dataset run not found');
    assert.equal((await server.get('/api/public/dataset-run-items?datasetId=x')).status, 400);
    assert.equal((await server.get(`/api/public/dataset-run-items?datasetId=${datasetId}&runName=nope`)).status, 404);
    await server.post('/api/public/dataset-run-items', { runName: 'doomed', datasetItemId: 'i1', traceId: 'trace-1' });
    const deleted = await server.post('/api/public/datasets/runs-set/runs/doomed', {}, 'DELETE');
    assert.deepEqual(deleted.body, { message: 'Dataset run successfully deleted' });
    assert.equal((await server.get('/api/public/datasets/runs-set/runs/doomed')).status, 404);
  });

  it('run-level scores: POST /scores with datasetRunId, read back by datasetRunId', async () => {
    const runId = (await server.get('/api/public/datasets/runs-set/runs/r1')).body.id;
    const scored = await server.post('/api/public/scores', { datasetRunId: runId, name: 'mean_accuracy', value: 0.5 });
    assert.equal(scored.status, 200);
    const read = await server.get(`/api/public/v2/scores?datasetRunId=${runId}`);
    assert.equal(read.body.data.length, 1);
    assert.equal(read.body.data[0].datasetRunId, runId);
    // Through ingestion too (the SDKs' run evaluators).
    const ingested = await server.post('/api/public/ingestion', {
      batch: [
        { id: 'ev-run', type: 'score-create', timestamp: new Date().toISOString(), body: { id: 'run-score-2', datasetRunId: runId, name: 'cost_ok', value: 1 } },
        { id: 'ev-bad', type: 'score-create', timestamp: new Date().toISOString(), body: { datasetRunId: runId, observationId: 'obs-1', name: 'x', value: 1 } },
      ],
    });
    assert.deepEqual(
      ingested.body.successes.map((s: any) => s.id),
      ['ev-run'],
    );
    assert.equal(ingested.body.errors[0].id, 'ev-bad');
    assert.equal((await server.get(`/api/public/v2/scores?datasetRunId=${runId}`)).body.data.length, 2);
    // Exactly one subject, as Langfuse's score validation says.
    const both = await server.post('/api/public/scores', { datasetRunId: runId, traceId: 'trace-1', name: 'x', value: 1 });
    assert.equal(both.status, 400);
    assert.match(JSON.stringify(both.body), /exactly one of the following/);
  });

  it('GET /projects: the project the key belongs to', async () => {
    const projects = await server.get('/api/public/projects');
    assertMatchesSchema('Projects', projects.body);
    assert.equal(projects.body.data.length, 1);
  });

  it('needs keys like every route', async () => {
    assert.equal((await unauthenticated(server, '/api/public/v2/datasets')).status, 401);
    assert.equal((await unauthenticated(server, '/api/public/datasets/runs-set/runs')).status, 401);
  });

  it('new run items and run scores appear on the stream', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/public/stream?kinds=dataset-run-item,score`, {
      headers: { authorization: server.auth },
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}: ${text}`);
        text += new TextDecoder().decode(value);
      }
    };
    await until(/event: hello/);
    const linked = await server.post('/api/public/dataset-run-items', { runName: 'live', datasetItemId: 'i1', traceId: 'trace-1' });
    await until(/event: dataset-run-item/);
    await server.post('/api/public/scores', { datasetRunId: linked.body.datasetRunId, name: 'mean_accuracy', value: 1 });
    await until(/event: score\nid|event: score/);
    controller.abort();
    const frame = /event: dataset-run-item\ndata: (.*)\n/.exec(text)!;
    const payload = JSON.parse(frame[1]!);
    assert.equal(payload.data.id, linked.body.id);
    assert.equal(payload.data.datasetRunName, 'live');
    assert.match(text, /"datasetRunId":"[0-9a-f]{16}"/);
    assert.equal((await server.get('/api/public/stream?kinds=bogus')).status, 400);
  });
});

describe('--read-api v2 (v4, events_only)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ readApi: 'v2' });
    await server.post('/api/public/v2/datasets', { name: 'ev' });
    await server.post('/api/public/dataset-items', { datasetName: 'ev', id: 'e1', input: 1 });
  });
  after(async () => server.close());

  it('the run reads answer the events_only 404 before auth', async () => {
    for (const [path, method] of [
      ['/api/public/datasets/ev/runs', 'GET'],
      ['/api/public/datasets/ev/runs/r', 'GET'],
      ['/api/public/datasets/ev/runs/r', 'DELETE'],
      ['/api/public/dataset-run-items?datasetId=x&runName=r', 'GET'],
    ] as const) {
      const answer = await unauthenticated(server, path, method);
      assert.equal(answer.status, 404, path);
      assert.match(answer.body.message, EVENTS_ONLY);
      assert.equal('error' in answer.body, false);
    }
  });

  it('POST /dataset-run-items writes nothing and answers a stable run id', async () => {
    const first = await server.post('/api/public/dataset-run-items', { runName: 'r', datasetItemId: 'e1', observationId: 'o1' });
    assert.equal(first.status, 200);
    assertMatchesSchema('DatasetRunItem', first.body);
    assert.match(first.body.datasetRunId, /^[0-9a-f]{16}$/);
    assert.equal(first.body.traceId, '', 'no trace lookup in events_only');
    const second = await server.post('/api/public/dataset-run-items', { runName: 'r', datasetItemId: 'e1', traceId: 't2' });
    assert.equal(second.body.datasetRunId, first.body.datasetRunId);
    assert.notEqual(second.body.id, first.body.id);
    assert.equal((await server.post('/api/public/dataset-run-items', { runName: 'r', datasetItemId: 'nope', traceId: 't' })).status, 404);
  });

  it('the experiments reads: fromStartTime required, field groups checked, empty without runner spans', async () => {
    assert.equal((await server.get('/api/public/experiments')).status, 400);
    assert.equal((await server.get('/api/public/experiments?fromStartTime=2026-01-01')).status, 400);
    assert.equal((await server.get('/api/public/experiments?fromStartTime=2026-01-01T00:00:00Z&fields=bogus')).status, 400);
    assert.equal((await server.get('/api/public/experiment-items?fromStartTime=2026-01-01T00:00:00Z&cursor=%%%')).status, 400);
    assert.equal((await server.get('/api/public/experiments?fromStartTime=2026-01-01T00:00:00Z&filter=[{"type":"string","column":"bogus","operator":"=","value":"x"}]')).status, 400);
    const empty = await server.get('/api/public/experiments?fromStartTime=2026-01-01T00:00:00Z');
    assert.deepEqual(empty.body, { data: [], meta: {} });
  });
});

describe('--read-api v1 (v3.225.4)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ readApi: 'v1' });
  });
  after(async () => server.close());

  it('has no experiments API: 404 after auth', async () => {
    assert.equal((await unauthenticated(server, '/api/public/experiments?fromStartTime=2026-01-01T00:00:00Z')).status, 401);
    const answer = await server.get('/api/public/experiments?fromStartTime=2026-01-01T00:00:00Z');
    assert.equal(answer.status, 404);
    assert.match(answer.body.message, /only available in a Langfuse v4 write mode/);
    assert.equal((await server.get('/api/public/experiment-items?fromStartTime=2026-01-01T00:00:00Z')).status, 404);
  });
});
