// `top`: live traffic broken down by a dimension (trace name, model, prompt@version, release,
// environment, user or tag) over a window. Pure: rows in, groups out.
//
// - aggregateTop(rows, options): exact (percentiles by linear interpolation over the sorted
//   latencies, as ClickHouse's quantile does for small inputs); the CLI and tests use it.
// - TopAggregator (`top-live.ts`): the incremental path for the live screen.
//
// For `model` and `prompt` the rows are generations (errors = level ERROR); for the others
// they are traces (errors = at least one ERROR observation). A trace with several tags counts
// once in each tag's group, and once in the total.

import type { Observation, TraceSummary } from './types.js';

export const TOP_BY = ['name', 'model', 'prompt', 'release', 'env', 'user', 'tag'] as const;
export type TopBy = (typeof TOP_BY)[number];

export const isTopBy = (value: string): value is TopBy => (TOP_BY as readonly string[]).includes(value);

/** True when the rows for this grouping are generations rather than traces. */
export const topRowsAreGenerations = (by: TopBy): boolean => by === 'model' || by === 'prompt';

/** One counted unit: a trace, or a generation. */
export interface TopRow {
  id: string;
  /** Trace timestamp or generation start time, epoch ms. */
  atMs: number;
  /** The groups it counts in (null = no value, e.g. a trace without a release). */
  keys: (string | null)[];
  latencyMs: number | null;
  error: boolean;
  totalTokens: number;
  totalCost: number;
  /** Numeric scores (of the trace, for a generation row), name → value. */
  scores: Record<string, number>;
}

/** Counts, errors, latency percentiles (milliseconds), usage and score means of a set of rows. */
export interface UsageFigures {
  count: number;
  errorCount: number;
  /** errorCount / count, 0–1. */
  errorRate: number;
  latencyP50: number | null;
  latencyP95: number | null;
  totalTokens: number;
  totalCost: number;
  /** Mean of each numeric score over the rows that have it. */
  scores: Record<string, number>;
}

export interface TopGroup extends UsageFigures {
  key: string | null;
  /** Rows per minute over the window. */
  ratePerMin: number;
  /** Per bucket, oldest first. */
  sparkCount: number[];
  sparkErrors: number[];
  /** First row's time (epoch ms) within the window. */
  firstSeenMs: number | null;
  /** No rows before the last quarter of the window. */
  appeared: boolean;
  /** Errors in the last quarter of the window well above the rate before it. */
  turnedBad: boolean;
}

export interface TopResult {
  by: TopBy;
  fromMs: number;
  toMs: number;
  bucketMs: number;
  /** Most traffic first, then key. */
  groups: TopGroup[];
  /** Every row once: the list's summary line. */
  total: TopGroup;
}

export interface TopOptions {
  by: TopBy;
  windowMs: number;
  now: number;
  /** Sparkline buckets over the window (default 30). */
  buckets?: number;
}

export const DEFAULT_TOP_BUCKETS = 30;

const numericScores = (scores: Record<string, unknown> | undefined): Record<string, number> => {
  const result: Record<string, number> = {};
  for (const [name, value] of Object.entries(scores ?? {})) {
    if (typeof value === 'number' && Number.isFinite(value)) result[name] = value;
  }
  return result;
};

/** A trace as a row for a trace grouping (name, release, env, user, tag); null for model/prompt. */
export function topRowFromTrace(trace: TraceSummary, by: TopBy): TopRow | null {
  let keys: (string | null)[];
  switch (by) {
    case 'name': keys = [trace.name]; break;
    case 'release': keys = [trace.release]; break;
    case 'env': keys = [trace.environment]; break;
    case 'user': keys = [trace.userId]; break;
    case 'tag': keys = trace.tags.length ? [...new Set(trace.tags)] : [null]; break;
    default: return null;
  }
  return {
    id: trace.id,
    atMs: Date.parse(trace.timestamp),
    keys,
    latencyMs: trace.latency === null ? null : trace.latency * 1000,
    error: trace.errorCount > 0,
    totalTokens: trace.totalTokens,
    totalCost: trace.totalCost ?? 0,
    scores: numericScores(trace.scores),
  };
}

/** The fields of an observation a generation row needs (Observation has them all). */
export type GenerationLike = Pick<Observation, 'id' | 'type' | 'startTime' | 'endTime' | 'level' | 'model' | 'promptName' | 'promptVersion'> &
  Partial<Pick<Observation, 'totalTokens' | 'usageDetails' | 'calculatedTotalCost' | 'costDetails'>>;

