// The client against the embedded server on loopback, over both Langfuse read generations,
// and against tiny misbehaving servers for the failure paths.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LangfuseClient } from '../../src/api/client.js';
import { LangfuseApiError } from '../../src/api/http.js';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';

async function seed(server: TestServer) {
  const base = Date.UTC(2026, 10, 24, 9, 0, 0);
  const batch = [
    ...ragTrace('t1', { userId: 'u_1', sessionId: 's1', tags: ['production', 'rag'], at: new Date(base) }),
    ...ragTrace('t2', { userId: 'u_2', sessionId: 's1', tags: ['staging'], at: new Date(base + 1000), error: true }),
    ...ragTrace('t3', { userId: 'u_1', tags: ['production'], name: 'support', at: new Date(base + 2000), environment: 'prod' }),
  ];
  assert.equal((await server.post('/api/public/ingestion', { batch })).status, 207);
  await server.post('/api/public/scores', { id: 'sc1', traceId: 't1', name: 'helpfulness', value: 0.3 });
  await server.post('/api/public/scores', { id: 'sc2', traceId: 't3', name: 'helpfulness', value: 0.9 });
  await server.post('/api/public/scores', { id: 'sc3', traceId: 't2', name: 'verdict', value: 'bad', dataType: 'CATEGORICAL' });
  const config = await server.post('/api/public/score-configs', { name: 'helpfulness', dataType: 'NUMERIC' });
  const queue = await server.post('/api/public/annotation-queues', { name: 'triage', scoreConfigIds: [config.body.id] });
  for (const objectId of ['t1', 't2']) await server.post(`/api/public/annotation-queues/${queue.body.id}/items`, { objectId, objectType: 'TRACE' });
}

for (const readApi of ['v1', 'v2'] as const) {
  describe(`LangfuseClient over the ${readApi} read generation`, () => {
    let server: TestServer;
    let client: LangfuseClient;
    before(async () => {
      // Without the stream the server is a stock Langfuse of that generation to the client.
      server = await startTestServer({ readApi, streamEnabled: false });
      await seed(server);
      client = new LangfuseClient({ host: server.url, ...TEST_KEYS });
    });
    after(async () => {
      await client.close();
      await server.close();
    });

    it('detects the generation once', async () => {
      const info = await client.backend();
      assert.equal(info.generation, readApi);
      assert.equal(info.streams, false);
    });

    it('lists traces newest first with filters', async () => {
      assert.deepEqual((await client.listTraces({})).map((t) => t.id), ['t3', 't2', 't1']);
      assert.deepEqual((await client.listTraces({ userId: 'u_1' })).map((t) => t.id), ['t3', 't1']);
      assert.deepEqual((await client.listTraces({ tags: ['production', 'rag'] })).map((t) => t.id), ['t1']);
      assert.deepEqual((await client.listTraces({ sessionId: 's1' })).map((t) => t.id), ['t2', 't1']);
      assert.deepEqual((await client.listTraces({ name: 'support' })).map((t) => t.id), ['t3']);
      assert.deepEqual((await client.listTraces({ environment: ['prod'] })).map((t) => t.id), ['t3']);
      const from = new Date(Date.UTC(2026, 10, 24, 9, 0, 1)).toISOString();
      assert.deepEqual((await client.listTraces({ fromTimestamp: from })).map((t) => t.id), ['t3', 't2']);
      const [t1] = await client.listTraces({ tags: ['rag'] });
      assert.equal(t1!.latency, 0.6);
    });

    it('reads one trace as a tree with scores', async () => {
      const trace = await client.getTrace('t2');
      assert.equal(trace.userId, 'u_2');
      assert.equal(trace.observations.length, 2);
      const generation = trace.observations.find((o) => o.type === 'GENERATION')!;
      assert.equal(generation.level, 'ERROR');
      assert.equal(generation.statusMessage, 'upstream timeout');
      assert.equal(generation.usageDetails.input, 100);
      const scored = await client.getTrace('t1');
      assert.equal(scored.scores[0]!.value, 0.3);
      await assert.rejects(client.getTrace('nope'), (error: unknown) => (error as LangfuseApiError).kind === 'not-found');
    });

    it('resolves score filters through the scores endpoint', async () => {
      const low = await client.listScores({ name: 'helpfulness', operator: '<', value: 0.5 });
      assert.deepEqual(low.map((s) => s.traceId), ['t1']);
    });

    it('filters by score (through the scores endpoint) and by level', async () => {
      assert.deepEqual((await client.listTraces({ scores: [{ name: 'helpfulness', operator: '<', value: 0.5 }] })).map((t) => t.id), ['t1']);
      assert.deepEqual((await client.listTraces({ scores: [{ name: 'helpfulness', operator: '>=', value: 0.3 }] })).map((t) => t.id), ['t3', 't1']);
      assert.deepEqual((await client.listTraces({ scores: [{ name: 'helpfulness', operator: '>', value: 0.1 }], userId: 'u_1', tags: ['rag'] })).map((t) => t.id), ['t1']);
      assert.deepEqual((await client.listTraces({ scores: [{ name: 'verdict', operator: '=', value: 'bad' }] })).map((t) => t.id), ['t2']);
      assert.deepEqual((await client.listTraces({ level: 'error' })).map((t) => t.id), ['t2']);
      assert.deepEqual((await client.listTraces({ level: 'error', userId: 'u_1' })).map((t) => t.id), []);
    });

    it('walks an annotation queue: list, items, complete', async () => {
      const [queue] = await client.listQueues();
      assert.equal(queue!.name, 'triage');
      const pending = await client.listQueueItems(queue!.id, 'PENDING');
      assert.equal(pending.length, 2);
      const done = await client.completeQueueItem(queue!.id, pending[0]!.id);
      assert.equal(done.status, 'COMPLETED');
      assert.equal((await client.listQueueItems(queue!.id, 'PENDING')).length, 1);
      assert.equal((await client.listScoreConfigs()).length, 1);
      assert.deepEqual((await client.listSessions()).map((session) => session.id), ['s1']);
    });

    it('creates a score idempotently by id', async () => {
      const id = `score-${readApi}`;
      await client.createScore({ id, traceId: 't2', name: 'resolved', value: 1, dataType: 'BOOLEAN' });
      await client.createScore({ id, traceId: 't2', name: 'resolved', value: 1, dataType: 'BOOLEAN' });
      const scores = (await client.getTrace('t2')).scores.filter((s) => s.name === 'resolved');
      assert.equal(scores.length, 1);
    });
  });
}

