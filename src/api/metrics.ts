// Aggregates over either Langfuse generation: the metrics API (GET /v2/metrics on Cloud and v4,
// GET /metrics on v3) and `top`, the breakdown of a window.
//
// `top` reads rows first: the window's traces (the list's own history read, with the filter
// applied server-side where the backend can) and, by model or prompt, the window's generations;
// then aggregates them exactly (`aggregateTop`). Only when the window holds more rows than that
// read takes (`ROW_CAP`) does it ask the metrics API — on Cloud's hobby plan the v2 metrics bucket
// is 100 requests a day, so answers are cached per window (rounded to the minute).

import { matchesTrace, toServerQuery, type TraceFilter } from '../domain/filter-language.js';
import { aggregateTop, compareGroups, DEFAULT_TOP_BUCKETS, promptKey, topRowFromGeneration, topRowFromTrace, topRowsAreGenerations, type TopBy, type TopGroup, type TopRow } from '../domain/top.js';
import type { TraceQuery, TraceSummary } from '../domain/types.js';
import type { MetricsFilter, MetricsQuery, MetricsReader, MetricsRow, TopReader, TopRequest, TopSnapshot } from '../ports/metrics.js';
import { completeSummaries, numOrNull, ROW_CAP, windowGenerations, type Backend } from './top-rows.js';

export { ROW_CAP };

export const num = (value: unknown): number => {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
};
export { numOrNull };

export class MetricsClient implements MetricsReader, TopReader {
  private readonly cache = new Map<string, { at: number; rows: MetricsRow[] }>();

  constructor(private readonly client: Backend) {}

  /** Runs a query on the metrics endpoint of the backend's generation; cached per query text. */
  async metrics(query: MetricsQuery, options: { refresh?: boolean } = {}): Promise<MetricsRow[]> {
    const { generation } = await this.client.backend();
    const round = (iso: string) => new Date(Math.floor(Date.parse(iso) / 60_000) * 60_000).toISOString();
    const keyed = { ...query, fromTimestamp: round(query.fromTimestamp), toTimestamp: round(query.toTimestamp) };
    const key = `${generation}:${JSON.stringify(keyed)}`;
    const hit = this.cache.get(key);
    if (hit && !options.refresh) return hit.rows;
    const path = generation === 'v2' ? '/api/public/v2/metrics' : '/api/public/metrics';
    const reply = await this.client.http.json<{ data: MetricsRow[] }>('GET', path, { query: { query: JSON.stringify(query) }, priority: 'interactive' });
    const rows = Array.isArray(reply?.data) ? reply.data : [];
    this.cache.set(key, { at: Date.now(), rows });
    if (this.cache.size > 200) this.cache.delete(this.cache.keys().next().value as string);
    return rows;
  }

  async top(request: TopRequest): Promise<TopSnapshot> {
    const now = request.now ?? Date.now();
    const fetchedAt = new Date().toISOString();
    const rows = await this.windowRows(request, now);
    if (!rows.truncated) {
      return { ...aggregateTop(rows.rows, { by: request.by, windowMs: request.windowMs, now, buckets: request.buckets }), source: 'rows', fetchedAt, truncated: false };
    }
    try {
      return { ...(await this.topFromMetrics(request, now)), source: 'metrics', fetchedAt, truncated: false };
    } catch {
      // No metrics API (or its budget is spent): the capped rows are still an answer.
      return { ...aggregateTop(rows.rows, { by: request.by, windowMs: request.windowMs, now, buckets: request.buckets }), source: 'rows', fetchedAt, truncated: true };
    }
  }

  /** The window's rows for `top`: traces, or generations carrying their trace's scores. */
  async windowRows(request: TopRequest, now: number): Promise<{ rows: TopRow[]; truncated: boolean }> {
    const filter = request.filter;
    const from = new Date(now - request.windowMs).toISOString();
    const to = new Date(now).toISOString();
    const query: TraceQuery = filter ? toServerQuery(filter, new Date(now)).query : {};
    const history = await this.client.history({ ...query, fromTimestamp: later(query.fromTimestamp, from), toTimestamp: query.toTimestamp ?? to }, { capacity: ROW_CAP });
    // Stock Langfuse's trace lists carry neither levels nor scores: read the window's ERROR
    // observations and numeric scores once, and complete the summaries with them.
    const info = await this.client.backend();
    const enriched = info.streams ? history.traces : await completeSummaries(this.client, history.traces, from, to, !topRowsAreGenerations(request.by));
    // The client-side check too: a backend may apply only part of the filter (the stream's list
    // leaves prompt:/model: to the summaries' own lists of their generations).
    const traces = filter ? enriched.filter((trace) => matchesTrace(filter, trace, new Date(now))) : enriched;
    if (!topRowsAreGenerations(request.by)) {
      return { rows: traces.flatMap((trace) => topRowFromTrace(trace, request.by) ?? []), truncated: !history.complete };
    }
    const byId = new Map<string, TraceSummary>(traces.map((trace) => [trace.id, trace]));
    const generations = await windowGenerations(this.client, from, to);
    const filtered = filter && !isTraceFree(filter) ? generations.items.filter((g) => g.traceId !== null && byId.has(g.traceId)) : generations.items;
    const rows = filtered.flatMap((g) => topRowFromGeneration(g, request.by, g.traceId ? byId.get(g.traceId)?.scores : undefined) ?? []);
    return { rows, truncated: generations.truncated || !history.complete };
  }