/** `NAME@VERSION`, the key of a prompt group. */
export const promptKey = (name: string, version: number | null): string => `${name}@${version ?? '?'}`;

/** A generation as a row for `model` or `prompt`; null for other observations, other groupings,
 * and (by prompt) a generation not linked to a prompt. */
export function topRowFromGeneration(observation: GenerationLike, by: TopBy, traceScores?: Record<string, unknown>): TopRow | null {
  if (observation.type !== 'GENERATION') return null;
  let key: string | null;
  if (by === 'model') key = observation.model;
  else if (by === 'prompt') {
    if (!observation.promptName) return null;
    key = promptKey(observation.promptName, observation.promptVersion);
  } else return null;
  const start = Date.parse(observation.startTime);
  const end = observation.endTime ? Date.parse(observation.endTime) : NaN;
  const usage = observation.usageDetails ?? {};
  const tokens = observation.totalTokens ?? usage.total ?? (usage.input ?? 0) + (usage.output ?? 0);
  const cost = observation.calculatedTotalCost ?? observation.costDetails?.total ?? 0;
  return {
    id: observation.id,
    atMs: start,
    keys: [key],
    latencyMs: Number.isFinite(end) ? Math.max(0, end - start) : null,
    error: observation.level === 'ERROR',
    totalTokens: Number(tokens) || 0,
    totalCost: Number(cost) || 0,
    scores: numericScores(traceScores),
  };
}

/** Linear interpolation between the closest ranks of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const position = p * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower]!;
  const b = sorted[upper]!;
  return a + (b - a) * (position - lower);
}

/** Appeared / turned bad, from a group's sparklines (oldest bucket first). */
export function trendFlags(sparkCount: readonly number[], sparkErrors: readonly number[]): { appeared: boolean; turnedBad: boolean } {
  const recentFrom = Math.floor((sparkCount.length * 3) / 4);
  const sum = (values: readonly number[], from: number, to: number) => values.slice(from, to).reduce((a, b) => a + b, 0);
  const earlierCount = sum(sparkCount, 0, recentFrom);
  const recentCount = sum(sparkCount, recentFrom, sparkCount.length);
  const earlierErrors = sum(sparkErrors, 0, recentFrom);
  const recentErrors = sum(sparkErrors, recentFrom, sparkErrors.length);
  const appeared = earlierCount === 0 && recentCount > 0;
  const recentRate = recentCount ? recentErrors / recentCount : 0;
  const earlierRate = earlierCount ? earlierErrors / earlierCount : 0;
  const turnedBad = recentErrors >= 3 && recentRate >= 0.1 && recentRate >= 2 * earlierRate + 0.05;
  return { appeared, turnedBad };
}

interface Accumulator {
  key: string | null;
  count: number;
  errorCount: number;
  totalTokens: number;
  totalCost: number;
  latencies: number[];
  scoreSums: Map<string, [number, number]>;
  sparkCount: number[];
  sparkErrors: number[];
  firstSeenMs: number | null;
}

const newAccumulator = (key: string | null, buckets: number): Accumulator => ({
  key,
  count: 0,
  errorCount: 0,
  totalTokens: 0,
  totalCost: 0,
  latencies: [],
  scoreSums: new Map(),
  sparkCount: new Array<number>(buckets).fill(0),
  sparkErrors: new Array<number>(buckets).fill(0),
  firstSeenMs: null,
});

function addTo(acc: Accumulator, row: TopRow, bucket: number): void {
  acc.count++;
  if (row.error) acc.errorCount++;
  acc.totalTokens += row.totalTokens;
  acc.totalCost += row.totalCost;
  if (row.latencyMs !== null) acc.latencies.push(row.latencyMs);
  for (const [name, value] of Object.entries(row.scores)) {
    const sum = acc.scoreSums.get(name) ?? [0, 0];
    sum[0] += value;
    sum[1]++;
    acc.scoreSums.set(name, sum);
  }
  acc.sparkCount[bucket]!++;
  if (row.error) acc.sparkErrors[bucket]!++;
  if (acc.firstSeenMs === null || row.atMs < acc.firstSeenMs) acc.firstSeenMs = row.atMs;
}

