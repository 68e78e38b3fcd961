// The official npm `langfuse` v3 SDK sends the seeds' RAG trace to the embedded server through
// /api/public/ingestion, then reads it back through the SDK's own API client.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Langfuse } from 'langfuse';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';

describe('langfuse v3 SDK → /api/public/ingestion', () => {
  let server: TestServer;
  let langfuse: Langfuse;
  const traceId = `rag-${Date.now()}`;

  before(async () => {
    server = await startTestServer();
    langfuse = new Langfuse({ ...TEST_KEYS, baseUrl: server.url, flushAt: 100, requestTimeout: 5000 });
    const start = Date.now() - 5_000;
    const at = (offset: number) => new Date(start + offset);
    const trace = langfuse.trace({
      id: traceId,
      name: 'rag_pipeline',
      userId: 'u_42',
      sessionId: 'sess_7',
      tags: ['production', 'rag'],
      metadata: { region: 'eu-west-1', tier: 'pro' },
      input: { question: 'What is the capital of France?' },
      timestamp: at(0),
    });
    trace.span({ id: `${traceId}-embed`, name: 'embed_query', startTime: at(0), endTime: at(40) });
    trace
      .span({ id: `${traceId}-search`, name: 'vector_search', startTime: at(40), endTime: at(140) })
      .event({ name: 'cache_miss', startTime: at(41), level: 'WARNING' });
    trace.span({ id: `${traceId}-rerank`, name: 'rerank_documents', startTime: at(140), endTime: at(200) });
    const generation = trace.generation({
      id: `${traceId}-gen`,
      name: 'generate_response',
      model: 'gpt-4o-mini',
      modelParameters: { temperature: 0.2, max_tokens: 256 },
      input: [{ role: 'user', content: 'What is the capital of France?' }],
      startTime: at(200),
      completionStartTime: at(450),
    });
    generation.update({
      output: { role: 'assistant', content: 'The capital of France is Paris.' },
      endTime: at(900),
      usage: { input: 1000, output: 200 },
    });
    trace.update({ output: { answer: 'The capital of France is Paris.' } });
    trace.score({ name: 'groundedness', value: 0.92, comment: 'cites two sources' });
    await langfuse.flushAsync();
  });

  after(async () => {
    await langfuse.shutdownAsync();
    await server.close();
  });

  it('stores the tree, fields, usage, cost and score, read back through the SDK client', async () => {
    const trace = (await langfuse.api.traceGet(traceId)) as any;
    assert.equal(trace.name, 'rag_pipeline');
    assert.equal(trace.userId, 'u_42');
    assert.equal(trace.sessionId, 'sess_7');
    assert.deepEqual(trace.tags, ['production', 'rag']);
    assert.deepEqual(trace.metadata, { region: 'eu-west-1', tier: 'pro' });
    assert.deepEqual(trace.output, { answer: 'The capital of France is Paris.' });
    assert.equal(trace.observations.length, 5);
    const byName = new Map<string, any>(trace.observations.map((o: any) => [o.name, o]));
    for (const name of ['embed_query', 'vector_search', 'rerank_documents', 'generate_response']) {
      assert.equal(byName.get(name).parentObservationId, null, `${name} hangs off the trace`);
    }
    assert.equal(byName.get('cache_miss').parentObservationId, `${traceId}-search`);
    assert.equal(byName.get('cache_miss').type, 'EVENT');
    assert.equal(byName.get('cache_miss').level, 'WARNING');
    const gen = byName.get('generate_response');
    assert.equal(gen.type, 'GENERATION');
    assert.equal(gen.model, 'gpt-4o-mini');
    assert.deepEqual(gen.usageDetails, { input: 1000, output: 200, total: 1200 });
    // gpt-4o-mini: $0.15 / 1M input, $0.60 / 1M output.
    assert.ok(Math.abs(gen.costDetails.total - (1000 * 0.15e-6 + 200 * 0.6e-6)) < 1e-12);
    assert.equal(gen.timeToFirstToken, 0.25);
    assert.equal(gen.latency, 0.7);

    assert.equal(trace.latency, 0.9);
    assert.ok(Math.abs(trace.totalCost - 0.00027) < 1e-12);
    assert.equal(trace.scores.length, 1);
    assert.equal(trace.scores[0].name, 'groundedness');
    assert.equal(trace.scores[0].value, 0.92);
    assert.equal(trace.scores[0].dataType, 'NUMERIC');
    assert.equal(trace.scores[0].comment, 'cites two sources');
  });

  it('lists it with the tag + user filter and not with a tag it lacks', async () => {
    const listed = (await langfuse.api.traceList({ userId: 'u_42', tags: ['production'] })) as any;
    assert.equal(listed.meta.totalItems, 1);
    assert.equal(listed.data[0].id, traceId);
    assert.equal(listed.data[0].observations.length, 5);
    const none = (await langfuse.api.traceList({ tags: ['production', 'staging'] })) as any;
    assert.equal(none.data.length, 0);
  });

  it('answers the session and health endpoints', async () => {
    const session = (await langfuse.api.sessionsGet('sess_7')) as any;
    assert.equal(session.traces.length, 1);
    const health = (await langfuse.api.healthHealth()) as any;
    assert.equal(health.status, 'OK');
  });
});