  /** (Stock Langfuse.) Trace summaries completed with levels, scores and tokens (`top-rows.ts`). */
  completeSummaries(traces: TraceSummary[], from: string, to: string, withUsage: boolean): Promise<TraceSummary[]> {
    return completeSummaries(this.client, traces, from, to, withUsage);
  }

  /** The same breakdown from the metrics API (scores: the mean of the scores in each group). */
  async topFromMetrics(request: TopRequest, now: number): Promise<Omit<TopSnapshot, 'source' | 'fetchedAt' | 'truncated'>> {
    const { generation } = await this.client.backend();
    const fromTimestamp = new Date(now - request.windowMs).toISOString();
    const toTimestamp = new Date(now).toISOString();
    const by = request.by;
    const generations = topRowsAreGenerations(by);
    const dims = dimensionsFor(by, generation);
    const base = { fromTimestamp, toTimestamp, config: { row_limit: 1000 }, orderBy: [{ field: 'count_count', direction: 'desc' as const }] };
    const genFilter: MetricsFilter[] = generations ? [{ column: 'type', type: 'stringOptions', operator: 'any of', value: ['GENERATION'] }] : [];
    const rootFilter: MetricsFilter[] = !generations && generation === 'v2' ? [{ column: 'isRootObservation', type: 'boolean', operator: '=', value: true }] : [];
    const mainView = generations || generation === 'v2' ? 'observations' : 'traces';
    const main = await this.metrics({
      ...base,
      view: mainView,
      dimensions: dims.main.map((field) => ({ field })),
      metrics: [
        { measure: 'count', aggregation: 'count' },
        { measure: 'latency', aggregation: 'p50' },
        { measure: 'latency', aggregation: 'p95' },
        ...(generations || mainView === 'traces' ? [{ measure: 'totalTokens', aggregation: 'sum' as const }, { measure: 'totalCost', aggregation: 'sum' as const }] : []),
      ],
      filters: [...genFilter, ...rootFilter],
    });
    const totals = generations || mainView === 'traces'
      ? main
      : await this.metrics({ ...base, view: 'observations', dimensions: dims.main.map((field) => ({ field })), metrics: [{ measure: 'count', aggregation: 'count' }, { measure: 'totalTokens', aggregation: 'sum' }, { measure: 'totalCost', aggregation: 'sum' }] });
    const errorFilter: MetricsFilter = { column: 'level', type: 'stringOptions', operator: 'any of', value: ['ERROR'] };
    const errors = generations
      ? await this.metrics({ ...base, view: 'observations', dimensions: dims.main.map((field) => ({ field })), metrics: [{ measure: 'count', aggregation: 'count' }], filters: [...genFilter, errorFilter] })
      : generation === 'v2'
        ? await this.metrics({ ...base, view: 'observations', dimensions: dims.main.map((field) => ({ field })), metrics: [{ measure: 'count', aggregation: 'count' }, { measure: 'traceId', aggregation: 'uniq' }], filters: [errorFilter] })
        : // v1 has no uniq of trace ids: one row per (group, failing trace), without v2's row limit.
          await this.metrics({ fromTimestamp, toTimestamp, view: 'observations', dimensions: [...dims.errorsV1, 'traceId'].map((field) => ({ field })), metrics: [{ measure: 'count', aggregation: 'count' }], filters: [errorFilter] });
    const scores = await this.metrics({
      ...base,
      view: 'scores-numeric',
      dimensions: [...dims.scores, 'name'].map((field) => ({ field })),
      metrics: [{ measure: 'count', aggregation: 'count' }, { measure: 'value', aggregation: 'avg' }],
    });
    const keyOf = (row: MetricsRow, fields: string[]): string | null => {
      if (by === 'prompt') return row[fields[0]!] === null || row[fields[0]!] === undefined ? null : promptKey(String(row[fields[0]!]), numOrNull(row[fields[1]!]));
      const value = row[fields[0]!];
      if (Array.isArray(value)) return value.length ? value.join(',') : null;
      return value === null || value === undefined ? null : String(value);
    };
    const windowMinutes = request.windowMs / 60_000;
    const buckets = request.buckets ?? DEFAULT_TOP_BUCKETS;
    const groups = new Map<string | null, TopGroup>();
    for (const row of main) {
      if (by === 'prompt' && (row.promptName === null || row.promptName === undefined)) continue;
      const key = keyOf(row, dims.main);
      const count = num(row.count_count);
      groups.set(key, {
        key, count, ratePerMin: count / windowMinutes, errorCount: 0, errorRate: 0,
        latencyP50: numOrNull(row.p50_latency), latencyP95: numOrNull(row.p95_latency),
        totalTokens: num(row.sum_totalTokens), totalCost: num(row.sum_totalCost), scores: {},
        sparkCount: new Array<number>(buckets).fill(0), sparkErrors: new Array<number>(buckets).fill(0),
        firstSeenMs: null, appeared: false, turnedBad: false,
      });
    }
    if (totals !== main) {
      for (const row of totals) {
        const group = groups.get(keyOf(row, dims.main));
        if (group) Object.assign(group, { totalTokens: num(row.sum_totalTokens), totalCost: num(row.sum_totalCost) });
      }
    }
    for (const row of errors) {
      const group = groups.get(keyOf(row, generation === 'v1' && !generations ? dims.errorsV1 : dims.main));
      if (!group) continue;
      group.errorCount += generations ? num(row.count_count) : generation === 'v2' ? num(row.uniq_traceId) : 1;
    }
    for (const row of scores) {
      const group = groups.get(keyOf(row, dims.scores));
      if (group && typeof row.name === 'string' && row.avg_value !== null) group.scores[row.name] = num(row.avg_value);
    }
    for (const group of groups.values()) {
      group.errorRate = group.count ? group.errorCount / group.count : 0;
      group.scores = Object.fromEntries(Object.entries(group.scores).sort(([a], [b]) => (a < b ? -1 : 1)));
    }
    const list = [...groups.values()].sort(compareGroups);
    const total: TopGroup = {
      ...list.reduce((acc, g) => ({ ...acc, count: acc.count + g.count, errorCount: acc.errorCount + g.errorCount, totalTokens: acc.totalTokens + g.totalTokens, totalCost: acc.totalCost + g.totalCost }), { ...emptyGroup('*', buckets) }),
    };
    total.ratePerMin = total.count / windowMinutes;
    total.errorRate = total.count ? total.errorCount / total.count : 0;
    return { by, fromMs: now - request.windowMs, toMs: now, bucketMs: request.windowMs / buckets, groups: list, total };
  }
}

