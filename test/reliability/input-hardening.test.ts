// Hostile-review findings on input (issue 15): ids that are not well-formed UTF-16, ids past
// the length bound, dates Langfuse would not take, and bodies whose cost is in the objects
// rather than the bytes. Each is refused with a 400/413 that says why; good neighbours are
// stored; nothing already in the database can make a read route throw.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { countProtobufElements } from '../../src/server/otlp/proto.js';

const AT = '2026-11-24T10:00:00.000Z';

describe('ids must be well-formed and bounded', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('a lone surrogate in any id is a per-event 400; neighbours are stored', async () => {
    const bad = [
      { id: 'ls-1', type: 'trace-create', timestamp: AT, body: { id: 'poison\ud800', name: 'x' } },
      { id: 'ls-2', type: 'trace-create', timestamp: AT, body: { id: 'sg\udfff' } },
      { id: 'ls-3', type: 'span-create', timestamp: AT, body: { id: 'ls-span\udc00', traceId: 'ls-ok' } },
      { id: 'ls-4', type: 'span-create', timestamp: AT, body: { id: 'ls-span', traceId: 'ls-t\ud800' } },
      { id: 'ls-5', type: 'span-create', timestamp: AT, body: { id: 'ls-span2', traceId: 'ls-ok', parentObservationId: '\udbff' } },
      { id: 'ls-6', type: 'score-create', timestamp: AT, body: { id: 'ls-score\ud800', traceId: 'ls-ok', name: 'q', value: 1 } },
      { id: 'ls-7', type: 'trace-create', timestamp: AT, body: { id: 'ls-session', sessionId: 's\ud800' } },
      { id: 'ls-8\ud800', type: 'trace-create', timestamp: AT, body: { id: 'ls-eventid' } },
      { id: 'ls-8\udfff', type: 'trace-create', timestamp: AT, body: { id: 'ls-eventid2' } },
      { id: 'ls-11', type: 'trace-create', timestamp: AT, body: { id: 'x'.repeat(1001) } },
      { id: 'y'.repeat(1001), type: 'trace-create', timestamp: AT, body: { id: 'ls-longevent' } },
    ];
    const good = { id: 'ls-good', type: 'trace-create', timestamp: AT, body: { id: 'ls-ok', name: 'kept', input: { text: 'lone \ud800 in content is kept' } } };
    const response = await server.post('/api/public/ingestion', { batch: [...bad, good] });
    assert.equal(response.status, 207);
    assert.deepEqual(response.body.successes, [{ id: 'ls-good', status: 201 }]);
    assert.equal(response.body.errors.length, bad.length);
    for (const error of response.body.errors) {
      assert.equal(error.status, 400);
      assert.match(error.error, /well-formed UTF-16|at most 1000 characters/);
    }
    const list = await server.get('/api/public/traces');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.map((t: { id: string }) => t.id), ['ls-ok']);
    // Content is not an id: it is kept exactly, lone surrogate and all.
    assert.equal(list.body.data[0].input.text, 'lone \ud800 in content is kept');
    // An id of exactly 1000 characters is fine.
    const longest = await server.post('/api/public/ingestion', { batch: [{ id: 'ls-max', type: 'trace-create', timestamp: AT, body: { id: 'z'.repeat(1000) } }] });
    assert.deepEqual(longest.body.errors, []);
  });

  it('POST /scores and OTLP refuse ill-formed ids with a 400', async () => {
    const score = await server.post('/api/public/scores', { traceId: 'ls-ok\ud800', name: 'q', value: 1 });
    assert.equal(score.status, 400);
    assert.match(JSON.stringify(score.body), /well-formed UTF-16/);
    const span = (sessionId: string) => ({
      resourceSpans: [
        {
          resource: { attributes: [] },
          scopeSpans: [
            {
              scope: { name: 'langfuse-sdk' },
              spans: [
                {
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                  spanId: 'b7ad6b7169203331',
                  name: 'root',
                  kind: 1,
                  startTimeUnixNano: '1764583200000000000',
                  endTimeUnixNano: '1764583201000000000',
                  attributes: [{ key: 'session.id', value: { stringValue: sessionId } }],
                },
              ],
            },
          ],
        },
      ],
    });
    const refused = await server.post('/api/public/otel/v1/traces', span('otel-session\ud800'));
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /well-formed UTF-16/);
    const accepted = await server.post('/api/public/otel/v1/traces', span('otel-session'));
    assert.equal(accepted.status, 200);
  });
});

