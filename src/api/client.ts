// One client over both Langfuse read generations. Langfuse Cloud removed the v1 reads
// (GET /traces, /traces/{id}, /observations, /sessions, /v2/scores) on 2026-11-16 and v4
// events-only servers answer them 404; self-hosted v3 servers have only those. The
// generation is detected once (health version, then 404 probes) and every read is routed.

import type { ScoreBody } from '../domain/ingestion.js';
import type {
  AnnotationQueue,
  AnnotationQueueItem,
  Observation,
  Paged,
  Score,
  ScoreConfig,
  Session,
  Trace,
  TraceSummary,
  TraceWithFullDetails,
} from '../domain/types.js';
import { HttpClient, LangfuseApiError, type Connection, type HttpOptions, type QueryValue } from './http.js';
import type { QueueClient, ScoreWriter, SessionReader, TraceLoadOptions, TraceQuery, TraceReader } from './types.js';

/** Above this many observations a v1 trace loads in pages, with progress. */
export const PAGED_TRACE_THRESHOLD = 2_000;
const PAGES_IN_FLIGHT = 8;

export type ApiGeneration = 'v1' | 'v2';

/**
 * How many scores or observations a score/level filter reads at most to find its traces
 * (100 pages of the v1 reads): enough for real filters, bounded against a runaway scan.
 */
export const CANDIDATE_LIMIT = 10_000;

/** A poll's answer: traces changed since a timestamp, oldest first; `truncated` when capped. */
export interface PollPage {
  traces: TraceSummary[];
  truncated: boolean;
}

export interface BackendInfo {
  version: string | null;
  generation: ApiGeneration;
  /** tracetop's own server: has /api/public/stream. */
  streams: boolean;
}

interface ObservationV2 {
  id: string;
  traceId: string;
  startTime: string;
  endTime: string | null;
  parentObservationId: string | null;
  type: string;
  name?: string | null;
  level?: string;
  userId?: string | null;
  sessionId?: string | null;
  environment?: string;
  version?: string | null;
  traceName?: string | null;
  tags?: string[] | null;
  release?: string | null;
  latency?: number | null;
  totalCost?: number | null;
  input?: unknown;
  output?: unknown;
  metadata?: unknown;
  [key: string]: unknown;
}

const parseMaybeJson = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};

/** What a v1 trace list can show cheaply: latency, cost, observation count. */
export function summaryFromTrace(trace: Trace | TraceWithFullDetails, scores: Score[] = []): TraceSummary {
  const observations = Array.isArray(trace.observations) ? trace.observations : [];
  const full = observations.length > 0 && typeof observations[0] === 'object';
  let inputTokens = 0;
  let outputTokens = 0;
  let totalTokens = 0;
  let errorCount = 0;
  let warningCount = 0;
  if (full) {
    for (const observation of observations as Observation[]) {
      const usage = observation.usageDetails ?? {};
      inputTokens += usage.input ?? 0;
      outputTokens += usage.output ?? 0;
      totalTokens += usage.total ?? (usage.input ?? 0) + (usage.output ?? 0);
      if (observation.level === 'ERROR') errorCount++;
      if (observation.level === 'WARNING') warningCount++;
    }
  }
  // No prototype: a score named __proto__ is a score, not a prototype swap.
  const latest: Record<string, number | string | boolean> = Object.create(null);
  const traceScores = (Array.isArray(trace.scores) && typeof trace.scores[0] === 'object' ? (trace.scores as Score[]) : []).concat(scores);
  for (const score of traceScores) {
    if (score.observationId) continue;
    latest[score.name] =
      score.dataType === 'NUMERIC' ? (score.value ?? 0) : score.dataType === 'BOOLEAN' ? score.value === 1 : (score.stringValue ?? '');
  }
  return {
    id: trace.id,
    timestamp: trace.timestamp,
    name: trace.name,
    userId: trace.userId,
    sessionId: trace.sessionId,
    tags: trace.tags ?? [],
    environment: trace.environment ?? 'default',
    release: trace.release ?? null,
    version: trace.version ?? null,
    latency: trace.latency === -1 ? null : (trace.latency ?? null),
    totalCost: trace.totalCost === -1 ? null : (trace.totalCost ?? null),
    inputTokens,
    outputTokens,
    totalTokens,
    observationCount: observations.length,
    errorCount,
    warningCount,
    scores: latest,
    updatedAt: trace.updatedAt ?? trace.timestamp,
  };
}

