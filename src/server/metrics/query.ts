// The metrics API's query object, read and checked as Langfuse does (reference §5): required
// view / metrics / fromTimestamp / toTimestamp, optional dimensions, filters (the `filter`
// grammar), timeDimension, orderBy and config; unknown dimensions, measures or aggregations,
// string measures with numeric aggregations, and v2's high-cardinality rules are 400s.

import { HttpError } from '../http.js';
import { parseFilterParam, type FilterCondition } from '../filter/grammar.js';
import { availableIn, METRICS_VIEWS, type MetricsView } from './views.js';

export const AGGREGATIONS = ['sum', 'avg', 'count', 'max', 'min', 'p50', 'p75', 'p90', 'p95', 'p99', 'histogram', 'uniq'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];
export const GRANULARITIES = ['auto', 'minute', 'hour', 'day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export type ApiVersion = 'v1' | 'v2';

export interface ParsedMetricsQuery {
  version: ApiVersion;
  viewName: string;
  view: MetricsView;
  dimensions: string[];
  metrics: { measure: string; aggregation: Aggregation; alias: string }[];
  filters: FilterCondition[];
  granularity: Exclude<Granularity, 'auto'> | null;
  fromMs: number;
  toMs: number;
  orderBy: { field: string; direction: 'asc' | 'desc' }[];
  rowLimit: number | null;
  bins: number;
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_DIMENSIONS = 10;
const MAX_METRICS = 50;

const issues = (path: (string | number)[], message: string, code = 'custom'): HttpError =>
  new HttpError(400, 'Invalid request data', [{ code, path, message }]);
const invalid = (message: string): HttpError => new HttpError(400, message, 'InvalidRequestError');

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `auto` picks the finest granularity that gives at most about 50 buckets. */
function autoGranularity(spanMs: number): Exclude<Granularity, 'auto'> {
  const steps: [Exclude<Granularity, 'auto'>, number][] = [
    ['minute', 60_000],
    ['hour', 3_600_000],
    ['day', 86_400_000],
    ['week', 604_800_000],
  ];
  for (const [name, ms] of steps) if (spanMs / ms <= 50) return name;
  return 'month';
}

function timestamp(raw: unknown, name: string): number {
  if (typeof raw !== 'string' || !ISO_WITH_OFFSET.test(raw) || Number.isNaN(Date.parse(raw))) {
    throw issues([name], 'Invalid ISO datetime', 'invalid_format');
  }
  return Date.parse(raw);
}

export function parseMetricsQuery(raw: string | null, version: ApiVersion): ParsedMetricsQuery {
  if (raw === null || raw === '') throw issues(['query'], 'Invalid input: expected string, received undefined', 'invalid_type');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw issues(['query'], 'Invalid JSON in query parameter');
  }
  if (!isObject(json)) throw issues(['query'], 'Invalid input: expected object', 'invalid_type');
  const views = version === 'v1' ? Object.keys(METRICS_VIEWS) : Object.keys(METRICS_VIEWS).filter((name) => name !== 'traces');
  if (typeof json.view !== 'string' || !views.includes(json.view)) {
    throw issues(['view'], `Invalid option: expected one of ${views.map((v) => `"${v}"`).join('|')}`, 'invalid_value');
  }
  const viewName = json.view;
  const view = METRICS_VIEWS[viewName]!;

  const fromMs = timestamp(json.fromTimestamp, 'fromTimestamp');
  const toMs = timestamp(json.toTimestamp, 'toTimestamp');
  if (fromMs >= toMs) throw issues([], 'fromTimestamp must be before toTimestamp');

  const rawDimensions = json.dimensions ?? [];
  if (!Array.isArray(rawDimensions) || rawDimensions.length > MAX_DIMENSIONS) throw issues(['dimensions'], `dimensions must be an array of at most ${MAX_DIMENSIONS} {field}`, 'invalid_type');
  const dimensions = rawDimensions.map((item, index) => {
    if (!isObject(item) || typeof item.field !== 'string') throw issues(['dimensions', index, 'field'], 'Invalid input: expected string', 'invalid_type');
    const dimension = view.dimensions[item.field];
    if (!dimension || !availableIn(dimension, version)) {
      throw invalid(`Invalid dimension '${item.field}' for view '${viewName}'. Valid dimensions: ${Object.keys(view.dimensions).filter((d) => availableIn(view.dimensions[d]!, version)).join(', ')}`);
    }
    return item.field;
  });

  const rawMetrics = json.metrics;
  if (!Array.isArray(rawMetrics) || rawMetrics.length === 0 || rawMetrics.length > MAX_METRICS) {
    throw issues(['metrics'], 'metrics must be a non-empty array of {measure, aggregation}', 'invalid_type');
  }
  const metrics = rawMetrics.map((item, index) => {
    if (!isObject(item) || typeof item.measure !== 'string') throw issues(['metrics', index, 'measure'], 'Invalid input: expected string', 'invalid_type');
    if (typeof item.aggregation !== 'string' || !(AGGREGATIONS as readonly string[]).includes(item.aggregation)) {
      throw issues(['metrics', index, 'aggregation'], `Invalid option: expected one of ${AGGREGATIONS.map((a) => `"${a}"`).join('|')}`, 'invalid_value');
    }
    const measure = view.measures[item.measure];
    if (!measure || !availableIn(measure, version)) {
      throw invalid(`Invalid measure '${item.measure}' for view '${viewName}'. Valid measures: ${Object.keys(view.measures).filter((m) => availableIn(view.measures[m]!, version)).join(', ')}`);
    }
    const aggregation = item.aggregation as Aggregation;
    if (measure.type === 'string' && aggregation !== 'count' && aggregation !== 'uniq') {
      throw invalid(`Invalid aggregation '${aggregation}' for measure '${item.measure}'. Valid aggregations: count, uniq`);
    }
    return { measure: item.measure, aggregation, alias: `${aggregation}_${item.measure}` };
  });

  const rawFilters = json.filters ?? [];
  if (!Array.isArray(rawFilters)) throw issues(['filters'], 'Invalid input: expected array', 'invalid_type');
  const filters = parseFilterParam(JSON.stringify(rawFilters));
  for (const filter of filters) {
    const known = filter.column === view.timeField || filter.column === 'metadata' || (view.dimensions[filter.column] && availableIn(view.dimensions[filter.column]!, version));
    if (!known) throw invalid(`Column ${filter.column} does not match a UI / CH table mapping.`);
  }

  let granularity: ParsedMetricsQuery['granularity'] = null;
  if (json.timeDimension !== undefined && json.timeDimension !== null) {
    const value = isObject(json.timeDimension) ? json.timeDimension.granularity : undefined;
    if (typeof value !== 'string' || !(GRANULARITIES as readonly string[]).includes(value)) {
      throw issues(['timeDimension', 'granularity'], `Invalid option: expected one of ${GRANULARITIES.map((g) => `"${g}"`).join('|')}`, 'invalid_value');
    }
    granularity = value === 'auto' ? autoGranularity(toMs - fromMs) : (value as Exclude<Granularity, 'auto'>);
  }

  const config = json.config ?? {};
  if (!isObject(config)) throw issues(['config'], 'Invalid input: expected object', 'invalid_type');
  const int = (value: unknown, name: string, max: number): number | null => {
    if (value === undefined || value === null) return null;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) throw issues(['config', name], `${name} must be an integer from 1 to ${max}`, 'too_big');
    return value;
  };
  const rowLimit = int(config.row_limit, 'row_limit', 1000);
  const bins = int(config.bins, 'bins', 100) ?? 10;

  const aliases = new Set(metrics.map((metric) => metric.alias));
  const rawOrder = json.orderBy ?? [];
  if (!Array.isArray(rawOrder)) throw issues(['orderBy'], 'Invalid input: expected array', 'invalid_type');
  const orderBy = rawOrder.map((item, index) => {
    if (!isObject(item) || typeof item.field !== 'string' || (item.direction !== 'asc' && item.direction !== 'desc')) {
      throw issues(['orderBy', index], 'orderBy items are {field, direction: "asc"|"desc"}', 'invalid_type');
    }
    if (!dimensions.includes(item.field) && !aliases.has(item.field) && item.field !== 'time_dimension') {
      throw invalid(`Invalid orderBy field '${item.field}': order by a requested dimension, a metric (e.g. ${[...aliases][0]}) or time_dimension`);
    }
    return { field: item.field, direction: item.direction as 'asc' | 'desc' };
  });

  if (version === 'v2') {
    const high = dimensions.filter((field) => view.dimensions[field]!.highCardinality);
    if (high.length > 0) {
      if (granularity !== null) {
        throw invalid(`High cardinality dimensions (${high.join(', ')}) cannot be combined with a timeDimension. Use them as filters instead.`);
      }
      if (rowLimit === null || !orderBy.some((order) => aliases.has(order.field) && order.direction === 'desc')) {
        throw invalid(
          `High cardinality dimensions (${high.join(', ')}) require both 'config.row_limit' and 'orderBy' with direction 'desc' on a metric. Use them as filters instead, or add both.`,
        );
      }
    }
  }

  return {
    version,
    viewName,
    view,
    dimensions,
    metrics,
    filters,
    granularity,
    fromMs,
    toMs,
    orderBy,
    rowLimit: rowLimit ?? (version === 'v2' ? 100 : null),
    bins,
  };
}
