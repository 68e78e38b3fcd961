// Trace lists over both Langfuse read generations: the history of a window (paged until the
// window is read or the capacity reached) and a poll's changes since a cursor. Every condition
// the server can apply travels as parameters or `filter` conditions (`filter-conditions.ts`);
// score, level, prompt and model conditions on v2 resolve through one paged read of the matching
// scores (GET /v3/scores) or observations, then the candidates' root observations in batches —
// never one request per trace, so a poll's cost does not grow with the number of matches.

import { scoreHolds } from '../domain/filter-language.js';
import type { Paged, Score, ScoreCondition, Trace, TraceQuery, TraceSummary } from '../domain/types.js';
import {
  encodeFilter,
  levelsFor,
  v1ClientScoreConditions,
  v1TraceRequest,
  v2ObservationConditions,
  v2RootRequest,
  v3ScoreParams,
  type ExtendedQuery,
} from './filter-conditions.js';
import type { QueryValue } from './http.js';
import type { Priority } from './budget.js';

/** The most traces a history read delivers unless told otherwise: the window's capacity. */
export const HISTORY_CAPACITY = 10_000;
/**
 * How many scores or observations one score/level condition reads at most to find its traces
 * (100 pages of scores): enough for real filters, bounded against a runaway scan.
 */
export const CANDIDATE_LIMIT = 10_000;
/** Trace ids per `traceId any of` / `id any of` condition: keeps a URL well under 8 KB. */
export const ID_BATCH = 100;
/** Trace ids per csv `traceId` on GET /v3/scores. */
const SCORE_ID_BATCH = 50;
/** `fromTimestamp` when the query has no window: servers that require a date range get one. */
export const EPOCH = '1970-01-01T00:00:00.000Z';

export interface HistoryResult {
  /** Newest first. */
  traces: TraceSummary[];
  /** True when the whole window was read; false when the capacity cut it. */
  complete: boolean;
}

export interface PollPage {
  /** Oldest first. */
  traces: TraceSummary[];
  truncated: boolean;
}

export interface ListContext {
  get<T>(path: string, query: Record<string, QueryValue>, priority: Priority): Promise<T>;
}

export interface RootObservation {
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
  totalCost?: number | string | null;
  input?: unknown;
  output?: unknown;
  metadata?: unknown;
  [key: string]: unknown;
}

type ScoreValue = number | string | boolean;

/** v2 sends input/output as JSON text: the parsed value, or the text when it is not JSON. */
export const parseMaybeJson = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};

const toNumber = (value: unknown): number | null => {
  if (value === null || value === undefined || value === '') return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
};

