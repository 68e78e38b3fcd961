// decodeOtlpRequest: content types, encodings and limits, Langfuse's span-id validation, and
// the promise never to throw on hostile bodies. Wire bodies come from the OTel SDK's own
// serialisers wherever an SDK can produce them.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { context, trace, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeOtlpRequest, mapOtlpToIngestion, type DecodeResult, type OtlpExportRequest } from '../../../src/server/otlp/index.js';

const LIMITS = { maxDecompressedBytes: 32 * 1024 * 1024 };

/** Real spans from the OTel SDK: a root with one child and a few typed attributes. */
function sdkSpans(build?: (tracer: Tracer) => void) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('decode-test', '0.1.0');
  if (build) build(tracer);
  else {
    const root = tracer.startSpan('root', { attributes: { 'gen_ai.request.model': 'gpt-4o-mini', retries: 3, ratio: 0.5, cached: true, labels: ['a', 'b'] } });
    const child = tracer.startSpan('child', {}, trace.setSpan(context.active(), root));
    child.end();
    root.end();
  }
  return exporter.getFinishedSpans();
}

const jsonBody = (build?: (tracer: Tracer) => void) => Buffer.from(JsonTraceSerializer.serializeRequest(sdkSpans(build))!);
const protobufBody = (build?: (tracer: Tracer) => void) => Buffer.from(ProtobufTraceSerializer.serializeRequest(sdkSpans(build))!);
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function expectOk(result: DecodeResult): OtlpExportRequest {
  assert.ok(result.ok, result.ok ? '' : `expected ok, got ${result.status} ${result.message}`);
  return result.request;
}

function expectFailure(result: DecodeResult, status: number, message: RegExp | string): string {
  assert.equal(result.ok, false);
  if (result.ok) throw new Error('unreachable');
  assert.equal(result.status, status);
  if (typeof message === 'string') assert.equal(result.message, message);
  else assert.match(result.message, message);
  // The route answers {error: message}: it must survive JSON.
  assert.equal(JSON.parse(JSON.stringify({ error: result.message })).error, result.message);
  return result.message;
}

const allSpans = (request: OtlpExportRequest) => request.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));

/** One span in Langfuse's minimal OTLP/JSON shape, for the cases no SDK would ever send. */
const handMade = (span: Record<string, unknown>, scopeName = 'hand-rolled') => ({
  resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: scopeName }, spans: [span] }] }],
});
const TRACE_ID = 'bb14c33c23138873afcc5e6f3c2b5f61';
const SPAN_ID = 'cb00000daff4e5ae';

describe('decodeOtlpRequest: content types', () => {
  it('reads OTLP/JSON from the SDK serialiser, with or without a charset', () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON']) {
      const request = expectOk(decodeOtlpRequest(jsonBody(), type, undefined, LIMITS));
      const spans = allSpans(request);
      assert.deepEqual(spans.map((span) => span.name).sort(), ['child', 'root']);
      const root = spans.find((span) => span.name === 'root')!;
      const child = spans.find((span) => span.name === 'child')!;
      assert.match(root.traceId, /^[0-9a-f]{32}$/);
      assert.match(root.spanId, /^[0-9a-f]{16}$/);
      assert.equal(root.parentSpanId, null);
      assert.equal(child.parentSpanId, root.spanId);
      assert.deepEqual(root.attributes, { 'gen_ai.request.model': 'gpt-4o-mini', retries: 3, ratio: 0.5, cached: true, labels: ['a', 'b'] });
      assert.match(root.startTimeUnixNano!, /^\d{19}$/);
      assert.equal(request.resourceSpans[0]!.scopeSpans[0]!.scope.name, 'decode-test');
      assert.equal(request.resourceSpans[0]!.scopeSpans[0]!.scope.version, '0.1.0');
      assert.equal(request.resourceSpans[0]!.resourceAttributes['telemetry.sdk.language'], 'nodejs');
    }
  });

  it('reads protobuf into the same shape as JSON', () => {
    const spans = sdkSpans();
    const fromJson = expectOk(decodeOtlpRequest(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!), 'application/json', undefined, LIMITS));
    const fromProtobuf = expectOk(decodeOtlpRequest(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!), 'application/x-protobuf', undefined, LIMITS));
    assert.deepEqual(fromProtobuf, fromJson);
  });

  it('answers anything else with Langfuse 400 "Invalid content type"', () => {
    for (const type of [undefined, '', 'text/plain', 'application/protobuf', 'application/grpc', 'multipart/form-data']) {
      expectFailure(decodeOtlpRequest(jsonBody(), type, undefined, LIMITS), 400, 'Invalid content type');
    }
  });
});

