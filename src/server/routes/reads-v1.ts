// The page-based read endpoints of Langfuse v3 servers: GET /traces, /traces/{id},
// /observations, /sessions, /scores, /v2/scores. A v4 events_only server (Cloud) answers these
// 404 before auth; a self-hosted v3 server has only these (and /v3/scores). Parameters are read
// as the real Zod schemas read them (src/server/filter/params.ts); `filter` is applied.

import { LEVELS, OBSERVATION_TYPES, SCORE_DATA_TYPES, SCORE_SOURCES } from '../../domain/types.js';
import { HttpError, pageMeta } from '../http.js';
import type { ScoreRecord } from '../ingest/records.js';
import type { Repository } from '../repository.js';
import { observationToApi, PROJECT_ID, scoreToApi, traceToApi, type TraceFieldGroups } from '../views.js';
import { ok, type Route, type RouteContext } from './context.js';
import { ApiQuery, invalidRequest, invalidRequestData } from '../filter/params.js';
import { parseFilterParam, type FilterCondition } from '../filter/grammar.js';
import { compileFilter, type SqlValue } from '../filter/compile.js';
import { IS_ROOT_OBSERVATION, OBSERVATION_COLUMNS, SCORE_COLUMNS, TRACE_COLUMNS, type Column } from '../filter/columns.js';

type Row = Record<string, unknown>;

const TRACE_ORDER_COLUMNS: Record<string, string> = {
  id: 't.id',
  timestamp: 't.ts_ms',
  name: 't.name',
  userId: 't.user_id',
  release: 't.release',
  version: 't.version',
  public: `json_extract(t.body, '$.public')`,
  bookmarked: `json_extract(t.body, '$.bookmarked')`,
  sessionId: 't.session_id',
};

export const ALL_TRACE_FIELDS: TraceFieldGroups = { io: true, scores: true, observations: true, metrics: true };

/** `fields`: a csv of groups, unknown ones dropped; absent → every group. */
function traceFieldGroups(query: ApiQuery): TraceFieldGroups {
  if (!query.has('fields')) return ALL_TRACE_FIELDS;
  const set = new Set(query.csv('fields'));
  if (set.size === 0) return ALL_TRACE_FIELDS;
  return { io: set.has('io'), scores: set.has('scores'), observations: set.has('observations'), metrics: set.has('metrics') };
}

const notFoundError = (message: string) => new HttpError(404, message, 'LangfuseNotFoundError');

/** Clauses plus their parameters, built up condition by condition. */
class Where {
  readonly clauses: string[] = [];
  readonly params: SqlValue[] = [];

  add(clause: string, ...params: SqlValue[]): void {
    this.clauses.push(clause);
    this.params.push(...params);
  }

  equal(column: string, value: string | null): void {
    if (value !== null) this.add(`${column} = ?`, value);
  }

  inList(column: string, values: string[]): void {
    if (values.length > 0) this.add(`${column} IN (${values.map(() => '?').join(',')})`, ...values);
  }