function summaryFromRootObservation(root: ObservationV2): TraceSummary {
  return {
    id: root.traceId,
    timestamp: root.startTime,
    name: root.traceName ?? root.name ?? null,
    userId: root.userId ?? null,
    sessionId: root.sessionId ?? null,
    tags: root.tags ?? [],
    environment: root.environment ?? 'default',
    release: root.release ?? null,
    version: root.version ?? null,
    latency: root.latency ?? null,
    totalCost: root.totalCost ?? null,
    inputTokens: 0,
    outputTokens: 0,
    totalTokens: 0,
    observationCount: 0,
    errorCount: root.level === 'ERROR' ? 1 : 0,
    warningCount: root.level === 'WARNING' ? 1 : 0,
    scores: {},
    updatedAt: String(root.updatedAt ?? root.startTime),
  };
}

function scoreMatches(score: Score, condition: { operator: string; value: number | string | boolean }): boolean {
  const actual: number | string | boolean | null =
    score.dataType === 'BOOLEAN' ? score.value === 1 : score.dataType === 'NUMERIC' ? score.value : score.stringValue;
  const wanted = condition.value;
  if (actual === null) return false;
  const equal = String(actual).toLowerCase() === String(wanted).toLowerCase();
  if (condition.operator === '=') return equal;
  if (condition.operator === '!=') return !equal;
  if (typeof actual !== 'number' || typeof wanted !== 'number') return false;
  switch (condition.operator) {
    case '<': return actual < wanted;
    case '<=': return actual <= wanted;
    case '>': return actual > wanted;
    case '>=': return actual >= wanted;
    default: return false;
  }
}

/** The trace-level conditions of a query, checked on a summary (for traces found by score). */
function matchesQuery(trace: TraceSummary, query: TraceQuery): boolean {
  if (query.userId && trace.userId !== query.userId) return false;
  if (query.sessionId && trace.sessionId !== query.sessionId) return false;
  if (query.name && trace.name !== query.name) return false;
  if (query.release && trace.release !== query.release) return false;
  if (query.version && trace.version !== query.version) return false;
  if (query.environment?.length && !query.environment.includes(trace.environment)) return false;
  if (query.tags?.some((tag) => !trace.tags.includes(tag))) return false;
  if (query.fromTimestamp && trace.timestamp < query.fromTimestamp) return false;
  if (query.toTimestamp && trace.timestamp >= query.toTimestamp) return false;
  if (query.level === 'error' && trace.errorCount === 0) return false;
  if (query.level === 'warning' && trace.errorCount + trace.warningCount === 0) return false;
  return true;
}

/** A trace may have several root observations (SDKs that hang spans off the trace): one summary each. */
function mergeRoots(roots: ObservationV2[]): TraceSummary[] {
  const byTrace = new Map<string, { summary: TraceSummary; startMs: number; endMs: number }>();
  for (const root of roots) {
    const startMs = Date.parse(root.startTime);
    const endMs = startMs + (root.latency ?? 0) * 1000;
    const summary = summaryFromRootObservation(root);
    const existing = byTrace.get(root.traceId);
    if (!existing) {
      byTrace.set(root.traceId, { summary, startMs, endMs });
      continue;
    }
    const merged = existing.summary;
    if (startMs < existing.startMs) {
      existing.startMs = startMs;
      merged.timestamp = root.startTime;
    }
    existing.endMs = Math.max(existing.endMs, endMs);
    merged.latency = (existing.endMs - existing.startMs) / 1000;
    merged.totalCost = (merged.totalCost ?? 0) + (summary.totalCost ?? 0) || merged.totalCost;
    merged.errorCount += summary.errorCount;
    merged.warningCount += summary.warningCount;
    merged.name ??= summary.name;
  }
  return [...byTrace.values()].map((entry) => entry.summary).sort((a, b) => b.timestamp.localeCompare(a.timestamp));
}

