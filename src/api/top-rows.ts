// The rows `top` reads for a window when it does not ask the metrics API: the window's
// generations, and (stock Langfuse, whose trace lists carry neither levels, scores nor tokens)
// what completes the window's trace summaries — its ERROR observations, scores and generations,
// each read once and capped.

import { topRowFromGeneration } from '../domain/top.js';
import type { Observation, TraceSummary } from '../domain/types.js';
import type { LangfuseClient } from './client.js';

/** Rows (traces or generations) `top` reads for one window before it turns to the metrics API. */
export const ROW_CAP = 5_000;
const V2_PAGE = 1_000;
const V1_PAGE = 100;

export type Backend = Pick<LangfuseClient, 'http' | 'backend' | 'history'>;

export const numOrNull = (value: unknown): number | null => (value === null || value === undefined || value === '' ? null : Number.isFinite(Number(value)) ? Number(value) : null);

/** Whether /v2/observations answers (v4 / Cloud; tracetop's server in `both` mode too). */
export async function servesV2(client: Backend): Promise<boolean> {
  const info = await client.backend();
  return info.generation === 'v2' || (info.probes ?? []).some((probe) => probe.path.startsWith('/api/public/v2/observations') && probe.answer.startsWith('200'));
}

/** (Stock Langfuse.) Summaries with errorCount, numeric scores and (withUsage) tokens and cost
 * filled in from the window's ERROR observations, scores and generations (each read once,
 * capped at ROW_CAP). */
export async function completeSummaries(client: Backend, traces: TraceSummary[], from: string, to: string, withUsage: boolean): Promise<TraceSummary[]> {
  const { generation } = await client.backend();
  const failing = new Set<string>();
  if (await servesV2(client)) {
    let cursor: string | undefined;
    let read = 0;
    do {
      const page = await client.http.json<{ data: { traceId: string | null }[]; meta?: { cursor?: string } }>('GET', '/api/public/v2/observations', {
        query: { level: 'ERROR', fromStartTime: from, toStartTime: to, limit: V2_PAGE, cursor, fields: 'core' },
        priority: 'background',
      });
      for (const o of page.data ?? []) if (o.traceId) failing.add(o.traceId);
      read += page.data?.length ?? 0;
      cursor = page.meta?.cursor;
    } while (cursor && read < ROW_CAP);
  } else {
    for (let page = 1; page * V1_PAGE <= ROW_CAP; page++) {
      const reply = await client.http.json<{ data: { traceId: string | null }[]; meta: { totalPages: number } }>('GET', '/api/public/observations', {
        query: { level: 'ERROR', fromStartTime: from, toStartTime: to, limit: V1_PAGE, page },
        priority: 'background',
      });
      for (const o of reply.data ?? []) if (o.traceId) failing.add(o.traceId);
      if (page >= (reply.meta?.totalPages ?? 0)) break;
    }
  }
  // Latest numeric trace score per (trace, name), from the window on.
  const latest = new Map<string, { at: string; value: number }>();
  const take = (traceId: string | null | undefined, observationId: string | null | undefined, name: string, value: unknown, at: string) => {
    if (!traceId || observationId || typeof value !== 'number') return;
    const key = `${traceId}\u0000${name}`;
    const seen = latest.get(key);
    if (!seen || seen.at <= at) latest.set(key, { at, value });
  };
  if (generation === 'v2') {
    let cursor: string | undefined;
    let read = 0;
    do {
      const page = await client.http.json<{ data: { name: string; value: unknown; timestamp: string; subject?: { kind: string; id: string; traceId?: string } }[]; meta?: { cursor?: string } }>('GET', '/api/public/v3/scores', {
        query: { fromTimestamp: from, dataType: 'NUMERIC', limit: 100, cursor, fields: 'core,subject' },
        priority: 'background',
      });
      for (const score of page.data ?? []) if (score.subject?.kind === 'trace') take(score.subject.id, null, score.name, score.value, score.timestamp);
      read += page.data?.length ?? 0;
      cursor = page.meta?.cursor;
    } while (cursor && read < ROW_CAP);
  } else {
    for (let page = 1; page * 100 <= ROW_CAP; page++) {
      const reply = await client.http.json<{ data: { traceId: string | null; observationId: string | null; name: string; value: unknown; timestamp: string }[]; meta: { totalPages: number } }>('GET', '/api/public/scores', {
        query: { fromTimestamp: from, dataType: 'NUMERIC', limit: 100, page },
        priority: 'background',
      });
      for (const score of reply.data ?? []) take(score.traceId, score.observationId, score.name, score.value, score.timestamp);
      if (page >= (reply.meta?.totalPages ?? 0)) break;
    }
  }
  const byTrace = new Map<string, Record<string, number>>();
  for (const [key, { value }] of latest) {
    const [traceId, name] = key.split('\u0000') as [string, string];
    const scores = byTrace.get(traceId) ?? {};
    scores[name] = value;
    byTrace.set(traceId, scores);
  }
  // Nor tokens (and on v2 not always cost): summed over the window's generations.
  const usage = new Map<string, { tokens: number; cost: number }>();
  if (withUsage && traces.some((trace) => trace.totalTokens === 0 || trace.totalCost === null)) {
    for (const g of (await windowGenerations(client, from, to)).items) {
      const row = g.traceId ? topRowFromGeneration(g, 'model') : null;
      if (!row || !g.traceId) continue;
      const sum = usage.get(g.traceId) ?? { tokens: 0, cost: 0 };
      sum.tokens += row.totalTokens;
      sum.cost += row.totalCost;
      usage.set(g.traceId, sum);
    }
  }
  return traces.map((trace) => ({
    ...trace,
    errorCount: Math.max(trace.errorCount, failing.has(trace.id) ? 1 : 0),
    scores: { ...(byTrace.get(trace.id) ?? {}), ...trace.scores },
    totalTokens: trace.totalTokens || (usage.get(trace.id)?.tokens ?? 0),
    totalCost: trace.totalCost ?? usage.get(trace.id)?.cost ?? null,
  }));
}