describe('decodeOtlpRequest: encodings and limits', () => {
  it('inflates gzip (and deflate) bodies', () => {
    const plain = expectOk(decodeOtlpRequest(protobufBody(), 'application/x-protobuf', undefined, LIMITS));
    assert.equal(allSpans(plain).length, 2);
    for (const [encoding, compress] of [['gzip', gzipSync], ['GZIP', gzipSync], ['x-gzip', gzipSync], ['deflate', deflateSync]] as const) {
      const request = expectOk(decodeOtlpRequest(compress(jsonBody()), 'application/json', encoding, LIMITS));
      assert.equal(allSpans(request).length, 2, encoding);
    }
    expectOk(decodeOtlpRequest(jsonBody(), 'application/json', 'identity', LIMITS));
  });

  it('stops a gzip bomb at the cap with 413 instead of inflating it', () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    assert.ok(bomb.length < 100 * 1024, 'the bomb is small on the wire');
    const started = performance.now();
    expectFailure(decodeOtlpRequest(bomb, 'application/json', 'gzip', LIMITS), 413, /^Decompressed body too large: the limit is 33554432 bytes$/);
    expectFailure(decodeOtlpRequest(bomb, 'application/x-protobuf', 'gzip', { maxDecompressedBytes: 1024 * 1024 }), 413, /too large/);
    assert.ok(performance.now() - started < 5000);
  });

  it('refuses a plain body larger than the cap with 413', () => {
    const body = jsonBody();
    expectFailure(decodeOtlpRequest(body, 'application/json', undefined, { maxDecompressedBytes: body.length - 1 }), 413, /too large/);
    expectOk(decodeOtlpRequest(body, 'application/json', undefined, { maxDecompressedBytes: body.length }));
  });

  it('answers a corrupt gzip body with 400 and an unknown encoding with 415', () => {
    expectFailure(decodeOtlpRequest(jsonBody(), 'application/json', 'gzip', LIMITS), 400, /^Failed to decompress request body/);
    const truncated = gzipSync(jsonBody()).subarray(0, 20);
    expectFailure(decodeOtlpRequest(truncated, 'application/json', 'gzip', LIMITS), 400, /^Failed to decompress request body/);
    expectFailure(decodeOtlpRequest(jsonBody(), 'application/json', 'br', LIMITS), 415, 'Unsupported content encoding: br');
  });
});