export class LangfuseClient implements TraceReader, ScoreWriter, SessionReader, QueueClient {
  readonly http: HttpClient;
  private info: Promise<BackendInfo> | null = null;

  constructor(connection: Connection, options: HttpOptions = {}) {
    this.http = new HttpClient(connection, options);
  }

  get host(): string {
    return this.http.host;
  }

  private get<T>(path: string, query?: Record<string, QueryValue>): Promise<T> {
    return this.http.json<T>('GET', path, { query });
  }

  /** Which generation and whether it streams; asked once, then cached. */
  backend(): Promise<BackendInfo> {
    this.info ??= this.detect().catch((error) => {
      this.info = null;
      throw error;
    });
    return this.info;
  }

  private async detect(): Promise<BackendInfo> {
    const health = await this.get<{ status: string; version?: string }>('/api/public/health');
    const version = health.version ?? null;
    const probe = async (path: string, query: Record<string, QueryValue>) => {
      try {
        await this.http.json('GET', path, { query, attempts: 2 });
        return true;
      } catch (error) {
        if (error instanceof LangfuseApiError && error.kind === 'not-found') return false;
        throw error;
      }
    };
    // A tracetop server playing a v3 release serves the v1 reads: no probe needed. Otherwise try
    // the v1 list: self-hosted v3 has only it; Cloud and v4 answer 404.
    const knownV1 = version !== null && version.includes('+tracetop') && version.startsWith('3.');
    const generation: ApiGeneration = knownV1 || (await probe('/api/public/traces', { limit: 1, fields: 'core' })) ? 'v1' : 'v2';
    // tracetop's own server announces its stream in the version's build metadata.
    const streams = version?.includes('+tracetop.stream') ?? false;
    return { version, generation, streams };
  }

  async listTraces(query: TraceQuery): Promise<TraceSummary[]> {
    const { streams } = await this.backend();
    // tracetop's summaries carry level counts; a Langfuse list does not, so there the level
    // resolves like a score: through the observations at that level.
    if (query.scores?.length || (query.level && !streams)) return this.listTracesByCandidates(query);
    const traces = await this.listTracesUnscored(query);
    return query.level ? traces.filter((trace) => matchesQuery(trace, { level: query.level })) : traces;
  }

  /** Trace ids with an observation at this level (or worse, for warning), paged to a bound. */
  private async traceIdsAtLevel(level: 'error' | 'warning'): Promise<Set<string>> {
    const { generation } = await this.backend();
    const levels = level === 'error' ? ['ERROR'] : ['ERROR', 'WARNING'];
    const ids = new Set<string>();
    for (const observationLevel of levels) {
      const observations =
        generation === 'v1'
          ? await this.pagedV1<{ traceId: string | null }>('/api/public/observations', { level: observationLevel }, CANDIDATE_LIMIT)
          : await this.pagedV2<{ traceId: string | null }>('/api/public/v2/observations', { level: observationLevel, fields: 'core' }, CANDIDATE_LIMIT, 1000);
      for (const observation of observations) if (observation.traceId) ids.add(observation.traceId);
    }
    return ids;
  }

