// mapOtlpToIngestion over spans that third-party instrumentations emit (OpenInference, OTel GenAI
// semantic conventions, Vercel AI SDK, TraceLoop): real spans from the OTel SDK, serialised by its
// OTLP/JSON serialiser, decoded and mapped. Expected values follow Langfuse's attribute map.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace, SpanStatusCode, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeOtlpRequest, mapOtlpToIngestion, nanosToIso } from '../../../src/server/otlp/index.js';
import type { IngestionEvent } from '../../../src/domain/ingestion.js';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const START: [number, number] = [1772618400, 0]; // 2026-03-04T10:00:00Z

type Body = Record<string, any>;

interface Exported {
  events: IngestionEvent[];
  errors: string[];
  /** Observation bodies by span name. */
  observation: (name: string) => { type: string; body: Body };
  /** Trace bodies, in span order. */
  traces: Body[];
}

/** Runs `build` against a real tracer, then serialises, decodes and maps what it recorded. */
function exportSpans(build: (tracer: Tracer) => void, options: { scope?: string; resource?: Attributes } = {}): Exported {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'rag-service', ...options.resource }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  build(provider.getTracer(options.scope ?? 'rag-app', '2.0.0'));
  const body = Buffer.from(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())!);
  const decoded = decodeOtlpRequest(body, 'application/json', undefined, { maxDecompressedBytes: 1 << 24 });
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.message);
  const { events, errors } = mapOtlpToIngestion(decoded.request, NOW);
  return {
    events,
    errors,
    observation: (name) => {
      const event = events.find((candidate) => candidate.type !== 'trace-create' && (candidate.body as Body).name === name);
      assert.ok(event, `an observation named ${name}`);
      return { type: event.type, body: event.body as Body };
    },
    traces: events.filter((event) => event.type === 'trace-create').map((event) => event.body as Body),
  };
}

const childOf = (parent: Span) => trace.setSpan(context.active(), parent);

