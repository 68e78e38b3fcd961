// The server-side half of the filter language, per Langfuse read generation: which simple
// query parameters and which `filter` conditions (JSON, Langfuse's grammar) a TraceQuery becomes.
// Pure: no I/O, so what each request carries is unit-tested without a network.
//
//   v1 (self-hosted v3): GET /traces takes userId/name/sessionId/version/release/tags (all of)/
//       environment (any of)/fromTimestamp/toTimestamp, and `filter` on trace columns — level,
//       scores_avg (numberObject), score_categories (categoryOptions), score_booleans
//       (booleanObject). A numeric `!=` has no operator there: it becomes two alternatives
//       (< and >), read separately and merged.
//   v2 (Cloud / v4): no trace list. Traces are the root observations of GET /v2/observations,
//       whose `filter` takes the trace context (tags, traceName, release, userId, …); there are
//       no score columns, so score conditions resolve through GET /v3/scores (name, dataType,
//       valueMin/valueMax, fromTimestamp) and are finished exactly on the client.

import { emptyFilter, type TraceFilter } from '../domain/filter-language.js';
import type { ScoreCondition, TraceQuery } from '../domain/types.js';
import type { QueryValue } from './http.js';

export type NumberOperator = '=' | '>' | '<' | '>=' | '<=';

export type FilterCondition =
  | { type: 'string'; column: string; operator: '=' | 'contains' | 'does not contain' | 'starts with' | 'ends with'; value: string }
  | { type: 'stringOptions'; column: string; operator: 'any of' | 'none of'; value: string[] }
  | { type: 'arrayOptions'; column: string; operator: 'any of' | 'none of' | 'all of'; value: string[] }
  | { type: 'categoryOptions'; column: string; key: string; operator: 'any of' | 'none of'; value: string[] }
  | { type: 'number'; column: string; operator: NumberOperator; value: number }
  | { type: 'datetime'; column: string; operator: '>' | '<' | '>=' | '<='; value: string }
  | { type: 'boolean'; column: string; operator: '=' | '<>'; value: boolean }
  | { type: 'numberObject'; column: string; key: string; operator: NumberOperator; value: number }
  | { type: 'booleanObject'; column: string; key: string; operator: '=' | '<>'; value: boolean }
  | { type: 'stringObject'; column: string; key: string; operator: '='; value: string };

/** The query as this module reads it (the filter language's server-side form). */
export type ExtendedQuery = TraceQuery;

/** The `filter` query parameter's value: JSON, or nothing for no conditions. */
export const encodeFilter = (conditions: FilterCondition[]): string | undefined => (conditions.length ? JSON.stringify(conditions) : undefined);

/** Levels a `level:` condition admits (warning means warnings or worse). */
export const levelsFor = (level: 'error' | 'warning'): string[] => (level === 'error' ? ['ERROR'] : ['ERROR', 'WARNING']);

/** One score condition as v1 trace-column conditions; a numeric != needs two alternatives. */
export function v1ScoreAlternatives(condition: ScoreCondition): FilterCondition[][] {
  const { name, operator, value } = condition;
  if (typeof value === 'number') {
    if (operator === '!=') {
      return [
        [{ type: 'numberObject', column: 'scores_avg', key: name, operator: '<', value }],
        [{ type: 'numberObject', column: 'scores_avg', key: name, operator: '>', value }],
      ];
    }
    return [[{ type: 'numberObject', column: 'scores_avg', key: name, operator, value }]];
  }
  if (typeof value === 'boolean') {
    return [[{ type: 'booleanObject', column: 'score_booleans', key: name, operator: operator === '!=' ? '<>' : '=', value }]];
  }
  return [[{ type: 'categoryOptions', column: 'score_categories', key: name, operator: operator === '!=' ? 'none of' : 'any of', value: [value] }]];
}

/** The cross product of alternative lists: AND of ORs as an OR of ANDs. */
function crossProduct(groups: FilterCondition[][][]): FilterCondition[][] {
  let result: FilterCondition[][] = [[]];
  for (const alternatives of groups) result = result.flatMap((prefix) => alternatives.map((alternative) => [...prefix, ...alternative]));
  return result;
}

/** Alternatives past this many (several numeric `!=` at once) are not expanded: the score part is finished client-side. */
const MAX_ALTERNATIVES = 4;

export interface V1TraceRequest {
  params: Record<string, QueryValue>;
  /** Each alternative is one paged read of GET /traces with that `filter`; results are merged. */
  alternatives: FilterCondition[][];
}

/**
 * GET /traces for a query. `fromTimestamp` is always sent: servers with
 * LANGFUSE_API_TRACES_REJECT_NO_DATE_RANGE answer 400 without it.
 */
