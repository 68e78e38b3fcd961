// Hand-built traces for unit tests of the tree, the store and the screens.

import type { Observation, TraceSummary, TraceWithFullDetails } from '../../src/domain/types.js';

export function observation(id: string, patch: Partial<Observation> = {}): Observation {
  const start = patch.startTime ?? '2026-11-24T10:00:00.000Z';
  return {
    id, projectId: 'p', traceId: 't', parentObservationId: null, type: 'SPAN', name: id,
    startTime: start, endTime: patch.endTime === undefined ? new Date(Date.parse(start) + 100).toISOString() : patch.endTime,
    completionStartTime: null, environment: 'default', version: null, input: null, output: null, metadata: null,
    level: 'DEFAULT', statusMessage: null, model: null, modelParameters: null, promptId: null, promptName: null,
    promptVersion: null, usageDetails: {}, costDetails: {}, usage: { unit: 'TOKENS', input: 0, output: 0, total: 0 },
    unit: 'TOKENS', promptTokens: 0, completionTokens: 0, totalTokens: 0, calculatedInputCost: null,
    calculatedOutputCost: null, calculatedTotalCost: null, modelId: null, inputPrice: null, outputPrice: null,
    totalPrice: null, latency: null, timeToFirstToken: null, createdAt: start, updatedAt: start,
    ...patch,
  };
}

export function fullTrace(id: string, observations: Observation[], patch: Partial<TraceWithFullDetails> = {}): TraceWithFullDetails {
  return {
    id, projectId: 'p', timestamp: '2026-11-24T10:00:00.000Z', name: 'rag_pipeline', input: { question: 'q?' },
    output: { answer: 'a.' }, sessionId: 's1', release: null, version: null, userId: 'u_1', metadata: { region: 'eu' },
    tags: ['production'], public: false, bookmarked: false, environment: 'production', externalId: null,
    htmlPath: `/project/p/traces/${id}`, latency: 1, totalCost: 0.001, observations, scores: [],
    createdAt: '2026-11-24T10:00:00.000Z', updatedAt: '2026-11-24T10:00:00.000Z', ...patch,
  };
}

export function summary(id: string, patch: Partial<TraceSummary> = {}): TraceSummary {
  return {
    id, timestamp: '2026-11-24T10:00:00.000Z', name: 'rag_pipeline', userId: 'u_1', sessionId: 's1', tags: ['production'],
    environment: 'production', release: null, version: null, latency: 1.25, totalCost: 0.0012, inputTokens: 100,
    outputTokens: 20, totalTokens: 120, observationCount: 5, errorCount: 0, warningCount: 0, scores: {},
    updatedAt: '2026-11-24T10:00:00.000Z', ...patch,
  };
}

/** The RAG tree: root span → embed, search (→ event), rerank, generate. */
export function ragTree(id = 't1'): TraceWithFullDetails {
  const at = (ms: number) => new Date(Date.parse('2026-11-24T10:00:00.000Z') + ms).toISOString();
  return fullTrace(id, [
    observation('root', { name: 'rag_pipeline', startTime: at(0), endTime: at(1000) }),
    observation('embed', { parentObservationId: 'root', type: 'EMBEDDING', name: 'embed_query', startTime: at(0), endTime: at(100) }),
    observation('search', { parentObservationId: 'root', type: 'RETRIEVER', name: 'vector_search', startTime: at(100), endTime: at(300) }),
    observation('miss', { parentObservationId: 'search', type: 'EVENT', name: 'cache_miss', startTime: at(150), endTime: null }),
    observation('rerank', { parentObservationId: 'root', name: 'rerank_documents', startTime: at(300), endTime: at(400) }),
    observation('gen', {
      parentObservationId: 'root', type: 'GENERATION', name: 'generate_response', startTime: at(400), endTime: at(1000),
      model: 'gpt-4o-mini', level: 'ERROR', statusMessage: 'upstream timeout after 30s',
      input: [{ role: 'user', content: 'What is the capital of France?' }], output: { content: 'Paris' },
      usageDetails: { input: 1000, output: 200, total: 1200 }, costDetails: { total: 0.00027 },
    }),
  ]);
}