describe('nothing stored can make a read route throw', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await server.post('/api/public/ingestion', {
      batch: [
        { id: 'pl-1', type: 'trace-create', timestamp: AT, body: { id: 'pl-ok', sessionId: 'pl-s', name: 'fine' } },
        { id: 'pl-2', type: 'span-create', timestamp: AT, body: { id: 'pl-span', traceId: 'pl-ok', startTime: AT } },
      ],
    });
    // What a database written before ids were checked holds: the JSON bodies keep the lone
    // surrogate (as an escape) while SQLite's text columns hold U+FFFD.
    const bad = 'poison\ud800';
    const trace = { id: bad, timestamp: AT, name: 'bad', userId: 'u\udfff', sessionId: 'sess\ud800', release: null, version: null, input: null, output: null, metadata: null, tags: ['t\ud800'], environment: 'default', public: false, bookmarked: false, explicit: true, createdAt: AT, updatedAt: AT };
    const db = server.db;
    db.prepare(
      `INSERT INTO traces (id, ts_ms, name, user_id, session_id, environment, body, updated_ms, obs_count) VALUES (?,?,?,?,?,?,?,?,1)`,
    ).run(bad, Date.parse(AT), 'bad', 'u\udfff', 'sess\ud800', 'default', JSON.stringify(trace), Date.parse(AT));
    db.prepare('INSERT INTO trace_tags (tag, trace_id) VALUES (?, ?)').run('t\ud800', bad);
    const observation = { id: 'obs\ud800', traceId: bad, parentObservationId: 'par\udc00', type: 'SPAN', name: 'n', startTime: AT, endTime: null, completionStartTime: null, environment: 'default', version: null, release: null, input: null, output: null, metadata: null, level: 'DEFAULT', statusMessage: null, model: null, modelParameters: null, promptName: null, promptVersion: null, usageDetails: {}, costDetails: {}, costInferred: false, unit: null, createdAt: AT, updatedAt: AT };
    db.prepare(
      'INSERT INTO observations (id, trace_id, parent_id, type, name, level, environment, start_ms, end_ms, body) VALUES (?,?,?,?,?,?,?,?,?,?)',
    ).run('obs\ud800', bad, 'par\udc00', 'SPAN', 'n', 'DEFAULT', 'default', Date.parse(AT), Date.parse(AT), JSON.stringify(observation));
    const score = { id: 'score\ud800', traceId: bad, observationId: null, sessionId: null, datasetRunId: null, name: 'q', value: 1, stringValue: null, dataType: 'NUMERIC', source: 'API', comment: null, metadata: null, configId: null, queueId: null, environment: 'default', authorUserId: null, timestamp: AT, createdAt: AT, updatedAt: AT };
    db.prepare(
      'INSERT INTO scores (id, trace_id, name, value, data_type, source, environment, ts_ms, body) VALUES (?,?,?,?,?,?,?,?,?)',
    ).run('score\ud800', bad, 'q', 1, 'NUMERIC', 'API', 'default', Date.parse(AT), JSON.stringify(score));
    db.prepare('INSERT INTO changes (kind, entity_id, trace_id, at_ms) VALUES (?,?,?,?)').run('trace', bad, bad, Date.parse(AT));
  });
  after(() => server.close());

  it('every list and by-id route answers without a 500', async () => {
    const paths = [
      '/api/public/traces',
      '/api/public/traces?fields=core,io,scores,observations,metrics',
      '/api/public/traces?sessionId=sess%EF%BF%BD',
      `/api/public/traces/${encodeURIComponent('poison\uFFFD')}`,
      '/api/public/traces/pl-ok',
      '/api/public/observations',
      '/api/public/v2/observations?fields=core,basic,io,metadata',
      '/api/public/sessions',
      `/api/public/sessions/${encodeURIComponent('sess\uFFFD')}`,
      '/api/public/sessions/pl-s',
      '/api/public/v2/scores',
      '/api/public/v3/scores?fields=details,subject,annotation',
      '/api/public/stream/traces?fields=io',
    ];
    for (const path of paths) {
      const response = await server.get(path);
      assert.ok(response.status === 200 || response.status === 404, `${path} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);
      assert.doesNotThrow(() => JSON.stringify(response.body));
    }
    const list = await server.get('/api/public/traces');
    assert.equal(list.body.data.length, 2);
    // Ids read back as the column holds them (U+FFFD for the lone surrogate), so a client can
    // encode the id and ask for the trace again.
    const planted = list.body.data.find((trace: { name: string }) => trace.name === 'bad');
    assert.equal(planted.id, 'poison\uFFFD');
    const again = await server.get(`/api/public/traces/${encodeURIComponent(planted.id)}`);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body.observations.map((o: { id: string; parentObservationId: string }) => [o.id, o.parentObservationId]), [['obs\uFFFD', 'par\uFFFD']]);
    assert.equal(again.body.scores[0].id, 'score\uFFFD');
  });

  it('the stream replays the planted change without dying', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/public/stream?fields=io`, {
      headers: { authorization: server.auth, 'last-event-id': '0' },
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('poison')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    controller.abort();
    assert.match(text, /event: trace/);
  });
});

describe('timestamps: what Langfuse accepts, nothing impossible', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('impossible or non-ISO dates are a per-event 400 that says what is accepted', async () => {
    const bad = ['1', '2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T24:00:00Z', 'Tue, 24 Nov 2026 10:00:00 GMT', 'garbage', '2026-01-01', '2026-01-01T10:00:00', 1764583200000];
    const batch = [
      ...bad.map((timestamp, i) => ({ id: `ts-b${i}`, type: 'trace-create', timestamp: AT, body: { id: `ts-b${i}`, timestamp } })),
      ...bad.map((startTime, i) => ({ id: `ts-s${i}`, type: 'span-create', timestamp: AT, body: { id: `ts-s${i}`, traceId: 'ts-ok', startTime } })),
      ...bad.map((timestamp, i) => ({ id: `ts-e${i}`, type: 'trace-create', timestamp, body: { id: `ts-e${i}` } })),
      { id: 'ts-ok', type: 'trace-create', timestamp: AT, body: { id: 'ts-ok' } },
    ];
    const response = await server.post('/api/public/ingestion', { batch });
    assert.equal(response.status, 207);
    assert.deepEqual(response.body.successes.map((s: { id: string }) => s.id), ['ts-ok']);
    assert.equal(response.body.errors.length, bad.length * 3);
    for (const error of response.body.errors) assert.match(error.error, /must be an ISO 8601 datetime with a time zone, e\.g\. 2026-01-31T09:30:00\.000Z/);
  });

  it('the forms the SDKs send are accepted and normalised to UTC', async () => {
    const good: [string, string][] = [
      ['2026-11-24T10:00:00Z', '2026-11-24T10:00:00.000Z'],
      ['2026-11-24T10:00:00.123456+00:00', '2026-11-24T10:00:00.123Z'],
      ['2026-11-24T11:00:00+01:00', '2026-11-24T10:00:00.000Z'],
      ['2026-11-24T11:00:00+0100', '2026-11-24T10:00:00.000Z'],
      ['2026-11-24T10:00Z', '2026-11-24T10:00:00.000Z'],
      ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ];
    const response = await server.post('/api/public/ingestion', {
      batch: good.map(([timestamp], i) => ({ id: `tg-${i}`, type: 'trace-create', timestamp, body: { id: `tg-${i}`, timestamp } })),
    });
    assert.deepEqual(response.body.errors, []);
    for (const [i, [, expected]] of good.entries()) {
      assert.equal((await server.get(`/api/public/traces/tg-${i}`)).body.timestamp, expected);
    }
  });
});

