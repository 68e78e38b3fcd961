// Shared pieces of the benchmarks: a synthetic corpus shaped like the demo's RAG traces.

import { cpus } from 'node:os';
import { Writable } from 'node:stream';

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  return `${cpus().length} × ${cpu}, Node ${process.version}`;
}

/** A 120×40 terminal that swallows what Ink writes: the benches time rendering, not a tty. */
export class NullTerminal extends Writable {
  columns = 120;
  rows = 40;
  isTTY = true;
  override _write(_chunk: Buffer, _encoding: string, callback: () => void) {
    callback();
  }
}

/** One trace of five observations (a RAG pipeline) as ingestion events. */
export function ragTraceEvents(index: number, baseMs: number) {
  const at = (offset: number) => new Date(baseMs + index * 10 + offset).toISOString();
  const traceId = `bt-${index}`;
  const tags = index % 2 === 0 ? ['production', 'rag'] : ['staging', 'rag'];
  const events: unknown[] = [
    {
      id: `e-${traceId}`,
      type: 'trace-create',
      timestamp: at(0),
      body: { id: traceId, name: 'rag_pipeline', userId: `u_${index % 100}`, sessionId: `s_${Math.floor(index / 4)}`, tags, timestamp: at(0), input: { question: `q ${index}` }, output: { answer: `a ${index}` } },
    },
  ];
  const steps = ['embed_query', 'vector_search', 'rerank_documents', 'generate_response', 'cache_miss'];
  steps.forEach((name, step) => {
    const generation = name === 'generate_response';
    events.push({
      id: `e-${traceId}-${step}`,
      type: generation ? 'generation-create' : name === 'cache_miss' ? 'event-create' : 'span-create',
      timestamp: at(step),
      body: {
        id: `${traceId}-o${step}`,
        traceId,
        name,
        startTime: at(step * 20),
        endTime: name === 'cache_miss' ? undefined : at(step * 20 + 15),
        ...(generation ? { model: 'gpt-4o-mini', usageDetails: { input: 900, output: 120 }, input: [{ role: 'user', content: 'hi' }], output: { content: 'hello' } } : {}),
      },
    });
  });
  return events;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
