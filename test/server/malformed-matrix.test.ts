// A table of malformed input against a real server. Every case must get a JSON 4xx — or, for
// one bad event inside a batch, its own 400 in the 207 — the server must keep answering its
// health check, and the good events sent alongside the bad ones must be stored.
//
// Field expectations follow what the server documents in src/server/ingest/normalize.ts:
// ids and other strings accept numbers and booleans (stringified, as the SDKs send them),
// null means "absent" for optional fields, and everything else of the wrong type is a 400.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, gzipSync } from 'node:zlib';
import { postChunked, startTestServer, type TestServer } from '../helpers/server.js';

const AT = '2026-11-24T10:00:00.000Z';

/** The wrong values every field is tried with. */
const WRONG = {
  'string where number': 'abc',
  'number where string': 42,
  'object where array': { a: 'x' },
  'array where object': [1],
  null: null,
  boolean: true,
} as const;
type Wrong = keyof typeof WRONG;

type Kind =
  | 'string'
  | 'date'
  | 'number'
  | 'enum'
  | 'boolean'
  | 'tags'
  | 'counts'
  | 'object'
  | 'any'
  | 'requiredString'
  | 'scoreValue'
  | 'scoreTarget'
  | 'scoreMetadata';

/** Which wrong values each kind of field accepts; the rest must be a per-event 400. */
const ACCEPTS: Record<Kind, readonly Wrong[]> = {
  string: ['string where number', 'number where string', 'null', 'boolean'],
  date: ['null'],
  number: ['number where string', 'null'],
  enum: ['null'],
  boolean: ['null', 'boolean'],
  tags: ['null'],
  counts: ['null'],
  object: ['object where array', 'null'],
  any: ['string where number', 'number where string', 'object where array', 'array where object', 'null', 'boolean'],
  requiredString: ['string where number', 'number where string', 'boolean'],
  scoreValue: ['string where number', 'number where string', 'boolean'],
  scoreTarget: ['string where number', 'number where string', 'boolean'],
  scoreMetadata: ['string where number', 'number where string', 'object where array', 'array where object', 'boolean'],
};

const OBSERVATION_FIELDS: Record<string, Kind> = {
  id: 'string',
  traceId: 'string',
  name: 'string',
  startTime: 'date',
  endTime: 'date',
  completionStartTime: 'date',
  level: 'enum',
  statusMessage: 'string',
  parentObservationId: 'string',
  version: 'string',
  environment: 'string',
  input: 'any',
  output: 'any',
  metadata: 'any',
};

const GENERATION_FIELDS: Record<string, Kind> = {
  ...OBSERVATION_FIELDS,
  model: 'string',
  modelParameters: 'object',
  usage: 'counts',
  usageDetails: 'counts',
  costDetails: 'counts',
  promptName: 'string',
  promptVersion: 'number',
};

interface EventSpec {
  type: string;
  base: (n: string) => Record<string, unknown>;
  fields: Record<string, Kind>;
}

const TRACE_ID = 'mx-trace';

const EVENTS: EventSpec[] = [
  {
    type: 'trace-create',
    base: (n) => ({ id: `mx-t-${n}`, name: 'matrix' }),
    fields: {
      id: 'string',
      timestamp: 'date',
      name: 'string',
      userId: 'string',
      sessionId: 'string',
      release: 'string',
      version: 'string',
      environment: 'string',
      public: 'boolean',
      tags: 'tags',
      input: 'any',
      output: 'any',
      metadata: 'any',
    },
  },
  { type: 'span-create', base: (n) => ({ id: `mx-s-${n}`, traceId: TRACE_ID, name: 'span', startTime: AT }), fields: OBSERVATION_FIELDS },
  {
    type: 'generation-create',
    base: (n) => ({ id: `mx-g-${n}`, traceId: TRACE_ID, name: 'gen', startTime: AT, model: 'gpt-4o-mini', usageDetails: { input: 1 } }),
    fields: GENERATION_FIELDS,
  },
  { type: 'event-create', base: (n) => ({ id: `mx-e-${n}`, traceId: TRACE_ID, name: 'event', startTime: AT }), fields: OBSERVATION_FIELDS },
  {
    type: 'score-create',
    base: (n) => ({ id: `mx-sc-${n}`, traceId: TRACE_ID, name: 'quality', value: 1 }),
    fields: {
      id: 'string',
      traceId: 'scoreTarget',
      observationId: 'string',
      name: 'requiredString',
      value: 'scoreValue',
      dataType: 'enum',
      comment: 'string',
      metadata: 'scoreMetadata',
      environment: 'string',
      timestamp: 'date',
    },
  },
];

