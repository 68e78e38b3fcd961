// A parsed metrics query → SQL over SQLite → Langfuse's reply rows. Sums, averages, counts,
// extremes and uniq are plain SQL aggregates; percentiles interpolate linearly between the
// closest ranks of each group's distribution of values (one pass per measure; exact up to
// 100,000 rows, a deterministic sample beyond, as ClickHouse's quantile samples); histograms
// are equal-width bins over each group's [min, max].

import type { Database } from '../db.js';
import type { Column, ColumnType } from '../filter/columns.js';
import { compileFilter, type SqlValue } from '../filter/compile.js';
import type { Aggregation, ParsedMetricsQuery } from './query.js';
import { availableIn } from './views.js';

/** v1 sets no row limit; we still bound a reply. */
const MAX_ROWS = 10_000;
/** Rows a percentile pass reads exactly; past it, a deterministic sample of about this many. */
const PERCENTILE_SAMPLE = 100_000;
const PERCENTILES: Partial<Record<Aggregation, number>> = { p50: 0.5, p75: 0.75, p90: 0.9, p95: 0.95, p99: 0.99 };

type Row = Record<string, unknown>;

const DAY = 86_400_000;
const MONDAY = 4 * DAY; // 1970-01-05, the first Monday after the epoch

function bucketSql(time: string, granularity: NonNullable<ParsedMetricsQuery['granularity']>): string {
  switch (granularity) {
    case 'minute': return `((${time}) / 60000) * 60000`;
    case 'hour': return `((${time}) / 3600000) * 3600000`;
    case 'day': return `((${time}) / ${DAY}) * ${DAY}`;
    case 'week': return `(((${time}) - ${MONDAY}) / ${7 * DAY}) * ${7 * DAY} + ${MONDAY}`;
    case 'month': return `CAST(unixepoch(strftime('%Y-%m-01', (${time}) / 1000, 'unixepoch')) AS INTEGER) * 1000`;
  }
}

function aggregateSql(aggregation: Aggregation, expr: string): string {
  switch (aggregation) {
    case 'sum': return `coalesce(sum(${expr}), 0)`;
    case 'avg': return `avg(${expr})`;
    case 'count': return `count(${expr})`;
    case 'max': return `max(${expr})`;
    case 'min': return `min(${expr})`;
    case 'uniq': return `count(DISTINCT ${expr})`;
    default: return 'NULL';
  }
}

/** The view's filterable columns in the shape the `filter` compiler reads. */
function filterColumns(query: ParsedMetricsQuery): Column[] {
  const { view, version } = query;
  const columns: Column[] = [
    { id: view.timeField, name: view.timeField, type: 'datetime', sql: { kind: 'scalar', expr: view.time } },
    { id: 'metadata', name: 'Metadata', type: 'stringObject', sql: { kind: 'metadata', body: view.body } },
  ];
  for (const [name, dimension] of Object.entries(view.dimensions)) {
    if (!availableIn(dimension, version)) continue;
    if (dimension.type === 'arrayOptions') {
      columns.push({ id: name, name, type: 'arrayOptions', sql: { kind: 'tags', traceId: view.traceId } });
    } else {
      columns.push({ id: name, name, type: dimension.type as ColumnType, sql: { kind: 'scalar', expr: dimension.sql } });
    }
  }
  return columns;
}

/** The value at 0-based rank `rank` of a distribution (values ascending, with their counts). */
function atRank(values: number[], counts: number[], rank: number): number {
  let seen = 0;
  for (let i = 0; i < values.length; i++) {
    seen += counts[i]!;
    if (seen > rank) return values[i]!;
  }
  return values[values.length - 1]!;
}

/** Linear interpolation between the closest ranks, as over the sorted raw values. */
function fromDistribution(values: number[], counts: number[], n: number, p: number): number | null {
  if (n === 0) return null;
  const position = (n - 1) * p;
  const lower = Math.floor(position);
  const a = atRank(values, counts, lower);
  const b = atRank(values, counts, Math.min(n - 1, lower + 1));
  return a + (b - a) * (position - lower);
}

