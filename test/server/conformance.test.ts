// Known server bugs, each pinned by what a client sees: a JSON 4xx (or a per-event 400 in
// the 207) instead of a 500 or a reset connection, and totals that are right whatever the
// order events arrive in.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { postChunked, startTestServer, type TestServer } from '../helpers/server.js';
import { assertMatchesSchema } from '../helpers/openapi.js';

const AT = '2026-11-24T10:00:00.000Z';

describe('server conformance fixes', () => {
  let server: TestServer;
  const ingest = (batch: unknown[]) => server.post('/api/public/ingestion', { batch });
  const healthy = async () => assert.equal((await server.get('/api/public/health')).status, 200);

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('(a) JSON nested past the depth cap is a per-event 400; the rest of the batch is kept', async () => {
    let deep = 'bottom';
    for (let i = 0; i < 5000; i++) deep = `[${deep}]`;
    let deepObject = '1';
    for (let i = 0; i < 5000; i++) deepObject = `{"a":${deepObject}}`;
    const text = `{"batch":[
      {"id":"deep-1","type":"trace-create","timestamp":"${AT}","body":{"id":"deep-t1","input":${deep.replace('bottom', '"x"')}}},
      {"id":"deep-2","type":"span-create","timestamp":"${AT}","body":{"id":"deep-s1","traceId":"deep-t2","metadata":${deepObject}}},
      {"id":"deep-ok","type":"trace-create","timestamp":"${AT}","body":{"id":"deep-t2","name":"kept"}}
    ]}`;
    const response = await fetch(`${server.url}/api/public/ingestion`, {
      method: 'POST',
      body: text,
      headers: { authorization: server.auth, 'content-type': 'application/json' },
    });
    assert.equal(response.status, 207);
    const json = (await response.json()) as { successes: { id: string }[]; errors: { id: string; status: number }[] };
    assert.deepEqual(json.successes.map((s) => s.id), ['deep-ok']);
    assert.deepEqual(json.errors.map((e) => [e.id, e.status]), [['deep-1', 400], ['deep-2', 400]]);
    assert.equal((await server.get('/api/public/traces/deep-t2')).body.name, 'kept');
    assert.equal((await server.get('/api/public/traces/deep-t1')).status, 404);
    // Depth the cap allows is stored and read back.
    let allowed: unknown = 'x';
    for (let i = 0; i < 1500; i++) allowed = [allowed];
    const ok = await ingest([{ id: 'deep-ok2', type: 'trace-create', timestamp: AT, body: { id: 'deep-t3', input: allowed } }]);
    assert.equal(ok.body.successes.length, 1);
    assert.equal((await server.get('/api/public/traces/deep-t3')).status, 200);
    await healthy();
  });

  it('(b) an oversized chunked upload gets a JSON 413, not a reset', async () => {
    const result = await postChunked(server.url, '/api/public/ingestion', { authorization: server.auth, 'content-type': 'application/json' }, 8 * 1024 * 1024, 256 * 1024);
    assert.equal(result.status, 413);
    assert.match((JSON.parse(result.body) as { message: string }).message, /too large/);
    await healthy();
  });

  it('(c) fractional or negative token counts are a per-event 400', async () => {
    const bad = [{ input: 1.5 }, { output: -1 }, { promptTokens: 2.25 }];
    const batch = [
      ...bad.map((usage, i) => ({ id: `frac-u${i}`, type: 'generation-create', timestamp: AT, body: { id: `frac-g${i}`, traceId: 'frac-t', usage } })),
      ...bad.map((usageDetails, i) => ({ id: `frac-d${i}`, type: 'generation-create', timestamp: AT, body: { id: `frac-h${i}`, traceId: 'frac-t', usageDetails } })),
      { id: 'frac-n', type: 'generation-create', timestamp: AT, body: { id: 'frac-nested', traceId: 'frac-t', usageDetails: { prompt_tokens_details: { cached_tokens: 0.5 } } } },
      { id: 'frac-ok', type: 'generation-create', timestamp: AT, body: { id: 'frac-ok', traceId: 'frac-t', usageDetails: { input: 3, output: 4 }, costDetails: { total: 0.0125 } } },
    ];
    const response = await ingest(batch);
    assert.deepEqual(response.body.successes.map((s: { id: string }) => s.id), ['frac-ok']);
    assert.equal(response.body.errors.length, batch.length - 1);
    for (const error of response.body.errors) assert.equal(error.status, 400);
    const trace = (await server.get('/api/public/traces/frac-t')).body;
    assert.equal(trace.observations.length, 1);
    assert.equal(trace.totalCost, 0.0125);
  });

  it('(c) OTLP never passes fractional token counts through', async () => {
    const attr = (key: string, value: unknown) => ({ key, value: typeof value === 'number' ? { doubleValue: value } : { stringValue: String(value) } });
    const body = {
      resourceSpans: [{
        resource: { attributes: [] },
        scopeSpans: [{
          scope: { name: 'langfuse-sdk' },
          spans: [{
            traceId: '0af7651916cd43dd8448eb211c80319c',
            spanId: 'b7ad6b7169203331',
            name: 'gen',
            kind: 1,
            startTimeUnixNano: '1764583200000000000',
            endTimeUnixNano: '1764583201000000000',
            attributes: [
              attr('langfuse.observation.type', 'generation'),
              attr('langfuse.observation.usage_details', JSON.stringify({ input: 10.6, output: 2.2, weird: -3 })),
              attr('gen_ai.usage.cost', 0.5),
            ],
          }],
        }],
      }],
    };
    const response = await server.post('/api/public/otel/v1/traces', body);
    assert.equal(response.status, 200);
    const observation = (await server.get('/api/public/observations/b7ad6b7169203331')).body;
    for (const value of Object.values(observation.usageDetails as Record<string, number>)) assert.ok(Number.isInteger(value), JSON.stringify(observation.usageDetails));
    assert.equal(observation.usageDetails.input, 11);
    assert.equal(observation.usageDetails.output, 2);
    assert.equal(observation.usageDetails.weird, undefined);
  });

  it('(d) usage keys named constructor / __proto__ are kept as plain data', async () => {
    const text = `{"batch":[{"id":"proto-1","type":"generation-create","timestamp":"${AT}","body":{"id":"proto-g","traceId":"proto-t","usageDetails":{"constructor":5,"__proto__":7,"toString":2,"input":1}}}]}`;
    const response = await fetch(`${server.url}/api/public/ingestion`, { method: 'POST', body: text, headers: { authorization: server.auth, 'content-type': 'application/json' } });
    assert.equal(response.status, 207);
    assert.equal(((await response.json()) as { successes: unknown[] }).successes.length, 1);
    const observation = (await server.get('/api/public/observations/proto-g')).body;
    const usage = observation.usageDetails as Record<string, number>;
    assert.equal(Object.getOwnPropertyDescriptor(usage, 'constructor')?.value, 5);
    assert.equal(Object.getOwnPropertyDescriptor(usage, '__proto__')?.value, 7);
    assert.equal(usage.toString, 2);
    assert.equal(usage.input, 1);
    assert.equal(usage.total, 15);
    assert.equal(Object.keys(usage).some((key) => key.includes('function')), false);
  });

  it('(e) timestamps with years outside 0000–9999 are a per-event 400', async () => {
    const dates = ['+010000-01-01T00:00:00.000Z', '-000001-01-01T00:00:00.000Z', 8.63e15, -8.6e15];
    const batch = [
      ...dates.map((timestamp, i) => ({ id: `year-t${i}`, type: 'trace-create', timestamp: AT, body: { id: `year-t${i}`, timestamp } })),
      ...dates.map((startTime, i) => ({ id: `year-s${i}`, type: 'span-create', timestamp: AT, body: { id: `year-s${i}`, traceId: 'year-ok', startTime } })),
      ...dates.map((timestamp, i) => ({ id: `year-e${i}`, type: 'trace-create', timestamp, body: { id: `year-e${i}` } })),
      { id: 'year-ok', type: 'trace-create', timestamp: AT, body: { id: 'year-ok', timestamp: '9999-12-31T23:59:59.999Z' } },
      { id: 'year-zero', type: 'trace-create', timestamp: AT, body: { id: 'year-zero', timestamp: '0000-01-01T00:00:00.000Z' } },
    ];
    const response = await ingest(batch);
    assert.deepEqual(response.body.successes.map((s: { id: string }) => s.id), ['year-ok', 'year-zero']);
    for (const error of response.body.errors) assert.equal(error.status, 400);
    assert.equal((await server.get('/api/public/traces/year-ok')).body.timestamp, '9999-12-31T23:59:59.999Z');
    assert.equal((await server.get('/api/public/traces/year-zero')).body.timestamp, '0000-01-01T00:00:00.000Z');
  });

  it('(f) an observation update before its create leaves correct trace totals', async () => {
    const update = { id: 'ord-u', type: 'generation-update', timestamp: AT, body: { id: 'ord-g', usageDetails: { input: 10, output: 5 }, costDetails: { total: 0.25 } } };
    const create = { id: 'ord-c', type: 'generation-create', timestamp: AT, body: { id: 'ord-g', traceId: 'ord-t', name: 'gen', startTime: AT } };
    await ingest([update]);
    await ingest([create]);
    const trace = (await server.get('/api/public/traces/ord-t')).body;
    assert.equal(trace.totalCost, 0.25);
    assert.equal(trace.observations.length, 1);
    const list = (await server.get('/api/public/traces?limit=100')).body;
    const summary = list.data.find((item: { id: string }) => item.id === 'ord-t');
    assert.equal(summary.totalCost, 0.25);
    // No phantom trace keeps the orphaned update's totals.
    assert.equal(list.data.filter((item: { totalCost: number | null }) => item.totalCost === 0.25).length, 1);
    // Same in one batch, update first.
    await ingest([
      { ...update, id: 'ord-u2', body: { ...update.body, id: 'ord-g2' } },
      { ...create, id: 'ord-c2', body: { ...create.body, id: 'ord-g2', traceId: 'ord-t2' } },
    ]);
    assert.equal((await server.get('/api/public/traces/ord-t2')).body.totalCost, 0.25);
    const again = (await server.get('/api/public/traces?limit=100')).body;
    assert.equal(again.data.filter((item: { totalCost: number | null }) => item.totalCost === 0.25).length, 2);
  });

  it('(f) usage split over create and update adds up in either order (derived total re-derived)', async () => {
    const create = (n: string) => ({ id: `split-c${n}`, type: 'generation-create', timestamp: AT, body: { id: `split-g${n}`, traceId: `split-t${n}`, startTime: AT, usageDetails: { input: 10 } } });
    const update = (n: string) => ({ id: `split-u${n}`, type: 'generation-update', timestamp: AT, body: { id: `split-g${n}`, usageDetails: { output: 5 } } });
    await ingest([create('1')]);
    await ingest([update('1')]);
    await ingest([update('2')]);
    await ingest([create('2')]);
    for (const n of ['1', '2']) {
      const observation = (await server.get(`/api/public/observations/split-g${n}`)).body;
      assert.deepEqual({ ...observation.usageDetails }, { input: 10, output: 5, total: 15 }, `order ${n}`);
      const trace = (await server.get(`/api/public/traces?limit=100`)).body.data.find((item: { id: string }) => item.id === `split-t${n}`);
      assert.ok(trace, `trace split-t${n}`);
    }
    // A total the sender gives is kept as given.
    await ingest([{ id: 'split-x', type: 'generation-create', timestamp: AT, body: { id: 'split-gx', traceId: 'split-tx', usageDetails: { input: 1, total: 100 } } }]);
    await ingest([{ id: 'split-y', type: 'generation-update', timestamp: AT, body: { id: 'split-gx', usageDetails: { output: 2 } } }]);
    assert.equal((await server.get('/api/public/observations/split-gx')).body.usageDetails.total, 100);
  });

  it('(g) a CORRECTION score keeps GET /traces/{id} inside the OpenAPI schema', async () => {
    await ingest([
      { id: 'corr-t', type: 'trace-create', timestamp: AT, body: { id: 'corr-t', name: 'c' } },
      { id: 'corr-s', type: 'score-create', timestamp: AT, body: { id: 'corr-s', traceId: 'corr-t', name: 'correction', value: 'better answer', dataType: 'CORRECTION' } },
      { id: 'corr-n', type: 'score-create', timestamp: AT, body: { id: 'corr-n', traceId: 'corr-t', name: 'quality', value: 0.5 } },
    ]);
    const trace = await server.get('/api/public/traces/corr-t');
    assert.equal(trace.status, 200);
    assertMatchesSchema('TraceWithFullDetails', trace.body);
    assert.deepEqual(trace.body.scores.map((score: { id: string }) => score.id), ['corr-n']);
    // The correction itself is still served where the schema allows it.
    const score = await server.get('/api/public/v2/scores/corr-s');
    assert.equal(score.status, 200);
    assert.equal(score.body.dataType, 'CORRECTION');
    assertMatchesSchema('Score', score.body);
  });

  it('(h) a thousand repeated (or distinct) tags are deduplicated and capped, never a 500', async () => {
    const repeated = Array.from({ length: 1000 }, () => 'same');
    const distinct = Array.from({ length: 1000 }, (_, i) => `tag-${i}`);
    const response = await ingest([
      { id: 'tags-1', type: 'trace-create', timestamp: AT, body: { id: 'tags-t1', tags: repeated } },
      { id: 'tags-2', type: 'trace-create', timestamp: AT, body: { id: 'tags-t2', tags: distinct } },
    ]);
    assert.equal(response.status, 207);
    // Repeats collapse to one tag; more distinct tags than a trace may hold is that event's 400.
    assert.deepEqual(response.body.successes.map((s: { id: string }) => s.id), ['tags-1']);
    assert.deepEqual(response.body.errors.map((e: { id: string; status: number }) => [e.id, e.status]), [['tags-2', 400]]);
    assert.deepEqual((await server.get('/api/public/traces/tags-t1')).body.tags, ['same']);
    assert.equal((await server.get('/api/public/traces/tags-t2')).status, 404);
    // Filters naming a tag a thousand times, or a thousand tags, are answered too.
    const query = repeated.map((tag) => `tags=${tag}`).join('&');
    const filtered = await server.get(`/api/public/traces?${query}`);
    assert.equal(filtered.status, 200);
    assert.deepEqual(filtered.body.data.map((trace: { id: string }) => trace.id), ['tags-t1']);
    const distinctQuery = distinct.map((tag) => `tags=${tag}`).join('&');
    const filtered2 = await server.get(`/api/public/traces?${distinctQuery}`);
    assert.equal(filtered2.status, 200);
    assert.equal(filtered2.body.data.length, 0);
    const scores = await server.get(`/api/public/v2/scores?${repeated.map((tag) => `traceTags=${tag}`).join('&')}`);
    assert.equal(scores.status, 200);
    await healthy();
  });

  it('(i) nulls inside arrays of a score config are a 400', async () => {
    for (const body of [
      { name: 'nul1', dataType: 'CATEGORICAL', categories: [null] },
      { name: 'nul2', dataType: 'CATEGORICAL', categories: [{ label: 'a', value: 1 }, null] },
      { name: 'nul3', dataType: 'CATEGORICAL', categories: ['a'] },
      { name: 'nul4', dataType: 'NUMERIC', categories: [null] },
    ]) {
      const response = await server.post('/api/public/score-configs', body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(typeof response.body.message, 'string');
    }
    const queue = await server.post('/api/public/annotation-queues', { name: 'q', scoreConfigIds: [null] });
    assert.equal(queue.status, 400);
    const batch = await ingest([
      { id: 'null-tags', type: 'trace-create', timestamp: AT, body: { id: 'null-t', tags: [null] } },
      { id: 'null-score', type: 'score-create', timestamp: AT, body: { traceId: 'null-t', name: 'x', value: [null] } },
    ]);
    assert.equal(batch.body.errors.length, 2);
    for (const error of batch.body.errors) assert.equal(error.status, 400);
  });

  it('(j) PATCH score-configs validates what it is given', async () => {
    const created = await server.post('/api/public/score-configs', { name: 'patchme', dataType: 'NUMERIC', minValue: 0, maxValue: 10 });
    assert.equal(created.status, 200);
    const path = `/api/public/score-configs/${created.body.id}`;
    for (const body of [
      { name: 42 },
      { name: '' },
      { name: 'x'.repeat(36) },
      { isArchived: 'yes' },
      { description: 5 },
      { minValue: 'low' },
      { minValue: 20 },
      { maxValue: -1 },
      { categories: [null] },
      [],
      'text',
    ]) {
      const response = await server.post(path, body, 'PATCH');
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(typeof response.body.message, 'string');
    }
    const unchanged = await server.get(path);
    assert.equal(unchanged.body.name, 'patchme');
    assert.equal(unchanged.body.isArchived, false);
    const patched = await server.post(path, { name: 'renamed', isArchived: true, description: null, maxValue: 5 }, 'PATCH');
    assert.equal(patched.status, 200);
    assert.equal(patched.body.name, 'renamed');
    assert.equal(patched.body.isArchived, true);
    assert.equal(patched.body.maxValue, 5);
    assertMatchesSchema('ScoreConfig', patched.body);
  });

  it('(k) a request Node cannot parse gets a JSON 400', async () => {
    const url = new URL(server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.write('GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n'));
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 400/);
    assert.match(answer, /content-type: application\/json/i);
    const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
    const json = JSON.parse(body) as { message: string; error: string };
    assert.equal(typeof json.message, 'string');
    await healthy();
  });
});
