// What the TUI and the CLI may ask for in aggregate: Langfuse's metrics API (the query object as
// Langfuse defines it) and the `top` breakdown of a window. Implemented by `src/api/metrics.ts`
// over either Langfuse generation. The `top` model itself is pure: `src/domain/top.ts` (exact)
// and `src/domain/top-live.ts` (incremental).

import type { TraceFilter } from '../domain/filter-language.js';
import type { TopBy, TopResult } from '../domain/top.js';

export type { TopBy, TopColumn, TopGroup, TopResult, TopRow } from '../domain/top.js';
export {
  aggregateTop,
  DEFAULT_TOP_BUCKETS,
  isTopBy,
  promptKey,
  sortTopGroups,
  TOP_BY,
  topGroupFilter,
  topRowFromGeneration,
  topRowFromTrace,
  topRowsAreGenerations,
} from '../domain/top.js';
export { TopAggregator, type TopAggregatorOptions } from '../domain/top-live.js';

export type MetricsView = 'traces' | 'observations' | 'scores-numeric' | 'scores-categorical' | 'scores-boolean';
export type MetricsAggregation = 'sum' | 'avg' | 'count' | 'max' | 'min' | 'p50' | 'p75' | 'p90' | 'p95' | 'p99' | 'histogram' | 'uniq';
export type MetricsGranularity = 'auto' | 'minute' | 'hour' | 'day' | 'week' | 'month';

/** A filter condition in Langfuse's `filter` grammar (reference §4). */
export interface MetricsFilter {
  type: string;
  column: string;
  operator: string;
  value: unknown;
  key?: string;
}

/** Langfuse's metrics query object (`GET /metrics?query=…`, `/v2/metrics?query=…`). */
export interface MetricsQuery {
  view: MetricsView;
  dimensions?: { field: string }[];
  metrics: { measure: string; aggregation: MetricsAggregation }[];
  filters?: MetricsFilter[];
  timeDimension?: { granularity: MetricsGranularity } | null;
  fromTimestamp: string;
  toTimestamp: string;
  orderBy?: { field: string; direction: 'asc' | 'desc' }[] | null;
  config?: { bins?: number; row_limit?: number };
}

/** A row: dimension fields, `<aggregation>_<measure>` values, and `time_dimension` when asked.
 * Values are as the server sent them (counts may be strings); parse with Number(). */
export type MetricsRow = Record<string, string | number | null | unknown>;

export interface MetricsReader {
  /** Runs a metrics query on the endpoint the backend serves (v2 when it has it, else v1). */
  metrics(query: MetricsQuery): Promise<MetricsRow[]>;
}

export interface TopRequest {
  by: TopBy;
  windowMs: number;
  /** Default: now. */
  now?: number;
  filter?: TraceFilter;
  buckets?: number;
}

export interface TopSnapshot extends TopResult {
  /** Where the rows came from: the traces/observations of the window, or the metrics API. */
  source: 'rows' | 'metrics';
  fetchedAt: string;
  /** Rows were capped (the window holds more than tracetop reads for `top`). */
  truncated: boolean;
}

export interface TopReader {
  /** The breakdown of a window, read once (the CLI; the TUI's first frame before the stream). */
  top(request: TopRequest): Promise<TopSnapshot>;
}