describe('bodies whose cost is in the objects', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const post = (body: Buffer, encoding?: string) =>
    fetch(`${server.url}/api/public/ingestion`, {
      method: 'POST',
      body,
      headers: { authorization: server.auth, 'content-type': 'application/json', ...(encoding ? { 'content-encoding': encoding } : {}) },
    });
  const objectBomb = (count: number) =>
    Buffer.from(`{"batch":[{"id":"bomb","type":"trace-create","timestamp":"${AT}","body":{"id":"bomb","input":[${'{},'.repeat(count)}{}]}}]}`);

  it('a 32 KB gzip of 32 MB of [{},{},…] is a 413, and health answers meanwhile', async () => {
    const gz = gzipSync(objectBomb(11_000_000));
    assert.ok(gz.length < 100_000, `bomb is ${gz.length} bytes`);
    const bombs = Promise.all([post(gz, 'gzip'), post(gz, 'gzip'), post(gz, 'gzip')]);
    const health = await fetch(`${server.url}/api/public/health`);
    assert.equal(health.status, 200);
    for (const response of await bombs) {
      assert.equal(response.status, 413);
      const body = (await response.json()) as { message: string; error: string };
      assert.match(`${body.message} ${body.error}`, /too large|too complex/);
    }
  });

  it('1.5 million objects in a plain 4.5 MB body are a 413 before parsing', async () => {
    const response = await post(objectBomb(1_400_000));
    assert.equal(response.status, 413);
    const body = (await response.json()) as { message: string; error: string };
    assert.equal(body.message, 'Request body too complex');
    assert.match(body.error, /more than 1000000 JSON elements/);
  });

  it('an event holding more than 300,000 values is a 400 of its own; its neighbour is stored', async () => {
    const many = `[${'0,'.repeat(400_000)}0]`;
    const text = `{"batch":[{"id":"many","type":"trace-create","timestamp":"${AT}","body":{"id":"many","input":${many}}},{"id":"few","type":"trace-create","timestamp":"${AT}","body":{"id":"few"}}]}`;
    const response = await post(Buffer.from(text));
    assert.equal(response.status, 207);
    const body = (await response.json()) as { successes: { id: string }[]; errors: { id: string; error: string }[] };
    assert.deepEqual(body.successes.map((s) => s.id), ['few']);
    assert.equal(body.errors[0]!.id, 'many');
    assert.match(body.errors[0]!.error, /more than 300000 JSON values/);
  });

  it('a gzip body may inflate to four times the raw cap, not more', async () => {
    const pad = (bytes: number) => gzipSync(Buffer.from(`{"batch":[],"pad":"${'x'.repeat(bytes)}"}`));
    const ok = await post(pad(17 * 1024 * 1024), 'gzip');
    assert.equal(ok.status, 207);
    const tooBig = await post(pad(18 * 1024 * 1024), 'gzip');
    assert.equal(tooBig.status, 413);
    assert.match(((await tooBig.json()) as { error: string }).error, /the limit is 18874368 bytes/);
  });
});

