// The official JS client (@langfuse/client's generated API) against the strict twin: the way
// it encodes arrays (repeated keys), booleans and filters is read as real Langfuse reads it,
// and the generation gates reach it as the errors a real server gives.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LangfuseClient } from '@langfuse/client';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';

const AT = new Date('2026-11-24T10:00:00Z');

async function seed(server: TestServer): Promise<void> {
  const batch = [
    ...ragTrace('k-prod', { tags: ['production'], environment: 'production', at: AT }),
    ...ragTrace('k-both', { tags: ['production', 'staging'], environment: 'staging', at: new Date(AT.getTime() + 1000), error: true }),
    ...ragTrace('k-stage', { tags: ['staging'], environment: 'staging', at: new Date(AT.getTime() + 2000) }),
  ];
  assert.equal((await server.post('/api/public/ingestion', { batch })).status, 207);
  await server.post('/api/public/scores', { traceId: 'k-prod', name: 'helpfulness', value: 0.9 });
  await server.post('/api/public/scores', { traceId: 'k-stage', name: 'helpfulness', value: 0.1 });
}

const ids = (rows: { id: string }[]) => rows.map((row) => row.id).sort();

describe('the official client against the strict twin', () => {
  const servers: TestServer[] = [];
  const client = (server: TestServer) => new LangfuseClient({ ...TEST_KEYS, baseUrl: server.url }).api;
  let both: TestServer;

  before(async () => {
    both = await startTestServer();
    servers.push(both);
    await seed(both);
  });
  after(async () => {
    for (const server of servers) await server.close();
  });

  it('trace.list: tags and environments as repeated keys, filter as JSON', async () => {
    const api = client(both);
    assert.deepEqual(ids((await api.trace.list({ tags: ['production', 'staging'] })).data), ['k-both']);
    assert.deepEqual(ids((await api.trace.list({ environment: ['production', 'staging'] })).data), ['k-both', 'k-prod', 'k-stage']);
    const filter = JSON.stringify([{ type: 'numberObject', column: 'scores_avg', key: 'helpfulness', operator: '<', value: 0.5 }]);
    assert.deepEqual(ids((await api.trace.list({ filter })).data), ['k-stage']);
    const errors = JSON.stringify([{ type: 'number', column: 'errorCount', operator: '>', value: 0 }]);
    assert.deepEqual(ids((await api.trace.list({ filter: errors, fields: 'core' })).data), ['k-both']);
    await assert.rejects(api.trace.list({ limit: 500 }), (error: { statusCode?: number }) => error.statusCode === 400);
  });

  it('observations.getMany (v2): boolean isRootObservation, filter on trace tags', async () => {
    const api = client(both);
    const filter = JSON.stringify([{ type: 'arrayOptions', column: 'tags', operator: 'all of', value: ['production', 'staging'] }]);
    const page = await api.observations.getMany({ filter, isRootObservation: true, fields: 'core,basic,trace_context' });
    assert.deepEqual(ids(page.data), ['k-both-g', 'k-both-r']);
    const errors = await api.observations.getMany({ level: 'ERROR' });
    assert.deepEqual(ids(errors.data), ['k-both-g']);
  });

  it('scoresV3.getManyV3: csv traceId, case-insensitive source; scores.getMany takes a time window', async () => {
    const api = client(both);
    const v3 = await api.scoresV3.getManyV3({ traceId: 'k-prod,k-stage', source: 'api', fields: 'core,subject' });
    assert.equal(v3.data.length, 2);
    const future = new Date(Date.now() + 60_000).toISOString();
    assert.equal((await api.scores.getMany({ fromTimestamp: future })).data.length, 0);
    assert.equal((await api.scores.getMany({ toTimestamp: future })).data.length, 2);
  });

  it('--read-api v2: the legacy trace list is a 404 the client surfaces; v2 reads serve', async () => {
    const server = await startTestServer({ readApi: 'v2' });
    servers.push(server);
    await seed(server);
    const api = client(server);
    await assert.rejects(api.trace.list(), (error: { statusCode?: number; body?: { message?: string } }) => {
      assert.equal(error.statusCode, 404);
      assert.match(String(error.body?.message), /events_only mode/);
      return true;
    });
    assert.equal((await api.observations.getMany({ limit: 10 })).data.length, 6);
  });

  it('--read-api v1: /v2/observations is a 404 naming the v4 write mode; /v3/scores serves', async () => {
    const server = await startTestServer({ readApi: 'v1' });
    servers.push(server);
    await seed(server);
    const api = client(server);
    await assert.rejects(api.observations.getMany(), (error: { statusCode?: number; body?: { message?: string } }) => {
      assert.equal(error.statusCode, 404);
      assert.match(String(error.body?.message), /only available in a Langfuse v4 write mode/);
      return true;
    });
    assert.equal((await api.scoresV3.getManyV3({})).data.length, 2);
    assert.equal((await api.trace.list({ tags: 'production' })).data.length, 2);
  });
});