function emptyGroup(key: string, buckets: number): TopGroup {
  return {
    key, count: 0, ratePerMin: 0, errorCount: 0, errorRate: 0, latencyP50: null, latencyP95: null, totalTokens: 0, totalCost: 0, scores: {},
    sparkCount: new Array<number>(buckets).fill(0), sparkErrors: new Array<number>(buckets).fill(0), firstSeenMs: null, appeared: false, turnedBad: false,
  };
}

/** The metrics dimensions for a grouping: of the main view, of the v1 errors query, of the scores view. */
function dimensionsFor(by: TopBy, generation: 'v1' | 'v2'): { main: string[]; errorsV1: string[]; scores: string[] } {
  const v2 = generation === 'v2';
  switch (by) {
    case 'name': return { main: [v2 ? 'traceName' : 'name'], errorsV1: ['traceName'], scores: ['traceName'] };
    case 'release': return { main: [v2 ? 'release' : 'release'], errorsV1: ['traceRelease'], scores: ['traceRelease'] };
    case 'env': return { main: ['environment'], errorsV1: ['environment'], scores: ['environment'] };
    case 'user': return { main: ['userId'], errorsV1: ['userId'], scores: ['userId'] };
    case 'tag': return { main: ['tags'], errorsV1: ['tags'], scores: ['tags'] };
    case 'model': return { main: ['providedModelName'], errorsV1: ['providedModelName'], scores: ['observationModelName'] };
    case 'prompt': return { main: ['promptName', 'promptVersion'], errorsV1: ['promptName', 'promptVersion'], scores: ['observationPromptName', 'observationPromptVersion'] };
  }
}

const later = (a: string | undefined, b: string): string => (a && a > b ? a : b);

/** A filter with nothing but a window: every generation of the window counts. */
function isTraceFree(filter: TraceFilter): boolean {
  return (
    filter.tags.length === 0 && filter.user === null && filter.session === null && filter.name === null && filter.environments.length === 0 &&
    filter.level === null && filter.scores.length === 0 && filter.release === null && filter.version === null && filter.prompt === null &&
    filter.model === null && filter.text.length === 0
  );
}
