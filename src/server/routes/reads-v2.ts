// The cursor-based read endpoints of Langfuse v4 / Cloud: GET /v2/observations (with field
// groups) and GET /v3/scores. A Langfuse v3 self-hosted server answers these 404.

import { SCORE_DATA_TYPES, SCORE_SOURCES } from '../../domain/types.js';
import { badRequest } from '../http.js';
import type { ObservationRecord, ScoreRecord } from '../ingest/records.js';
import { observationToApi, PROJECT_ID, scoreDisplayValue } from '../views.js';
import { ok, type Route, type RouteContext } from './context.js';
import { observationWhere } from './reads-v1.js';

type Row = Record<string, unknown>;

const OBSERVATION_GROUPS = ['core', 'basic', 'time', 'io', 'metadata', 'model', 'usage', 'prompt', 'metrics', 'trace_context'] as const;
type ObservationGroup = (typeof OBSERVATION_GROUPS)[number];

interface ObservationCursor {
  lastStartTimeTo: string;
  lastTraceId: string | null;
  lastId: string;
}

function decodeCursor<T>(raw: string | null, check: (value: T) => boolean): T | null {
  if (raw === null) return null;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as T;
    if (check(value)) return value;
  } catch {
    // fall through to the 400
  }
  throw badRequest('cursor is not valid');
}

const encodeCursor = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

const stringify = (value: unknown): string | null =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value);

function truncateMetadata(metadata: unknown, expand: Set<string>): unknown {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return metadata;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    const text = stringify(value);
    result[key] = expand.has(key) || text === null || text.length <= 200 ? value : text.slice(0, 200);
  }
  return result;
}

function listObservationsV2(ctx: RouteContext) {
  const { query, repo } = ctx;
  const limit = query.int('limit', 50, 1, 1000);
  if (query.string('parseIoAsJson') === 'true') throw badRequest('parseIoAsJson is no longer supported');
  const requested = query.strings('fields');
  for (const group of requested) {
    if (!OBSERVATION_GROUPS.includes(group as ObservationGroup)) throw badRequest(`unknown field group ${group}`);
  }
  const groups = new Set<ObservationGroup>(requested.length ? ['core', ...(requested as ObservationGroup[])] : ['core', 'basic']);
  const expand = new Set(query.strings('expandMetadata'));
  const { clauses, params } = observationWhere(query, { versionFromTrace: true });
  const root = query.oneOf('isRootObservation', ['true', 'false'] as const);
  if (root === 'true') clauses.push('o.parent_id IS NULL');
  if (root === 'false') clauses.push('o.parent_id IS NOT NULL');
  const cursor = decodeCursor<ObservationCursor>(query.string('cursor'), (value) => typeof value?.lastId === 'string');
  if (cursor) {
    clauses.push('(o.start_ms < ? OR (o.start_ms = ? AND o.id < ?))');
    const ms = Date.parse(cursor.lastStartTimeTo);
    params.push(ms, ms, cursor.lastId);
  }
  const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
  const rows = repo
    .prepare(`SELECT o.body FROM observations o ${where} ORDER BY o.start_ms DESC, o.id DESC LIMIT ?`)
    .all(...params, limit + 1) as Row[];
  const records = rows.slice(0, limit).map((row) => JSON.parse(row.body as string) as ObservationRecord);
  const needTraces = groups.has('basic') || groups.has('trace_context');
  const traces = needTraces ? repo.getTraces([...new Set(records.map((record) => record.traceId))]) : new Map();
  const data = records.map((record) => {
    const full = observationToApi(record);
    const trace = traces.get(record.traceId)?.record;
    const item: Record<string, unknown> = {
      id: record.id,
      traceId: record.traceId,
      startTime: record.startTime,
      endTime: record.endTime,
      projectId: PROJECT_ID,
      parentObservationId: record.parentObservationId,
      type: record.type,
      modelId: null,
      inputPrice: null,
      outputPrice: null,
      totalPrice: null,
    };
    if (groups.has('basic')) {
      Object.assign(item, {
        name: record.name,
        level: record.level,
        statusMessage: record.statusMessage,
        version: record.version ?? trace?.version ?? null,
        environment: record.environment,
        bookmarked: false,
        public: trace?.public ?? false,
        userId: trace?.userId ?? null,
        sessionId: trace?.sessionId ?? null,
        isRootObservation: record.parentObservationId === null,
      });
    }
    if (groups.has('time')) {
      Object.assign(item, { completionStartTime: record.completionStartTime, createdAt: record.createdAt, updatedAt: record.updatedAt });
    }
    // Langfuse v4 returns input/output as the raw stored strings.
    if (groups.has('io')) Object.assign(item, { input: stringify(record.input), output: stringify(record.output) });
    if (groups.has('metadata')) item.metadata = truncateMetadata(record.metadata, expand);
    if (groups.has('model')) {
      Object.assign(item, { providedModelName: record.model, internalModelId: null, modelParameters: record.modelParameters ?? {} });
    }
    if (groups.has('usage')) {
      Object.assign(item, {
        usageDetails: record.usageDetails,
        costDetails: record.costDetails,
        totalCost: record.costDetails.total ?? null,
        usagePricingTierName: null,
      });
    }
    if (groups.has('prompt')) {
      Object.assign(item, { promptId: null, promptName: record.promptName, promptVersion: record.promptVersion });
    }
    if (groups.has('metrics')) Object.assign(item, { latency: full.latency, timeToFirstToken: full.timeToFirstToken });
    if (groups.has('trace_context')) {
      Object.assign(item, { traceName: trace?.name ?? null, tags: trace?.tags ?? [], release: trace?.release ?? null });
    }
    return item;
  });
  const last = records[records.length - 1];
  const meta: Record<string, unknown> = {};
  if (rows.length > limit && last) {
    meta.cursor = encodeCursor({ lastStartTimeTo: last.startTime, lastTraceId: last.traceId, lastId: last.id });
  }
  return ok({ data, meta });
}

