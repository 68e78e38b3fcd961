// The demo's traffic: RAG traces (retrieve → rerank → generate) as Langfuse ingestion events,
// from a seeded PRNG so every run shows the same story — users in multi-turn sessions,
// production and staging, usage and cost, occasional errors and warnings, and scores. Every
// fifth trace is a support agent that gives each key something to show: a loop of similar
// tool calls (`a` groups them), a slow retrieval (`S`, and `P`'s critical path), nesting six
// levels deep, DEBUG events, and payloads with e-mail addresses, phone numbers, card numbers
// and API keys (`R` hides them).

import type { IngestionEvent } from '../domain/ingestion.js';
import { COUNTRIES, mockLlm } from './mock-llm.js';
import { agentTrace } from './agent.js';
import { demoPromptLink } from './prompts.js';

export type Rng = () => number;

/** mulberry32: tiny, fast, good enough for demo data. */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

export interface SessionState {
  id: string;
  userId: string;
  turnsLeft: number;
  environment: 'production' | 'staging';
}

export class DemoScenario {
  private readonly rng: Rng;
  private readonly agentRng: Rng;
  private sequence = 0;
  private sessions: SessionState[] = [];

  constructor(seed = 42) {
    this.rng = seededRng(seed);
    this.agentRng = seededRng(seed ^ 0x5eed);
  }

  private session(): SessionState {
    const open = this.sessions.filter((session) => session.turnsLeft > 0);
    if (open.length > 0 && this.rng() < 0.6) return pick(this.rng, open);
    const session: SessionState = {
      id: `sess_${String(this.sequence).padStart(4, '0')}`,
      userId: `u_${String(1 + Math.floor(this.rng() * 12)).padStart(2, '0')}`,
      turnsLeft: 2 + Math.floor(this.rng() * 4),
      environment: this.rng() < 0.75 ? 'production' : 'staging',
    };
    this.sessions = [...open, session].slice(-20);
    return session;
  }