describe('mapOtlpToIngestion: third-party instrumentations', () => {
  it('OpenInference LLM span → generation with model, token counts, parameters, parsed I/O', () => {
    const out = exportSpans((tracer) => {
      const chain = tracer.startSpan('RetrievalQA', { startTime: START, attributes: { 'openinference.span.kind': 'CHAIN', 'input.value': 'What is OTLP?' } });
      const llm = tracer.startSpan(
        'ChatOpenAI',
        {
          startTime: [START[0], 5_000_000],
          attributes: {
            'openinference.span.kind': 'LLM',
            'llm.model_name': 'gpt-4o-mini',
            'llm.token_count.prompt': 120,
            'llm.token_count.completion': 30,
            'llm.token_count.total': 150,
            'llm.invocation_parameters': '{"temperature":0.1,"stop":["\\n"]}',
            'input.value': '{"messages":[{"role":"user","content":"What is OTLP?"}]}',
            'output.value': 'A protocol.',
            'llm.provider': 'openai',
          },
        },
        childOf(chain),
      );
      llm.end([START[0] + 1, 0]);
      chain.end([START[0] + 2, 0]);
    });
    assert.deepEqual(out.errors, []);
    const llm = out.observation('ChatOpenAI');
    assert.equal(llm.type, 'generation-create');
    assert.equal(llm.body.model, 'gpt-4o-mini');
    assert.deepEqual(llm.body.usageDetails, { input: 120, output: 30, total: 150 });
    assert.deepEqual(llm.body.modelParameters, { temperature: 0.1, stop: '["\\n"]' });
    assert.deepEqual(llm.body.input, { messages: [{ role: 'user', content: 'What is OTLP?' }] });
    assert.equal(llm.body.output, 'A protocol.');
    assert.equal(llm.body.startTime, '2026-03-04T10:00:00.005Z');
    assert.equal(llm.body.endTime, '2026-03-04T10:00:01.000Z');
    // Non-Langfuse spans keep their raw attributes (stringified, I/O removed) in metadata.
    assert.equal(llm.body.metadata.attributes['llm.provider'], 'openai');
    assert.equal(llm.body.metadata.attributes['llm.token_count.prompt'], '120');
    assert.equal(llm.body.metadata.attributes['input.value'], undefined);
    assert.equal(llm.body.metadata.resourceAttributes['service.name'], 'rag-service');
    assert.deepEqual(llm.body.metadata.scope, { name: 'rag-app', version: '2.0.0', attributes: {} });

    const chain = out.observation('RetrievalQA');
    assert.equal(chain.type, 'chain-create');
    assert.equal(llm.body.parentObservationId, chain.body.id);
    // The root span makes the full trace: its name, its input, its start.
    assert.equal(out.traces.length, 1);
    assert.equal(out.traces[0]!.name, 'RetrievalQA');
    assert.equal(out.traces[0]!.input, 'What is OTLP?');
    assert.equal(out.traces[0]!.timestamp, '2026-03-04T10:00:00.000Z');
    assert.equal(out.traces[0]!.environment, 'default');
  });

  it('OTel GenAI semantic conventions → type by operation, response model, usage, cost, session, events as I/O', () => {
    const out = exportSpans((tracer) => {
      const agent = tracer.startSpan('invoke_agent support', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': 'conv-9' } });
      const chat = tracer.startSpan(
        'chat gpt-4o',
        {
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': 'gpt-4o',
            'gen_ai.response.model': 'gpt-4o-2024-08-06',
            'gen_ai.request.temperature': 0.3,
            'gen_ai.request.max_tokens': 512,
            'gen_ai.usage.input_tokens': 80,
            'gen_ai.usage.output_tokens': 12,
            'gen_ai.usage.cost': 0.0012,
          },
        },
        childOf(agent),
      );
      chat.addEvent('gen_ai.system.message', { content: 'Be brief.' });
      chat.addEvent('gen_ai.user.message', { content: 'Hi' });
      chat.addEvent('gen_ai.choice', { index: 0, finish_reason: 'stop', message: '{"content":"Hello"}' });
      chat.end();
      tracer.startSpan('execute_tool lookup', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_order', 'gen_ai.tool.call.arguments': '{"id":7}', 'gen_ai.tool.call.result': '{"status":"shipped"}' } }, childOf(agent)).end();
      tracer.startSpan('embeddings', { attributes: { 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'text-embedding-3-small', 'gen_ai.usage.input_tokens': 5 } }, childOf(agent)).end();
      agent.end();
    });
    assert.equal(out.observation('invoke_agent support').type, 'agent-create');
    const chat = out.observation('chat gpt-4o');
    assert.equal(chat.type, 'generation-create');
    assert.equal(chat.body.model, 'gpt-4o-2024-08-06');
    assert.deepEqual(chat.body.modelParameters, { temperature: 0.3, max_tokens: 512 });
    assert.deepEqual(chat.body.usageDetails, { input: 80, output: 12 });
    assert.deepEqual(chat.body.costDetails, { total: 0.0012 });
    assert.deepEqual(chat.body.input, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);
    assert.deepEqual(chat.body.output, { index: 0, finish_reason: 'stop', message: '{"content":"Hello"}' });

    const tool = out.observation('lookup_order');
    assert.equal(tool.type, 'tool-create', 'named after gen_ai.tool.name');
    assert.deepEqual(tool.body.input, { id: 7 });
    assert.deepEqual(tool.body.output, { status: 'shipped' });
    const embedding = out.observation('embeddings');
    assert.equal(embedding.type, 'embedding-create');
    assert.equal(embedding.body.model, 'text-embedding-3-small');

    // gen_ai.conversation.id is not a trace-update key, but the root carries it into the trace.
    assert.equal(out.traces.length, 1);
    assert.equal(out.traces[0]!.sessionId, 'conv-9');
  });

  it('AI SDK (@ai-sdk/otel) agent spans carry no model/usage, so the trace is not costed twice', () => {
    const out = exportSpans(
      (tracer) => {
        const usage = { 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 50 };
        const agent = tracer.startSpan('invoke_agent gpt-4o-mini', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.request.model': 'gpt-4o-mini', ...usage } });
        const step = tracer.startSpan('agent_step', { attributes: { 'gen_ai.operation.name': 'agent_step', ...usage } }, childOf(agent));
        tracer.startSpan('chat gpt-4o-mini', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', ...usage } }, childOf(step)).end();
        step.end();
        agent.end();
      },
      { scope: 'gen_ai' },
    );
    const agent = out.observation('invoke_agent gpt-4o-mini');
    assert.equal(agent.type, 'agent-create');
    assert.equal(agent.body.model, undefined);
    assert.equal(agent.body.usageDetails, undefined);
    assert.equal(out.observation('agent_step').body.usageDetails, undefined);
    const chat = out.observation('chat gpt-4o-mini');
    assert.equal(chat.type, 'generation-create');
    assert.equal(chat.body.model, 'gpt-4o-mini');
    assert.deepEqual(chat.body.usageDetails, { input: 100, output: 50 });
  });

  it('TraceLoop flattened prompts and Vercel AI SDK spans', () => {
    const traceloop = exportSpans((tracer) => {
      tracer
        .startSpan('openai.chat', {
          attributes: {
            'gen_ai.request.model': 'gpt-4o-mini',
            'gen_ai.prompt.0.role': 'system',
            'gen_ai.prompt.0.content': 'Be brief.',
            'gen_ai.prompt.1.role': 'user',
            'gen_ai.prompt.1.content': 'Hi',
            'gen_ai.completion.0.role': 'assistant',
            'gen_ai.completion.0.content': 'Hello',
            'gen_ai.prompt.__proto__.polluted': 'no',
            'gen_ai.usage.prompt_tokens': 9,
            'gen_ai.usage.completion_tokens': 2,
          },
        })
        .end();
    });
    const chat = traceloop.observation('openai.chat');
    assert.equal(chat.type, 'generation-create', 'a model attribute makes it a generation');
    assert.deepEqual(chat.body.input, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);
    assert.deepEqual(chat.body.output, [{ role: 'assistant', content: 'Hello' }]);
    assert.deepEqual(chat.body.usageDetails, { input: 9, output: 2 });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);

    const vercel = exportSpans(
      (tracer) => {
        tracer
          .startSpan('ai.generateText.doGenerate', {
            attributes: {
              'operation.name': 'ai.generateText.doGenerate support-bot',
              'ai.operationId': 'ai.generateText.doGenerate',
              'ai.telemetry.functionId': 'support-bot',
              'ai.model.id': 'gpt-4o-mini',
              'ai.prompt.messages': '[{"role":"user","content":"Hi"}]',
              'ai.response.text': 'Hello!',
              'gen_ai.usage.input_tokens': 10,
              'gen_ai.usage.output_tokens': 4,
              'ai.telemetry.metadata.userId': 'u-7',
              'ai.telemetry.metadata.feature': 'chat',
              'gen_ai.request.temperature': 0.5,
            },
          })
          .end();
      },
      { scope: 'ai' },
    );
    const generation = vercel.observation('support-bot:ai.generateText.doGenerate');
    assert.equal(generation.type, 'generation-create');
    assert.equal(generation.body.model, 'gpt-4o-mini');
    assert.deepEqual(generation.body.input, [{ role: 'user', content: 'Hi' }]);
    assert.equal(generation.body.output, 'Hello!');
    assert.deepEqual(generation.body.usageDetails, { input: 10, output: 4 });
    assert.deepEqual(generation.body.modelParameters, { temperature: '0.5' });
    assert.equal(generation.body.metadata.feature, 'chat');
    assert.equal(vercel.traces[0]!.userId, 'u-7');
  });
});

describe('mapOtlpToIngestion: Langfuse attribute rules', () => {
  it('status ERROR → level ERROR with the status message; explicit level wins', () => {
    const out = exportSpans((tracer) => {
      const failed = tracer.startSpan('call-upstream');
      failed.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timeout' });
      failed.end();
      const warned = tracer.startSpan('flaky', { attributes: { 'langfuse.observation.level': 'warning', 'langfuse.observation.status_message': 'retried twice' } });
      warned.setStatus({ code: SpanStatusCode.ERROR, message: 'ignored' });
      warned.end();
    });
    assert.equal(out.observation('call-upstream').body.level, 'ERROR');
    assert.equal(out.observation('call-upstream').body.statusMessage, 'upstream timeout');
    assert.equal(out.observation('flaky').body.level, 'WARNING');
    assert.equal(out.observation('flaky').body.statusMessage, 'retried twice');
  });

  it('environment, release and version from span or resource attributes', () => {
    const fromResource = exportSpans((tracer) => tracer.startSpan('job').end(), {
      resource: { 'deployment.environment.name': 'production', 'service.version': '1.4.0', 'langfuse.release': 'r-88' },
    });
    const job = fromResource.observation('job');
    assert.equal(job.body.environment, 'production');
    assert.equal(job.body.version, '1.4.0');
    assert.equal(fromResource.traces[0]!.environment, 'production');
    assert.equal(fromResource.traces[0]!.release, 'r-88');
    assert.equal(fromResource.traces[0]!.version, '1.4.0');

    const fromSpan = exportSpans(
      (tracer) => tracer.startSpan('job', { attributes: { 'langfuse.environment': 'staging', 'langfuse.version': '2.0.0-beta' } }).end(),
      { resource: { 'deployment.environment.name': 'production' } },
    );
    assert.equal(fromSpan.observation('job').body.environment, 'staging');
    assert.equal(fromSpan.observation('job').body.version, '2.0.0-beta');
  });

  it('tags as an array, a JSON array string, a comma string or a single string', () => {
    const cases: [Attributes[string], string[]][] = [
      [['a', 'b'], ['a', 'b']],
      ['["x","y"]', ['x', 'y']],
      ['one, two ,three', ['one', 'two', 'three']],
      ['solo', ['solo']],
    ];
    for (const [tags, expected] of cases) {
      const out = exportSpans((tracer) => tracer.startSpan('t', { attributes: { 'langfuse.trace.tags': tags! } }).end());
      assert.deepEqual(out.traces[0]!.tags, expected);
    }
  });

  it('trace attributes on a child update the trace; a plain child adds no trace event', () => {
    const out = exportSpans((tracer) => {
      const root = tracer.startSpan('workflow', {
        startTime: START,
        attributes: { 'langfuse.trace.metadata': '{"team":"search"}', 'langfuse.trace.public': true },
      });
      tracer.startSpan('plain-step', {}, childOf(root)).end();
      tracer
        .startSpan(
          'identify',
          {
            startTime: [START[0] + 1, 0],
            attributes: {
              'user.id': 'user-1',
              'langfuse.session.id': 'session-1',
              'langfuse.trace.name': 'renamed',
              'langfuse.trace.output': '{"done":true}',
              'langfuse.trace.metadata.step': 'identify',
            },
          },
          childOf(root),
        )
        .end();
      root.end();
    });
    assert.equal(out.events.filter((event) => event.type !== 'trace-create').length, 3);
    assert.equal(out.traces.length, 2, 'the identify update and the root');
    const update = out.traces.find((body) => body.userId === 'user-1')!;
    assert.equal(update.sessionId, 'session-1');
    assert.equal(update.name, 'renamed');
    assert.deepEqual(update.output, { done: true });
    assert.equal(update.metadata.step, 'identify');
    assert.equal(update.timestamp, undefined, 'an update does not move the trace start');
    const full = out.traces.find((body) => body.timestamp !== undefined)!;
    assert.equal(full.name, 'workflow');
    assert.equal(full.timestamp, '2026-03-04T10:00:00.000Z');
    assert.equal(full.public, true);
    assert.equal(full.metadata.team, 'search');
    assert.equal(full.metadata.resourceAttributes['service.name'], 'rag-service');
    assert.equal(full.metadata.attributes['langfuse.trace.public'], 'true');
  });

  it('langfuse.internal.as_root makes a child span its trace root, keeping its parent link', () => {
    const out = exportSpans((tracer) => {
      const outer = tracer.startSpan('http-request');
      tracer.startSpan('agent-run', { attributes: { 'langfuse.internal.as_root': true, 'langfuse.observation.input': '"go"' } }, childOf(outer)).end();
      outer.end();
    });
    const agent = out.observation('agent-run');
    assert.equal(agent.body.parentObservationId, out.observation('http-request').body.id);
    assert.deepEqual(
      out.traces.map((body) => body.name).sort(),
      ['agent-run', 'http-request'],
    );
    assert.equal(out.traces.find((body) => body.name === 'agent-run')!.input, 'go');
  });

  it('event ids are stable per span and distinct between trace and observation events', () => {
    const build = (tracer: Tracer) => tracer.startSpan('once').end();
    const out = exportSpans(build);
    assert.deepEqual(
      out.events.map((event) => event.type),
      ['trace-create', 'span-create'],
    );
    const spanId = (out.events[1]!.body as Body).id;
    const traceId = (out.events[1]!.body as Body).traceId;
    assert.equal(out.events[0]!.id, `otel-trace-${traceId}-${spanId}`);
    assert.equal(out.events[1]!.id, `otel-${traceId}-${spanId}`);
    assert.equal(out.events[1]!.timestamp, NOW.toISOString());
  });

  it('a span without times borrows the other edge, then the receive time', () => {
    const span = (start: string | null, end: string | null) => ({
      traceId: 'bb14c33c23138873afcc5e6f3c2b5f61',
      spanId: 'cb00000daff4e5ae',
      parentSpanId: null,
      name: 'n',
      kind: 1,
      startTimeUnixNano: start,
      endTimeUnixNano: end,
      attributes: {},
      events: [],
      links: [],
      status: { code: 0, message: null },
    });
    const mapOne = (start: string | null, end: string | null) =>
      mapOtlpToIngestion(
        { resourceSpans: [{ resourceAttributes: {}, scopeSpans: [{ scope: { name: 's', version: null, attributes: {} }, spans: [span(start, end)] }] }] },
        NOW,
      ).events[1]!.body as Body;
    assert.deepEqual([mapOne(null, '1772618400000000000').startTime, mapOne(null, '1772618400000000000').endTime], ['2026-03-04T10:00:00.000Z', '2026-03-04T10:00:00.000Z']);
    assert.equal(mapOne('1772618400000000000', null).endTime, '2026-03-04T10:00:00.000Z');
    assert.equal(mapOne(null, null).startTime, NOW.toISOString());
    assert.equal(nanosToIso('99999999999999999999999999'), null, 'beyond what a Date holds');
  });
});