  get sql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

type SimpleParameter = [field: string, apply: (where: Where) => void];

/**
 * The WHERE of a filtered read, in Langfuse's order: the query is parsed first (the simple
 * parameters and the filter's shape: Zod), then the filter's columns are checked (the handler),
 * and a simple parameter whose column an advanced condition names is dropped.
 */
function withFilter(conditions: FilterCondition[], columns: Column[], simple: SimpleParameter[], fixed: string[] = []): Where {
  const advanced = compileFilter(conditions, columns);
  const where = new Where();
  for (const clause of fixed) where.add(clause);
  for (const [field, apply] of simple) if (!advanced.fields.has(field)) apply(where);
  where.clauses.push(...advanced.clauses);
  where.params.push(...advanced.params);
  return where;
}

/** Most distinct tags one parameter may name (each is a bound parameter). */
const MAX_FILTER_TAGS = 1000;

/** "Has all these tags" as one clause over trace_tags. */
function allTags(where: Where, traceColumn: string, name: string, tags: string[]): void {
  const distinct = [...new Set(tags)];
  if (distinct.length === 0) return;
  if (distinct.length > MAX_FILTER_TAGS) throw invalidRequest(`${name} may name at most ${MAX_FILTER_TAGS} distinct tags`);
  where.add(
    `${traceColumn} IN (SELECT g.trace_id FROM trace_tags g WHERE g.tag IN (${distinct.map(() => '?').join(',')})
      GROUP BY g.trace_id HAVING count(*) = ${distinct.length})`,
    ...distinct,
  );
}

/** The WHERE clause of GET /traces (and the stream's history): simple parameters, then
 * `filter`, which drops the simple parameter of any column it names. */
export function traceWhere(query: ApiQuery): { where: string; params: SqlValue[] } {
  const conditions = parseFilterParam(query.string('filter'));
  const userId = query.string('userId');
  const name = query.string('name');
  const sessionId = query.string('sessionId');
  const version = query.string('version');
  const release = query.string('release');
  const from = query.datetime('fromTimestamp');
  const to = query.datetime('toTimestamp');
  const environments = query.csvOrRepeated('environment');
  const tags = query.csvOrRepeated('tags');
  const where = withFilter(conditions, TRACE_COLUMNS, [
    ['userId', (w) => w.equal('t.user_id', userId)],
    ['name', (w) => w.equal('t.name', name)],
    ['sessionId', (w) => w.equal('t.session_id', sessionId)],
    ['version', (w) => w.equal('t.version', version)],
    ['release', (w) => w.equal('t.release', release)],
    ['timestamp', (w) => from !== null && w.add('t.ts_ms >= ?', from)],
    ['timestamp', (w) => to !== null && w.add('t.ts_ms < ?', to)],
    ['environment', (w) => w.inList('t.environment', environments)],
    ['tags', (w) => allTags(w, 't.id', 'tags', tags)],
  ]);
  return { where: where.sql, params: where.params };
}

function traceOrder(query: ApiQuery): string {
  const orderBy = query.string('orderBy');
  if (orderBy === null) return 't.ts_ms DESC, t.id DESC';
  const dot = orderBy.lastIndexOf('.');
  const column = dot < 0 ? orderBy : orderBy.slice(0, dot);
  const direction = dot < 0 ? '' : orderBy.slice(dot + 1);
  const sql = Object.hasOwn(TRACE_ORDER_COLUMNS, column) ? TRACE_ORDER_COLUMNS[column] : undefined;
  if (!sql) throw invalidRequest(`Invalid order by column: ${column}`);
  if (direction !== 'asc' && direction !== 'desc') {
    throw invalidRequestData([{ code: 'invalid_value', values: ['asc', 'desc'], path: ['orderBy'], message: 'Invalid option: expected one of "asc"|"desc"' }]);
  }
  return `${sql} ${direction.toUpperCase()}, t.id DESC`;
}

function listTraces(ctx: RouteContext) {
  const { repo } = ctx;
  const query = new ApiQuery(ctx.url.searchParams);
  const page = query.page();
  const limit = query.limit();
  const fields = traceFieldGroups(query);
  const order = traceOrder(query);
  query.string('useEventsTable');
  const { where, params } = traceWhere(query);
  if (ctx.twin.tracesRequireDateRange && query.datetime('fromTimestamp') === null) {
    throw invalidRequest('fromTimestamp is required. Set the fromTimestamp query parameter to filter traces by date.');
  }
  const ids = (
    repo.prepare(`SELECT t.id FROM traces t ${where} ORDER BY ${order} LIMIT ? OFFSET ?`).all(
      ...params,
      limit,
      (page - 1) * limit,
    ) as Row[]
  ).map((row) => String(row.id));
  const total = Number((repo.prepare(`SELECT count(*) AS n FROM traces t ${where}`).get(...params) as Row).n);
  return ok({ data: tracesWithIds(repo, ids, fields, 'list'), meta: pageMeta(page, limit, total) });
}

export function tracesWithIds(repo: Repository, ids: string[], fields: TraceFieldGroups, shape: 'list' | 'byId' = 'list') {
  const stored = repo.getTraces(ids);
  const observationIds = fields.observations ? repo.observationIdsOfTraces(ids) : new Map<string, string[]>();
  const scores = fields.scores ? repo.scoresOfTraces(ids) : new Map<string, ScoreRecord[]>();
  return ids.flatMap((id) => {
    const trace = stored.get(id);
    if (!trace) return [];
    return [traceToApi(trace, observationIds.get(id) ?? [], (scores.get(id) ?? []).map((score) => score.id), fields, shape)];
  });
}

export function fullTrace(repo: Repository, traceId: string, fields: TraceFieldGroups = ALL_TRACE_FIELDS) {
  const stored = repo.getTrace(traceId);
  if (!stored) throw notFoundError(`Trace ${traceId} not found within authorized project`);
  const observations = fields.observations ? repo.observationsOfTrace(traceId) : [];
  const scores = fields.scores ? (repo.scoresOfTraces([traceId]).get(traceId) ?? []) : [];
  const trace = traceToApi(stored, [], [], fields, 'byId');
  return {
    ...trace,
    observations: observations.map((observation) => observationToApi(observation)),
    // TraceWithFullDetails lists ScoreV1, which has no CORRECTION variant: corrections are
    // served by the v2/v3 score reads only.
    scores: scores.filter((score) => score.dataType !== 'CORRECTION').map(scoreToApi),
  };
}

function getTrace(ctx: RouteContext) {
  const query = new ApiQuery(ctx.url.searchParams);
  return ok(fullTrace(ctx.repo, ctx.params.traceId as string, traceFieldGroups(query)));
}

/** observations joined to their trace, for filters on trace columns. */
export const OBSERVATIONS_FROM = 'observations o LEFT JOIN traces t ON t.id = o.trace_id';

/** Filters GET /observations and GET /v2/observations share; `v2` adds the v4 parameters
 * (sessionId, isRootObservation, version from the trace, `matches`). */
export function observationWhere(query: ApiQuery, options: { v2?: boolean } = {}): Where {
  const v2 = options.v2 ?? false;
  const conditions = parseFilterParam(query.string('filter'), { allowMatches: v2 });
  const name = query.string('name');
  const traceId = query.string('traceId');
  const parentId = query.string('parentObservationId');
  const version = query.string('version');
  const type = query.oneOf('type', OBSERVATION_TYPES);
  const level = query.oneOf('level', LEVELS);
  const userId = query.string('userId');
  const environments = query.csvOrRepeated('environment');
  const from = query.datetime('fromStartTime');
  const to = query.datetime('toStartTime');
  const sessionId = v2 ? query.string('sessionId') : null;
  const root = v2 ? query.oneOf('isRootObservation', ['true', 'false'] as const) : null;
  const where = withFilter(conditions, OBSERVATION_COLUMNS, [
    ['name', (w) => w.equal('o.name', name)],
    ['traceId', (w) => w.equal('o.trace_id', traceId)],
    ['parentObservationId', (w) => w.equal('o.parent_id', parentId)],
    // Langfuse v4 propagates trace attributes such as version onto every observation.
    ['version', (w) => version !== null && w.add(v2 ? 'coalesce(o.version, t.version) = ?' : 'o.version = ?', version)],
    ['type', (w) => w.equal('o.type', type)],
    ['level', (w) => w.equal('o.level', level)],
    ['userId', (w) => w.equal('t.user_id', userId)],
    ['environment', (w) => w.inList('o.environment', environments)],
    ['startTime', (w) => from !== null && w.add('o.start_ms >= ?', from)],
    ['startTime', (w) => to !== null && w.add('o.start_ms < ?', to)],
    // Not simple filters upstream (an advanced condition does not drop them).
    ['', (w) => w.equal('t.session_id', sessionId)],
    ['', (w) => root !== null && w.add(root === 'true' ? IS_ROOT_OBSERVATION : `NOT ${IS_ROOT_OBSERVATION}`)],
  ]);
  return where;
}

function listObservations(ctx: RouteContext) {
  const { repo } = ctx;
  const query = new ApiQuery(ctx.url.searchParams);
  const page = query.page();
  const limit = query.limit();
  query.string('useEventsTable');
  const where = observationWhere(query);
  const rows = repo
    .prepare(`SELECT o.body FROM ${OBSERVATIONS_FROM} ${where.sql} ORDER BY o.start_ms DESC, o.id DESC LIMIT ? OFFSET ?`)
    .all(...where.params, limit, (page - 1) * limit) as Row[];
  const total = Number((repo.prepare(`SELECT count(*) AS n FROM ${OBSERVATIONS_FROM} ${where.sql}`).get(...where.params) as Row).n);
  return ok({
    data: rows.map((row) => observationToApi(JSON.parse(row.body as string))),
    meta: pageMeta(page, limit, total),
  });
}

function getObservation(ctx: RouteContext) {
  const record = ctx.repo.getObservation(ctx.params.observationId as string);
  if (!record) throw notFoundError(`Observation ${ctx.params.observationId} not found within authorized project`);
  return ok(observationToApi(record));
}

function listSessions(ctx: RouteContext) {
  const { repo } = ctx;
  const query = new ApiQuery(ctx.url.searchParams);
  const page = query.page();
  const limit = query.limit();
  const where = new Where();
  where.add('session_id IS NOT NULL');
  const from = query.datetime('fromTimestamp');
  const to = query.datetime('toTimestamp');
  // Sessions' environment is exact or repeated, never comma-split.
  where.inList('environment', query.repeated('environment'));
  const having: string[] = [];
  const havingParams: SqlValue[] = [];
  if (from !== null) {
    having.push('min(ts_ms) >= ?');
    havingParams.push(from);
  }
  if (to !== null) {
    having.push('min(ts_ms) < ?');
    havingParams.push(to);
  }
  const params = [...where.params, ...havingParams];
  const grouped = `SELECT session_id, min(ts_ms) AS created, min(environment) AS environment FROM traces
    ${where.sql} GROUP BY session_id ${having.length ? `HAVING ${having.join(' AND ')}` : ''}`;
  const rows = repo
    .prepare(`${grouped} ORDER BY created DESC, session_id LIMIT ? OFFSET ?`)
    .all(...params, limit, (page - 1) * limit) as Row[];
  const total = Number((repo.prepare(`SELECT count(*) AS n FROM (${grouped})`).get(...params) as Row).n);
  return ok({
    data: rows.map((row) => ({
      id: String(row.session_id),
      createdAt: new Date(Number(row.created)).toISOString(),
      projectId: PROJECT_ID,
      environment: String(row.environment),
    })),
    meta: pageMeta(page, limit, total),
  });
}

function getSession(ctx: RouteContext) {
  const { repo } = ctx;
  const sessionId = ctx.params.sessionId as string;
  const ids = (
    repo.prepare('SELECT id FROM traces WHERE session_id = ? ORDER BY ts_ms, id').all(sessionId) as Row[]
  ).map((row) => String(row.id));
  if (ids.length === 0) throw notFoundError('Session not found within authorized project');
  const traces = tracesWithIds(repo, ids, ALL_TRACE_FIELDS);
  const first = traces[0];
  return ok({
    id: sessionId,
    createdAt: first?.timestamp,
    projectId: PROJECT_ID,
    environment: first?.environment ?? 'default',
    traces,
  });
}

const SCORE_OPERATORS = ['<', '>', '<=', '>=', '!=', '='] as const;

/** Filters of GET /scores (v1: trace scores only) and GET /v2/scores. */
export function scoreWhere(query: ApiQuery, options: { v2: boolean }): Where {
  const conditions = parseFilterParam(query.string('filter'));
  const name = query.string('name');
  const source = query.oneOf('source', SCORE_SOURCES);
  const dataType = query.oneOf('dataType', SCORE_DATA_TYPES);
  const configId = query.string('configId');
  const queueId = query.string('queueId');
  const scoreIds = query.csv('scoreIds');
  const environments = query.csvOrRepeated('environment');
  const from = query.datetime('fromTimestamp');
  const to = query.datetime('toTimestamp');
  const operator = query.oneOf('operator', SCORE_OPERATORS);
  const value = query.number('value');
  const userId = query.string('userId');
  const traceTags = query.csvOrRepeated('traceTags');
  const simple: SimpleParameter[] = [
    ['name', (w) => w.equal('s.name', name)],
    ['source', (w) => w.equal('s.source', source)],
    ['dataType', (w) => w.equal('s.data_type', dataType)],
    ['', (w) => w.equal('s.config_id', configId)],
    ['', (w) => w.equal('s.queue_id', queueId)],
    ['id', (w) => w.inList('s.id', scoreIds)],
    ['environment', (w) => w.inList('s.environment', environments)],
    ['timestamp', (w) => from !== null && w.add('s.ts_ms >= ?', from)],
    ['timestamp', (w) => to !== null && w.add('s.ts_ms < ?', to)],
    ['value', (w) => operator !== null && value !== null && w.add(`s.value ${operator === '!=' ? '<>' : operator} ?`, value)],
    ['userId', (w) => userId !== null && w.add('s.trace_id IN (SELECT id FROM traces WHERE user_id = ?)', userId)],
    ['trace_tags', (w) => allTags(w, 's.trace_id', 'traceTags', traceTags)],
  ];
  if (options.v2) {
    const sessionId = query.string('sessionId');
    const traceId = query.string('traceId');
    const datasetRunId = query.string('datasetRunId');
    const observationIds = query.csv('observationId');
    simple.push(
      ['sessionId', (w) => w.equal('s.session_id', sessionId)],
      ['traceId', (w) => w.equal('s.trace_id', traceId)],
      ['', (w) => w.equal(`json_extract(s.body, '$.datasetRunId')`, datasetRunId)],
      ['observationId', (w) => w.inList('s.observation_id', observationIds)],
    );
  }
  // v1 GET /scores lists trace scores only.
  return withFilter(conditions, SCORE_COLUMNS, simple, options.v2 ? [] : ['s.trace_id IS NOT NULL']);
}

function listScores(ctx: RouteContext, v2: boolean) {
  const { repo } = ctx;
  const query = new ApiQuery(ctx.url.searchParams);
  const page = query.page();
  const limit = query.limit();
  const groups = query.csv('fields');
  const withTrace = groups.length === 0 || groups.includes('trace');
  if (v2 && !withTrace && (query.string('userId') !== null || query.has('traceTags'))) {
    throw invalidRequest('Cannot filter by userId or traceTags without the trace field group. Add "trace" to fields.');
  }
  const where = scoreWhere(query, { v2 });
  const rows = repo
    .prepare(`SELECT s.body FROM scores s ${where.sql} ORDER BY s.ts_ms DESC, s.id DESC LIMIT ? OFFSET ?`)
    .all(...where.params, limit, (page - 1) * limit) as Row[];
  const total = Number((repo.prepare(`SELECT count(*) AS n FROM scores s ${where.sql}`).get(...where.params) as Row).n);
  const records = rows.map((row) => JSON.parse(row.body as string) as ScoreRecord);
  const traces = withTrace
    ? repo.getTraces([...new Set(records.flatMap((record) => (record.traceId ? [record.traceId] : [])))])
    : new Map();
  return ok({
    data: records.map((record) => {
      const score = scoreToApi(record);
      if (!withTrace) return score;
      const trace = record.traceId ? traces.get(record.traceId)?.record : undefined;
      return {
        ...score,
        trace: trace
          ? { userId: trace.userId, tags: trace.tags, environment: trace.environment, sessionId: trace.sessionId }
          : null,
      };
    }),
    meta: pageMeta(page, limit, total),
  });
}

function getScore(ctx: RouteContext) {
  const record = ctx.repo.getScore(ctx.params.scoreId as string);
  if (!record) throw notFoundError(`Score ${ctx.params.scoreId} not found within authorized project`);
  return ok(scoreToApi(record));
}

export const readRoutesV1: Route[] = [
  { method: 'GET', path: '/api/public/traces', handler: listTraces, generation: 'v1' },
  { method: 'GET', path: '/api/public/traces/:traceId', handler: getTrace, generation: 'v1' },
  { method: 'GET', path: '/api/public/observations', handler: listObservations, generation: 'v1' },
  { method: 'GET', path: '/api/public/observations/:observationId', handler: getObservation, generation: 'v1' },
  { method: 'GET', path: '/api/public/sessions', handler: listSessions, generation: 'v1' },
  { method: 'GET', path: '/api/public/sessions/:sessionId', handler: getSession, generation: 'v1' },
  { method: 'GET', path: '/api/public/scores', handler: (ctx) => listScores(ctx, false), generation: 'v1' },
  { method: 'GET', path: '/api/public/scores/:scoreId', handler: getScore, generation: 'v1' },
  { method: 'GET', path: '/api/public/v2/scores', handler: (ctx) => listScores(ctx, true), generation: 'v1' },
  { method: 'GET', path: '/api/public/v2/scores/:scoreId', handler: getScore, generation: 'v1' },
];