/** What a v1 trace list can show cheaply: latency, cost, observation count. */
export function summaryFromTrace(trace: Trace | import('../domain/types.js').TraceWithFullDetails, scores: Score[] = []): TraceSummary {
  const observations = Array.isArray(trace.observations) ? trace.observations : [];
  const full = observations.length > 0 && typeof observations[0] === 'object';
  let inputTokens = 0;
  let outputTokens = 0;
  let totalTokens = 0;
  let errorCount = 0;
  let warningCount = 0;
  if (full) {
    for (const observation of observations as import('../domain/types.js').Observation[]) {
      const usage = observation.usageDetails ?? {};
      inputTokens += usage.input ?? 0;
      outputTokens += usage.output ?? 0;
      totalTokens += usage.total ?? (usage.input ?? 0) + (usage.output ?? 0);
      if (observation.level === 'ERROR') errorCount++;
      if (observation.level === 'WARNING') warningCount++;
    }
  }
  // No prototype: a score named __proto__ is a score, not a prototype swap.
  const latest: Record<string, ScoreValue> = Object.create(null);
  const traceScores = (Array.isArray(trace.scores) && typeof trace.scores[0] === 'object' ? (trace.scores as Score[]) : []).concat(scores);
  for (const score of traceScores) {
    if (score.observationId) continue;
    latest[score.name] = score.dataType === 'NUMERIC' ? (score.value ?? 0) : score.dataType === 'BOOLEAN' ? score.value === 1 : (score.stringValue ?? '');
  }
  const summary: TraceSummary = {
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
  if (trace.input !== undefined && trace.input !== null) summary.input = trace.input;
  if (trace.output !== undefined && trace.output !== null) summary.output = trace.output;
  if (trace.metadata !== undefined && trace.metadata !== null) summary.metadata = trace.metadata;
  return summary;
}

function summaryFromRoot(root: RootObservation): TraceSummary {
  const summary: TraceSummary = {
    id: root.traceId,
    timestamp: root.startTime,
    name: root.traceName ?? root.name ?? null,
    userId: root.userId ?? null,
    sessionId: root.sessionId ?? null,
    tags: root.tags ?? [],
    environment: root.environment ?? 'default',
    release: root.release ?? null,
    version: root.version ?? null,
    latency: toNumber(root.latency),
    totalCost: toNumber(root.totalCost),
    inputTokens: 0,
    outputTokens: 0,
    totalTokens: 0,
    observationCount: 0,
    errorCount: root.level === 'ERROR' ? 1 : 0,
    warningCount: root.level === 'WARNING' ? 1 : 0,
    scores: Object.create(null) as Record<string, ScoreValue>,
    updatedAt: String(root.updatedAt ?? root.startTime),
  };
  if (root.input !== undefined && root.input !== null) summary.input = parseMaybeJson(root.input);
  if (root.output !== undefined && root.output !== null) summary.output = parseMaybeJson(root.output);
  if (root.metadata !== undefined && root.metadata !== null) summary.metadata = root.metadata;
  return summary;
}

/** A trace may have several root observations (SDKs that hang spans off the trace): one summary each, newest first. */
export function mergeRoots(roots: RootObservation[]): TraceSummary[] {
  const byTrace = new Map<string, { summary: TraceSummary; startMs: number; endMs: number }>();
  for (const root of roots) {
    const startMs = Date.parse(root.startTime);
    const endMs = startMs + (toNumber(root.latency) ?? 0) * 1000;
    const summary = summaryFromRoot(root);
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
  return [...byTrace.values()].map((entry) => entry.summary).sort(newestFirst);
}

const newestFirst = (a: TraceSummary, b: TraceSummary) => b.timestamp.localeCompare(a.timestamp) || b.id.localeCompare(a.id);

/** The level and score conditions, checked on a full summary (tracetop's server sends them). */
export function holdsAggregates(trace: TraceSummary, query: TraceQuery): boolean {
  if (query.level === 'error' && trace.errorCount === 0) return false;
  if (query.level === 'warning' && trace.errorCount + trace.warningCount === 0) return false;
  return (query.scores ?? []).every((condition) => scoreHolds(condition, trace.scores[condition.name]));
}

const batches = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** A v3 score item in the v1/v2 read shape. */
export function scoreFromV3(score: Record<string, any>): Score {
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
}

const displayValue = (score: Score): ScoreValue =>
  score.dataType === 'NUMERIC' ? (score.value ?? 0) : score.dataType === 'BOOLEAN' ? score.value === 1 : (score.stringValue ?? '');

/** Latest trace-level value per trace and score name. */
class ScoreIndex {
  private readonly values = new Map<string, Map<string, { value: ScoreValue; at: string }>>();

  add(score: Score): void {
    if (!score.traceId || score.observationId || score.sessionId) return;
    let names = this.values.get(score.traceId);
    if (!names) this.values.set(score.traceId, (names = new Map()));
    const previous = names.get(score.name);
    if (!previous || previous.at <= score.timestamp) names.set(score.name, { value: displayValue(score), at: score.timestamp });
  }

  traceIds(): string[] {
    return [...this.values.keys()];
  }

  value(traceId: string, name: string): ScoreValue | undefined {
    return this.values.get(traceId)?.get(name)?.value;
  }

  holds(traceId: string, conditions: ScoreCondition[]): boolean {
    return conditions.every((condition) => scoreHolds(condition, this.value(traceId, condition.name)));
  }

  attach(summary: TraceSummary): void {
    for (const [name, entry] of this.values.get(summary.id) ?? []) summary.scores[name] = entry.value;
  }
}

/** Errors and warnings per trace, from the observations at those levels. */
class LevelIndex {
  readonly counts = new Map<string, { errors: Set<string>; warnings: Set<string> }>();

  add(observation: { id: string; traceId: string | null; level?: string }): void {
    if (!observation.traceId) return;
    let entry = this.counts.get(observation.traceId);
    if (!entry) this.counts.set(observation.traceId, (entry = { errors: new Set(), warnings: new Set() }));
    if (observation.level === 'ERROR') entry.errors.add(observation.id);
    if (observation.level === 'WARNING') entry.warnings.add(observation.id);
  }

  attach(summary: TraceSummary): void {
    const entry = this.counts.get(summary.id);
    if (!entry) return;
    summary.errorCount = Math.max(summary.errorCount, entry.errors.size);
    summary.warningCount = Math.max(summary.warningCount, entry.warnings.size);
  }
}

/**
 * The traces of a read, bounded: it holds one past the capacity, so a window of exactly the
 * capacity reads as whole and one trace more as cut.
 */
class Collector {
  readonly byId = new Map<string, TraceSummary>();
  constructor(readonly capacity: number) {}
  /** More than the capacity was found: the read can stop, cut. */
  get full(): boolean {
    return this.byId.size > this.capacity;
  }
  /** Adds what is new; returns what was added within the capacity (the one past it is only counted). */
  add(traces: TraceSummary[]): TraceSummary[] {
    const added: TraceSummary[] = [];
    for (const trace of traces) {
      if (this.byId.has(trace.id) || this.full) continue;
      this.byId.set(trace.id, trace);
      if (!this.full) added.push(trace);
    }
    return added;
  }
  newest(): TraceSummary[] {
    return [...this.byId.values()].sort(newestFirst).slice(0, this.capacity);
  }
}

export interface HistoryOptions {
  capacity?: number;
  onPage?: (traces: TraceSummary[]) => void;
}

/** The trace list of one backend generation; `ctx.get` carries the budget's priority. */
export class TraceLister {
  /** Per query: the newest score timestamp a poll has seen (polls read scores from just before it). */
  private readonly scoreCursors = new Map<string, string>();

  constructor(
    private readonly ctx: ListContext,
    private readonly generation: 'v1' | 'v2',
    private readonly streams: boolean,
  ) {}

  private get<T>(path: string, query: Record<string, QueryValue>): Promise<T> {
    return this.ctx.get<T>(path, query, 'background');
  }

  /** Every item of a page-numbered list (≤ 100 a page), up to maxItems. */
  async pagedV1<T>(path: string, query: Record<string, QueryValue>, maxItems: number, onPage?: (items: T[]) => boolean | void): Promise<{ items: T[]; complete: boolean }> {
    const items: T[] = [];
    // Always 100 a page: `page` counts pages of `limit`, so a smaller last page would skip rows.
    const limit = 100;
    for (let page = 1; items.length < maxItems; page++) {
      const result = await this.get<{ data: T[]; meta?: { totalPages?: number } }>(path, { ...query, page, limit });
      items.push(...result.data.slice(0, maxItems - items.length));
      if (onPage?.(result.data) === false) return { items, complete: false };
      if (result.data.length < limit || (result.meta?.totalPages !== undefined && page >= result.meta.totalPages)) return { items, complete: true };
    }
    return { items, complete: false };
  }

  /** Every item of a cursor-paged list (v2 observations, v3 scores), up to maxItems. */
  async pagedCursor<T>(path: string, query: Record<string, QueryValue>, maxItems: number, pageSize: number, onPage?: (items: T[]) => boolean | void): Promise<{ items: T[]; complete: boolean }> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const limit = Math.min(pageSize, maxItems - items.length);
      const result = await this.get<{ data: T[]; meta?: { cursor?: string | null } }>(path, { ...query, limit, cursor });
      items.push(...result.data);
      cursor = result.meta?.cursor ?? undefined;
      if (onPage?.(result.data) === false) return { items, complete: false };
    } while (cursor && items.length < maxItems);
    return { items, complete: !cursor };
  }

  /** The window's traces, newest first, until the window is read or the capacity reached. */
  async history(query: ExtendedQuery, options: HistoryOptions = {}): Promise<HistoryResult> {
    const collector = new Collector(options.capacity ?? HISTORY_CAPACITY);
    const deliver = (traces: TraceSummary[]) => {
      const added = collector.add(traces);
      if (added.length) options.onPage?.(added);
    };
    let complete: boolean;
    if (this.streams) complete = await this.historyStreamed(query, collector, deliver);
    else if (this.generation === 'v1' && hasGenerationConditions(query)) complete = await this.generationsV1(query, query.fromTimestamp, collector, deliver);
    else if (this.generation === 'v1') {
      const extras = await this.v1Extras(query, query.fromTimestamp, query.fromTimestamp);
      complete = (await this.historyV1(query, collector, extras.attach(deliver), 'timestamp.desc')) && extras.complete;
    } else if (needsCandidatesV2(query)) complete = await this.candidatesV2(query, query.fromTimestamp, collector, deliver);
    else complete = await this.rootsV2(query, {}, collector, deliver);
    return { traces: collector.newest(), complete: complete && !collector.full };
  }

  /**
   * Traces stamped (or, with score and level conditions, scored or failing) at or after `from`,
   * oldest first, up to `maxTraces`. v1 pages run oldest first, so a capped answer is the oldest
   * part and the next poll continues from its newest trace; v2 pages newest first only.
   */
  async poll(query: ExtendedQuery, from: string, maxTraces: number): Promise<PollPage> {
    const collector = new Collector(maxTraces);
    const deliver = (traces: TraceSummary[]) => void collector.add(traces);
    const since: ExtendedQuery = { ...query, fromTimestamp: laterOf(query.fromTimestamp, from) };
    let complete: boolean;
    if (this.streams) {
      complete = await this.historyStreamed(since, collector, deliver);
    } else if (this.generation === 'v1' && hasGenerationConditions(query)) {
      complete = await this.generationsV1(query, from, collector, deliver);
    } else if (this.generation === 'v1') {
      const scoreFrom = query.scores?.length ? this.scoreFrom(query, from) : from;
      const extras = await this.v1Extras(query, scoreFrom, from);
      if (query.scores?.length) this.rememberScoreCursor(query, extras.newestScore);
      const attached = extras.attach(deliver);
      complete = (await this.historyV1(since, collector, attached, 'timestamp.asc')) && extras.complete;
      // A score given since the cursor to an older trace of the window may make it match now:
      // those traces by `id any of`, the server checking every condition.
      const rescored = [...extras.scored].filter((id) => !collector.byId.has(id));
      for (const batch of batches(rescored, ID_BATCH)) {
        if (collector.full) break;
        complete = (await this.historyV1({ ...query, fromTimestamp: query.fromTimestamp ?? EPOCH }, collector, attached, 'timestamp.desc', batch)) && complete;
      }
    } else if (needsCandidatesV2(query)) {
      complete = await this.candidatesV2(query, from, collector, deliver);
    } else {
      complete = await this.rootsV2(since, {}, collector, deliver);
    }
    return { traces: collector.newest().reverse(), truncated: !complete || collector.full };
  }

  /** tracetop's own server: full summaries (tokens, levels, scores); pages by moving `toTimestamp` back. */
  private async historyStreamed(query: TraceQuery, collector: Collector, deliver: (traces: TraceSummary[]) => void): Promise<boolean> {
    const LIMIT = 1000;
    let to = query.toTimestamp;
    for (;;) {
      const page = await this.get<{ data: TraceSummary[] }>('/api/public/stream/traces', {
        ...simpleTraceParams(query),
        toTimestamp: to,
        limit: LIMIT,
        fields: query.includeIo ? 'io' : undefined,
      });
      deliver(page.data.filter((trace) => holdsAggregates(trace, query)));
      if (page.data.length < LIMIT) return true;
      if (collector.full) return false;
      // `toTimestamp` is exclusive: one millisecond past the oldest re-reads its ties (dropped as seen).
      const oldest = page.data[page.data.length - 1]!.timestamp;
      const next = new Date(Date.parse(oldest) + 1).toISOString();
      if (next === to) return false;
      to = next;
    }
  }

  /** GET /traces: parameters and `filter` conditions; a numeric `!=` reads two alternatives. */
  private async historyV1(query: TraceQuery, collector: Collector, deliver: (traces: TraceSummary[]) => void, orderBy: string, ids?: string[]): Promise<boolean> {
    const { params, alternatives } = v1TraceRequest(query, EPOCH);
    const fields = query.includeIo ? 'core,io,metrics,observations' : 'core,metrics,observations';
    let complete = true;
    for (const alternative of alternatives) {
      const conditions = ids ? [{ type: 'stringOptions' as const, column: 'id', operator: 'any of' as const, value: ids }, ...alternative] : alternative;
      const result = await this.pagedV1<Trace>(
        '/api/public/traces',
        { ...params, orderBy, fields, filter: encodeFilter(conditions) },
        collector.capacity + 1,
        (page) => {
          deliver(page.map((trace) => summaryFromTrace(trace)));
          return !collector.full;
        },
      );
      complete &&= result.complete;
    }
    return complete;
  }

  /**
   * What a v1 list row lacks (it carries score and observation ids only), for the filter's own
   * conditions: the latest scores of its names and the error/warning counts — one paged read of
   * the window's scores per name and of its observations at those levels, not one per trace.
   */
  private async v1Extras(query: TraceQuery, scoreFrom: string | undefined, levelFrom: string | undefined) {
    const scores = new ScoreIndex();
    const levels = new LevelIndex();
    const scored = new Set<string>();
    let newestScore = scoreFrom ?? EPOCH;
    let complete = true;
    for (const name of new Set((query.scores ?? []).map((condition) => condition.name))) {
      const result = await this.pagedV1<Score>('/api/public/v2/scores', { name, fromTimestamp: scoreFrom ?? EPOCH }, CANDIDATE_LIMIT);
      complete &&= result.complete;
      for (const score of result.items) {
        scores.add(score);
        if (score.traceId && !score.observationId && !score.sessionId) scored.add(score.traceId);
        if (score.timestamp > newestScore) newestScore = score.timestamp;
      }
    }
    if (query.level) {
      for (const level of levelsFor(query.level)) {
        const result = await this.pagedV1<{ id: string; traceId: string | null; level?: string }>(
          '/api/public/observations',
          { level, fromStartTime: levelFrom ?? EPOCH, toStartTime: query.toTimestamp },
          CANDIDATE_LIMIT,
        );
        complete &&= result.complete;
        for (const observation of result.items) levels.add(observation);
      }
    }
    // What GET /traces cannot decide: a categorical `!=` ("none of" also admits traces without
    // the score; ours means "has it, and it differs") and the `!=` left out of the alternatives.
    // Checked on the values just read; a trace older than the scores read keeps the server's word.
    const unsure = [...(query.scores ?? []).filter((c) => c.operator === '!=' && typeof c.value === 'string'), ...v1ClientScoreConditions(query)];
    const covered = scoreFrom ?? EPOCH;
    const holds = (trace: TraceSummary) =>
      unsure.every((condition) => {
        const value = trace.scores[condition.name];
        return value === undefined ? trace.timestamp < covered : scoreHolds(condition, value);
      });
    const attach = (deliver: (traces: TraceSummary[]) => void) => (traces: TraceSummary[]) => {
      for (const trace of traces) {
        scores.attach(trace);
        levels.attach(trace);
      }
      deliver(unsure.length ? traces.filter(holds) : traces);
    };
    return { attach, scored, newestScore, complete };
  }

  /**
   * v1 with prompt: or model: — GET /observations has no parameter for either, so the window's
   * generations are read (paged, bounded) and matched here; their traces come by `id any of`.
   */
  private async generationsV1(query: TraceQuery, from: string | undefined, collector: Collector, deliver: (traces: TraceSummary[]) => void): Promise<boolean> {
    const result = await this.pagedV1<{ traceId: string | null; model?: string | null; promptName?: string | null; promptVersion?: number | null }>(
      '/api/public/observations',
      { type: 'GENERATION', fromStartTime: from ?? EPOCH, toStartTime: query.toTimestamp, userId: query.userId, environment: query.environment },
      CANDIDATE_LIMIT,
    );
    const ids = new Set<string>();
    for (const observation of result.items) {
      if (!observation.traceId) continue;
      if (query.model && observation.model !== query.model) continue;
      if (query.prompt && (observation.promptName !== query.prompt.name || (query.prompt.version !== null && observation.promptVersion !== query.prompt.version))) continue;
      ids.add(observation.traceId);
    }
    const extras = await this.v1Extras(query, from, from);
    let complete = result.complete && extras.complete;
    for (const batch of batches([...ids], ID_BATCH)) {
      if (collector.full) return false;
      complete = (await this.historyV1({ ...query, fromTimestamp: query.fromTimestamp ?? EPOCH }, collector, extras.attach(deliver), 'timestamp.desc', batch)) && complete;
    }
    return complete;
  }

  /** v2 root observations standing in for a trace list, with the server applying every trace-context condition. */
  private async rootsV2(query: ExtendedQuery, options: { traceIds?: string[]; scores?: ScoreIndex; levels?: LevelIndex }, collector: Collector, deliver: (traces: TraceSummary[]) => void): Promise<boolean> {
    const request = v2RootRequest(query, { includeIo: query.includeIo, traceIds: options.traceIds });
    // A trace's roots may straddle pages: summaries are rebuilt from every root seen so far.
    const roots = new Map<string, RootObservation[]>();
    const result = await this.pagedCursor<RootObservation>(
      '/api/public/v2/observations',
      { ...request.params, filter: encodeFilter(request.filter) },
      Number.MAX_SAFE_INTEGER,
      1000,
      (page) => {
        const touched = new Set<string>();
        for (const root of page) {
          const list = roots.get(root.traceId) ?? [];
          if (!roots.has(root.traceId) && collector.full) continue;
          list.push(root);
          roots.set(root.traceId, list);
          touched.add(root.traceId);
        }
        const summaries = mergeRoots([...touched].flatMap((id) => roots.get(id)!));
        for (const summary of summaries) {
          options.scores?.attach(summary);
          options.levels?.attach(summary);
          // Seen before (a later root of the same trace): replace the delivered summary.
          if (collector.byId.has(summary.id)) collector.byId.set(summary.id, summary);
        }
        deliver(summaries);
        return !collector.full;
      },
    );
    return result.complete;
  }

  /**
   * v2 with score, level, prompt or model conditions: the matching scores (one paged read of
   * GET /v3/scores per condition, from `from`) and observations (one paged read of
   * GET /v2/observations with the `filter`) name the candidate traces; their root observations
   * come in batches of `traceId any of`. Score values are checked exactly here.
   */
  private async candidatesV2(query: ExtendedQuery, from: string | undefined, collector: Collector, deliver: (traces: TraceSummary[]) => void): Promise<boolean> {
    let complete = true;
    let candidates: Set<string> | null = null;
    const narrow = (ids: Iterable<string>) => {
      const set = new Set(ids);
      candidates = candidates === null ? set : new Set([...candidates].filter((id) => set.has(id)));
    };
    const levels = new LevelIndex();
    const observationConditions = v2ObservationConditions(query);
    if (observationConditions) {
      const { params } = v2RootRequest(query);
      const result = await this.pagedCursor<{ id: string; traceId: string | null; level?: string }>(
        '/api/public/v2/observations',
        {
          userId: params.userId,
          sessionId: params.sessionId,
          environment: params.environment,
          fromStartTime: from,
          toStartTime: query.toTimestamp,
          fields: 'core,basic',
          filter: encodeFilter(observationConditions),
        },
        CANDIDATE_LIMIT,
        1000,
      );
      complete &&= result.complete;
      for (const observation of result.items) levels.add(observation);
      narrow(levels.counts.keys());
    }
    const scores = new ScoreIndex();
    const conditions = query.scores ?? [];
    if (conditions.length) {
      const scoreFrom = from === query.fromTimestamp || from === undefined ? from : this.scoreFrom(query, from);
      let newest = scoreFrom ?? EPOCH;
      const touched = new Set<string>();
      for (const condition of conditions) {
        const result = await this.pagedCursor<Record<string, unknown>>(
          '/api/public/v3/scores',
          { ...v3ScoreParams(condition), fromTimestamp: scoreFrom, toTimestamp: undefined, fields: 'subject' },
          CANDIDATE_LIMIT,
          100,
        );
        complete &&= result.complete;
        for (const item of result.items) {
          const score = scoreFromV3(item);
          scores.add(score);
          if (score.traceId && !score.observationId) touched.add(score.traceId);
          if (score.timestamp > newest) newest = score.timestamp;
        }
      }
      if (from !== undefined && from !== query.fromTimestamp) this.rememberScoreCursor(query, newest);
      // Several conditions, some of whose scores are older than `from`: read those traces' scores
      // of these names (csv traceId, a batch a request) so every condition is checked on the latest value.
      if (conditions.length > 1 && scoreFrom !== query.fromTimestamp) {
        const names = [...new Set(conditions.map((condition) => condition.name))].join(',');
        for (const batch of batches([...touched], SCORE_ID_BATCH)) {
          const result = await this.pagedCursor<Record<string, unknown>>('/api/public/v3/scores', { traceId: batch.join(','), name: names, fields: 'subject' }, CANDIDATE_LIMIT, 100);
          for (const item of result.items) scores.add(scoreFromV3(item));
        }
      }
      narrow([...touched].filter((id) => scores.holds(id, conditions)));
    }
    const ids = [...(candidates ?? [])];
    // Roots of candidates within the query's window (not the poll's cursor: a trace may be older).
    for (const batch of batches(ids, ID_BATCH)) {
      complete = (await this.rootsV2(query, { traceIds: batch, scores, levels }, collector, deliver)) && complete;
      if (collector.full) return false;
    }
    return complete;
  }

  /** Where a poll starts reading scores: a little before the newest score it has seen, never before the cursor. */
  private scoreFrom(query: TraceQuery, from: string): string {
    const seen = this.scoreCursors.get(queryKey(query));
    if (!seen) return from;
    const margin = new Date(Date.parse(seen) - 10_000).toISOString();
    return laterOf(from, margin)!;
  }

  private rememberScoreCursor(query: TraceQuery, newest: string): void {
    const key = queryKey(query);
    this.scoreCursors.delete(key);
    this.scoreCursors.set(key, newest);
    if (this.scoreCursors.size > 16) this.scoreCursors.delete(this.scoreCursors.keys().next().value!);
  }
}

const queryKey = (query: TraceQuery): string => JSON.stringify({ ...query, fromTimestamp: undefined, toTimestamp: undefined, limit: undefined });

function laterOf(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

const hasGenerationConditions = (query: TraceQuery): boolean => Boolean(query.prompt || query.model);

export function needsCandidatesV2(query: ExtendedQuery): boolean {
  return Boolean(query.scores?.length) || v2ObservationConditions(query) !== null;
}

/** The simple parameters GET /traces and tracetop's summaries share. */
export function simpleTraceParams(query: TraceQuery): Record<string, QueryValue> {
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

export type { Paged };