describe('a batch is parsed one event at a time', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());
  const post = (text: string) =>
    fetch(`${server.url}/api/public/ingestion`, { method: 'POST', body: text, headers: { authorization: server.auth, 'content-type': 'application/json' } });

  it('the envelope around the batch, strings holding brackets, nesting and whitespace read as one JSON.parse would', async () => {
    const text = ` { "metadata" : {"batch": [1,2]}, "batch" : [ {"id":"p-1","type":"trace-create","timestamp":"${AT}","body":{"id":"p-t1","name":"a,]}[{\\"x","input":[[1,[2]],{"k":"]"}]}} ,
      {"id":"p-2","type":"trace-create","timestamp":"${AT}","body":{"id":"p-t2","tags":["\\\\",","]}} ] , "extra": "[" } `;
    const response = await post(text);
    assert.equal(response.status, 207);
    const body = (await response.json()) as { successes: { id: string }[]; errors: unknown[] };
    assert.deepEqual(body.errors, []);
    assert.deepEqual(body.successes.map((s) => s.id), ['p-1', 'p-2']);
    const t1 = await server.get('/api/public/traces/p-t1');
    assert.equal(t1.body.name, 'a,]}[{"x');
    assert.deepEqual(t1.body.input, [[1, [2]], { k: ']' }]);
    assert.deepEqual((await server.get('/api/public/traces/p-t2')).body.tags, [',', '\\']);
    assert.equal((await post('{"batch": [ ]}')).status, 207);
    // A key spelled with an escape, or given twice, reads as JSON.parse reads it (the last wins).
    const escaped = await post(`{"b\\u0061tch":[{"id":"p-3","type":"trace-create","timestamp":"${AT}","body":{"id":"p-t3"}}]}`);
    assert.deepEqual(((await escaped.json()) as { successes: { id: string }[] }).successes.map((s) => s.id), ['p-3']);
    const twice = await post(`{"batch":[{"id":"p-4","type":"trace-create","timestamp":"${AT}","body":{"id":"p-t4"}}],"batch":[{"id":"p-5","type":"trace-create","timestamp":"${AT}","body":{"id":"p-t5"}}]}`);
    assert.deepEqual(((await twice.json()) as { successes: { id: string }[] }).successes.map((s) => s.id), ['p-5']);
    const notArray = await post(`{"batch":[{"id":"p-6","type":"trace-create","timestamp":"${AT}","body":{"id":"p-t6"}}],"batch":5}`);
    assert.equal(notArray.status, 400);
    assert.equal((await server.get('/api/public/traces/p-t4')).status, 404);
    assert.equal((await server.get('/api/public/traces/p-t6')).status, 404);
  });

  it('malformed JSON anywhere in the batch is a 400 for the request, and nothing is stored', async () => {
    for (const text of [
      `{"batch":[{"id":"m-1","type":"trace-create","timestamp":"${AT}","body":{"id":"m-t1"}},]}`,
      `{"batch":[{"id":"m-2","type":"trace-create","timestamp":"${AT}","body":{"id":"m-t2"}},,{}]}`,
      `{"batch":[{"id":"m-3","type":"trace-create","timestamp":"${AT}","body":{"id":"m-t3"}}, {"id": }]}`,
      `{"batch":[{"id":"m-4","type":"trace-create","timestamp":"${AT}","body":{"id":"m-t4"}}], }`,
      `{"batch":[{"id":"m-5","type":"trace-create","timestamp":"${AT}","body":{"id":"m-t5"}}]`,
    ]) {
      const response = await post(text);
      assert.equal(response.status, 400, text);
      assert.equal(((await response.json()) as { message: string }).message, 'Invalid JSON');
    }
    const ids = (await server.get('/api/public/traces')).body.data.map((t: { id: string }) => t.id);
    assert.deepEqual(ids.filter((id: string) => id.startsWith('m-')), []);
  });
});

