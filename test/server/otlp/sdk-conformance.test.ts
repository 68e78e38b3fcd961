// What the official SDKs put on the wire, decoded and mapped: @langfuse/tracing + @langfuse/otel
// (v5) post OTLP/JSON to a loopback capture server; the same trace serialised as protobuf
// (the Python SDK's wire format) and gzipped. Both must give the seeds' RAG trace.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { propagateAttributes, setLangfuseTracerProvider, startObservation } from '@langfuse/tracing';
import { decodeOtlpRequest, mapOtlpToIngestion } from '../../../src/server/otlp/index.js';
import type { IngestionEvent } from '../../../src/domain/ingestion.js';
import { openDatabase } from '../../../src/server/db.js';
import { Repository } from '../../../src/server/repository.js';
import { applyIngestionBatch } from '../../../src/server/ingest/apply.js';

const KEYS = { publicKey: 'pk-lf-conformance', secretKey: 'sk-lf-conformance' };
const LIMITS = { maxDecompressedBytes: 32 * 1024 * 1024 };
const NOW = new Date('2030-01-01T00:00:00.000Z');
const T0 = Date.parse('2026-03-04T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);
const iso = (ms: number) => at(ms).toISOString();

interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A stand-in Langfuse that records every request and answers 200 {} like the real endpoint. */
async function startCaptureServer(): Promise<{ url: string; requests: CapturedRequest[]; close: () => Promise<void> }> {
  const requests: CapturedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** The seeds' RAG trace, with fixed times so the mapped timestamps can be asserted exactly. */
async function emitRagTrace(): Promise<string> {
  let traceId = '';
  await propagateAttributes(
    {
      userId: 'u_42',
      sessionId: 'sess_7',
      tags: ['production', 'rag'],
      traceName: 'rag_pipeline',
      metadata: { region: 'eu-west-1' },
    },
    async () => {
      const root = startObservation('rag_pipeline', { input: { question: 'What is the capital of France?' } }, { startTime: at(0) });
      traceId = root.traceId;
      // The child helper on an observation drops startTime; the top-level call with the parent's
      // span context is the same tree with controllable times.
      const under = { parentSpanContext: root.otelSpan.spanContext() };
      startObservation('embed_query', { model: 'text-embedding-3-small', usageDetails: { input: 8 } }, { ...under, asType: 'embedding', startTime: at(10) }).end(at(60));
      startObservation('vector_search', { input: { k: 2 }, output: { documents: ['d1', 'd2'] } }, { ...under, asType: 'retriever', startTime: at(60) }).end(at(180));
      startObservation(
        'rerank_documents',
        { level: 'WARNING', statusMessage: 'low confidence', metadata: { reranker: 'bge', topN: 2 } },
        { ...under, startTime: at(180) },
      ).end(at(250));
      const generation = startObservation(
        'generate_response',
        {
          model: 'gpt-4o-mini',
          modelParameters: { temperature: 0.2, max_tokens: 256 },
          input: [{ role: 'user', content: 'capital of France?' }],
          completionStartTime: at(400),
          prompt: { name: 'rag-answer', version: 3, isFallback: false },
        },
        { ...under, asType: 'generation', startTime: at(250) },
      );
      generation.update({ output: { content: 'The capital of France is Paris.' }, usageDetails: { input: 1000, output: 200 } });
      generation.end(at(900));
      root.update({ output: { answer: 'Paris' } });
      root.end(at(950));
    },
  );
  return traceId;
}

function decodeAndMap(body: Buffer, contentType: string, contentEncoding?: string): { events: IngestionEvent[]; errors: string[] } {
  const decoded = decodeOtlpRequest(body, contentType, contentEncoding, LIMITS);
  assert.ok(decoded.ok, decoded.ok ? '' : `decode failed: ${decoded.message}`);
  return mapOtlpToIngestion(decoded.request, NOW);
}

type Body = Record<string, any>;

/** The assertions both wire formats must satisfy: tree, fields, usage, model, user/session/tags. */
function checkRagEvents(events: IngestionEvent[], traceId: string): void {
  const observations = events.filter((event) => event.type !== 'trace-create');
  const traces = events.filter((event) => event.type === 'trace-create');
  assert.equal(observations.length, 5);
  const byName = new Map<string, { type: string; body: Body }>(observations.map((event) => [(event.body as Body).name, { type: event.type, body: event.body as Body }]));
  assert.deepEqual([...byName.keys()].sort(), ['embed_query', 'generate_response', 'rag_pipeline', 'rerank_documents', 'vector_search']);

  const root = byName.get('rag_pipeline')!;
  assert.equal(root.type, 'span-create');
  assert.match(root.body.id, /^[0-9a-f]{16}$/);
  assert.equal(root.body.traceId, traceId);
  assert.equal(root.body.parentObservationId, undefined);
  assert.equal(root.body.startTime, iso(0));
  assert.equal(root.body.endTime, iso(950));
  assert.deepEqual(root.body.input, { question: 'What is the capital of France?' });
  assert.deepEqual(root.body.output, { answer: 'Paris' });
  assert.equal(root.body.environment, 'staging');
  assert.equal(root.body.level, 'DEFAULT');
  for (const child of ['embed_query', 'vector_search', 'rerank_documents', 'generate_response']) {
    assert.equal(byName.get(child)!.body.parentObservationId, root.body.id, `${child} hangs under the root`);
    assert.equal(byName.get(child)!.body.traceId, traceId);
  }

  const embed = byName.get('embed_query')!;
  assert.equal(embed.type, 'embedding-create');
  assert.equal(embed.body.model, 'text-embedding-3-small');
  assert.deepEqual(embed.body.usageDetails, { input: 8 });
  assert.equal(embed.body.startTime, iso(10));
  assert.equal(embed.body.endTime, iso(60));

  const search = byName.get('vector_search')!;
  assert.equal(search.type, 'retriever-create');
  assert.deepEqual(search.body.input, { k: 2 });
  assert.deepEqual(search.body.output, { documents: ['d1', 'd2'] });

  const rerank = byName.get('rerank_documents')!;
  assert.equal(rerank.type, 'span-create');
  assert.equal(rerank.body.level, 'WARNING');
  assert.equal(rerank.body.statusMessage, 'low confidence');
  assert.equal(rerank.body.metadata.reranker, 'bge');
  assert.equal(rerank.body.metadata.topN, 2);
  assert.equal(rerank.body.metadata.scope.name, 'langfuse-sdk');
  assert.equal(rerank.body.metadata.attributes, undefined, 'Langfuse SDK spans keep raw attributes out of metadata');
  assert.equal(rerank.body.model, undefined, 'spans carry no model fields');

  const generation = byName.get('generate_response')!;
  assert.equal(generation.type, 'generation-create');
  assert.equal(generation.body.model, 'gpt-4o-mini');
  assert.deepEqual(generation.body.modelParameters, { temperature: 0.2, max_tokens: 256 });
  assert.deepEqual(generation.body.usageDetails, { input: 1000, output: 200 });
  assert.equal(generation.body.completionStartTime, iso(400));
  assert.equal(generation.body.promptName, 'rag-answer');
  assert.equal(generation.body.promptVersion, 3);
  assert.deepEqual(generation.body.input, [{ role: 'user', content: 'capital of France?' }]);
  assert.deepEqual(generation.body.output, { content: 'The capital of France is Paris.' });
  assert.equal(generation.body.startTime, iso(250));
  assert.equal(generation.body.endTime, iso(900));

  // Every span carries the propagated user/session/tags, so each one also updates the trace;
  // only the root's event is the full trace (timestamp, name, input/output).
  assert.equal(traces.length, 5);
  for (const trace of traces) {
    const body = trace.body as Body;
    assert.equal(body.id, traceId);
    assert.equal(body.userId, 'u_42');
    assert.equal(body.sessionId, 'sess_7');
    assert.deepEqual([...body.tags].sort(), ['production', 'rag']);
    assert.equal(body.name, 'rag_pipeline');
    assert.equal(body.metadata.region, 'eu-west-1');
    assert.equal(body.environment, 'staging');
    assert.equal(body.release, 'v1.2.3');
  }
  const fullTrace = traces.find((trace) => trace.id.endsWith(root.body.id))!.body as Body;
  assert.equal(fullTrace.timestamp, iso(0));
  assert.deepEqual(fullTrace.input, { question: 'What is the capital of France?' });
  assert.deepEqual(fullTrace.output, { answer: 'Paris' });
  assert.equal(fullTrace.metadata.resourceAttributes['telemetry.sdk.language'], 'nodejs');
  const updates = traces.filter((trace) => (trace.body as Body).timestamp === undefined);
  assert.equal(updates.length, 4, 'child updates leave the trace start to the root');
}

describe('OTLP mapping of what the official SDKs send', () => {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  before(() => {
    context.setGlobalContextManager(contextManager);
  });
  after(() => {
    setLangfuseTracerProvider(null);
    context.disable();
  });

  it('@langfuse/otel posts OTLP/JSON with Basic auth; decoding and mapping it gives the RAG trace', async () => {
    const capture = await startCaptureServer();
    try {
      const provider = new BasicTracerProvider({
        spanProcessors: [
          new LangfuseSpanProcessor({ ...KEYS, baseUrl: capture.url, exportMode: 'immediate', environment: 'staging', release: 'v1.2.3' }),
        ],
      });
      setLangfuseTracerProvider(provider);
      const traceId = await emitRagTrace();
      await provider.forceFlush();
      await provider.shutdown();
      assert.match(traceId, /^[0-9a-f]{32}$/);

      const exports = capture.requests.filter((request) => request.url === '/api/public/otel/v1/traces');
      assert.ok(exports.length >= 1);
      for (const request of exports) {
        assert.equal(request.method, 'POST');
        assert.match(String(request.headers['content-type']), /^application\/json/);
        assert.equal(
          request.headers.authorization,
          `Basic ${Buffer.from(`${KEYS.publicKey}:${KEYS.secretKey}`).toString('base64')}`,
        );
        assert.equal(request.headers['x-langfuse-public-key'], KEYS.publicKey);
      }

      const events: IngestionEvent[] = [];
      for (const request of exports) {
        const mapped = decodeAndMap(request.body, String(request.headers['content-type']), request.headers['content-encoding'] as string | undefined);
        assert.deepEqual(mapped.errors, []);
        events.push(...mapped.events);
      }
      checkRagEvents(events, traceId);

      // A resend of the same bodies maps to the same event ids, so ingestion dedups it.
      const again = exports.flatMap((request) => decodeAndMap(request.body, 'application/json').events);
      assert.deepEqual(
        again.map((event) => event.id),
        events.map((event) => event.id),
      );
      assert.equal(new Set(events.map((event) => event.id)).size, events.length, 'event ids are unique');

      // The lead's ingestion accepts every event as is.
      const repo = new Repository(openDatabase(':memory:'));
      const applied = applyIngestionBatch(repo, events, NOW);
      assert.deepEqual(applied.response.errors, []);
      const stored = repo.getTrace(traceId)!;
      assert.equal(stored.record.name, 'rag_pipeline');
      assert.equal(stored.record.userId, 'u_42');
      assert.equal(stored.record.timestamp, iso(0));
    } finally {
      await capture.close();
    }
  });

  it('protobuf + gzip, as the Python SDK sends it, maps to the same RAG trace', async () => {
    const exporter = new InMemorySpanExporter();
    // The Langfuse processor stamps the same attributes the Python SDK would; only the wire differs.
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new LangfuseSpanProcessor({ ...KEYS, baseUrl: 'http://127.0.0.1:9', exporter, exportMode: 'immediate', environment: 'staging', release: 'v1.2.3' }),
      ],
    });
    setLangfuseTracerProvider(provider);
    const traceId = await emitRagTrace();
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 5);
    const protobuf = ProtobufTraceSerializer.serializeRequest(spans)!;
    const body = gzipSync(protobuf);
    const { events, errors } = decodeAndMap(Buffer.from(body), 'application/x-protobuf', 'gzip');
    assert.deepEqual(errors, []);
    checkRagEvents(events, traceId);

    // Byte ids become the same lowercase hex the JSON exporter sends.
    const decoded = decodeOtlpRequest(Buffer.from(protobuf), 'application/x-protobuf', undefined, LIMITS);
    assert.ok(decoded.ok);
    const decodedSpans = decoded.request.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
    assert.deepEqual(
      decodedSpans.map((span) => span.spanId).sort(),
      spans.map((span) => span.spanContext().spanId).sort(),
    );
    // fixed64 nanoseconds arrive with every digit (the SDK's hrtime has microsecond precision).
    const generationSpan = spans.find((span) => span.name === 'generate_response')!;
    const [seconds, nanos] = generationSpan.startTime;
    const decodedGeneration = decodedSpans.find((span) => span.name === 'generate_response')!;
    assert.equal(decodedGeneration.startTimeUnixNano, (BigInt(seconds) * 1_000_000_000n + BigInt(nanos)).toString());
    await provider.shutdown();
  });
});
