// The server never dies on input: every bad request gets a JSON 4xx that says what is wrong,
// and the good events of a batch are kept.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('bad input', () => {
  let server: TestServer;
  const raw = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`${server.url}${path}`, { ...init, headers: { authorization: server.auth, 'content-type': 'application/json', ...init.headers } });

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('malformed or empty JSON → 400 {message, error}', async () => {
    for (const body of ['{"batch": [', '', 'null', '[]', '{"batch": {}}']) {
      const response = await raw('/api/public/ingestion', { method: 'POST', body });
      assert.equal(response.status, 400, `body ${JSON.stringify(body)}`);
      const json = (await response.json()) as { message: string; error: unknown };
      assert.equal(typeof json.message, 'string');
      assert.ok(json.error !== undefined);
    }
  });

  it('207: each bad event gets its own error, the good ones are stored', async () => {
    const at = '2026-11-24T10:00:00.000Z';
    const good = { id: 'good-1', type: 'trace-create', timestamp: at, body: { id: 'bi-t1', name: 'ok' } };
    const bad = [
      { id: 'b1', type: 'trace-create', timestamp: at, body: { id: 'bi-t2', tags: 'not-an-array' } },
      { id: 'b2', type: 'span-create', timestamp: at, body: { id: 'bi-s1', traceId: 'bi-t1', startTime: 'not a date' } },
      { id: 'b3', type: 'generation-create', timestamp: at, body: { id: 'bi-g1', traceId: 'bi-t1', usageDetails: { input: 'many' } } },
      { id: 'b4', type: 'generation-create', timestamp: at, body: { id: 'bi-g2', traceId: 'bi-t1', level: 'CATASTROPHIC' } },
      { id: 'b5', type: 'span-update', timestamp: at, body: { traceId: 'bi-t1' } },
      { id: 'b6', type: 'score-create', timestamp: at, body: { traceId: 'bi-t1', name: 'x', value: { nested: true } } },
      { id: 'b7', type: 'score-create', timestamp: at, body: { name: 'x', value: 1 } },
      { id: 'b8', type: 'unknown-create', timestamp: at, body: {} },
      { id: 'b9', type: 'span-create', timestamp: at, body: 'not an object' },
      { type: 'span-create', timestamp: at, body: {} },
      42,
    ];
    const response = await server.post('/api/public/ingestion', { batch: [good, ...bad, { ...good, id: 'good-2', body: { id: 'bi-t1', userId: 'u_ok' } }] });
    assert.equal(response.status, 207);
    assert.deepEqual(response.body.successes.map((s: { id: string }) => s.id), ['good-1', 'good-2']);
    assert.equal(response.body.errors.length, bad.length);
    for (const error of response.body.errors) {
      assert.equal(error.status, 400);
      assert.equal(typeof error.error, 'string');
    }
    const trace = await server.get('/api/public/traces/bi-t1');
    assert.equal(trace.body.userId, 'u_ok');
    assert.equal(trace.body.observations.length, 0);
  });

  it('a resent batch is stored once; updates before creates and observations before traces merge', async () => {
    const at = '2026-11-24T10:00:00.000Z';
    const batch = [
      { id: 'm1', type: 'span-update', timestamp: at, body: { id: 'm-span', traceId: 'm-trace', endTime: '2026-11-24T10:00:02.000Z', output: { done: true } } },
      { id: 'm2', type: 'span-create', timestamp: at, body: { id: 'm-span', traceId: 'm-trace', name: 'work', startTime: '2026-11-24T10:00:00.000Z' } },
      { id: 'm3', type: 'trace-create', timestamp: at, body: { id: 'm-trace', name: 'late_trace', tags: ['a'] } },
    ];
    await server.post('/api/public/ingestion', { batch });
    await server.post('/api/public/ingestion', { batch });
    const trace = (await server.get('/api/public/traces/m-trace')).body;
    assert.equal(trace.name, 'late_trace');
    assert.equal(trace.observations.length, 1);
    const span = trace.observations[0];
    assert.equal(span.name, 'work');
    assert.equal(span.endTime, '2026-11-24T10:00:02.000Z');
    assert.deepEqual(span.output, { done: true });
    assert.equal(trace.latency, 2);
  });

  it('oversized and gzip-bomb bodies → 413 JSON, and the server keeps serving', async () => {
    const big = await raw('/api/public/ingestion', { method: 'POST', body: JSON.stringify({ batch: [{ id: 'x', type: 'sdk-log', body: { log: 'x'.repeat(5 * 1024 * 1024) } }] }) });
    assert.equal(big.status, 413);
    assert.match(((await big.json()) as { message: string }).message, /too large/);
    const bomb = await raw('/api/public/ingestion', { method: 'POST', body: gzipSync(Buffer.alloc(100 * 1024 * 1024, 0x20)), headers: { 'content-encoding': 'gzip' } });
    assert.equal(bomb.status, 413);
    const zipped = await raw('/api/public/ingestion', { method: 'POST', body: gzipSync(JSON.stringify({ batch: [] })), headers: { 'content-encoding': 'gzip' } });
    assert.equal(zipped.status, 207);
    assert.equal((await raw('/api/public/health')).status, 200);
  });

  it('unknown route 404, wrong method 405, missing or wrong keys 401 — all JSON', async () => {
    const notFound = await raw('/api/public/nope');
    assert.equal(notFound.status, 404);
    assert.ok(((await notFound.json()) as { message: string }).message);
    assert.equal((await raw('/api/public/traces', { method: 'DELETE' })).status, 405);
    for (const path of ['/api/public/traces', '/api/public/ingestion', '/api/public/stream', '/api/public/score-configs', '/api/public/v2/observations']) {
      const anonymous = await fetch(`${server.url}${path}`);
      assert.equal(anonymous.status, 401, path);
      const wrong = await fetch(`${server.url}${path}`, { headers: { authorization: `Basic ${Buffer.from('pk-lf-test:nope').toString('base64')}` } });
      assert.equal(wrong.status, 401, path);
      assert.equal(typeof ((await wrong.json()) as { message: string }).message, 'string');
    }
    assert.equal((await fetch(`${server.url}/api/public/health`)).status, 200);
  });

  it('invalid query parameters → 400', async () => {
    for (const query of ['limit=101', 'page=0', 'limit=abc', 'fromTimestamp=yesterday', 'orderBy=nope', 'orderBy=secret.asc']) {
      assert.equal((await raw(`/api/public/traces?${query}`)).status, 400, query);
    }
    assert.equal((await raw('/api/public/v2/observations?limit=1001')).status, 400);
    assert.equal((await raw('/api/public/v2/observations?cursor=garbage')).status, 400);
    assert.equal((await raw('/api/public/v3/scores?userId=u')).status, 400);
  });

  it('hostile strings are stored and returned unchanged as data', async () => {
    const hostile = '\x1b[2J\x1b]52;c;ZXZpbA==\x07\u202Eevil\uD800';
    let deep: unknown = 'bottom';
    for (let i = 0; i < 1000; i++) deep = [deep];
    await server.post('/api/public/ingestion', { batch: [{ id: 'h1', type: 'trace-create', timestamp: '2026-11-24T10:00:00Z', body: { id: 'hostile', name: hostile, input: deep, metadata: { __proto__: 'x', constructor: hostile } } }] });
    const trace = (await server.get('/api/public/traces/hostile')).body;
    assert.equal(trace.name, hostile);
    let depth = 0;
    let cursor = trace.input;
    while (Array.isArray(cursor)) {
      cursor = cursor[0];
      depth++;
    }
    assert.equal(depth, 1000);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });
});