describe('malformed input matrix', () => {
  let server: TestServer;
  const url = (path: string) => `${server.url}${path}`;
  const send = (path: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
    fetch(url(path), { method: 'POST', body, headers: { authorization: server.auth, 'content-type': 'application/json', ...headers } });
  const healthy = async (after: string) => {
    const response = await fetch(url('/api/public/health'));
    assert.equal(response.status, 200, `health after ${after}`);
  };
  /** A 4xx with Langfuse's JSON error shape. */
  const assertJson4xx = async (response: Response, expected: number, what: string) => {
    assert.equal(response.status, expected, what);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/, what);
    const json = (await response.json()) as { message?: unknown; error?: unknown };
    assert.equal(typeof json.message, 'string', what);
    assert.ok(json.error !== undefined, what);
  };

  before(async () => {
    server = await startTestServer();
    await server.post('/api/public/ingestion', { batch: [{ id: 'mx-root', type: 'trace-create', timestamp: AT, body: { id: TRACE_ID, name: 'root' } }] });
  });
  after(() => server.close());

  for (const spec of EVENTS) {
    it(`${spec.type}: every field with every wrong type, good events kept`, async () => {
      const batch: unknown[] = [];
      const expected = new Map<string, 'accept' | 'reject'>();
      let n = 0;
      for (const [field, kind] of Object.entries(spec.fields)) {
        for (const [label, value] of Object.entries(WRONG) as [Wrong, unknown][]) {
          const id = `${spec.type}-${field}-${label}`;
          const body = { ...spec.base(String(n++)), [field]: value };
          batch.push({ id, type: spec.type, timestamp: AT, body });
          expected.set(id, ACCEPTS[kind].includes(label) ? 'accept' : 'reject');
        }
      }
      // Whole-event shapes: a body that is not an object, no id, a wrong event timestamp.
      for (const [label, event] of [
        ['body string', { id: `${spec.type}-body-string`, type: spec.type, timestamp: AT, body: 'x' }],
        ['body array', { id: `${spec.type}-body-array`, type: spec.type, timestamp: AT, body: [spec.base('arr')] }],
        ['body null', { id: `${spec.type}-body-null`, type: spec.type, timestamp: AT, body: null }],
        ['id number', { id: 7, type: spec.type, timestamp: AT, body: spec.base('idnum') }],
      ] as const) {
        batch.push(event);
        expected.set(typeof event.id === 'string' ? event.id : '', 'reject');
        void label;
      }
      const goodId = `${spec.type}-good`;
      const good = spec.base('good');
      batch.push({ id: goodId, type: spec.type, timestamp: AT, body: good });
      expected.set(goodId, 'accept');

      const response = await server.post('/api/public/ingestion', { batch });
      assert.equal(response.status, 207);
      const got = new Map<string, string>();
      for (const success of response.body.successes as { id: string; status: number }[]) {
        assert.equal(success.status, 201);
        got.set(success.id, 'accept');
      }
      for (const error of response.body.errors as { id: string; status: number; message: string; error: unknown }[]) {
        assert.equal(error.status, 400, `${error.id}: ${JSON.stringify(error)}`);
        assert.equal(typeof error.message, 'string');
        got.set(error.id, 'reject');
      }
      assert.equal(response.body.successes.length + response.body.errors.length, batch.length);
      const mismatches = [...expected].filter(([id, verdict]) => got.get(id) !== verdict).map(([id, verdict]) => `${id}: expected ${verdict}, got ${got.get(id)}`);
      assert.deepEqual(mismatches, []);
      await healthy(spec.type);

      // The good event is stored.
      const goodBodyId = good.id as string;
      if (spec.type === 'trace-create') assert.equal((await server.get(`/api/public/traces/${goodBodyId}`)).body.name, 'matrix');
      else if (spec.type === 'score-create') assert.equal((await server.get(`/api/public/v2/scores/${goodBodyId}`)).body.value, 1);
      else assert.equal((await server.get(`/api/public/observations/${goodBodyId}`)).body.traceId, TRACE_ID);
    });
  }

  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));

  const cases: { name: string; path?: string; body: () => string | Uint8Array; headers?: Record<string, string>; status: number }[] = [
    ...['{"batch": [', '{', 'nul', '{"batch": [1,]}', '\u0000', '"str"', '{"batch": "x"}', 'NaN', '{"batch": [{"id": "x"', '  '].map((body) => ({
      name: `malformed JSON ${JSON.stringify(body)}`,
      body: () => body,
      status: 400,
    })),
    { name: 'invalid UTF-8', body: () => new Uint8Array([0xff, 0xfe, 0x7b]), status: 400 },
    { name: 'oversize with content-length', body: () => JSON.stringify({ batch: [], pad: 'x'.repeat(5 * 1024 * 1024) }), status: 413 },
    { name: 'gzip bomb', body: () => bomb, headers: { 'content-encoding': 'gzip' }, status: 413 },
    { name: 'deflate bomb', body: () => deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x20)), headers: { 'content-encoding': 'deflate' }, status: 413 },
    { name: 'gzip header on plain bytes', body: () => '{"batch": []}', headers: { 'content-encoding': 'gzip' }, status: 400 },
    { name: 'unsupported content-encoding', body: () => '{"batch": []}', headers: { 'content-encoding': 'br' }, status: 415 },
    { name: 'text/plain content-type', body: () => '{"batch": []}', headers: { 'content-type': 'text/plain' }, status: 415 },
    { name: 'form content-type (curl -d)', body: () => '{"batch": []}', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415 },
    { name: 'protobuf content-type on ingestion', body: () => new Uint8Array([1, 2, 3]), headers: { 'content-type': 'application/x-protobuf' }, status: 415 },
    { name: 'score: wrong content-type', path: '/api/public/scores', body: () => '{}', headers: { 'content-type': 'text/plain' }, status: 415 },
    { name: 'score: malformed JSON', path: '/api/public/scores', body: () => '{"name":', status: 400 },
    { name: 'score: value object', path: '/api/public/scores', body: () => JSON.stringify({ traceId: TRACE_ID, name: 'q', value: { a: 1 } }), status: 400 },
    { name: 'score: name null', path: '/api/public/scores', body: () => JSON.stringify({ traceId: TRACE_ID, name: null, value: 1 }), status: 400 },
    { name: 'score: body array', path: '/api/public/scores', body: () => JSON.stringify([{ traceId: TRACE_ID, name: 'q', value: 1 }]), status: 400 },
    { name: 'score config: dataType number', path: '/api/public/score-configs', body: () => JSON.stringify({ name: 'c', dataType: 1 }), status: 400 },
    { name: 'score config: categories object', path: '/api/public/score-configs', body: () => JSON.stringify({ name: 'c', dataType: 'CATEGORICAL', categories: { a: 1 } }), status: 400 },
    { name: 'score config: minValue string', path: '/api/public/score-configs', body: () => JSON.stringify({ name: 'c', dataType: 'NUMERIC', minValue: 'low' }), status: 400 },
    { name: 'OTLP: protobuf garbage', path: '/api/public/otel/v1/traces', body: () => new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x99]), headers: { 'content-type': 'application/x-protobuf' }, status: 400 },
    { name: 'OTLP: JSON garbage', path: '/api/public/otel/v1/traces', body: () => 'not json at all', status: 400 },
    { name: 'OTLP: JSON array', path: '/api/public/otel/v1/traces', body: () => '[1,2,3]', status: 400 },
    { name: 'OTLP: resourceSpans of the wrong type', path: '/api/public/otel/v1/traces', body: () => '{"resourceSpans": "x"}', status: 400 },
    { name: 'OTLP: wrong content-type', path: '/api/public/otel/v1/traces', body: () => '{"resourceSpans": []}', headers: { 'content-type': 'text/plain' }, status: 400 },
    { name: 'OTLP: gzip bomb', path: '/api/public/otel/v1/traces', body: () => bomb, headers: { 'content-encoding': 'gzip' }, status: 413 },
  ];

  it('malformed bodies, oversize, bombs, garbage and wrong content types: JSON 4xx, server up', async () => {
    for (const testCase of cases) {
      const response = await send(testCase.path ?? '/api/public/ingestion', testCase.body(), testCase.headers);
      await assertJson4xx(response, testCase.status, testCase.name);
      await healthy(testCase.name);
    }
  });

  it('an oversize chunked upload (no content-length) gets a JSON 413', async () => {
    for (const path of ['/api/public/ingestion', '/api/public/otel/v1/traces']) {
      const answer = await postChunked(server.url, path, { authorization: server.auth, 'content-type': 'application/json' }, 6 * 1024 * 1024, 512 * 1024);
      assert.equal(answer.status, 413, path);
      assert.match(answer.type, /application\/json/);
      assert.equal(typeof (JSON.parse(answer.body) as { message: string }).message, 'string');
      await healthy(`chunked ${path}`);
    }
  });

  it('good events survive next to every kind of bad one, and the root trace is intact', async () => {
    const trace = (await server.get(`/api/public/traces/${TRACE_ID}`)).body;
    assert.equal(trace.name, 'root');
    const ids = new Set((trace.observations as { id: string }[]).map((observation) => observation.id));
    for (const id of ['mx-s-good', 'mx-g-good', 'mx-e-good']) assert.ok(ids.has(id), id);
    assert.ok((trace.scores as { id: string }[]).some((score) => score.id === 'mx-sc-good'));
  });
});