describe('decodeOtlpRequest: malformed bodies give 400, never a throw', () => {
  it('garbage protobuf', () => {
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    expectFailure(decodeOtlpRequest(garbage, 'application/x-protobuf', undefined, LIMITS), 400, /^Invalid OTLP trace export: Failed to parse OTel Protobuf Trace/);
    // A valid prefix cut short.
    const cut = protobufBody().subarray(0, 40);
    expectFailure(decodeOtlpRequest(cut, 'application/x-protobuf', undefined, LIMITS), 400, /Failed to parse OTel Protobuf Trace/);
  });

  it('JSON that does not parse, or is not an object', () => {
    expectFailure(decodeOtlpRequest(Buffer.from('{'), 'application/json', undefined, LIMITS), 400, /^Invalid OTLP trace export: Failed to parse OTel JSON Trace/);
    expectFailure(decodeOtlpRequest(Buffer.from('null'), 'application/json', undefined, LIMITS), 400, /Failed to parse OTel JSON Trace/);
    expectFailure(decodeOtlpRequest(json([1, 2]), 'application/json', undefined, LIMITS), 400, /Failed to parse OTel JSON Trace/);
  });

  it('protobuf bytes sent as JSON (and JSON sent as protobuf)', () => {
    expectFailure(decodeOtlpRequest(protobufBody(), 'application/json', undefined, LIMITS), 400, /Failed to parse OTel JSON Trace/);
    // JSON text happens to be a (meaningless) protobuf stream or not; either way no throw.
    const result = decodeOtlpRequest(jsonBody(), 'application/x-protobuf', undefined, LIMITS);
    assert.ok(result.ok || result.status === 400);
  });

  it('survives any bytes as protobuf and any JSON value as OTLP/JSON', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const result = decodeOtlpRequest(Buffer.from(bytes), 'application/x-protobuf', undefined, LIMITS);
        if (result.ok) mapOtlpToIngestion(result.request, new Date());
        else assert.equal(result.status, 400);
      }),
      { numRuns: 500 },
    );
    // Real exports with bytes flipped or cut: deep inside spans, not just at the top.
    const valid = protobufBody();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat({ max: valid.length }), (flips, cut) => {
        const mutated = Buffer.from(valid);
        for (const [index, byte] of flips) mutated[index] = byte;
        const result = decodeOtlpRequest(mutated.subarray(0, cut), 'application/x-protobuf', undefined, LIMITS);
        if (result.ok) JSON.stringify(mapOtlpToIngestion(result.request, new Date()));
        else assert.equal(result.status, 400);
      }),
      { numRuns: 1000 },
    );
    const anyValue = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({ stringValue: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }),
      fc.record({ intValue: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }),
      fc.record({ arrayValue: fc.jsonValue({ maxDepth: 2 }) }),
      fc.record({ kvlistValue: fc.jsonValue({ maxDepth: 2 }) }),
    );
    const keyValue = fc.oneof(fc.record({ key: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'langfuse.observation.metadata.__proto__', 'gen_ai.prompt.__proto__.x', 'langfuse.trace.tags', 'langfuse.observation.type', 'gen_ai.usage.input_tokens')), value: anyValue }), fc.jsonValue({ maxDepth: 1 }));
    const id = (hexLength: number) => fc.oneof(fc.constant(undefined), fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: hexLength, maxLength: hexLength }), fc.integer());
    const span = fc.record(
      {
        traceId: id(32),
        spanId: id(16),
        parentSpanId: id(16),
        name: fc.jsonValue({ maxDepth: 1 }),
        startTimeUnixNano: fc.oneof(fc.string(), fc.integer(), fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String), fc.double()),
        attributes: fc.oneof(fc.array(keyValue, { maxLength: 6 }), fc.jsonValue({ maxDepth: 1 })),
        events: fc.oneof(fc.array(fc.record({ name: fc.jsonValue({ maxDepth: 1 }), attributes: fc.array(keyValue, { maxLength: 3 }) }), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
        status: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    );
    const body = fc.record({
      resourceSpans: fc.oneof(
        fc.array(
          fc.record(
            {
              resource: fc.oneof(fc.record({ attributes: fc.array(keyValue, { maxLength: 3 }) }), fc.jsonValue({ maxDepth: 1 })),
              scopeSpans: fc.array(
                fc.record({ scope: fc.oneof(fc.record({ name: fc.constantFrom('langfuse-sdk', 'ai', 'pydantic-ai', 'x') }), fc.jsonValue({ maxDepth: 1 })), spans: fc.array(span, { maxLength: 4 }) }, { requiredKeys: [] }),
                { maxLength: 3 },
              ),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
        fc.jsonValue({ maxDepth: 1 }),
      ),
    });
    fc.assert(
      fc.property(body, (value) => {
        const result = decodeOtlpRequest(json(value), 'application/json', undefined, LIMITS);
        if (result.ok) {
          const mapped = mapOtlpToIngestion(result.request, new Date());
          JSON.stringify(mapped);
        } else assert.equal(result.status, 400);
      }),
      { numRuns: 500 },
    );
    assert.equal(({} as Record<string, unknown>).x, undefined, 'no prototype was polluted');
  });
});

describe("decodeOtlpRequest: Langfuse's span validation", () => {
  it('treats an empty export as nothing to do', () => {
    for (const body of [{ resourceSpans: [] }, {}, { resourceSpans: null }]) {
      const request = expectOk(decodeOtlpRequest(json(body), 'application/json', undefined, LIMITS));
      assert.deepEqual(request.resourceSpans, []);
      assert.deepEqual(mapOtlpToIngestion(request, new Date()), { events: [], errors: [] });
    }
    const empty = expectOk(decodeOtlpRequest(Buffer.alloc(0), 'application/x-protobuf', undefined, LIMITS));
    assert.deepEqual(empty.resourceSpans, []);
  });

  it('rejects the whole export when a span has no traceId/spanId, naming the reasons and scope', () => {
    const message = expectFailure(
      decodeOtlpRequest(json(handMade({ name: 'missing-ids' }, 'codex_otel.log_only')), 'application/json', undefined, LIMITS),
      400,
      /^Invalid OTLP trace export: 1 of 1 span\(s\) cannot be processed \(traceId:absent, spanId:absent\)\. traceId and spanId are required on every span/,
    );
    assert.match(message, /The entire export was rejected and no spans were ingested\. Instrumentation scopes: codex_otel\.log_only\./);

    const mixed = {
      resourceSpans: [{ scopeSpans: [{ scope: { name: 'mixed' }, spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, name: 'ok' }, { traceState: 'INFO' }] }] }],
    };
    expectFailure(decodeOtlpRequest(json(mixed), 'application/json', undefined, LIMITS), 400, /^Invalid OTLP trace export: 1 of 2 span\(s\)/);
  });

  it('rejects ids of the wrong length, all-zero ids and non-ids', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ traceId: SPAN_ID, spanId: SPAN_ID }, 'traceId:wrong_length'],
      [{ traceId: TRACE_ID, spanId: TRACE_ID }, 'spanId:wrong_length'],
      [{ traceId: '0'.repeat(32), spanId: SPAN_ID }, 'traceId:all_zero'],
      [{ traceId: TRACE_ID, spanId: 42 }, 'spanId:not_an_id'],
      [{ traceId: { type: 'Buffer', data: [107] }, spanId: SPAN_ID }, 'traceId:wrong_length'],
    ];
    for (const [ids, reason] of cases) {
      const message = expectFailure(decodeOtlpRequest(json(handMade({ ...ids, name: 'x' })), 'application/json', undefined, LIMITS), 400, /^Invalid OTLP trace export/);
      assert.ok(message.includes(`(${reason})`), `${message} names ${reason}`);
    }
  });

  it('rejects collections that are present but not arrays (attributes as a {key: value} object)', () => {
    const objectAttributes = handMade({ traceId: TRACE_ID, spanId: SPAN_ID, name: 'x', attributes: { 'user.id': 'u1' } });
    expectFailure(
      decodeOtlpRequest(json(objectAttributes), 'application/json', undefined, LIMITS),
      400,
      /\(attributes:not_an_array\)\. scopeSpans, spans, attributes and events must all be arrays — OTLP attributes are a list of \{key, value\} entries/,
    );
    expectFailure(decodeOtlpRequest(json({ resourceSpans: {} }), 'application/json', undefined, LIMITS), 400, /resourceSpans:not_an_array/);
    expectFailure(decodeOtlpRequest(json({ resourceSpans: [{ scopeSpans: 'x' }] }), 'application/json', undefined, LIMITS), 400, /scopeSpans:not_an_array/);
  });

  it('accepts the id encodings Langfuse accepts: hex, base64 (proto3 JSON), byte arrays, JSON Buffers, other strings', () => {
    const bytes = Buffer.from(TRACE_ID, 'hex');
    const spanBytes = Buffer.from(SPAN_ID, 'hex');
    const variants: [unknown, unknown, string, string][] = [
      [TRACE_ID.toUpperCase(), SPAN_ID.toUpperCase(), TRACE_ID, SPAN_ID],
      [bytes.toString('base64'), spanBytes.toString('base64'), TRACE_ID, SPAN_ID],
      [[...bytes], [...spanBytes], TRACE_ID, SPAN_ID],
      [{ type: 'Buffer', data: [...bytes] }, { type: 'Buffer', data: [...spanBytes] }, TRACE_ID, SPAN_ID],
      ['my-trace', 'my-span', 'my-trace', 'my-span'],
    ];
    for (const [traceId, spanId, expectedTrace, expectedSpan] of variants) {
      const request = expectOk(decodeOtlpRequest(json(handMade({ traceId, spanId, name: 'x' })), 'application/json', undefined, LIMITS));
      const [span] = allSpans(request);
      assert.equal(span!.traceId, expectedTrace);
      assert.equal(span!.spanId, expectedSpan);
    }
    // An empty or all-zero parent means "root".
    for (const parentSpanId of ['', '0000000000000000', null]) {
      const request = expectOk(decodeOtlpRequest(json(handMade({ traceId: TRACE_ID, spanId: SPAN_ID, parentSpanId })), 'application/json', undefined, LIMITS));
      assert.equal(allSpans(request)[0]!.parentSpanId, null);
    }
  });
});

