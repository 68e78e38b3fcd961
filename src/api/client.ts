// One client over both Langfuse read generations. Langfuse Cloud removed the v1 reads
// (GET /traces, /traces/{id}, /observations, /sessions, /v2/scores) on 2026-11-16 and v4
// events-only servers answer them 404; self-hosted v3 servers have only those. The generation
// is detected once (`detect.ts`: health, then probes that tolerate 400/404) and every read is
// routed. Every request goes through the request budget (`budget.ts`); trace lists, history and
// polls are `trace-list.ts`. docs/requests.md lists every request, per generation.

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
import { RequestBudget, resolvePlan, type Priority } from './budget.js';
import { detectBackend, type BackendInfo } from './detect.js';
import { encodeFilter, type ExtendedQuery } from './filter-conditions.js';
import { HttpClient, LangfuseApiError, type Connection, type HttpOptions, type QueryValue } from './http.js';
import { parseMaybeJson, scoreFromV3, TraceLister, type HistoryOptions, type HistoryResult, type PollPage, type RootObservation } from './trace-list.js';
import type { QueueClient, ScoreWriter, SessionReader, TraceLoadOptions, TraceQuery, TraceReader } from './types.js';

export { summaryFromTrace, CANDIDATE_LIMIT, HISTORY_CAPACITY, type PollPage, type HistoryResult } from './trace-list.js';
export type { BackendInfo, ApiGeneration } from './detect.js';

/** Above this many observations a v1 trace loads in pages, with progress. */
export const PAGED_TRACE_THRESHOLD = 2_000;
const PAGES_IN_FLIGHT = 8;

/** Every field group of a v2 observation (a trace's tree needs them all). */
const ALL_V2_FIELDS = 'core,basic,time,io,metadata,model,usage,prompt,metrics,trace_context';

export interface ClientOptions extends HttpOptions {
  /** The rate-limit plan to budget for (hobby, core, pro, none); default: hobby on Langfuse Cloud, none elsewhere. */
  plan?: string | null;
}

/** A v2 observation (string prices, raw JSON input/output) in the v1 read shape. */
export function observationFromV2(o: RootObservation): Observation {
  const numberOrNull = (value: unknown): number | null => (value === null || value === undefined || value === '' || !Number.isFinite(Number(value)) ? null : Number(value));
  return {
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
    calculatedTotalCost: numberOrNull(o.totalCost),
    modelId: null,
    inputPrice: null,
    outputPrice: null,
    totalPrice: null,
    latency: numberOrNull(o.latency),
    timeToFirstToken: numberOrNull(o.timeToFirstToken),
    createdAt: String(o.createdAt ?? o.startTime),
    updatedAt: String(o.updatedAt ?? o.startTime),
  };
}

export class LangfuseClient implements TraceReader, ScoreWriter, SessionReader, QueueClient {
  readonly http: HttpClient;
  private info: Promise<BackendInfo> | null = null;
  private lister: TraceLister | null = null;

  constructor(connection: Connection, options: ClientOptions = {}) {
    const budget = options.budget ?? new RequestBudget({ plan: resolvePlan(options.plan, connection.host) });
    this.http = new HttpClient(connection, { ...options, budget });
  }

  get host(): string {
    return this.http.host;
  }

  get budget(): RequestBudget {
    return this.http.budget;
  }

  private get<T>(path: string, query?: Record<string, QueryValue>, priority: Priority = 'interactive'): Promise<T> {
    return this.http.json<T>('GET', path, { query, priority });
  }

  /** Which generation and whether it streams; asked once, then cached. */
  backend(): Promise<BackendInfo> {
    this.info ??= detectBackend(this.http).catch((error) => {
      this.info = null;
      throw error;
    });
    return this.info;
  }

  private async traces(): Promise<TraceLister> {
    const { generation, streams } = await this.backend();
    this.lister ??= new TraceLister({ get: (path, query, priority) => this.get(path, query, priority) }, generation, streams);
    return this.lister;
  }

  /** The newest traces matching a query, newest first, up to `query.limit` (default 50), every page read. */
  async listTraces(query: TraceQuery): Promise<TraceSummary[]> {
    return (await (await this.traces()).history(query as ExtendedQuery, { capacity: query.limit ?? 50 })).traces;
  }

  /**
   * A window's history: pages until the window (`fromTimestamp`…`toTimestamp`) is read or the
   * capacity reached (`complete` says which); `onPage` gets each page's new traces as they come.
   */
  async history(query: TraceQuery, options: HistoryOptions = {}): Promise<HistoryResult> {
    return (await this.traces()).history(query as ExtendedQuery, options);
  }

  /**
   * Traces changed at or after `fromTimestamp` (with score or level conditions: scored or
   * failing since then), oldest first, paged up to `maxTraces`.
   */
  async pollTraces(query: TraceQuery, fromTimestamp: string, maxTraces: number): Promise<PollPage> {
    return (await this.traces()).poll(query as ExtendedQuery, fromTimestamp, maxTraces);
  }

