// GET /experiments and /experiment-items: Langfuse v4's experiment reads, from the spans the
// SDK's runner marks (src/server/datasets/experiments.ts). Cursor-paged, newest first. A server
// playing v3.225.4 (`--read-api v1`) answers 404 after auth, as a v3 deployment does.

import { HttpError } from '../http.js';
import { ApiQuery, invalidOption, invalidRequest, invalidRequestData } from '../filter/params.js';
import type { ObservationRecord, ScoreRecord } from '../ingest/records.js';
import { DatasetStore } from '../datasets/repository.js';
import { experimentScore, itemScores, runScores } from '../datasets/experiments.js';
import { ok, type ReadApi, type Route, type RouteContext } from './context.js';

const NOT_V4 = 'The experiments API is only available in a Langfuse v4 write mode. Learn more at: https://langfuse.com/docs/v4';
const ITEMS_NOT_V4 = 'The experiment items API is only available in a Langfuse v4 write mode. Learn more at: https://langfuse.com/docs/v4';

const EXPERIMENT_GROUPS = ['core', 'metadata', 'scores'] as const;
const ITEM_GROUPS = ['core', 'dataset', 'io', 'metadata', 'itemMetadata', 'experimentMetadata', 'scores'] as const;

type Row = Record<string, unknown>;

interface Cursor {
  v: 1;
  lastTime: string;
  lastTraceId: string;
  lastId: string;
  lastExperimentId: string;
}

const encodeCursor = (cursor: Cursor): string => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(raw: string | null): Cursor | null {
  if (raw === null) return null;
  let value: Partial<Cursor>;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    throw invalidRequest('Invalid cursor format');
  }
  const valid =
    value !== null &&
    typeof value === 'object' &&
    value.v === 1 &&
    typeof value.lastTime === 'string' &&
    Number.isFinite(Date.parse(value.lastTime)) &&
    typeof value.lastTraceId === 'string' &&
    typeof value.lastId === 'string' &&
    typeof value.lastExperimentId === 'string';
  if (!valid) throw invalidRequestData([{ code: 'invalid_union', path: ['cursor'], message: 'Invalid input' }]);
  return value as Cursor;
}

function groups<T extends string>(query: ApiQuery, allowed: readonly T[], fallback: T[]): Set<T> {
  const requested = query.csv('fields');
  for (const group of requested) if (!allowed.includes(group as T)) throw invalidOption('fields', allowed);
  return new Set(requested.length ? (requested as T[]) : fallback);
}

interface Condition {
  column: string;
  values: string[];
  negate: boolean;
}

/** The `filter` parameter, on the columns each endpoint allows: `=`, `any of`, `none of`. */
function parseFilter(query: ApiQuery, columns: Record<string, string>): Condition[] {
  const raw = query.string('filter');
  if (raw === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidRequest('Invalid JSON in filter parameter');
  }
  if (!Array.isArray(parsed)) throw invalidRequestData([{ code: 'invalid_type', expected: 'array', path: ['filter'], message: 'Invalid input: expected array' }]);
  return parsed.map((entry: Record<string, unknown>) => {
    const column = typeof entry?.column === 'string' ? columns[entry.column] : undefined;
    if (!column) throw invalidOption('filter', Object.keys(columns));
    if (entry.type === 'string' && entry.operator === '=' && typeof entry.value === 'string') {
      return { column, values: [entry.value], negate: false };
    }
    if (
      entry.type === 'stringOptions' &&
      (entry.operator === 'any of' || entry.operator === 'none of') &&
      Array.isArray(entry.value) &&
      entry.value.every((value) => typeof value === 'string')
    ) {
      return { column, values: entry.value as string[], negate: entry.operator === 'none of' };
    }
    throw invalidRequest(`filter on ${String(entry.column)}: use {"type":"string","operator":"="} or {"type":"stringOptions","operator":"any of"|"none of"}`);
  });
}