describe('OTLP bodies (JSON and protobuf) are bounded the same way', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('an OTLP/JSON export of 1.5 million objects is a 413 before parsing', async () => {
    const body = `{"resourceSpans":[${'{},'.repeat(1_400_000)}{}]}`;
    const response = await fetch(`${server.url}/api/public/otel/v1/traces`, {
      method: 'POST',
      body: gzipSync(Buffer.from(body)),
      headers: { authorization: server.auth, 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { message: string }).message, 'Request body too complex');
    assert.equal((await fetch(`${server.url}/api/public/health`)).status, 200);
  });

  it('a protobuf export of 1.2 million empty attributes (2.4 MB) is a 413 before it is decoded; a real one still passes the count', async () => {
    // Wire format by hand: request.resourceSpans(1) > scopeSpans(2) > spans(2) > attributes(9),
    // each attribute an empty KeyValue: two bytes that would decode into an object each.
    const lengthDelimited = (field: number, inner: Buffer) => {
      const length: number[] = [];
      for (let n = inner.length; ; n = Math.floor(n / 128)) {
        length.push(n >= 128 ? (n % 128) | 0x80 : n);
        if (n < 128) break;
      }
      return Buffer.concat([Buffer.from([(field << 3) | 2, ...length]), inner]);
    };
    const span = Buffer.concat([lengthDelimited(5, Buffer.from('bomb')), Buffer.alloc(1_200_000 * 2).fill(Buffer.from([0x4a, 0x00]))]);
    const body = lengthDelimited(1, lengthDelimited(2, lengthDelimited(2, span)));
    assert.ok(countProtobufElements(body, 2_000_000) > 1_200_000);
    const response = await fetch(`${server.url}/api/public/otel/v1/traces`, {
      method: 'POST',
      body,
      headers: { authorization: server.auth, 'content-type': 'application/x-protobuf' },
    });
    assert.equal(response.status, 413);
    assert.match(((await response.json()) as { message: string }).message, /^Request body too complex: the export holds more than 1000000 protobuf fields/);
    assert.equal((await fetch(`${server.url}/api/public/health`)).status, 200);
    // The count follows nesting only where the schema has a message: a span's name bytes are one field.
    assert.equal(countProtobufElements(lengthDelimited(1, lengthDelimited(2, lengthDelimited(2, lengthDelimited(5, Buffer.from('\x4a\x00\x4a\x00'))))), 100), 4);
  });
});

describe('records cannot grow without end by merging', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('metadata merged key by key stops at 8 MB; the update past it is its own 400 and the stored record is kept', async () => {
    const chunk = 'm'.repeat(3 * 1024 * 1024);
    const update = (n: number, type: string, body: Record<string, unknown>) => ({ id: `grow-${type}-${n}`, type, timestamp: AT, body: { ...body, metadata: { [`k${n}`]: chunk } } });
    for (const [type, body] of [['trace-create', { id: 'grow-t' }], ['span-create', { id: 'grow-s', traceId: 'grow-t' }]] as const) {
      for (let n = 0; n < 2; n++) {
        const response = await server.post('/api/public/ingestion', { batch: [update(n, type, body)] });
        assert.deepEqual(response.body.errors, [], `${type} ${n}`);
      }
      const third = await server.post('/api/public/ingestion', { batch: [update(2, type, body)] });
      assert.equal(third.body.errors.length, 1);
      assert.match(third.body.errors[0].error, /metadata would hold \d+ characters after merging/);
    }
    const trace = await server.get('/api/public/traces/grow-t');
    assert.deepEqual(Object.keys(trace.body.metadata).sort(), ['k0', 'k1']);
  });
});