describe('LangfuseClient over tracetop (streaming) ', () => {
  it('reads full summaries — tokens, levels, scores — for the list', async () => {
    const server = await startTestServer();
    await seed(server);
    const client = new LangfuseClient({ host: server.url, ...TEST_KEYS });
    assert.equal((await client.backend()).streams, true);
    const traces = await client.listTraces({ userId: 'u_1' });
    assert.deepEqual(traces.map((t) => t.id), ['t3', 't1']);
    assert.equal(traces[1]!.totalTokens, 120);
    assert.deepEqual(traces[1]!.scores, { helpfulness: 0.3 });
    const [t2] = await client.listTraces({ tags: ['staging'] });
    assert.equal(t2!.errorCount, 1);
    await client.close();
    await server.close();
  });
});

describe('LangfuseClient failures', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('names the keys on 401 and never shows the secret', async () => {
    const secret = 'sk-lf-this-must-not-leak';
    const client = new LangfuseClient({ host: server.url, publicKey: TEST_KEYS.publicKey, secretKey: secret });
    const error = await client.listTraces({}).catch((caught) => caught as LangfuseApiError);
    assert.ok(error instanceof LangfuseApiError);
    assert.equal(error.kind, 'auth');
    assert.match(error.message, /401 from http:\/\/127\.0\.0\.1:\d+\/api\/public\/\S+: check LANGFUSE_PUBLIC_KEY\/LANGFUSE_SECRET_KEY/);
    assert.ok(!JSON.stringify({ message: error.message, stack: error.stack, detail: error.detail, url: error.url }).includes(secret));
    await client.close();
  });

  async function misbehaving(handler: (count: number, res: import('node:http').ServerResponse) => void): Promise<{ url: string; server: Server; count: () => number }> {
    let count = 0;
    const server = createServer((req, res) => {
      req.resume();
      handler(++count, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, count: () => count };
  }

  it('retries 429 (plain text and JSON, honouring Retry-After) and 500, then succeeds', async () => {
    const backend = await misbehaving((count, res) => {
      if (count === 1) return res.writeHead(429, { 'retry-after': '0', 'content-type': 'text/plain' }).end('429 - rate limit exceeded');
      if (count === 2) {
        return res
          .writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' })
          .end(JSON.stringify({ message: 'Rate limit exceeded', code: 'rate_limited' }));
      }
      if (count === 3) return res.writeHead(500).end('boom');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [], meta: { page: 1, limit: 100, totalItems: 0, totalPages: 0 } }));
    });
    const client = new LangfuseClient({ host: backend.url, ...TEST_KEYS }, { minBackoffMs: 5, attempts: 5 });
    assert.deepEqual(await client.listScoreConfigs(), []);
    assert.equal(backend.count(), 4);
    await client.close();
    backend.server.close();
  });

  it('gives up with a rate-limited error that says when to retry', async () => {
    const backend = await misbehaving((_count, res) => res.writeHead(429, { 'retry-after': '7' }).end('429 - rate limit exceeded'));
    const client = new LangfuseClient({ host: backend.url, ...TEST_KEYS }, { attempts: 1 });
    await assert.rejects(client.listScoreConfigs(), (error: unknown) => {
      const apiError = error as LangfuseApiError;
      return apiError.kind === 'rate-limited' && apiError.retryAfterMs === 7000 && /retry in 7s/.test(apiError.message);
    });
    await client.close();
    backend.server.close();
  });

  it('times out a hung socket', async () => {
    const backend = await misbehaving(() => {
      // never answers
    });
    const client = new LangfuseClient({ host: backend.url, ...TEST_KEYS }, { timeoutMs: 200, attempts: 2, minBackoffMs: 5 });
    await assert.rejects(client.listScoreConfigs(), (error: unknown) => (error as LangfuseApiError).kind === 'timeout');
    assert.equal(backend.count(), 2);
    await client.close();
    backend.server.closeAllConnections();
    backend.server.close();
  });

  it('says when the host is down', async () => {
    const client = new LangfuseClient({ host: 'http://127.0.0.1:9', ...TEST_KEYS }, { attempts: 1 });
    await assert.rejects(client.listScoreConfigs(), (error: unknown) => (error as LangfuseApiError).kind === 'network' && /cannot reach/.test((error as Error).message));
    await client.close();
  });

  it('says when the answer is not JSON', async () => {
    const backend = await misbehaving((_count, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'));
    const client = new LangfuseClient({ host: backend.url, ...TEST_KEYS }, { attempts: 1 });
    await assert.rejects(client.listScoreConfigs(), (error: unknown) => (error as LangfuseApiError).kind === 'bad-response');
    await client.close();
    backend.server.close();
  });
});
