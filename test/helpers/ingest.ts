// Ingestion helpers for tests: a small RAG-like trace as batch events.

export function ragTrace(id: string, options: { userId?: string; sessionId?: string; tags?: string[]; name?: string; at?: Date; error?: boolean; environment?: string } = {}) {
  const at = options.at ?? new Date();
  const iso = (offset: number) => new Date(at.getTime() + offset).toISOString();
  return [
    {
      id: `ev-${id}`,
      type: 'trace-create',
      timestamp: iso(0),
      body: { id, name: options.name ?? 'rag_pipeline', userId: options.userId ?? 'u_1', sessionId: options.sessionId, tags: options.tags ?? ['production'], timestamp: iso(0), environment: options.environment, input: { question: `q-${id}` }, output: { answer: `a-${id}` } },
    },
    { id: `ev-${id}-r`, type: 'retriever-create', timestamp: iso(0), body: { id: `${id}-r`, traceId: id, name: 'vector_search', startTime: iso(0), endTime: iso(100), environment: options.environment } },
    {
      id: `ev-${id}-g`,
      type: 'generation-create',
      timestamp: iso(0),
      body: { id: `${id}-g`, traceId: id, name: 'generate_response', startTime: iso(100), endTime: iso(600), environment: options.environment, model: 'gpt-4o-mini', usageDetails: { input: 100, output: 20 }, level: options.error ? 'ERROR' : undefined, statusMessage: options.error ? 'upstream timeout' : undefined },
    },
  ];
}