const SCORE_GROUPS = ['details', 'subject', 'annotation'] as const;

interface ScoreCursor {
  ts: number;
  id: string;
}

function scoreV3(record: ScoreRecord, groups: Set<string>) {
  const value = scoreDisplayValue(record);
  const item: Record<string, unknown> = {
    id: record.id,
    projectId: PROJECT_ID,
    name: record.name,
    value,
    dataType: record.dataType,
    source: record.source,
    timestamp: record.timestamp,
    environment: record.environment,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
  if (groups.has('details')) {
    Object.assign(item, { comment: record.comment, configId: record.configId, metadata: record.metadata ?? {} });
  }
  if (groups.has('annotation')) Object.assign(item, { authorUserId: record.authorUserId, queueId: record.queueId });
  if (groups.has('subject')) {
    item.subject = record.observationId
      ? { kind: 'observation', id: record.observationId, traceId: record.traceId }
      : record.traceId
        ? { kind: 'trace', id: record.traceId }
        : record.sessionId
          ? { kind: 'session', id: record.sessionId }
          : { kind: 'experiment', id: record.datasetRunId ?? '' };
  }
  return item;
}

function listScoresV3(ctx: RouteContext) {
  const { query, repo } = ctx;
  const limit = query.int('limit', 50, 1, 100);
  if (query.has('userId') || query.has('traceTags')) {
    throw badRequest('userId and traceTags are not supported by the v3 scores API');
  }
  const requested = query.strings('fields');
  for (const group of requested) {
    if (!SCORE_GROUPS.includes(group as (typeof SCORE_GROUPS)[number])) throw badRequest(`unknown field group ${group}`);
  }
  const groups = new Set(requested);
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  const inList = (column: string, values: string[]) => {
    if (values.length > 0) {
      clauses.push(`${column} IN (${values.map(() => '?').join(',')})`);
      params.push(...values);
    }
  };
  inList('s.id', query.strings('id'));
  inList('s.name', query.strings('name'));
  const sources = query.strings('source');
  for (const source of sources) if (!SCORE_SOURCES.includes(source as never)) throw badRequest(`unknown source ${source}`);
  inList('s.source', sources);
  const dataTypes = query.strings('dataType');
  for (const type of dataTypes) if (!SCORE_DATA_TYPES.includes(type as never)) throw badRequest(`unknown dataType ${type}`);
  inList('s.data_type', dataTypes);
  inList('s.environment', query.strings('environment'));
  inList('s.config_id', query.strings('configId'));
  inList('s.queue_id', query.strings('queueId'));
  const values = query.strings('value');
  if (values.length > 0) {
    clauses.push(`(CAST(s.value AS TEXT) IN (${values.map(() => '?').join(',')}) OR json_extract(s.body, '$.stringValue') IN (${values.map(() => '?').join(',')}))`);
    params.push(...values.map((value) => String(Number(value))), ...values);
  }
  const valueMin = query.number('valueMin');
  const valueMax = query.number('valueMax');
  if ((valueMin !== null || valueMax !== null) && !(dataTypes.length === 1 && dataTypes[0] === 'NUMERIC')) {
    throw badRequest('valueMin and valueMax require dataType=NUMERIC');
  }
  if (valueMin !== null) {
    clauses.push('s.value >= ?');
    params.push(valueMin);
  }
  if (valueMax !== null) {
    clauses.push('s.value <= ?');
    params.push(valueMax);
  }
  const traceId = query.string('traceId');
  const observationId = query.string('observationId');
  if (observationId && !traceId) throw badRequest('observationId requires traceId');
  if (traceId) inList('s.trace_id', [traceId]);
  if (observationId) inList('s.observation_id', [observationId]);
  const sessionId = query.string('sessionId');
  if (sessionId) inList('s.session_id', [sessionId]);
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
  const cursor = decodeCursor<ScoreCursor>(query.string('cursor'), (value) => typeof value?.id === 'string' && typeof value.ts === 'number');
  if (cursor) {
    clauses.push('(s.ts_ms < ? OR (s.ts_ms = ? AND s.id < ?))');
    params.push(cursor.ts, cursor.ts, cursor.id);
  }
  const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
  const rows = repo
    .prepare(`SELECT s.body, s.ts_ms FROM scores s ${where} ORDER BY s.ts_ms DESC, s.id DESC LIMIT ?`)
    .all(...params, limit + 1) as Row[];
  const records = rows.slice(0, limit).map((row) => JSON.parse(row.body as string) as ScoreRecord);
  const meta: Record<string, unknown> = { limit };
  const last = records[records.length - 1];
  if (rows.length > limit && last) meta.cursor = encodeCursor({ ts: Date.parse(last.timestamp), id: last.id });
  return ok({ data: records.map((record) => scoreV3(record, groups)), meta });
}

export const readRoutesV2: Route[] = [
  { method: 'GET', path: '/api/public/v2/observations', handler: listObservationsV2, generation: 'v2' },
  { method: 'GET', path: '/api/public/v3/scores', handler: listScoresV3, generation: 'v2' },
];