/** Deduplicated item root spans in [from, to) with the filters, as a CTE body. */
function rootsSql(query: ApiQuery, conditions: Condition[]) {
  const from = query.datetime('fromStartTime');
  if (from === null) throw invalidRequestData([{ code: 'invalid_type', expected: 'string', path: ['fromStartTime'], message: 'Invalid input: expected string, received undefined' }]);
  const to = query.datetime('toStartTime');
  const clauses = ['e.span_id = e.root_span_id', 'o.start_ms >= ?', 'o.start_ms < ?'];
  const params: (string | number)[] = [from, to ?? Number.MAX_SAFE_INTEGER];
  for (const condition of conditions) {
    if (condition.values.length === 0) continue;
    clauses.push(`${condition.column} ${condition.negate ? 'NOT IN' : 'IN'} (${condition.values.map(() => '?').join(',')})`);
    params.push(...condition.values);
  }
  const sql = `SELECT e.span_id, e.trace_id, e.experiment_id, e.experiment_name, e.item_id, e.dataset_id, e.body,
      o.start_ms, o.end_ms, o.body AS observation
    FROM experiment_spans e JOIN observations o ON o.id = e.span_id
    WHERE ${clauses.join(' AND ')}
      AND NOT EXISTS (
        SELECT 1 FROM experiment_spans e2 JOIN observations o2 ON o2.id = e2.span_id
        WHERE e2.experiment_id = e.experiment_id AND e2.item_id = e.item_id AND e2.span_id = e2.root_span_id
          AND (o2.start_ms > o.start_ms OR (o2.start_ms = o.start_ms AND e2.span_id > e.span_id)))`;
  return { sql, params };
}

function listFilters(query: ApiQuery, columns: Record<string, string>): Condition[] {
  const conditions: Condition[] = [];
  for (const [param, column] of Object.entries(columns)) {
    const values = query.csv(param);
    if (values.length) conditions.push({ column, values, negate: false });
  }
  return [...conditions, ...parseFilter(query, columns)];
}

function listExperiments(ctx: RouteContext) {
  const query = new ApiQuery(ctx.url.searchParams);
  const fields = groups(query, EXPERIMENT_GROUPS, ['core']);
  const limit = query.limit();
  const scoreLimit = query.int('scoreLimit', 50, 1, 50);
  const cursor = decodeCursor(query.string('cursor'));
  const roots = rootsSql(query, listFilters(query, { id: 'e.experiment_id', name: 'e.experiment_name', datasetId: 'e.dataset_id' }));
  const having = cursor ? 'WHERE end_ms < ? OR (end_ms = ? AND id < ?)' : '';
  const cursorParams = cursor ? [Date.parse(cursor.lastTime), Date.parse(cursor.lastTime), cursor.lastExperimentId] : [];
  const rows = DatasetStore.of(ctx.repo.db)
    .prepare(
      `WITH roots AS (${roots.sql}),
       grouped AS (
         SELECT experiment_id AS id, max(experiment_name) AS name, max(dataset_id) AS dataset_id, min(start_ms) AS start_ms,
           max(end_ms) AS end_ms, count(DISTINCT item_id) AS item_count, max(body) AS body
         FROM roots GROUP BY experiment_id)
       SELECT * FROM grouped ${having} ORDER BY end_ms DESC, id DESC LIMIT ?`,
    )
    .all(...roots.params, ...cursorParams, limit + 1) as Row[];
  const page = rows.slice(0, limit);
  const scores = fields.has('scores') ? runScores(ctx.repo.db, page.map((row) => String(row.id))) : new Map<string, ScoreRecord[]>();
  const data = page.map((row) => {
    const body = JSON.parse(row.body as string) as { description: string | null; metadata: Record<string, unknown> | null };
    const experiment: Record<string, unknown> = {
      id: String(row.id),
      name: String(row.name),
      description: body.description,
      startTime: new Date(Number(row.start_ms)).toISOString(),
      endTime: new Date(Number(row.end_ms)).toISOString(),
      itemCount: Number(row.item_count),
      datasetId: row.dataset_id === null ? null : String(row.dataset_id),
    };
    if (fields.has('metadata')) experiment.metadata = body.metadata;
    if (fields.has('scores')) experiment.scores = (scores.get(String(row.id)) ?? []).slice(0, scoreLimit).map(experimentScore);
    return experiment;
  });
  const last = page[page.length - 1];
  const meta: Record<string, unknown> = {};
  if (rows.length > limit && last) {
    meta.cursor = encodeCursor({
      v: 1,
      lastTime: new Date(Number(last.end_ms)).toISOString(),
      lastTraceId: '',
      lastId: String(last.id),
      lastExperimentId: String(last.id),
    });
  }
  return ok({ data, meta });
}

