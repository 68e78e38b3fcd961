// The page-based read endpoints of Langfuse v3 servers: GET /traces, /traces/{id},
// /observations, /sessions, /v2/scores. Langfuse Cloud answers these 404 since 2026-11-16;
// a self-hosted v3 server has only these.

import { LEVELS, OBSERVATION_TYPES, SCORE_DATA_TYPES, SCORE_SOURCES } from '../../domain/types.js';
import { badRequest, notFound, pageMeta, type Query } from '../http.js';
import type { ScoreRecord } from '../ingest/records.js';
import type { Repository } from '../repository.js';
import { observationToApi, PROJECT_ID, scoreToApi, traceToApi, type TraceFieldGroups } from '../views.js';
import { ok, type Route, type RouteContext } from './context.js';

type SqlValue = string | number | null;
type Row = Record<string, unknown>;

const TRACE_ORDER_COLUMNS: Record<string, string> = {
  id: 't.id',
  timestamp: 't.ts_ms',
  name: 't.name',
  userId: 't.user_id',
  release: 't.release',
  version: 't.version',
  sessionId: 't.session_id',
};

export const ALL_TRACE_FIELDS: TraceFieldGroups = { io: true, scores: true, observations: true, metrics: true };

function traceFieldGroups(query: Query): TraceFieldGroups {
  const requested = query.strings('fields');
  if (requested.length === 0) return ALL_TRACE_FIELDS;
  const set = new Set(requested);
  return { io: set.has('io'), scores: set.has('scores'), observations: set.has('observations'), metrics: set.has('metrics') };
}