export function v1TraceRequest(query: TraceQuery, defaultFrom: string): V1TraceRequest {
  const params: Record<string, QueryValue> = {
    userId: query.userId,
    name: query.name,
    sessionId: query.sessionId,
    version: query.version,
    release: query.release,
    tags: query.tags?.length ? query.tags : undefined,
    environment: query.environment?.length ? query.environment : undefined,
    fromTimestamp: query.fromTimestamp ?? defaultFrom,
    toTimestamp: query.toTimestamp,
  };
  const groups: FilterCondition[][][] = [];
  if (query.level) groups.push([[{ type: 'stringOptions', column: 'level', operator: 'any of', value: levelsFor(query.level) }]]);
  for (const condition of query.scores ?? []) groups.push(v1ScoreAlternatives(condition));
  let alternatives = crossProduct(groups);
  if (alternatives.length > MAX_ALTERNATIVES) alternatives = crossProduct(groups.filter((group) => group.length === 1));
  return { params, alternatives };
}

/** The score conditions a v1 request could not carry (only when too many `!=` multiplied). */
export function v1ClientScoreConditions(query: TraceQuery): ScoreCondition[] {
  const scores = query.scores ?? [];
  const expanded = scores.reduce((count, condition) => count * v1ScoreAlternatives(condition).length, 1);
  return expanded > MAX_ALTERNATIVES ? scores.filter((condition) => v1ScoreAlternatives(condition).length > 1) : [];
}

/** Trace-context conditions every v2 observation carries (roots and candidates alike). */
export function v2TraceContext(query: ExtendedQuery): { params: Record<string, QueryValue>; filter: FilterCondition[] } {
  const filter: FilterCondition[] = [];
  if (query.tags?.length) filter.push({ type: 'arrayOptions', column: 'tags', operator: 'all of', value: query.tags });
  if (query.name) filter.push({ type: 'string', column: 'traceName', operator: '=', value: query.name });
  if (query.release) filter.push({ type: 'string', column: 'release', operator: '=', value: query.release });
  return {
    params: {
      userId: query.userId,
      sessionId: query.sessionId,
      environment: query.environment?.length ? query.environment : undefined,
      fromStartTime: query.fromTimestamp,
      toStartTime: query.toTimestamp,
    },
    filter,
  };
}

/** The v2 read standing in for a trace list: root observations with the trace's context. */
export const V2_ROOT_FIELDS = 'core,basic,time,usage,metrics,trace_context';

export function v2RootRequest(query: ExtendedQuery, options: { includeIo?: boolean; traceIds?: string[] } = {}): { params: Record<string, QueryValue>; filter: FilterCondition[] } {
  const context = v2TraceContext(query);
  const filter = [...context.filter];
  // The trace's version is the root's version here (the v4 events table copies it).
  if (query.version) filter.push({ type: 'string', column: 'version', operator: '=', value: query.version });
  if (options.traceIds) filter.push({ type: 'stringOptions', column: 'traceId', operator: 'any of', value: options.traceIds });
  return {
    params: {
      ...context.params,
      isRootObservation: 'true',
      fields: options.includeIo ? `${V2_ROOT_FIELDS},io,metadata` : V2_ROOT_FIELDS,
    },
    filter,
  };
}

/**
 * Observations that make a trace a candidate on v2: at a level, or with a prompt or model (conditions
 * on any observation of the trace, not only its root). Null when the query has none.
 */
export function v2ObservationConditions(query: ExtendedQuery): FilterCondition[] | null {
  const conditions: FilterCondition[] = [];
  if (query.level) conditions.push({ type: 'stringOptions', column: 'level', operator: 'any of', value: levelsFor(query.level) });
  if (query.prompt) conditions.push({ type: 'string', column: 'promptName', operator: '=', value: query.prompt.name });
  if (query.prompt && query.prompt.version !== null) conditions.push({ type: 'number', column: 'promptVersion', operator: '=', value: query.prompt.version });
  if (query.model) conditions.push({ type: 'string', column: 'providedModelName', operator: '=', value: query.model });
  if (conditions.length === 0) return null;
  return [...v2TraceContext(query).filter, ...conditions];
}

/**
 * GET /v3/scores narrowing for one condition: the data type, and inclusive bounds for numeric
 * comparisons (strict ones and `!=` are finished on the client with `scoreConditionHolds`).
 */
export function v3ScoreParams(condition: ScoreCondition): Record<string, QueryValue> {
  const { name, operator, value } = condition;
  if (typeof value === 'boolean') return { name, dataType: 'BOOLEAN' };
  if (typeof value === 'string') return { name, dataType: 'CATEGORICAL' };
  const params: Record<string, QueryValue> = { name, dataType: 'NUMERIC' };
  if (operator === '<' || operator === '<=' || operator === '=') params.valueMax = value;
  if (operator === '>' || operator === '>=' || operator === '=') params.valueMin = value;
  return params;
}

/**
 * What no server-side read can apply, to check on what a polled read returns: a glob name and
 * free text (the reads above carry the rest, and their pages are read to the end).
 */
export function clientResidue(filter: TraceFilter): TraceFilter {
  const residue = emptyFilter();
  if (filter.name !== null && /[*?]/.test(filter.name)) residue.name = filter.name;
  if (filter.model !== null && /[*?]/.test(filter.model)) residue.model = filter.model;
  residue.text = [...filter.text];
  return residue;
}