  /** Every item of a page-numbered list (v1 reads, ≤ 100 a page), up to maxItems. */
  private async pagedV1<T>(path: string, query: Record<string, QueryValue>, maxItems: number): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; items.length < maxItems; page++) {
      const limit = Math.min(100, maxItems - items.length);
      const result = await this.get<{ data: T[]; meta?: { totalPages?: number } }>(path, { ...query, page, limit });
      items.push(...result.data);
      if (result.data.length < limit || (result.meta?.totalPages !== undefined && page >= result.meta.totalPages)) break;
    }
    return items;
  }

  /** Every item of a cursor-paged list (v2 observations, v3 scores), up to maxItems. */
  private async pagedV2<T>(path: string, query: Record<string, QueryValue>, maxItems: number, pageSize: number): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const limit = Math.min(pageSize, maxItems - items.length);
      const result = await this.get<{ data: T[]; meta?: { cursor?: string | null } }>(path, { ...query, limit, cursor });
      items.push(...result.data);
      cursor = result.meta?.cursor ?? undefined;
    } while (cursor && items.length < maxItems);
    return items;
  }

  /**
   * A score filter (`helpfulness<0.5`) resolves through the scores endpoint — value and
   * operator filters on v2, bounds on v3 — to trace ids, then to those traces.
   */
  private async listTracesByCandidates(query: TraceQuery): Promise<TraceSummary[]> {
    let candidates = null as Set<string> | null;
    const narrow = (matching: Set<string>) => {
      const previous: Set<string> | null = candidates;
      candidates = previous === null ? matching : new Set([...previous].filter((id: string) => matching.has(id)));
    };
    if (query.level) narrow(await this.traceIdsAtLevel(query.level));
    for (const condition of query.scores ?? []) {
      const numeric = typeof condition.value === 'number';
      const scores = await this.listScores({
        name: condition.name,
        ...(numeric ? { operator: condition.operator, value: condition.value as number } : {}),
        limit: CANDIDATE_LIMIT,
      });
      narrow(
        new Set(
          scores
            .filter((score) => score.traceId && (numeric || scoreMatches(score, condition)))
            .map((score) => score.traceId as string),
        ),
      );
    }
    const ids = [...(candidates ?? [])];
    const limit = query.limit ?? 50;
    const rest: TraceQuery = { ...query, scores: undefined };
    const result: TraceSummary[] = [];
    for (const id of ids) {
      if (result.length >= limit) break;
      try {
        const summary = summaryFromTrace(await this.getTrace(id));
        if (matchesQuery(summary, rest)) result.push(summary);
      } catch (error) {
        if (!(error instanceof LangfuseApiError && error.kind === 'not-found')) throw error;
      }
    }
    return result.sort((a, b) => b.timestamp.localeCompare(a.timestamp));
  }

  private traceFilters(query: TraceQuery): Record<string, QueryValue> {
    return {
      userId: query.userId,
      tags: query.tags,
      sessionId: query.sessionId,
      name: query.name,
      environment: query.environment,
      release: query.release,
      version: query.version,
      fromTimestamp: query.fromTimestamp,
      toTimestamp: query.toTimestamp,
    };
  }

  /** The v2 read of root observations standing in for a trace list. */
  private rootQuery(query: TraceQuery): Record<string, QueryValue> {
    return {
      isRootObservation: 'true',
      fields: 'core,basic,time,usage,metrics,trace_context',
      userId: query.userId,
      sessionId: query.sessionId,
      environment: query.environment,
      version: query.version,
      fromStartTime: query.fromTimestamp,
      toStartTime: query.toTimestamp,
    };
  }

  /** What the v2 root-observation read cannot filter server-side. */
  private filterRoots(traces: TraceSummary[], query: TraceQuery): TraceSummary[] {
    return traces
      .filter((trace) => (query.tags ?? []).every((tag) => trace.tags.includes(tag)))
      .filter((trace) => !query.name || trace.name === query.name)
      .filter((trace) => !query.release || trace.release === query.release);
  }

  private async listTracesUnscored(query: TraceQuery): Promise<TraceSummary[]> {
    const { generation, streams } = await this.backend();
    const limit = Math.min(query.limit ?? 50, 100);
    const filters = this.traceFilters(query);
    if (streams) {
      // tracetop's server has full summaries (tokens, levels, scores) in one request.
      const page = await this.get<{ data: TraceSummary[] }>('/api/public/stream/traces', { ...filters, limit: Math.min(query.limit ?? 100, 1000), fields: query.includeIo ? 'io' : undefined });
      return page.data;
    }
    if (generation === 'v1') {
      const page = await this.get<Paged<Trace>>('/api/public/traces', {
        ...filters,
        limit,
        orderBy: 'timestamp.desc',
        fields: 'core,metrics,observations',
      });
      return page.data.map((trace) => summaryFromTrace(trace));
    }
    const page = await this.get<{ data: ObservationV2[] }>('/api/public/v2/observations', { ...this.rootQuery(query), limit });
    return this.filterRoots(mergeRoots(page.data), query);
  }

  /**
   * Traces stamped at or after `fromTimestamp`, oldest first, paged up to `maxTraces` — what a
   * poll reads. On the v1 reads the pages run oldest first, so a capped answer is the oldest
   * part and the next poll continues from its newest trace; nothing is skipped. The v2 reads
   * page newest first only: a capped answer there is the newest part (see `truncated`).
   */
  async pollTraces(query: TraceQuery, fromTimestamp: string, maxTraces: number): Promise<PollPage> {
    const { generation, streams } = await this.backend();
    const filtered: TraceQuery = { ...query, fromTimestamp, limit: undefined };
    if (query.scores?.length || (query.level && !streams)) {
      // A score or level filter resolves through candidates; bounded by the same cap.
      const traces = await this.listTracesByCandidates({ ...filtered, limit: maxTraces });
      return { traces: traces.reverse(), truncated: traces.length >= maxTraces };
    }
    if (streams) {
      const traces = await this.listTracesUnscored({ ...filtered, limit: Math.min(maxTraces, 1000) });
      const matching = query.level ? traces.filter((trace) => matchesQuery(trace, { level: query.level })) : traces;
      return { traces: matching.reverse(), truncated: traces.length >= Math.min(maxTraces, 1000) };
    }
    if (generation === 'v1') {
      const traces = await this.pagedV1<Trace>('/api/public/traces', { ...this.traceFilters(filtered), orderBy: 'timestamp.asc', fields: 'core,metrics,observations' }, maxTraces);
      return { traces: traces.map((trace) => summaryFromTrace(trace)), truncated: traces.length >= maxTraces };
    }
    const roots = await this.pagedV2<ObservationV2>('/api/public/v2/observations', this.rootQuery(filtered), maxTraces, 1000);
    // A trace whose first root starts before the window shows only its later roots here: a
    // partial summary, recognisable by a start later than the one seen before (PollSource).
    return { traces: this.filterRoots(mergeRoots(roots), filtered).reverse(), truncated: roots.length >= maxTraces };
  }

  /** One observation; the v2 generation has no lookup by id, so it is found through its trace's pages. */
  async getObservation(observationId: string, traceId?: string): Promise<Observation> {
    const { generation } = await this.backend();
    if (generation === 'v1') return this.get<Observation>(`/api/public/observations/${encodeURIComponent(observationId)}`);
    if (!traceId) {
      throw new LangfuseApiError('not-found', `observation ${observationId}: this backend looks observations up only within a trace`, this.http.url('/api/public/v2/observations'));
    }
    const found = (await this.getTrace(traceId)).observations.find((observation) => observation.id === observationId);
    if (!found) throw new LangfuseApiError('not-found', `observation ${observationId} is not in trace ${traceId}`, this.http.url('/api/public/v2/observations'));
    return found;
  }

  async getTrace(traceId: string, options: TraceLoadOptions = {}): Promise<TraceWithFullDetails> {
    const { generation } = await this.backend();
    if (generation === 'v1') {
      if ((options.expectedObservations ?? 0) <= PAGED_TRACE_THRESHOLD) return this.get<TraceWithFullDetails>(`/api/public/traces/${encodeURIComponent(traceId)}`);
      return this.traceInPages(traceId, options);
    }
    return this.traceFromObservations(traceId, options);
  }

  /**
   * A big trace on the v1 generation: the trace without its observations, then the
   * observations 100 a page (the v1 cap), several pages in flight. One response of 100,000
   * observations would block for seconds and can time out (524) on a busy Langfuse; pages
   * report progress and keep the event loop free for the live list.
   */
  private async traceInPages(traceId: string, options: TraceLoadOptions): Promise<TraceWithFullDetails> {
    const path = `/api/public/traces/${encodeURIComponent(traceId)}`;
    const [header, first] = await Promise.all([
      this.get<TraceWithFullDetails>(path, { fields: 'core,io,scores,metrics' }),
      this.get<Paged<Observation>>('/api/public/observations', { traceId, limit: 100, page: 1 }),
    ]);
    const total = first.meta.totalItems;
    // Keyed by id: a page boundary that shifts while the trace is still written repeats a row, never loses one.
    const byId = new Map<string, Observation>();
    for (const observation of first.data) byId.set(observation.id, observation);
    options.onProgress?.(byId.size, total);
    let next = 2;
    const worker = async () => {
      while (next <= first.meta.totalPages) {
        const page = next++;
        const result = await this.get<Paged<Observation>>('/api/public/observations', { traceId, limit: 100, page });
        for (const observation of result.data) byId.set(observation.id, observation);
        options.onProgress?.(byId.size, total);
      }
    };
    await Promise.all(Array.from({ length: PAGES_IN_FLIGHT }, worker));
    return { ...header, observations: [...byId.values()] };
  }

  /** The v2 generation has no trace endpoint: rebuild the tree from paged observations. */
  private async traceFromObservations(traceId: string, options: TraceLoadOptions = {}): Promise<TraceWithFullDetails> {
    const observations: ObservationV2[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.get<{ data: ObservationV2[]; meta: { cursor?: string } }>('/api/public/v2/observations', {
        traceId,
        limit: 1000,
        cursor,
        fields: 'core,basic,time,io,metadata,model,usage,prompt,metrics,trace_context',
      });
      for (const observation of page.data) observations.push(observation);
      cursor = page.meta.cursor ?? undefined;
      options.onProgress?.(observations.length, options.expectedObservations ?? null);
    } while (cursor);
    if (observations.length === 0) {
      throw new LangfuseApiError('not-found', `trace ${traceId} has no observations on ${this.host}`, this.http.url(`/api/public/v2/observations`));
    }
    // Every score of the trace (a labelled trace can carry hundreds), bounded.
    const scores = await this.listScoresV3({ traceId, limit: 10_000 });
    observations.sort((a, b) => a.startTime.localeCompare(b.startTime));
    const root = observations.find((observation) => observation.parentObservationId === null) ?? observations[0]!;
    // Loops, not Math.min(...array): 100,000 arguments overflow the stack.
    let firstStart = Number.POSITIVE_INFINITY;
    let lastEnd = Number.NEGATIVE_INFINITY;
    for (const o of observations) {
      firstStart = Math.min(firstStart, Date.parse(o.startTime));
      lastEnd = Math.max(lastEnd, Date.parse(o.endTime ?? o.startTime));
    }
    const full: Observation[] = observations.map((o) => ({
      id: o.id,
      projectId: String(o.projectId ?? ''),
      traceId: o.traceId,
      parentObservationId: o.parentObservationId,
      type: o.type as Observation['type'],
      name: o.name ?? null,
      startTime: o.startTime,
      endTime: o.endTime,
      completionStartTime: (o.completionStartTime as string | null) ?? null,
      environment: o.environment ?? 'default',
      version: o.version ?? null,
      input: parseMaybeJson(o.input),
      output: parseMaybeJson(o.output),
      metadata: o.metadata ?? null,
      level: (o.level ?? 'DEFAULT') as Observation['level'],
      statusMessage: (o.statusMessage as string | null) ?? null,
      model: (o.providedModelName as string | null) ?? null,
      modelParameters: o.modelParameters ?? null,
      promptId: (o.promptId as string | null) ?? null,
      promptName: (o.promptName as string | null) ?? null,
      promptVersion: (o.promptVersion as number | null) ?? null,
      usageDetails: (o.usageDetails as Record<string, number>) ?? {},
      costDetails: (o.costDetails as Record<string, number>) ?? {},
      usage: { unit: 'TOKENS', input: 0, output: 0, total: 0 },
      unit: 'TOKENS',
      promptTokens: 0,
      completionTokens: 0,
      totalTokens: 0,
      calculatedInputCost: null,
      calculatedOutputCost: null,
      calculatedTotalCost: (o.totalCost as number | null) ?? null,
      modelId: null,
      inputPrice: null,
      outputPrice: null,
      totalPrice: null,
      latency: o.latency ?? null,
      timeToFirstToken: (o.timeToFirstToken as number | null) ?? null,
      createdAt: String(o.createdAt ?? o.startTime),
      updatedAt: String(o.updatedAt ?? o.startTime),
    }));
    const totalCost = full.reduce((sum, o) => sum + (o.costDetails.total ?? 0), 0);
    return {
      id: traceId,
      projectId: String(root.projectId ?? ''),
      timestamp: root.startTime,
      name: root.traceName ?? root.name ?? null,
      input: parseMaybeJson(root.input),
      output: parseMaybeJson(root.output),
      sessionId: root.sessionId ?? null,
      release: root.release ?? null,
      version: root.version ?? null,
      userId: root.userId ?? null,
      metadata: root.metadata ?? null,
      tags: root.tags ?? [],
      public: false,
      bookmarked: false,
      environment: root.environment ?? 'default',
      externalId: null,
      htmlPath: `/project/${String(root.projectId ?? '')}/traces/${traceId}`,
      latency: (lastEnd - firstStart) / 1000,
      totalCost,
      observations: full,
      scores,
      createdAt: root.startTime,
      updatedAt: root.startTime,
    };
  }

  /** Scores in the v1/v2 read shape, whichever generation answers; `limit` is the total, paged (default 100). */
  async listScores(filter: { traceId?: string; name?: string; operator?: string; value?: number; dataType?: string; limit?: number }): Promise<Score[]> {
    const { generation } = await this.backend();
    if (generation === 'v1') {
      const { limit, ...rest } = filter;
      return this.pagedV1<Score>('/api/public/v2/scores', rest, limit ?? 100);
    }
    return this.listScoresV3(filter);
  }

  private async listScoresV3(filter: { traceId?: string; name?: string; operator?: string; value?: number; dataType?: string; limit?: number }): Promise<Score[]> {
    const query: Record<string, QueryValue> = {
      traceId: filter.traceId,
      name: filter.name,
      fields: 'details,subject,annotation',
    };
    if (filter.operator && filter.value !== undefined) {
      query.dataType = 'NUMERIC';
      // v3 has only inclusive bounds: strict comparisons are finished client-side below.
      if (filter.operator.startsWith('<')) query.valueMax = filter.value;
      if (filter.operator.startsWith('>')) query.valueMin = filter.value;
      if (filter.operator === '=') Object.assign(query, { valueMin: filter.value, valueMax: filter.value });
    } else if (filter.dataType) {
      query.dataType = filter.dataType;
    }
    const data = await this.pagedV2<Record<string, any>>('/api/public/v3/scores', query, filter.limit ?? 100, 100);
    return data
      .map((score) => {
        const subject = score.subject ?? {};
        const numeric = typeof score.value === 'number' ? score.value : typeof score.value === 'boolean' ? (score.value ? 1 : 0) : null;
        return {
          id: score.id,
          projectId: score.projectId,
          traceId: subject.kind === 'trace' ? subject.id : (subject.traceId ?? null),
          sessionId: subject.kind === 'session' ? subject.id : null,
          observationId: subject.kind === 'observation' ? subject.id : null,
          datasetRunId: null,
          name: score.name,
          value: numeric,
          stringValue: typeof score.value === 'string' ? score.value : typeof score.value === 'boolean' ? (score.value ? 'True' : 'False') : null,
          dataType: score.dataType,
          source: score.source,
          timestamp: score.timestamp,
          createdAt: score.createdAt,
          updatedAt: score.updatedAt,
          authorUserId: score.authorUserId ?? null,
          comment: score.comment ?? null,
          metadata: score.metadata ?? null,
          configId: score.configId ?? null,
          queueId: score.queueId ?? null,
          environment: score.environment,
          executionTraceId: null,
        } satisfies Score;
      })
      .filter((score) => {
        if (!filter.operator || filter.value === undefined || score.value === null) return true;
        if (filter.operator === '<') return score.value < filter.value;
        if (filter.operator === '>') return score.value > filter.value;
        if (filter.operator === '!=') return score.value !== filter.value;
        return true;
      });
  }

  async createScore(score: ScoreBody & { id: string }): Promise<{ id: string }> {
    return this.http.json<{ id: string }>('POST', '/api/public/scores', { body: score });
  }

  async deleteScore(scoreId: string): Promise<void> {
    await this.http.json('DELETE', `/api/public/scores/${encodeURIComponent(scoreId)}`);
  }

  async listScoreConfigs(): Promise<ScoreConfig[]> {
    const page = await this.get<Paged<ScoreConfig>>('/api/public/score-configs', { limit: 100 });
    return page.data;
  }

  async listSessions(): Promise<Session[]> {
    const { generation } = await this.backend();
    if (generation === 'v1') return (await this.get<Paged<Session>>('/api/public/sessions', { limit: 100 })).data;
    // The v2 generation has no sessions endpoint: sessions are what root observations carry.
    const roots = await this.get<{ data: ObservationV2[] }>('/api/public/v2/observations', {
      isRootObservation: 'true',
      limit: 1000,
      fields: 'core,basic',
    });
    const sessions = new Map<string, Session>();
    for (const root of roots.data) {
      if (!root.sessionId) continue;
      const existing = sessions.get(root.sessionId);
      if (!existing || root.startTime < existing.createdAt) {
        sessions.set(root.sessionId, { id: root.sessionId, createdAt: root.startTime, projectId: String(root.projectId ?? ''), environment: root.environment ?? 'default' });
      }
    }
    return [...sessions.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async getSessionTraces(sessionId: string): Promise<TraceWithFullDetails[]> {
    const { generation } = await this.backend();
    let traceIds: string[];
    if (generation === 'v1') {
      const session = await this.get<{ traces: Trace[] }>(`/api/public/sessions/${encodeURIComponent(sessionId)}`);
      traceIds = session.traces.map((trace) => trace.id);
    } else {
      // The v2 generation has no /sessions/{id}: a session's traces are the traces of the root
      // observations carrying its id (one trace may have several roots).
      const roots = await this.pagedV2<ObservationV2>('/api/public/v2/observations', { sessionId, isRootObservation: 'true', fields: 'core' }, CANDIDATE_LIMIT, 1000);
      traceIds = [...new Set(roots.map((root) => root.traceId))];
      if (traceIds.length === 0) {
        throw new LangfuseApiError('not-found', `session ${sessionId} has no traces on ${this.host}`, this.http.url('/api/public/v2/observations'));
      }
    }
    return Promise.all(traceIds.map((id) => this.getTrace(id)));
  }

  async listQueues(): Promise<AnnotationQueue[]> {
    const page = await this.get<Paged<AnnotationQueue>>('/api/public/annotation-queues', { limit: 100 });
    return page.data;
  }

  async listQueueItems(queueId: string, status?: 'PENDING' | 'COMPLETED'): Promise<AnnotationQueueItem[]> {
    const items: AnnotationQueueItem[] = [];
    for (let page = 1; ; page++) {
      const result = await this.get<Paged<AnnotationQueueItem>>(`/api/public/annotation-queues/${encodeURIComponent(queueId)}/items`, {
        status,
        page,
        limit: 100,
      });
      items.push(...result.data);
      if (page >= result.meta.totalPages) return items;
    }
  }

  async completeQueueItem(queueId: string, itemId: string): Promise<AnnotationQueueItem> {
    return this.http.json<AnnotationQueueItem>(
      'PATCH',
      `/api/public/annotation-queues/${encodeURIComponent(queueId)}/items/${encodeURIComponent(itemId)}`,
      { body: { status: 'COMPLETED' } },
    );
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
