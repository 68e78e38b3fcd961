// The cursor-based read endpoints of Langfuse v4 / Cloud: GET /v2/observations (field groups,
// `filter`) and GET /v3/scores (strict). A self-hosted v3 server answers /v2/observations 404
// after auth ("only available in a Langfuse v4 write mode") but serves /v3/scores.

import { SCORE_DATA_TYPES, SCORE_SOURCES } from '../../domain/types.js';
import type { ObservationRecord, ScoreRecord } from '../ingest/records.js';
import { observationToApi, PROJECT_ID, scoreV3 } from '../views.js';
import { ok, type Route, type RouteContext } from './context.js';
import { OBSERVATIONS_FROM, observationWhere } from './reads-v1.js';
import { ApiQuery, invalidOption, invalidRequest, invalidRequestData, rejectUnknownKeys, type ZodIssue } from '../filter/params.js';
import { IS_ROOT_OBSERVATION } from '../filter/columns.js';

type Row = Record<string, unknown>;

const OBSERVATION_GROUPS = ['core', 'basic', 'time', 'io', 'metadata', 'model', 'usage', 'prompt', 'metrics', 'trace_context'] as const;
type ObservationGroup = (typeof OBSERVATION_GROUPS)[number];

export const V2_OBSERVATIONS_GATE_MESSAGE =
  'The observations v2 API is only available in a Langfuse v4 write mode. Learn more at: https://langfuse.com/docs/v4';

/** A cursor as JSON in base64 (v2 observations) or base64url (v3 scores); else "Invalid cursor format". */
function decodeCursor<T>(raw: string | null, check: (value: T) => boolean): T | null {
  if (raw === null) return null;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as T;
    if (check(value)) return value;
  } catch {
    // fall through to the 400
  }
  throw invalidRequest('Invalid cursor format');
}

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

interface ObservationCursor {
  lastStartTimeTo: string;
  lastTraceId: string;
  lastId: string;
}

function listObservationsV2(ctx: RouteContext) {
  const { repo } = ctx;
  const query = new ApiQuery(ctx.url.searchParams);
  const limit = query.limit(1000, 0);
  const parseIo = query.string('parseIoAsJson');
  if (parseIo !== null && parseIo !== 'false') {
    throw invalidRequest('parseIoAsJson is no longer supported. Parse the input and output JSON strings on the client.');
  }
  // Unknown groups are dropped; core is always there.
  const requested = query.csv('fields').filter((group): group is ObservationGroup => OBSERVATION_GROUPS.includes(group as ObservationGroup));
  const groups = new Set<ObservationGroup>(query.string('fields') !== null ? ['core', ...requested] : ['core', 'basic']);
  const expand = new Set(query.csv('expandMetadata'));
  const where = observationWhere(query, { v2: true });
  const cursor = decodeCursor<ObservationCursor>(
    query.string('cursor'),
    (value) => typeof value?.lastId === 'string' && typeof value.lastTraceId === 'string' && !Number.isNaN(Date.parse(value.lastStartTimeTo)),
  );
  if (cursor) {
    // Order: startTime desc, then trace, then id (Langfuse orders by xxHash32(traceId); any
    // total order works for paging).
    const ms = Date.parse(cursor.lastStartTimeTo);
    where.add(
      '(o.start_ms < ? OR (o.start_ms = ? AND (o.trace_id < ? OR (o.trace_id = ? AND o.id < ?))))',
      ms,
      ms,
      cursor.lastTraceId,
      cursor.lastTraceId,
      cursor.lastId,
    );
  }
  const rows =
    limit === 0
      ? []
      : (repo
          .prepare(
            `SELECT o.body, ${IS_ROOT_OBSERVATION} AS is_root FROM ${OBSERVATIONS_FROM} ${where.sql}
             ORDER BY o.start_ms DESC, o.trace_id DESC, o.id DESC LIMIT ?`,
          )
          .all(...where.params, limit + 1) as Row[]);
  const page = rows.slice(0, limit);
  const records = page.map((row) => JSON.parse(row.body as string) as ObservationRecord);
  const needTraces = groups.has('basic') || groups.has('trace_context');
  const traces = needTraces ? repo.getTraces([...new Set(records.map((record) => record.traceId))]) : new Map();
  const data = records.map((record, index) => {
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
        isRootObservation: Number(page[index]?.is_root) === 1,
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
      Object.assign(item, { traceName: trace?.name ?? null, tags: trace?.tags ?? [], release: record.release ?? trace?.release ?? null });
    }
    return item;
  });
  const last = records[records.length - 1];
  const meta: Record<string, unknown> = {};
  if (rows.length > limit && last) {
    const cursorValue: ObservationCursor = { lastStartTimeTo: last.startTime, lastTraceId: last.traceId, lastId: last.id };
    meta.cursor = Buffer.from(JSON.stringify(cursorValue)).toString('base64');
  }
  return ok({ data, meta });
}