describe('decodeOtlpRequest: values', () => {
  it('keeps fixed64 nanoseconds exact through protobuf', () => {
    // 2026-03-04T10:00:00.123456789Z: not representable as a double.
    const body = protobufBody((tracer) => tracer.startSpan('precise', { startTime: [1772618400, 123456789] }).end([1772618401, 987654321]));
    const [span] = allSpans(expectOk(decodeOtlpRequest(body, 'application/x-protobuf', undefined, LIMITS)));
    assert.equal(span!.startTimeUnixNano, '1772618400123456789');
    assert.equal(span!.endTimeUnixNano, '1772618401987654321');
    const [event] = mapOtlpToIngestion({ resourceSpans: [{ resourceAttributes: {}, scopeSpans: [{ scope: { name: 's', version: null, attributes: {} }, spans: [span!] }] }] }, new Date())
      .events.filter((e) => e.type !== 'trace-create');
    assert.equal((event!.body as { startTime: string }).startTime, '2026-03-04T10:00:00.123Z');
    assert.equal((event!.body as { endTime: string }).endTime, '2026-03-04T10:00:01.987Z');
  });

  it('keeps nanoseconds exact when a JSON encoder sends them as numbers', () => {
    // No SDK sends this (they send strings), but the proto3 JSON mapping allows it.
    const body = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE_ID}","spanId":"${SPAN_ID}","name":"n","startTimeUnixNano":1772618400123456789,"endTimeUnixNano":"1772618401987654321","attributes":[{"key":"big","value":{"intValue":9007199254740993}},{"key":"small","value":{"intValue":"42"}}]}]}]}]}`;
    const [span] = allSpans(expectOk(decodeOtlpRequest(Buffer.from(body), 'application/json', undefined, LIMITS)));
    assert.equal(span!.startTimeUnixNano, '1772618400123456789');
    assert.equal(span!.endTimeUnixNano, '1772618401987654321');
    assert.equal(span!.attributes.big, '9007199254740993');
    assert.equal(span!.attributes.small, 42);
  });

  it('reads status codes and span kinds sent as proto3 JSON enum names', () => {
    const body = handMade({ traceId: TRACE_ID, spanId: SPAN_ID, name: 'n', kind: 'SPAN_KIND_CLIENT', status: { code: 'STATUS_CODE_ERROR', message: 'boom' } });
    const request = expectOk(decodeOtlpRequest(json(body), 'application/json', undefined, LIMITS));
    assert.deepEqual(allSpans(request)[0]!.status, { code: 2, message: 'boom' });
    assert.equal(allSpans(request)[0]!.kind, 3);
    const observation = mapOtlpToIngestion(request, new Date()).events.find((event) => event.type === 'span-create')!;
    assert.equal((observation.body as { level: string }).level, 'ERROR');
  });

  it('converts every AnyValue kind, kvlists and bytes included, and keeps odd keys as data', () => {
    const attributes = [
      { key: 's', value: { stringValue: 'text' } },
      { key: 'i', value: { intValue: '-7' } },
      { key: 'd', value: { doubleValue: 1.25 } },
      { key: 'b', value: { boolValue: false } },
      { key: 'a', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: 1 }, { arrayValue: { values: [{ boolValue: true }] } }] } } },
      { key: 'kv', value: { kvlistValue: { values: [{ key: 'inner', value: { stringValue: 'v' } }, { key: '__proto__', value: { stringValue: 'p' } }] } } },
      { key: 'bytes', value: { bytesValue: Buffer.from('hi').toString('base64') } },
      { key: 'empty', value: {} },
      { key: '__proto__', value: { stringValue: 'polluted?' } },
    ];
    const [span] = allSpans(expectOk(decodeOtlpRequest(json(handMade({ traceId: TRACE_ID, spanId: SPAN_ID, attributes })), 'application/json', undefined, LIMITS)));
    const values = span!.attributes;
    assert.equal(values.s, 'text');
    assert.equal(values.i, -7);
    assert.equal(values.d, 1.25);
    assert.equal(values.b, false);
    assert.deepEqual(values.a, ['x', 1, [true]]);
    assert.equal((values.kv as Record<string, unknown>).inner, 'v');
    assert.ok(Object.hasOwn(values.kv as object, '__proto__'));
    assert.equal(values.bytes, 'aGk=');
    assert.equal(values.empty, null);
    assert.ok(Object.hasOwn(values, '__proto__'));
    assert.equal(Object.getPrototypeOf(values), Object.prototype);
  });
});