/** Generations started in the window, newest first, up to ROW_CAP. */
export async function windowGenerations(client: Backend, from: string, to: string): Promise<{ items: Observation[]; truncated: boolean }> {
  // v2 pages hold 1,000 rows, v1 pages 100: read v2 wherever it answers.
  const items: Observation[] = [];
  if (await servesV2(client)) {
    let cursor: string | undefined;
    do {
      const page = await client.http.json<{ data: Record<string, unknown>[]; meta?: { cursor?: string } }>('GET', '/api/public/v2/observations', {
        query: { type: 'GENERATION', fromStartTime: from, toStartTime: to, limit: V2_PAGE, cursor, fields: 'core,basic,model,usage,prompt' },
        priority: 'background',
      });
      for (const o of page.data ?? []) items.push(fromV2(o));
      cursor = page.meta?.cursor;
    } while (cursor && items.length < ROW_CAP);
    return { items: items.slice(0, ROW_CAP), truncated: Boolean(cursor) || items.length > ROW_CAP };
  }
  for (let page = 1; items.length < ROW_CAP; page++) {
    const reply = await client.http.json<{ data: Observation[]; meta: { totalPages: number } }>('GET', '/api/public/observations', {
      query: { type: 'GENERATION', fromStartTime: from, toStartTime: to, limit: V1_PAGE, page },
      priority: 'background',
    });
    items.push(...(reply.data ?? []));
    if (page >= (reply.meta?.totalPages ?? 0)) return { items, truncated: false };
  }
  return { items: items.slice(0, ROW_CAP), truncated: true };
}

/** A /v2/observations row as the Observation fields a generation row reads. */
function fromV2(o: Record<string, unknown>): Observation {
  return {
    id: String(o.id),
    traceId: (o.traceId as string | null) ?? null,
    type: o.type as Observation['type'],
    startTime: String(o.startTime),
    endTime: (o.endTime as string | null) ?? null,
    level: (o.level as Observation['level']) ?? 'DEFAULT',
    model: (o.providedModelName as string | null) ?? null,
    promptName: (o.promptName as string | null) ?? null,
    promptVersion: numOrNull(o.promptVersion),
    usageDetails: (o.usageDetails as Record<string, number>) ?? {},
    costDetails: (o.costDetails as Record<string, number>) ?? {},
    calculatedTotalCost: numOrNull(o.totalCost),
  } as Observation;
}
