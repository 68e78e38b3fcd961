// The prompt registry through the official clients, unchanged: @langfuse/client v5
// (prompt.create / get by label and version / compile / update) with a generation linked over
// OTLP, and the v3 `langfuse` SDK's getPrompt with a generation linked through ingestion;
// replies checked against Langfuse's OpenAPI spec.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { LangfuseClient } from '@langfuse/client';
import { setLangfuseTracerProvider, startObservation } from '@langfuse/tracing';
import { Langfuse } from 'langfuse';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';
import { assertMatchesSchema } from '../helpers/openapi.js';

describe('prompts: POST/GET /v2/prompts, PATCH versions, with the official clients', () => {
  let server: TestServer;
  let langfuse: LangfuseClient;
  const contextManager = new AsyncLocalStorageContextManager().enable();

  before(async () => {
    context.setGlobalContextManager(contextManager);
    server = await startTestServer();
    langfuse = new LangfuseClient({ ...TEST_KEYS, baseUrl: server.url });
  });
  after(async () => {
    setLangfuseTracerProvider(null);
    context.disable();
    await server.close();
  });

  it('v5: create two versions, move production, get by label and version, compile', async () => {
    const v1 = await langfuse.prompt.create({
      name: 'support-agent',
      prompt: 'Answer {{question}} for {{company}}.',
      labels: ['production'],
      tags: ['support'],
      config: { model: 'gpt-4o-mini', temperature: 0.2 },
      commitMessage: 'terse first draft',
    });
    assert.equal(v1.version, 1);
    assert.deepEqual([...v1.labels].sort(), ['latest', 'production']);
    const v2 = await langfuse.prompt.create({
      name: 'support-agent',
      prompt: 'You are a {{tone}} support agent for {{company}}. Answer only from the documents.',
      labels: ['production', 'staging'],
      commitMessage: 'polite and grounded',
    });
    assert.equal(v2.version, 2);
    assert.deepEqual(v2.tags, ['support'], 'tags carry over when not given');

    const production = await langfuse.prompt.get('support-agent', { cacheTtlSeconds: 0 });
    assert.equal(production.version, 2);
    assert.equal(production.compile({ company: 'Acme', tone: 'polite' }), 'You are a polite support agent for Acme. Answer only from the documents.');
    const first = await langfuse.prompt.get('support-agent', { version: 1, cacheTtlSeconds: 0 });
    assert.deepEqual([...first.labels], [], 'production and latest moved to v2');
    assert.equal(first.compile({ question: 'refunds?', company: 'Acme' }), 'Answer refunds? for Acme.');
    assert.equal(first.commitMessage, 'terse first draft');
    assert.deepEqual(first.config, { model: 'gpt-4o-mini', temperature: 0.2 });

    // Move production back to v1: it leaves v2, which keeps latest and staging.
    await langfuse.prompt.update({ name: 'support-agent', version: 1, newLabels: ['production'] });
    const back = await langfuse.prompt.get('support-agent', { label: 'production', cacheTtlSeconds: 0 });
    assert.equal(back.version, 1);
    const latest = await langfuse.prompt.get('support-agent', { label: 'latest', cacheTtlSeconds: 0 });
    assert.equal(latest.version, 2);
    assert.deepEqual([...latest.labels].sort(), ['latest', 'staging']);
    await langfuse.prompt.update({ name: 'support-agent', version: 2, newLabels: ['production'] });
  });

  it('chat prompts keep their messages and compile each one', async () => {
    const chat = await langfuse.prompt.create({
      name: 'folder/chat-agent',
      type: 'chat',
      prompt: [
        { role: 'system', content: 'You work for {{company}}.' },
        { role: 'user', content: '{{question}}' },
      ],
      labels: ['production'],
    });
    assert.equal(chat.type, 'chat');
    const fetched = await langfuse.prompt.get('folder/chat-agent', { type: 'chat', cacheTtlSeconds: 0 });
    assert.deepEqual(fetched.compile({ company: 'Acme', question: 'hi' }), [
      { role: 'system', content: 'You work for Acme.' },
      { role: 'user', content: 'hi' },
    ]);
  });

  it('list, 404 and 400 answers as Langfuse gives them', async () => {
    const list = await server.get('/api/public/v2/prompts');
    assert.equal(list.status, 200);
    assertMatchesSchema('PromptMetaListResponse', list.body);
    assertMatchesSchema('Prompt', (await server.get('/api/public/v2/prompts/support-agent')).body);
    assertMatchesSchema('Prompt', (await server.get('/api/public/v2/prompts/folder%2Fchat-agent')).body);
    assert.deepEqual(list.body.data.map((p: any) => p.name), ['folder/chat-agent', 'support-agent']);
    const support = list.body.data[1];
    assert.deepEqual(support.versions, [1, 2]);
    assert.deepEqual(support.labels, ['latest', 'production', 'staging']);
    assert.equal(support.type, 'text');
    assert.deepEqual(support.tags, ['support']);
    assert.deepEqual(support.lastConfig, {}, 'the config of the newest version');
    assert.deepEqual(list.body.meta, { page: 1, limit: 10, totalItems: 2, totalPages: 1 });
    assert.deepEqual(list.body.pagination, list.body.meta);
    const byLabel = await server.get('/api/public/v2/prompts?label=staging');
    assert.deepEqual(byLabel.body.data.map((p: any) => [p.name, p.versions]), [['support-agent', [2]]]);
    assert.equal((await server.get('/api/public/v2/prompts?limit=101')).status, 400);

    const missing = await server.get('/api/public/v2/prompts/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, "Prompt not found: 'nope' with label 'production'");
    const missingVersion = await server.get('/api/public/v2/prompts/support-agent?version=9');
    assert.equal(missingVersion.body.message, "Prompt not found: 'support-agent' with version 9");
    const both = await server.get('/api/public/v2/prompts/support-agent?version=1&label=production');
    assert.equal(both.status, 400);

    const badLabel = await server.post('/api/public/v2/prompts', { name: 'x', prompt: 'y', labels: ['Prod'] });
    assert.equal(badLabel.status, 400);
    assert.equal(badLabel.body.message, 'Invalid request data');
    const longLabel = await server.post('/api/public/v2/prompts', { name: 'x', prompt: 'y', labels: ['a'.repeat(37)] });
    assert.equal(longLabel.status, 400);
    const wrongType = await server.post('/api/public/v2/prompts', { name: 'support-agent', type: 'chat', prompt: [{ role: 'user', content: 'x' }] });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.body.message, /different prompt type/);
    const created = await server.post('/api/public/v2/prompts', { name: 'plain', prompt: 'hello' });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.labels, ['latest']);
    const patchMissing = await server.post('/api/public/v2/prompts/nope/versions/1', { newLabels: ['production'] }, 'PATCH');
    assert.equal(patchMissing.status, 404);
  });

  it('a generation linked over OTLP is stored with its prompt name and version', async () => {
    const provider = new BasicTracerProvider({
      spanProcessors: [new LangfuseSpanProcessor({ ...TEST_KEYS, baseUrl: server.url, exportMode: 'immediate' })],
    });
    setLangfuseTracerProvider(provider);
    const prompt = await langfuse.prompt.get('support-agent', { cacheTtlSeconds: 0 });
    const generation = startObservation(
      'answer',
      { model: 'gpt-4o-mini', input: prompt.compile({ company: 'Acme', tone: 'polite' }), prompt: { name: prompt.name, version: prompt.version, isFallback: false } },
      { asType: 'generation' },
    );
    const traceId = generation.traceId;
    generation.end();
    await provider.forceFlush();
    await provider.shutdown();
    const trace = await server.get(`/api/public/traces/${traceId}`);
    const stored = trace.body.observations.find((o: any) => o.name === 'answer');
    assert.equal(stored.promptName, 'support-agent');
    assert.equal(stored.promptVersion, 2);
    // Queryable by it: the observations filter and the metrics API.
    const filter = encodeURIComponent(JSON.stringify([
      { type: 'stringOptions', column: 'promptName', operator: 'any of', value: ['support-agent'] },
      { type: 'number', column: 'promptVersion', operator: '=', value: 2 },
    ]));
    const linked = await server.get(`/api/public/v2/observations?fields=core,basic,prompt&filter=${filter}`);
    assert.deepEqual(linked.body.data.map((o: any) => [o.name, o.promptName, o.promptVersion]), [['answer', 'support-agent', 2]]);
    const query = encodeURIComponent(JSON.stringify({
      view: 'observations', dimensions: [{ field: 'promptName' }, { field: 'promptVersion' }], metrics: [{ measure: 'count', aggregation: 'count' }],
      filters: [{ type: 'stringOptions', column: 'promptName', operator: 'any of', value: ['support-agent'] }],
      fromTimestamp: new Date(Date.now() - 3_600_000).toISOString(), toTimestamp: new Date(Date.now() + 60_000).toISOString(),
    }));
    const counted = await server.get(`/api/public/v2/metrics?query=${query}`);
    assert.deepEqual(counted.body.data, [{ promptName: 'support-agent', promptVersion: 2, count_count: 1 }]);
  });

  it('delete: one version (latest moves back), then the rest; 404 once gone', async () => {
    await langfuse.prompt.create({ name: 'scratch', prompt: 'one', labels: ['production'] });
    await langfuse.prompt.create({ name: 'scratch', prompt: 'two' });
    await langfuse.prompt.delete('scratch', { version: 2 });
    const left = await server.get('/api/public/v2/prompts/scratch?version=1');
    assert.deepEqual([...left.body.labels].sort(), ['latest', 'production']);
    assert.equal((await server.post('/api/public/v2/prompts/scratch?version=1&label=production', undefined, 'DELETE')).status, 400);
    await langfuse.prompt.delete('scratch');
    assert.equal((await server.get('/api/public/v2/prompts/scratch')).status, 404);
    const again = await server.post('/api/public/v2/prompts/scratch', undefined, 'DELETE');
    assert.equal(again.status, 404);
    assert.equal(again.body.message, 'Prompt not found');
  });

  it('v3 SDK: getPrompt, compile, and a generation linked through ingestion', async () => {
    const v3 = new Langfuse({ ...TEST_KEYS, baseUrl: server.url, flushAt: 100, requestTimeout: 5000 });
    const prompt = await v3.getPrompt('support-agent', undefined, { cacheTtlSeconds: 0 });
    assert.equal(prompt.version, 2);
    assert.equal(prompt.compile({ company: 'Acme', tone: 'polite' }), 'You are a polite support agent for Acme. Answer only from the documents.');
    const pinned = await v3.getPrompt('support-agent', 1, { cacheTtlSeconds: 0 });
    assert.equal(pinned.version, 1);
    const trace = v3.trace({ name: 'support' });
    trace.generation({ name: 'answer-v3', model: 'gpt-4o', prompt, input: 'x' }).end();
    await v3.flushAsync();
    await v3.shutdownAsync();
    const stored = await server.get(`/api/public/traces/${trace.id}`);
    const generation = stored.body.observations.find((o: any) => o.name === 'answer-v3');
    assert.equal(generation.promptName, 'support-agent');
    assert.equal(generation.promptVersion, 2);
  });
});