  /** One observation: by id on v1; on v2 through `filter` by id on /v2/observations. */
  async getObservation(observationId: string, traceId?: string): Promise<Observation> {
    const { generation } = await this.backend();
    if (generation === 'v1') return this.get<Observation>(`/api/public/observations/${encodeURIComponent(observationId)}`);
    const conditions = [{ type: 'stringOptions' as const, column: 'id', operator: 'any of' as const, value: [observationId] }];
    const page = await this.get<{ data: RootObservation[] }>('/api/public/v2/observations', {
      traceId,
      fields: ALL_V2_FIELDS,
      limit: 1,
      filter: encodeFilter(conditions),
    });
    const found = page.data.find((observation) => observation.id === observationId);
    if (!found) throw new LangfuseApiError('not-found', `observation ${observationId} not found on ${this.host}`, this.http.url('/api/public/v2/observations'), 404);
    return observationFromV2(found);
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
    const observations: RootObservation[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.get<{ data: RootObservation[]; meta: { cursor?: string } }>('/api/public/v2/observations', {
        traceId,
        limit: 1000,
        cursor,
        fields: ALL_V2_FIELDS,
      });
      for (const observation of page.data) observations.push(observation);
      cursor = page.meta.cursor ?? undefined;
      options.onProgress?.(observations.length, options.expectedObservations ?? null);
    } while (cursor);
    if (observations.length === 0) {
      throw new LangfuseApiError('not-found', `trace ${traceId} has no observations on ${this.host}`, this.http.url(`/api/public/v2/observations`), 404);
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
    const full = observations.map(observationFromV2);
    const totalCost = full.reduce((sum, o) => sum + (o.costDetails.total ?? 0), 0);
    const parse = (value: unknown) => observationFromV2({ ...root, input: value, output: null }).input;
    return {
      id: traceId,
      projectId: String(root.projectId ?? ''),
      timestamp: root.startTime,
      name: root.traceName ?? root.name ?? null,
      input: parse(root.input),
      output: parse(root.output),
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

  /**
   * Scores in the v1/v2 read shape, whichever generation answers; `limit` is the total, paged
   * (default 100). `fromTimestamp` bounds the read to a window (scores are stamped when given).
   */
  async listScores(filter: { traceId?: string; name?: string; operator?: string; value?: number; dataType?: string; fromTimestamp?: string; limit?: number }): Promise<Score[]> {
    const { generation } = await this.backend();
    if (generation === 'v1') {
      const { limit, ...rest } = filter;
      return (await (await this.traces()).pagedV1<Score>('/api/public/v2/scores', rest, limit ?? 100)).items;
    }
    return this.listScoresV3(filter);
  }

  private async listScoresV3(filter: { traceId?: string; name?: string; operator?: string; value?: number; dataType?: string; fromTimestamp?: string; limit?: number }): Promise<Score[]> {
    const query: Record<string, QueryValue> = {
      traceId: filter.traceId,
      name: filter.name,
      fromTimestamp: filter.fromTimestamp,
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
    const { items } = await (await this.traces()).pagedCursor<Record<string, unknown>>('/api/public/v3/scores', query, filter.limit ?? 100, 100);
    return items.map(scoreFromV3).filter((score) => {
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

  /** Every page of a page-numbered list (score configs, queues, queue items). */
  private async allPages<T>(path: string, query: Record<string, QueryValue> = {}): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const result = await this.get<Paged<T>>(path, { ...query, page, limit: 100 });
      items.push(...result.data);
      if (result.data.length < 100 || page >= (result.meta?.totalPages ?? page)) return items;
    }
  }

  async listScoreConfigs(): Promise<ScoreConfig[]> {
    return this.allPages<ScoreConfig>('/api/public/score-configs');
  }

  async listSessions(): Promise<Session[]> {
    const { generation } = await this.backend();
    if (generation === 'v1') return (await this.get<Paged<Session>>('/api/public/sessions', { limit: 100 })).data;
    // The v2 generation has no sessions endpoint: sessions are what root observations carry.
    const roots = await this.get<{ data: RootObservation[] }>('/api/public/v2/observations', {
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
      const { items: roots } = await (await this.traces()).pagedCursor<RootObservation>('/api/public/v2/observations', { sessionId, isRootObservation: 'true', fields: 'core' }, 10_000, 1000);
      traceIds = [...new Set(roots.map((root) => root.traceId))];
      if (traceIds.length === 0) {
        throw new LangfuseApiError('not-found', `session ${sessionId} has no traces on ${this.host}`, this.http.url('/api/public/v2/observations'), 404);
      }
    }
    return Promise.all(traceIds.map((id) => this.getTrace(id)));
  }

  async listQueues(): Promise<AnnotationQueue[]> {
    return this.allPages<AnnotationQueue>('/api/public/annotation-queues');
  }

  async listQueueItems(queueId: string, status?: 'PENDING' | 'COMPLETED'): Promise<AnnotationQueueItem[]> {
    return this.allPages<AnnotationQueueItem>(`/api/public/annotation-queues/${encodeURIComponent(queueId)}/items`, { status });
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
