// The official v5 SDKs (@langfuse/tracing + @langfuse/otel) send the seeds' RAG trace to the
// embedded server over OTLP/HTTP JSON; the same trace as protobuf (gzip), as the Python SDK
// sends it; both read back through @langfuse/core's own API client.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { LangfuseAPIClient } from '@langfuse/core';
import { propagateAttributes, setLangfuseTracerProvider, startObservation } from '@langfuse/tracing';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';

async function emitRagTrace(): Promise<string> {
  let traceId = '';
  await propagateAttributes(
    { userId: 'u_42', sessionId: 'sess_7', tags: ['production', 'rag'], traceName: 'rag_pipeline', metadata: { region: 'eu-west-1' } },
    async () => {
      const root = startObservation('rag_pipeline', { input: { question: 'What is the capital of France?' } });
      traceId = root.traceId;
      root.startObservation('embed_query', { model: 'text-embedding-3-small', usageDetails: { input: 8 } }, { asType: 'embedding' }).end();
      root.startObservation('vector_search', { output: { documents: ['d1', 'd2'] } }, { asType: 'retriever' }).end();
      root.startObservation('rerank_documents', { level: 'WARNING', statusMessage: 'low confidence' }).end();
      const generation = root.startObservation(
        'generate_response',
        { model: 'gpt-4o-mini', modelParameters: { temperature: 0.2 }, input: [{ role: 'user', content: 'capital of France?' }] },
        { asType: 'generation' },
      );
      generation.update({ output: { content: 'The capital of France is Paris.' }, usageDetails: { input: 1000, output: 200 } });
      generation.end();
      root.update({ output: { answer: 'Paris' } });
      root.end();
    },
  );
  return traceId;
}

function checkTrace(trace: any) {
  assert.equal(trace.name, 'rag_pipeline');
  assert.equal(trace.userId, 'u_42');
  assert.equal(trace.sessionId, 'sess_7');
  assert.deepEqual([...trace.tags].sort(), ['production', 'rag']);
  const byName = new Map<string, any>(trace.observations.map((o: any) => [o.name, o]));
  const root = byName.get('rag_pipeline');
  assert.equal(root.parentObservationId, null);
  for (const child of ['embed_query', 'vector_search', 'rerank_documents', 'generate_response']) {
    assert.equal(byName.get(child).parentObservationId, root.id, `${child} is a child of the root span`);
  }
  assert.equal(byName.get('embed_query').type, 'EMBEDDING');
  assert.equal(byName.get('vector_search').type, 'RETRIEVER');
  assert.equal(byName.get('rerank_documents').level, 'WARNING');
  assert.equal(byName.get('rerank_documents').statusMessage, 'low confidence');
  const generation = byName.get('generate_response');
  assert.equal(generation.type, 'GENERATION');
  assert.equal(generation.model, 'gpt-4o-mini');
  assert.equal(generation.usageDetails.input, 1000);
  assert.equal(generation.usageDetails.output, 200);
  assert.ok(Math.abs(generation.costDetails.total - 0.00027) < 1e-12);
  assert.deepEqual(generation.output, { content: 'The capital of France is Paris.' });
  assert.equal(trace.observations.length, 5);
}

describe('OTLP ingestion with the official SDKs', () => {
  let server: TestServer;
  let api: LangfuseAPIClient;
  const contextManager = new AsyncLocalStorageContextManager().enable();

  before(async () => {
    context.setGlobalContextManager(contextManager);
    server = await startTestServer();
    api = new LangfuseAPIClient({ environment: server.url, username: TEST_KEYS.publicKey, password: TEST_KEYS.secretKey });
  });
  after(async () => {
    setLangfuseTracerProvider(null);
    context.disable();
    await server.close();
  });

  it('@langfuse/otel (OTLP JSON) → the RAG tree, usage, cost, user, session, tags; plus a score', async () => {
    const provider = new BasicTracerProvider({
      spanProcessors: [new LangfuseSpanProcessor({ ...TEST_KEYS, baseUrl: server.url, exportMode: 'immediate' })],
    });
    setLangfuseTracerProvider(provider);
    const traceId = await emitRagTrace();
    await provider.forceFlush();
    await provider.shutdown();
    assert.match(traceId, /^[0-9a-f]{32}$/);
    const scored = await server.post('/api/public/scores', { traceId, name: 'groundedness', value: 0.9 });
    assert.equal(scored.status, 200);

    const trace = (await api.trace.get(traceId)) as any;
    checkTrace(trace);
    assert.equal(trace.scores[0].value, 0.9);
    assert.equal(trace.metadata.region, 'eu-west-1');
    const v2 = (await api.observations.getMany({ traceId, fields: 'core,basic,usage,model,trace_context' } as any)) as any;
    assert.equal(v2.data.length, 5);
    assert.ok(v2.data.every((o: any) => o.traceName === 'rag_pipeline'));
  });

  it('protobuf with gzip (as the Python SDK sends) → the same tree', async () => {
    const exporter = new InMemorySpanExporter();
    // The Langfuse processor stamps the propagated user/session/tags on each span, as the
    // Python SDK does; only the wire encoding differs.
    const provider = new BasicTracerProvider({
      spanProcessors: [new LangfuseSpanProcessor({ ...TEST_KEYS, baseUrl: server.url, exporter, exportMode: 'immediate' })],
    });
    setLangfuseTracerProvider(provider);
    const traceId = await emitRagTrace();
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 5);
    const body = gzipSync(ProtobufTraceSerializer.serializeRequest(spans)!);
    const response = await fetch(`${server.url}/api/public/otel/v1/traces`, {
      method: 'POST',
      headers: { authorization: server.auth, 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      body,
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {});
    checkTrace(await api.trace.get(traceId));
    await provider.shutdown();
  });

  it('answers bad OTLP with a JSON 400 and keeps serving', async () => {
    const post = (body: Buffer | string, type: string, encoding?: string) =>
      fetch(`${server.url}/api/public/otel/v1/traces`, {
        method: 'POST',
        headers: { authorization: server.auth, 'content-type': type, ...(encoding ? { 'content-encoding': encoding } : {}) },
        body,
      });
    const garbage = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), 'application/x-protobuf');
    assert.equal(garbage.status, 400);
    assert.match(((await garbage.json()) as { message: string }).message, /Invalid OTLP trace export/);
    const noIds = await post(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x' }] }] }] }), 'application/json');
    assert.equal(noIds.status, 400);
    const wrongType = await post('hello', 'text/plain');
    assert.equal(wrongType.status, 400);
    const bomb = await post(gzipSync(Buffer.alloc(64 * 1024 * 1024)), 'application/json', 'gzip');
    assert.equal(bomb.status, 413);
    const empty = await post(JSON.stringify({ resourceSpans: [] }), 'application/json');
    assert.equal(empty.status, 200);
    assert.equal((await fetch(`${server.url}/api/public/health`)).status, 200);
  });
});