export function runMetricsQuery(db: Database, query: ParsedMetricsQuery): Row[] {
  const { view } = query;
  const groupColumns = query.dimensions.map((field, index) => ({ field, alias: `d${index}`, sql: view.dimensions[field]!.sql }));
  if (query.granularity) groupColumns.push({ field: 'time_dimension', alias: 'td', sql: bucketSql(view.time, query.granularity) });
  const filter = compileFilter(query.filters, filterColumns(query));
  const where = [`${view.time} >= ?`, `${view.time} <= ?`, ...view.where, ...filter.clauses];
  const params: SqlValue[] = [query.fromMs, query.toMs, ...filter.params];
  const whereSql = `WHERE ${where.join(' AND ')}`;
  // Join only when some part of the query reads a joined table.
  const used = [...groupColumns.map((column) => column.sql), ...query.metrics.map((metric) => view.measures[metric.measure]!.sql), whereSql].join(' ');
  const from = view.bareFrom && !/\bt\./.test(used) ? view.bareFrom : view.from;

  const selects = groupColumns.map((column) => `${column.sql} AS ${column.alias}`);
  query.metrics.forEach((metric, index) => {
    const expr = view.measures[metric.measure]!.sql;
    selects.push(`${aggregateSql(metric.aggregation, expr)} AS m${index}`);
    if (metric.aggregation === 'histogram') selects.push(`min(${expr}) AS hmin${index}`, `max(${expr}) AS hmax${index}`);
  });
  selects.push('count(*) AS rows_in_group');
  const groupBy = groupColumns.length ? `GROUP BY ${groupColumns.map((column) => column.alias).join(', ')}` : '';

  const computedLater = (field: string) => query.metrics.some((metric) => metric.alias === field && (metric.aggregation === 'histogram' || PERCENTILES[metric.aggregation] !== undefined));
  const sortInJs = query.orderBy.some((order) => computedLater(order.field));
  const orderSql = (order: { field: string; direction: 'asc' | 'desc' }) => {
    const group = groupColumns.find((column) => column.field === order.field);
    if (group) return `${group.alias} ${order.direction}`;
    return `m${query.metrics.findIndex((metric) => metric.alias === order.field)} ${order.direction}`;
  };
  const orderClauses = query.orderBy.length
    ? query.orderBy.map(orderSql)
    : groupColumns.some((column) => column.alias === 'td') ? ['td asc'] : [];
  const limit = Math.min(query.rowLimit ?? MAX_ROWS, MAX_ROWS);
  const sql = `SELECT ${selects.join(', ')} FROM ${from} ${whereSql} ${groupBy}
    ${!sortInJs && orderClauses.length ? `ORDER BY ${orderClauses.join(', ')}` : ''} ${sortInJs ? '' : `LIMIT ${limit}`}`;
  const rows = db.prepare(sql).all(...params) as Row[];
  const keyOf = (row: Row) => JSON.stringify(groupColumns.map((column) => row[column.alias] ?? null));
  const byKey = new Map(rows.map((row) => [keyOf(row), row]));
  // Past PERCENTILE_SAMPLE rows a percentile reads every k-th row (by rowid, the same rows on
  // every run) — as ClickHouse's quantile samples, its answers are approximate at that scale.
  const scanned = rows.reduce((sum, row) => sum + Number(row.rows_in_group ?? 0), 0);
  const stride = Math.ceil(scanned / PERCENTILE_SAMPLE);
  const sample = stride > 1 ? ` AND ${view.rowid} % ${stride} = 0` : '';

  // Percentiles: one pass per measure over its distribution — each distinct value with its
  // count, in order (exact, and small: latencies are whole milliseconds) — then linear
  // interpolation between the closest ranks.
  const measures = new Set(query.metrics.filter((metric) => PERCENTILES[metric.aggregation] !== undefined).map((metric) => metric.measure));
  for (const measure of measures) {
    const expr = view.measures[measure]!.sql;
    const groupList = groupColumns.map((column) => column.alias);
    const distribution = db
      .prepare(
        `SELECT ${[...groupColumns.map((column) => `${column.sql} AS ${column.alias}`), `${expr} AS v`, 'count(*) AS c'].join(', ')}
         FROM ${from} ${whereSql} AND (${expr}) IS NOT NULL${sample} GROUP BY ${[...groupList, 'v'].join(', ')}`,
      )
      .iterate(...params) as Iterable<Row>;
    const found = new Map<string, { values: number[]; counts: number[]; n: number }>();
    for (const row of distribution) {
      const key = keyOf(row);
      let entry = found.get(key);
      if (!entry) found.set(key, (entry = { values: [], counts: [], n: 0 }));
      entry.values.push(Number(row.v));
      entry.counts.push(Number(row.c));
      entry.n += Number(row.c);
    }
    query.metrics.forEach((metric, index) => {
      const p = PERCENTILES[metric.aggregation];
      if (metric.measure !== measure || p === undefined) return;
      for (const [key, row] of byKey) {
        const entry = found.get(key);
        row[`m${index}`] = entry ? fromDistribution(entry.values, entry.counts, entry.n, p) : null;
      }
    });
  }

  // Histograms: equal-width bins over each group's [min, max], counted in one pass.
  query.metrics.forEach((metric, index) => {
    if (metric.aggregation !== 'histogram') return;
    const expr = view.measures[metric.measure]!.sql;
    const bins = new Map<string, number[]>();
    const iterator = db
      .prepare(`SELECT ${[...groupColumns.map((column) => `${column.sql} AS ${column.alias}`), `${expr} AS v`].join(', ')} FROM ${from} ${whereSql} AND (${expr}) IS NOT NULL`)
      .iterate(...params) as Iterable<Row>;
    for (const row of iterator) {
      const key = keyOf(row);
      const group = byKey.get(key);
      if (!group) continue;
      const min = Number(group[`hmin${index}`]);
      const max = Number(group[`hmax${index}`]);
      let counts = bins.get(key);
      if (!counts) bins.set(key, (counts = new Array<number>(query.bins).fill(0)));
      const width = (max - min) / query.bins;
      const bin = width === 0 ? 0 : Math.min(query.bins - 1, Math.floor((Number(row.v) - min) / width));
      counts[bin]!++;
    }
    for (const [key, row] of byKey) {
      const counts = bins.get(key);
      const min = Number(row[`hmin${index}`]);
      const max = Number(row[`hmax${index}`]);
      const width = (max - min) / query.bins;
      row[`m${index}`] = counts ? counts.map((height, bin) => [min + bin * width, min + (bin + 1) * width, height]) : [];
    }
  });

  let result = rows.map((row) => {
    const out: Row = {};
    for (const [index, field] of query.dimensions.entries()) {
      const dimension = view.dimensions[field]!;
      const value = row[`d${index}`] ?? null;
      out[field] = dimension.json && typeof value === 'string' ? JSON.parse(value) : dimension.type === 'boolean' && value !== null ? Boolean(value) : value;
    }
    if (query.granularity) out.time_dimension = new Date(Number(row.td)).toISOString();
    query.metrics.forEach((metric, index) => {
      out[metric.alias] = row[`m${index}`] ?? null;
    });
    return out;
  });
  if (sortInJs) {
    result.sort((a, b) => {
      for (const order of query.orderBy) {
        const x = a[order.field] as number | string | null;
        const y = b[order.field] as number | string | null;
        if (x === y) continue;
        if (x === null) return 1;
        if (y === null) return -1;
        const sign = x < y ? -1 : 1;
        return order.direction === 'asc' ? sign : -sign;
      }
      return 0;
    });
    result = result.slice(0, limit);
  }
  return result;
}