const SCORE_GROUPS = ['core', 'details', 'subject', 'annotation'] as const;

/** GetScoresQueryV3 is `.strict()`: every other key is a 400. */
const V3_SCORE_KEYS = [
  'limit', 'cursor', 'fields', 'id', 'name', 'source', 'dataType', 'environment', 'configId', 'queueId', 'authorUserId',
  'value', 'valueMin', 'valueMax', 'traceId', 'sessionId', 'observationId', 'experimentId', 'fromTimestamp', 'toTimestamp',
  'userId', 'traceTags',
] as const;

interface ScoreCursor {
  v: 1;
  lastTimestamp: string;
  lastId: string;
}

const custom = (path: string, message: string): ZodIssue => ({ code: 'custom', path: [path], message });

/** csvEnumParam: comma-separated, upper-cased, each one of the allowed values. */
function csvEnum(query: ApiQuery, name: string, allowed: readonly string[]): string[] {
  const values = query.csv(name).map((value) => value.toUpperCase());
  const issues = values
    .filter((value) => !allowed.includes(value))
    .map((value) => custom(name, `Invalid ${name} value: "${value}". Allowed: ${allowed.join(', ')}`));
  if (issues.length > 0) throw invalidRequestData(issues);
  return values;
}

function listScoresV3(ctx: RouteContext) {
  const { repo } = ctx;
  rejectUnknownKeys(ctx.url.searchParams, V3_SCORE_KEYS);
  const query = new ApiQuery(ctx.url.searchParams);
  const limit = query.limit();
  const rawFields = query.string('fields');
  const fields = rawFields !== null ? rawFields.split(',').map((group) => group.trim()) : ['core'];
  for (const group of fields) {
    if (!SCORE_GROUPS.includes(group as (typeof SCORE_GROUPS)[number])) throw invalidOption('fields', SCORE_GROUPS);
  }
  const groups = new Set(fields);
  if (query.string('userId') !== null || query.string('traceTags') !== null) {
    throw invalidRequest('userId and traceTags filters are not supported by GET /api/public/v3/scores. Use GET /api/public/v2/scores instead.');
  }
  const sources = csvEnum(query, 'source', SCORE_SOURCES);
  const dataTypes = csvEnum(query, 'dataType', SCORE_DATA_TYPES);
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  const inList = (column: string, values: string[]) => {
    if (values.length > 0) {
      clauses.push(`${column} IN (${values.map(() => '?').join(',')})`);
      params.push(...values);
    }
  };
  inList('s.id', query.csv('id'));
  inList('s.name', query.csv('name'));
  inList('s.source', sources);
  inList('s.data_type', dataTypes);
  inList('s.environment', query.csv('environment'));
  inList('s.config_id', query.csv('configId'));
  inList('s.queue_id', query.csv('queueId'));
  inList(`json_extract(s.body, '$.authorUserId')`, query.csv('authorUserId'));
  const values = query.csv('value');
  if (values.length > 0) {
    const type = dataTypes.length === 1 ? dataTypes[0] : undefined;
    if (type !== 'NUMERIC' && type !== 'BOOLEAN' && type !== 'CATEGORICAL') {
      throw invalidRequest('The value filter requires exactly one dataType of NUMERIC, BOOLEAN or CATEGORICAL.');
    }
    if (type === 'CATEGORICAL') {
      inList(`json_extract(s.body, '$.stringValue')`, values);
    } else {
      const numbers = values.map((value) => (type === 'BOOLEAN' && /^(true|false)$/i.test(value) ? (value.toLowerCase() === 'true' ? 1 : 0) : Number(value)));
      if (numbers.some((number) => !Number.isFinite(number))) throw invalidRequest(`The value filter for ${type} scores must be numbers.`);
      clauses.push(`s.value IN (${numbers.map(() => '?').join(',')})`);
      params.push(...numbers);
    }
  }
  const valueMin = query.number('valueMin');
  const valueMax = query.number('valueMax');
  if ((valueMin !== null || valueMax !== null) && !(dataTypes.length === 1 && dataTypes[0] === 'NUMERIC')) {
    throw invalidRequest('valueMin and valueMax require dataType=NUMERIC.');
  }
  if (valueMin !== null) {
    clauses.push('s.value >= ?');
    params.push(valueMin);
  }
  if (valueMax !== null) {
    clauses.push('s.value <= ?');
    params.push(valueMax);
  }
  const traceIds = query.csv('traceId');
  const sessionIds = query.csv('sessionId');
  const experimentIds = query.csv('experimentId');
  const observationIds = query.csv('observationId');
  if ([traceIds, sessionIds, experimentIds].filter((list) => list.length > 0).length > 1) {
    throw invalidRequest('Only one of traceId, sessionId and experimentId may be set.');
  }
  if (observationIds.length > 0 && traceIds.length === 0) throw invalidRequest('observationId requires traceId.');
  inList('s.trace_id', traceIds);
  inList('s.observation_id', observationIds);
  inList('s.session_id', sessionIds);
  // An experiment is a dataset run: its scores carry the run id.
  inList(`json_extract(s.body, '$.datasetRunId')`, experimentIds);
  const from = query.looseDate('fromTimestamp');
  if (from !== null) {
    clauses.push('s.ts_ms >= ?');
    params.push(from);
  }
  const to = query.looseDate('toTimestamp');
  if (to !== null) {
    clauses.push('s.ts_ms < ?');
    params.push(to);
  }
  const cursor = decodeCursor<ScoreCursor>(
    query.string('cursor'),
    (value) => value?.v === 1 && typeof value.lastId === 'string' && !Number.isNaN(Date.parse(value.lastTimestamp)),
  );
  if (cursor) {
    const ms = Date.parse(cursor.lastTimestamp);
    clauses.push('(s.ts_ms < ? OR (s.ts_ms = ? AND s.id < ?))');
    params.push(ms, ms, cursor.lastId);
  }
  const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
  const rows = repo
    .prepare(`SELECT s.body FROM scores s ${where} ORDER BY s.ts_ms DESC, s.id DESC LIMIT ?`)
    .all(...params, limit + 1) as Row[];
  const records = rows.slice(0, limit).map((row) => JSON.parse(row.body as string) as ScoreRecord);
  const meta: Record<string, unknown> = { limit };
  const last = records[records.length - 1];
  if (rows.length > limit && last) {
    const cursorValue: ScoreCursor = { v: 1, lastTimestamp: new Date(Date.parse(last.timestamp)).toISOString(), lastId: last.id };
    meta.cursor = Buffer.from(JSON.stringify(cursorValue)).toString('base64url');
  }
  return ok({ data: records.map((record) => scoreV3(record, groups)), meta });
}

export const readRoutesV2: Route[] = [
  {
    method: 'GET',
    path: '/api/public/v2/observations',
    handler: listObservationsV2,
    generation: 'v2',
    v4OnlyMessage: V2_OBSERVATIONS_GATE_MESSAGE,
  },
  // Served by v3.225.4 and v4 alike.
  { method: 'GET', path: '/api/public/v3/scores', handler: listScoresV3 },
];