function listExperimentItems(ctx: RouteContext) {
  const query = new ApiQuery(ctx.url.searchParams);
  const fields = groups(query, ITEM_GROUPS, ['core', 'dataset']);
  const limit = query.limit();
  const scoreLimit = query.int('scoreLimit', 50, 1, 50);
  const cursor = decodeCursor(query.string('cursor'));
  const roots = rootsSql(
    query,
    listFilters(query, {
      experimentId: 'e.experiment_id',
      experimentName: 'e.experiment_name',
      experimentItemId: 'e.item_id',
      datasetId: 'e.dataset_id',
    }),
  );
  const after = cursor ? 'WHERE (start_ms, trace_id, span_id) < (?, ?, ?)' : '';
  const cursorParams = cursor ? [Date.parse(cursor.lastTime), cursor.lastTraceId, cursor.lastId] : [];
  const rows = DatasetStore.of(ctx.repo.db)
    .prepare(`WITH roots AS (${roots.sql}) SELECT * FROM roots ${after} ORDER BY start_ms DESC, trace_id DESC, span_id DESC LIMIT ?`)
    .all(...roots.params, ...cursorParams, limit + 1) as Row[];
  const page = rows.slice(0, limit);
  const scores = fields.has('scores')
    ? itemScores(ctx.repo.db, page.map((row) => ({ traceId: String(row.trace_id), spanId: String(row.span_id) })))
    : new Map<string, ScoreRecord[]>();
  const data = page.map((row) => {
    const observation = JSON.parse(row.observation as string) as ObservationRecord;
    const body = JSON.parse(row.body as string) as {
      description: string | null;
      expectedOutput: unknown;
      metadata: Record<string, unknown> | null;
      itemMetadata: Record<string, unknown> | null;
    };
    const item: Record<string, unknown> = {
      id: String(row.span_id),
      traceId: String(row.trace_id),
      startTime: observation.startTime,
      endTime: observation.endTime,
      level: observation.level,
      environment: observation.environment,
      experimentId: String(row.experiment_id),
      experimentName: String(row.experiment_name),
      experimentItemId: String(row.item_id),
    };
    if (fields.has('dataset')) Object.assign(item, { experimentDatasetId: row.dataset_id ?? null, experimentItemVersion: null });
    if (fields.has('io')) Object.assign(item, { input: observation.input ?? null, output: observation.output ?? null, expectedOutput: body.expectedOutput ?? null });
    if (fields.has('metadata')) {
      const metadata = observation.metadata;
      item.metadata = metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata : null;
    }
    if (fields.has('itemMetadata')) item.experimentItemMetadata = body.itemMetadata;
    if (fields.has('experimentMetadata')) Object.assign(item, { experimentMetadata: body.metadata, experimentDescription: body.description });
    if (fields.has('scores')) item.scores = (scores.get(String(row.span_id)) ?? []).slice(0, scoreLimit).map(experimentScore);
    return item;
  });
  const last = page[page.length - 1];
  const meta: Record<string, unknown> = {};
  if (rows.length > limit && last) {
    meta.cursor = encodeCursor({
      v: 1,
      lastTime: new Date(Number(last.start_ms)).toISOString(),
      lastTraceId: String(last.trace_id),
      lastId: String(last.span_id),
      lastExperimentId: String(last.experiment_id),
    });
  }
  return ok({ data, meta });
}

export function experimentRoutes(readApi: ReadApi): Route[] {
  const gated = (message: string, handler: Route['handler']): Route['handler'] =>
    readApi === 'v1'
      ? () => {
          throw new HttpError(404, message, 'LangfuseNotFoundError');
        }
      : handler;
  return [
    { method: 'GET', path: '/api/public/experiments', handler: gated(NOT_V4, listExperiments) },
    { method: 'GET', path: '/api/public/experiment-items', handler: gated(ITEMS_NOT_V4, listExperimentItems) },
  ];
}