export const meanScores = (sums: Map<string, [number, number]>): Record<string, number> =>
  Object.fromEntries([...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, [sum, n]]) => [name, sum / n]));

function finish(acc: Accumulator, windowMs: number): TopGroup {
  const sorted = acc.latencies.sort((a, b) => a - b);
  return {
    key: acc.key,
    count: acc.count,
    ratePerMin: acc.count / (windowMs / 60_000),
    errorCount: acc.errorCount,
    errorRate: acc.count ? acc.errorCount / acc.count : 0,
    latencyP50: percentile(sorted, 0.5),
    latencyP95: percentile(sorted, 0.95),
    totalTokens: acc.totalTokens,
    totalCost: acc.totalCost,
    scores: meanScores(acc.scoreSums),
    sparkCount: acc.sparkCount,
    sparkErrors: acc.sparkErrors,
    firstSeenMs: acc.firstSeenMs,
    ...trendFlags(acc.sparkCount, acc.sparkErrors),
  };
}

/** Most traffic first, then by key (null last). */
export function compareGroups(a: TopGroup, b: TopGroup): number {
  if (a.count !== b.count) return b.count - a.count;
  if (a.key === b.key) return 0;
  if (a.key === null) return 1;
  if (b.key === null) return -1;
  return a.key < b.key ? -1 : 1;
}

/** The exact breakdown of rows in (now − window, now]. */
export function aggregateTop(rows: Iterable<TopRow>, options: TopOptions): TopResult {
  const buckets = Math.max(1, Math.floor(options.buckets ?? DEFAULT_TOP_BUCKETS));
  const toMs = options.now;
  const fromMs = toMs - options.windowMs;
  const bucketMs = options.windowMs / buckets;
  const groups = new Map<string | null, Accumulator>();
  const total = newAccumulator('*', buckets);
  for (const row of rows) {
    if (!(row.atMs > fromMs && row.atMs <= toMs)) continue;
    const bucket = Math.min(buckets - 1, Math.floor((row.atMs - fromMs) / bucketMs));
    addTo(total, row, bucket);
    for (const key of new Set(row.keys)) {
      let acc = groups.get(key);
      if (!acc) groups.set(key, (acc = newAccumulator(key, buckets)));
      addTo(acc, row, bucket);
    }
  }
  return {
    by: options.by,
    fromMs,
    toMs,
    bucketMs,
    groups: [...groups.values()].map((acc) => finish(acc, options.windowMs)).sort(compareGroups),
    total: finish(total, options.windowMs),
  };
}

// ---- sorting and drilling in ------------------------------------------------------------

export type TopColumn = 'key' | 'count' | 'rate' | 'errors' | 'errorRate' | 'p50' | 'p95' | 'tokens' | 'cost' | `score:${string}`;

function columnValue(group: TopGroup, column: TopColumn): number | string | null {
  switch (column) {
    case 'key': return group.key;
    case 'count': return group.count;
    case 'rate': return group.ratePerMin;
    case 'errors': return group.errorCount;
    case 'errorRate': return group.errorRate;
    case 'p50': return group.latencyP50;
    case 'p95': return group.latencyP95;
    case 'tokens': return group.totalTokens;
    case 'cost': return group.totalCost;
    default: return group.scores[column.slice('score:'.length)] ?? null;
  }
}

/** Sorted copy; missing values (null) always last; ties by traffic, then key. */
export function sortTopGroups(groups: readonly TopGroup[], column: TopColumn, descending = true): TopGroup[] {
  return [...groups].sort((a, b) => {
    const x = columnValue(a, column);
    const y = columnValue(b, column);
    if (x === null || y === null) return x === y ? compareGroups(a, b) : x === null ? 1 : -1;
    if (x === y) return compareGroups(a, b);
    const order = x < y ? -1 : 1;
    return descending ? -order : order;
  });
}

const quoteValue = (value: string): string => (/^[^\s"\\]+$/.test(value) ? value : `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`);

/** The filter-language text that narrows the trace list to one group; null when the group has
 * no value to filter on (e.g. traces without a release). */
export function topGroupFilter(by: TopBy, key: string | null): string | null {
  if (key === null) return null;
  const prefix: Record<TopBy, string> = { name: 'name', model: 'model', prompt: 'prompt', release: 'release', env: 'env', user: 'user', tag: 'tag' };
  // A name with glob characters would match more than the group: those are searched as is.
  return `${prefix[by]}:${quoteValue(key)}`;
}