  /** One trace's events; `late` holds the events a slow span sends after its creation. */
  nextTrace(at: Date): { events: IngestionEvent[]; late: IngestionEvent[]; traceId: string } {
    const rng = this.rng;
    const n = this.sequence++;
    const session = this.session();
    session.turnsLeft--;
    // The agent traces draw from their own generator: the RAG traces stay as they were.
    if (n % 5 === 4) return agentTrace(this.agentRng, n, at, session);
    const traceId = `demo-${String(n).padStart(6, '0')}-${Math.floor(rng() * 0xffffff).toString(16)}`;
    const base = at.getTime();
    const iso = (offset: number) => new Date(base + offset).toISOString();
    const country = pick(rng, COUNTRIES);
    const question = rng() < 0.8 ? `What is the capital of ${country}?` : 'How does retrieval-augmented generation work?';
    const model = rng() < 0.7 ? 'mock-llm-v1' : rng() < 0.7 ? 'gpt-4o-mini' : 'gpt-4o';
    const completion = mockLlm(question);
    // Linked to support-agent v1 or v2 (v1 fails more and is less grounded; see demo/prompts.ts).
    const link = demoPromptLink(n, base, model, question);
    const failing = (rng() < 0.05 ? pick(rng, ['generate', 'search'] as const) : null) ?? (link.fails ? 'generate' : null);
    const lowConfidence = rng() < 0.12;
    const tags = [session.environment, 'rag', ...(rng() < 0.3 ? ['support'] : [])];
    const events: IngestionEvent[] = [];
    const late: IngestionEvent[] = [];
    const event = (type: IngestionEvent['type'], body: Record<string, unknown>, suffix: string): IngestionEvent => ({
      id: `${traceId}-${suffix}`,
      type,
      timestamp: iso(0),
      body,
    });
    const common = { traceId, environment: session.environment };

    const embedEnd = 20 + Math.floor(rng() * 40);
    const searchEnd = embedEnd + 40 + Math.floor(rng() * 120);
    const rerankEnd = searchEnd + 20 + Math.floor(rng() * 60);
    const generateEnd = rerankEnd + completion.latencyMs;
    const documents = Array.from({ length: 4 }, (_, index) => ({ id: `doc_${Math.floor(rng() * 900) + 100}`, score: Number((0.92 - index * 0.07 - rng() * 0.05).toFixed(3)) }));
    const answer = failing === 'generate' ? null : completion.text;

    events.push(
      event('trace-create', {
        id: traceId,
        name: 'rag_pipeline',
        timestamp: iso(0),
        userId: session.userId,
        sessionId: session.id,
        tags,
        environment: session.environment,
        release: 'v1.8.2',
        version: '2026-11',
        metadata: { region: pick(rng, ['eu-west-1', 'us-east-1', 'ap-south-1']), tier: pick(rng, ['free', 'pro', 'enterprise']) },
        input: { question },
        ...(answer ? { output: { answer } } : {}),
      }, 'trace'),
      event('embedding-create', { ...common, id: `${traceId}-embed`, name: 'embed_query', startTime: iso(0), endTime: iso(embedEnd), model: 'text-embedding-3-small', input: question, usageDetails: { input: Math.ceil(question.length / 4) } }, 'embed'),
      event('retriever-create', {
        ...common,
        id: `${traceId}-search`,
        name: 'vector_search',
        startTime: iso(embedEnd),
        endTime: iso(searchEnd),
        input: { query: question, top_k: 4 },
        output: failing === 'search' ? null : { documents },
        ...(failing === 'search' ? { level: 'ERROR', statusMessage: 'vector index unavailable: connection reset' } : {}),
      }, 'search'),
    );
    if (lowConfidence) {
      events.push(event('event-create', { ...common, id: `${traceId}-lowconf`, parentObservationId: `${traceId}-search`, name: 'low_retrieval_confidence', startTime: iso(searchEnd - 1), level: 'WARNING', metadata: { best_score: documents[0]!.score } }, 'lowconf'));
    }
    events.push(
      event('event-create', { ...common, id: `${traceId}-cache`, name: 'cache_miss', startTime: iso(embedEnd - 2), metadata: { key: `q:${country.toLowerCase()}` } }, 'cache'),
      event('span-create', { ...common, id: `${traceId}-rerank`, name: 'rerank_documents', startTime: iso(searchEnd), endTime: iso(rerankEnd), input: { candidates: documents.length }, output: { kept: documents.slice(0, 2).map((doc) => doc.id) } }, 'rerank'),
    );
    const generation = {
      ...common,
      id: `${traceId}-gen`,
      name: 'generate_response',
      startTime: iso(rerankEnd),
      model,
      modelParameters: { temperature: 0.2, max_tokens: 256 },
      promptName: link.promptName,
      promptVersion: link.promptVersion,
      input: [
        { role: 'system', content: link.system },
        { role: 'user', content: question },
      ],
    };
    const finished = {
      endTime: iso(generateEnd),
      completionStartTime: iso(rerankEnd + completion.ttftMs),
      usageDetails: completion.usage,
      ...(failing === 'generate' ? { level: 'ERROR', statusMessage: 'upstream timeout after 30s' } : { output: { role: 'assistant', content: completion.text } }),
    };
    // About one trace in ten is still generating when it first shows: its end arrives later.
    if (rng() < 0.1) {
      events.push(event('generation-create', generation, 'gen'));
      late.push(event('generation-update', { ...common, id: generation.id, ...finished }, 'gen-end'));
    } else {
      events.push(event('generation-create', { ...generation, ...finished }, 'gen'));
    }

    if (rng() < 0.7) {
      events.push(event('score-create', { id: `${traceId}-s-ground`, traceId, name: 'groundedness', value: failing ? 0.1 : Number(Math.max(0, 0.55 + link.groundednessShift + rng() * 0.45).toFixed(2)), dataType: 'NUMERIC', comment: failing ? 'no answer' : undefined }, 'score-ground'));
    }
    if (rng() < 0.35) {
      events.push(event('score-create', { id: `${traceId}-s-feedback`, traceId, name: 'user_feedback', value: failing ? 'negative' : pick(rng, ['positive', 'positive', 'neutral', 'negative']), dataType: 'CATEGORICAL' }, 'score-feedback'));
    }
    if (rng() < 0.25) {
      events.push(event('score-create', { id: `${traceId}-s-resolved`, traceId, name: 'resolved', value: failing ? 0 : 1, dataType: 'BOOLEAN' }, 'score-resolved'));
    }
    return { events, late, traceId };
  }
}