/** The WHERE clause GET /traces and the stream's history share. */
export function traceWhere(query: Query): { where: string; params: SqlValue[] } {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  const equal = (column: string, value: string | null) => {
    if (value !== null) {
      clauses.push(`${column} = ?`);
      params.push(value);
    }
  };
  equal('t.user_id', query.string('userId'));
  equal('t.name', query.string('name'));
  equal('t.session_id', query.string('sessionId'));
  equal('t.version', query.string('version'));
  equal('t.release', query.string('release'));
  const from = query.datetime('fromTimestamp');
  if (from !== null) {
    clauses.push('t.ts_ms >= ?');
    params.push(from);
  }
  const to = query.datetime('toTimestamp');
  if (to !== null) {
    clauses.push('t.ts_ms < ?');
    params.push(to);
  }
  const environments = query.strings('environment');
  if (environments.length > 0) {
    clauses.push(`t.environment IN (${environments.map(() => '?').join(',')})`);
    params.push(...environments);
  }
  const tags = tagFilter(query, 'tags', 't.id');
  if (tags) {
    clauses.push(tags.clause);
    params.push(...tags.params);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function listTraces(ctx: RouteContext) {
  const { query, repo } = ctx;
  const page = query.int('page', 1, 1, Number.MAX_SAFE_INTEGER);
  const limit = query.int('limit', 50, 1, 100);
  const fields = traceFieldGroups(query);
  const { where, params } = traceWhere(query);
  let order = 't.ts_ms DESC, t.id DESC';
  const orderBy = query.string('orderBy');
  if (orderBy) {
    const match = /^(\w+)\.(asc|desc)$/i.exec(orderBy);
    if (!match) throw badRequest('orderBy must look like "timestamp.desc"');
    const column = TRACE_ORDER_COLUMNS[match[1] as string];
    if (!column) throw badRequest(`orderBy field must be one of ${Object.keys(TRACE_ORDER_COLUMNS).join(', ')}`);
    order = `${column} ${(match[2] as string).toUpperCase()}, t.id DESC`;
  }
  const ids = (
    repo.prepare(`SELECT t.id FROM traces t ${where} ORDER BY ${order} LIMIT ? OFFSET ?`).all(
      ...params,
      limit,
      (page - 1) * limit,
    ) as Row[]
  ).map((row) => String(row.id));
  const total = Number((repo.prepare(`SELECT count(*) AS n FROM traces t ${where}`).get(...params) as Row).n);
  return ok({ data: tracesWithIds(repo, ids, fields), meta: pageMeta(page, limit, total) });
}

/** Most distinct tags one filter may name (each is a bound parameter). */
const MAX_FILTER_TAGS = 1000;

/** "Has all these tags" as one clause: a repeated tag counts once, and a long list is one
 * IN (...) rather than an AND chain past SQLite's expression-depth limit. */
function tagFilter(query: Query, name: string, traceColumn: string): { clause: string; params: string[] } | null {
  const tags = [...new Set(query.repeated(name))];
  if (tags.length === 0) return null;
  if (tags.length > MAX_FILTER_TAGS) throw badRequest(`${name} may name at most ${MAX_FILTER_TAGS} distinct tags`);
  return {
    clause: `${traceColumn} IN (SELECT g.trace_id FROM trace_tags g WHERE g.tag IN (${tags.map(() => '?').join(',')})
      GROUP BY g.trace_id HAVING count(*) = ${tags.length})`,
    params: tags,
  };
}

export function tracesWithIds(repo: Repository, ids: string[], fields: TraceFieldGroups) {
  const stored = repo.getTraces(ids);
  const observationIds = fields.observations ? repo.observationIdsOfTraces(ids) : new Map<string, string[]>();
  const scores = fields.scores ? repo.scoresOfTraces(ids) : new Map<string, ScoreRecord[]>();
  return ids.flatMap((id) => {
    const trace = stored.get(id);
    if (!trace) return [];
    return [traceToApi(trace, observationIds.get(id) ?? [], (scores.get(id) ?? []).map((score) => score.id), fields)];
  });
}

export function fullTrace(repo: Repository, traceId: string, fields: TraceFieldGroups = ALL_TRACE_FIELDS) {
  const stored = repo.getTrace(traceId);
  if (!stored) throw notFound(`Trace ${traceId}`);
  const observations = fields.observations ? repo.observationsOfTrace(traceId) : [];
  const scores = fields.scores ? (repo.scoresOfTraces([traceId]).get(traceId) ?? []) : [];
  const trace = traceToApi(stored, [], [], fields);
  return {
    ...trace,
    observations: observations.map((observation) => observationToApi(observation)),
    // TraceWithFullDetails lists ScoreV1, which has no CORRECTION variant: corrections are
    // served by the v2/v3 score reads only.
    scores: scores.filter((score) => score.dataType !== 'CORRECTION').map(scoreToApi),
  };
}

function getTrace(ctx: RouteContext) {
  return ok(fullTrace(ctx.repo, ctx.params.traceId as string, traceFieldGroups(ctx.query)));
}

function listObservations(ctx: RouteContext) {
  const { query, repo } = ctx;
  const page = query.int('page', 1, 1, Number.MAX_SAFE_INTEGER);
  const limit = query.int('limit', 50, 1, 100);
  const { where, params } = observationWhere(query);
  const rows = repo
    .prepare(
      `SELECT o.body FROM observations o ${where} ORDER BY o.start_ms DESC, o.id DESC LIMIT ? OFFSET ?`,
    )
    .all(...params, limit, (page - 1) * limit) as Row[];
  const total = Number((repo.prepare(`SELECT count(*) AS n FROM observations o ${where}`).get(...params) as Row).n);
  return ok({
    data: rows.map((row) => observationToApi(JSON.parse(row.body as string))),
    meta: pageMeta(page, limit, total),
  });
}

/** Filters GET /observations and GET /v2/observations share. */
export function observationWhere(query: Query, options: { versionFromTrace?: boolean } = {}) {
  const timeParams = { from: 'fromStartTime', to: 'toStartTime' };
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  const equal = (column: string, value: string | null) => {
    if (value !== null) {
      clauses.push(`${column} = ?`);
      params.push(value);
    }
  };
  equal('o.name', query.string('name'));
  equal('o.trace_id', query.string('traceId'));
  equal('o.parent_id', query.string('parentObservationId'));
  const version = query.string('version');
  if (version !== null && options.versionFromTrace) {
    // Langfuse v4 propagates trace attributes such as version onto every observation.
    clauses.push('COALESCE(o.version, (SELECT t.version FROM traces t WHERE t.id = o.trace_id)) = ?');
    params.push(version);
  } else {
    equal('o.version', version);
  }
  const type = query.oneOf('type', OBSERVATION_TYPES);
  equal('o.type', type);
  const level = query.oneOf('level', LEVELS);
  equal('o.level', level);
  const userId = query.string('userId');
  if (userId !== null) {
    clauses.push('o.trace_id IN (SELECT id FROM traces WHERE user_id = ?)');
    params.push(userId);
  }
  const sessionId = query.string('sessionId');
  if (sessionId !== null) {
    clauses.push('o.trace_id IN (SELECT id FROM traces WHERE session_id = ?)');
    params.push(sessionId);
  }
  const environments = query.strings('environment');
  if (environments.length > 0) {
    clauses.push(`o.environment IN (${environments.map(() => '?').join(',')})`);
    params.push(...environments);
  }
  const from = query.datetime(timeParams.from);
  if (from !== null) {
    clauses.push('o.start_ms >= ?');
    params.push(from);
  }
  const to = query.datetime(timeParams.to);
  if (to !== null) {
    clauses.push('o.start_ms < ?');
    params.push(to);
  }
  return { clauses, params, where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '' };
}

function getObservation(ctx: RouteContext) {
  const record = ctx.repo.getObservation(ctx.params.observationId as string);
  if (!record) throw notFound(`Observation ${ctx.params.observationId}`);
  return ok(observationToApi(record));
}

function listSessions(ctx: RouteContext) {
  const { query, repo } = ctx;
  const page = query.int('page', 1, 1, Number.MAX_SAFE_INTEGER);
  const limit = query.int('limit', 50, 1, 100);
  const clauses = ['session_id IS NOT NULL'];
  const params: SqlValue[] = [];
  const from = query.datetime('fromTimestamp');
  const to = query.datetime('toTimestamp');
  const environments = query.strings('environment');
  if (environments.length > 0) {
    clauses.push(`environment IN (${environments.map(() => '?').join(',')})`);
    params.push(...environments);
  }
  const having: string[] = [];
  if (from !== null) {
    having.push('min(ts_ms) >= ?');
    params.push(from);
  }
  if (to !== null) {
    having.push('min(ts_ms) < ?');
    params.push(to);
  }
  const grouped = `SELECT session_id, min(ts_ms) AS created, min(environment) AS environment FROM traces
    WHERE ${clauses.join(' AND ')} GROUP BY session_id ${having.length ? `HAVING ${having.join(' AND ')}` : ''}`;
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
  if (ids.length === 0) throw notFound(`Session ${sessionId}`);
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

/** Filters of GET /v2/scores (and the stream's score lookups). */
function scoreWhere(query: Query) {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  const equal = (column: string, value: string | null) => {
    if (value !== null) {
      clauses.push(`${column} = ?`);
      params.push(value);
    }
  };
  equal('s.name', query.string('name'));
  equal('s.source', query.oneOf('source', SCORE_SOURCES));
  equal('s.data_type', query.oneOf('dataType', SCORE_DATA_TYPES));
  equal('s.config_id', query.string('configId'));
  equal('s.queue_id', query.string('queueId'));
  equal('s.session_id', query.string('sessionId'));
  const inList = (column: string, values: string[]) => {
    if (values.length > 0) {
      clauses.push(`${column} IN (${values.map(() => '?').join(',')})`);
      params.push(...values);
    }
  };
  inList('s.trace_id', query.strings('traceId'));
  inList('s.observation_id', query.strings('observationId'));
  inList('s.id', query.strings('scoreIds'));
  inList('s.environment', query.strings('environment'));
  const from = query.datetime('fromTimestamp');
  if (from !== null) {
    clauses.push('s.ts_ms >= ?');
    params.push(from);
  }
  const to = query.datetime('toTimestamp');
  if (to !== null) {
    clauses.push('s.ts_ms < ?');
    params.push(to);
  }
  const operator = query.oneOf('operator', ['<', '>', '<=', '>=', '!=', '='] as const);
  const value = query.number('value');
  if ((operator === null) !== (value === null)) throw badRequest('operator and value go together');
  if (operator !== null && value !== null) {
    clauses.push(`s.value ${operator === '!=' ? '<>' : operator} ?`);
    params.push(value);
  }
  const userId = query.string('userId');
  if (userId !== null) {
    clauses.push('s.trace_id IN (SELECT id FROM traces WHERE user_id = ?)');
    params.push(userId);
  }
  const tags = tagFilter(query, 'traceTags', 's.trace_id');
  if (tags) {
    clauses.push(tags.clause);
    params.push(...tags.params);
  }
  return { clauses, params, where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '' };
}

function listScoresV2(ctx: RouteContext) {
  const { query, repo } = ctx;
  const page = query.int('page', 1, 1, Number.MAX_SAFE_INTEGER);
  const limit = query.int('limit', 50, 1, 100);
  const groups = query.strings('fields');
  const withTrace = groups.length === 0 || groups.includes('trace');
  if (!withTrace && (query.has('userId') || query.has('traceTags'))) {
    throw badRequest('userId and traceTags filters need the trace field group');
  }
  const { where, params } = scoreWhere(query);
  const rows = repo
    .prepare(`SELECT s.body FROM scores s ${where} ORDER BY s.ts_ms DESC, s.id DESC LIMIT ? OFFSET ?`)
    .all(...params, limit, (page - 1) * limit) as Row[];
  const total = Number((repo.prepare(`SELECT count(*) AS n FROM scores s ${where}`).get(...params) as Row).n);
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

function getScoreV2(ctx: RouteContext) {
  const record = ctx.repo.getScore(ctx.params.scoreId as string);
  if (!record) throw notFound(`Score ${ctx.params.scoreId}`);
  return ok(scoreToApi(record));
}

export const readRoutesV1: Route[] = [
  { method: 'GET', path: '/api/public/traces', handler: listTraces, generation: 'v1' },
  { method: 'GET', path: '/api/public/traces/:traceId', handler: getTrace, generation: 'v1' },
  { method: 'GET', path: '/api/public/observations', handler: listObservations, generation: 'v1' },
  { method: 'GET', path: '/api/public/observations/:observationId', handler: getObservation, generation: 'v1' },
  { method: 'GET', path: '/api/public/sessions', handler: listSessions, generation: 'v1' },
  { method: 'GET', path: '/api/public/sessions/:sessionId', handler: getSession, generation: 'v1' },
  { method: 'GET', path: '/api/public/v2/scores', handler: listScoresV2, generation: 'v1' },
  { method: 'GET', path: '/api/public/v2/scores/:scoreId', handler: getScoreV2, generation: 'v1' },
];

export { scoreWhere };
