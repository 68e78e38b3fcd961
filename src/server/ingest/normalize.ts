// Turns untrusted ingestion bodies into record patches, or a ValidationError naming the
// field. Accepts the shapes the SDKs really send (OpenAI-style usage, legacy `usage`).

import { LEVELS, OBSERVATION_TYPES, SCORE_DATA_TYPES } from '../../domain/types.js';
import type { Level, ObservationType, ScoreDataType } from '../../domain/types.js';
import type { ObservationRecord, TraceRecord } from './records.js';

export class ValidationError extends Error {}

type Body = Record<string, unknown>;

/** How deep a body may nest. Records are JSON-stringified on the way into SQLite and out of
 * the API, and V8's JSON.stringify runs out of stack a few thousand levels down: past this
 * cap an event is a 400 of its own rather than a failure of the whole batch. */
export const MAX_JSON_DEPTH = 2000;

/** Throws a ValidationError when `value` nests deeper than MAX_JSON_DEPTH (iteratively, so
 * the check itself cannot overflow the stack). */
export function assertDepth(value: unknown, what: string, limit = MAX_JSON_DEPTH): void {
  if (typeof value !== 'object' || value === null) return;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > limit) throw new ValidationError(`${what} nests deeper than ${limit} levels`);
    const children = Array.isArray(node) ? node : Object.values(node as Body);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
}

/** Years Langfuse (and ISO 8601 without the expanded form) can hold: 0000–9999. */
export function inYearRange(date: Date): boolean {
  const year = date.getUTCFullYear();
  return year >= 0 && year <= 9999;
}

export function asBody(value: unknown, what: string): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(`${what} must be an object`);
  }
  return value as Body;
}

export function optionalString(body: Body, key: string): string | null | undefined {
  const value = body[key];
  if (value === undefined || value === null) return value as undefined | null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ValidationError(`${key} must be a string`);
}

function optionalNumber(body: Body, key: string): number | null | undefined {
  const value = body[key];
  if (value === undefined || value === null) return value as undefined | null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw new ValidationError(`${key} must be a number`);
}

function optionalBoolean(body: Body, key: string): boolean | null | undefined {
  const value = body[key];
  if (value === undefined || value === null) return value as undefined | null;
  if (typeof value === 'boolean') return value;
  throw new ValidationError(`${key} must be a boolean`);
}

/** Dates become ISO strings with milliseconds; anything Date cannot parse is rejected. */
export function optionalDate(body: Body, key: string): string | null | undefined {
  const value = body[key];
  if (value === undefined || value === null) return value as undefined | null;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new ValidationError(`${key} must be an ISO 8601 datetime`);
  }
  const date = new Date(value);
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new ValidationError(`${key} must be an ISO 8601 datetime`);
  // Years past 9999 or before 0000 need ISO's expanded form (+010000-…), which Langfuse
  // rejects and most clients cannot parse back.
  if (!inYearRange(date)) throw new ValidationError(`${key} must have a year between 0000 and 9999`);
  return date.toISOString();
}

function optionalEnum<T extends string>(body: Body, key: string, allowed: readonly T[]): T | null | undefined {
  const value = body[key];
  if (value === undefined || value === null) return value as undefined | null;
  if (typeof value === 'string') {
    const upper = value.toUpperCase() as T;
    if (allowed.includes(upper)) return upper;
  }
  throw new ValidationError(`${key} must be one of ${allowed.join(', ')}`);
}

/** Distinct tags one trace may carry; each is a row of trace_tags and a filter term. */
export const MAX_TRACE_TAGS = 250;

function optionalTags(body: Body): string[] | undefined {
  const value = body.tags;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((tag) => typeof tag !== 'string')) {
    throw new ValidationError('tags must be an array of strings');
  }
  const distinct = [...new Set(value as string[])];
  if (distinct.length > MAX_TRACE_TAGS) {
    throw new ValidationError(`tags must hold at most ${MAX_TRACE_TAGS} distinct tags`);
  }
  return distinct;
}

export type TracePatch = Omit<Partial<TraceRecord>, 'id'> & { id?: string | null };
export type ObservationPatch = Omit<Partial<ObservationRecord>, 'id' | 'traceId'> & {
  id?: string | null;
  traceId?: string | null;
};

export function traceBodyToPatch(body: Body): TracePatch {
  assertDepth(body, 'body');
  const patch: TracePatch = {
    id: optionalString(body, 'id'),
    timestamp: optionalDate(body, 'timestamp') ?? undefined,
    name: optionalString(body, 'name'),
    userId: optionalString(body, 'userId'),
    sessionId: optionalString(body, 'sessionId'),
    release: optionalString(body, 'release'),
    version: optionalString(body, 'version'),
    environment: optionalString(body, 'environment') ?? undefined,
    public: optionalBoolean(body, 'public') ?? undefined,
    input: body.input,
    output: body.output,
    metadata: body.metadata,
    explicit: true,
  };
  const tags = optionalTags(body);
  if (tags) patch.tags = tags;
  return patch;
}

const USAGE_ALIASES: Record<string, string> = {
  promptTokens: 'input',
  completionTokens: 'output',
  totalTokens: 'total',
  prompt_tokens: 'input',
  completion_tokens: 'output',
  total_tokens: 'total',
  input_tokens: 'input',
  output_tokens: 'output',
};

/** A map of numbers with null prototype, so keys like `__proto__` or `constructor` stay
 * plain data. Token counts (`counts`) must be non-negative integers, as in Langfuse's
 * ingestion schema; costs may be any finite number. */
function numericMap(
  value: unknown,
  key: string,
  aliases: Record<string, string> = {},
  counts = false,
): Record<string, number> {
  const result: Record<string, number> = Object.create(null) as Record<string, number>;
  if (value === undefined || value === null) return result;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ValidationError(`${key} must be an object`);
  const check = (name: string, raw: number) => {
    if (counts && (!Number.isInteger(raw) || raw < 0)) {
      throw new ValidationError(`${key}.${name} must be a non-negative integer`);
    }
  };
  for (const [name, raw] of Object.entries(value as Body)) {
    if (raw === null || raw === undefined) continue;
    // OpenAI nests details ({prompt_tokens_details: {cached_tokens}}): flatten one level.
    if (typeof raw === 'object' && !Array.isArray(raw)) {
      for (const [inner, innerValue] of Object.entries(raw as Body)) {
        if (typeof innerValue === 'number' && Number.isFinite(innerValue)) {
          check(`${name}.${inner}`, innerValue);
          result[`${name}.${inner}`] = innerValue;
        }
      }
      continue;
    }
    if (typeof raw !== 'number' || !Number.isFinite(raw)) {
      if (name === 'unit' && typeof raw === 'string') continue;
      throw new ValidationError(`${key}.${name} must be a number`);
    }
    check(name, raw);
    result[Object.hasOwn(aliases, name) ? aliases[name]! : name] = raw;
  }
  return result;
}

export function observationBodyToPatch(
  body: Body,
  eventType: ObservationType | null,
): ObservationPatch {
  assertDepth(body, 'body');
  const type = eventType ?? optionalEnum(body, 'type', OBSERVATION_TYPES) ?? 'SPAN';
  const usage = body.usage as Body | undefined | null;
  if (usage !== undefined && usage !== null && (typeof usage !== 'object' || Array.isArray(usage))) {
    throw new ValidationError('usage must be an object');
  }
  const usageDetails = Object.assign(
    Object.create(null) as Record<string, number>,
    numericMap(
      usage
        ? Object.fromEntries(
            Object.entries(usage).filter(([key]) => !['inputCost', 'outputCost', 'totalCost', 'unit'].includes(key)),
          )
        : undefined,
      'usage',
      USAGE_ALIASES,
      true,
    ),
    numericMap(body.usageDetails, 'usageDetails', USAGE_ALIASES, true),
  );
  const legacyCost: Record<string, number> = Object.create(null) as Record<string, number>;
  if (usage && typeof usage === 'object') {
    if (typeof usage.inputCost === 'number') legacyCost.input = usage.inputCost;
    if (typeof usage.outputCost === 'number') legacyCost.output = usage.outputCost;
    if (typeof usage.totalCost === 'number') legacyCost.total = usage.totalCost;
  }
  const costDetails = Object.assign(legacyCost, numericMap(body.costDetails, 'costDetails'));
  const modelParameters = body.modelParameters;
  if (modelParameters !== undefined && modelParameters !== null && (typeof modelParameters !== 'object' || Array.isArray(modelParameters))) {
    throw new ValidationError('modelParameters must be an object');
  }
  const promptVersion = optionalNumber(body, 'promptVersion');
  return {
    id: optionalString(body, 'id'),
    traceId: optionalString(body, 'traceId'),
    type,
    name: optionalString(body, 'name'),
    startTime: optionalDate(body, 'startTime') ?? undefined,
    endTime: optionalDate(body, 'endTime'),
    completionStartTime: optionalDate(body, 'completionStartTime'),
    environment: optionalString(body, 'environment') ?? undefined,
    version: optionalString(body, 'version'),
    parentObservationId: optionalString(body, 'parentObservationId'),
    level: (optionalEnum(body, 'level', LEVELS) ?? undefined) as Level | undefined,
    statusMessage: optionalString(body, 'statusMessage'),
    model: optionalString(body, 'model'),
    modelParameters,
    promptName: optionalString(body, 'promptName'),
    promptVersion: promptVersion === null || promptVersion === undefined ? promptVersion : Math.trunc(promptVersion),
    input: body.input,
    output: body.output,
    metadata: body.metadata,
    usageDetails,
    costDetails,
    unit: typeof usage?.unit === 'string' ? usage.unit : undefined,
  };
}

export interface ScoreInput {
  id: string | null;
  traceId: string | null;
  observationId: string | null;
  sessionId: string | null;
  datasetRunId: string | null;
  name: string;
  value: number | string | boolean;
  dataType: ScoreDataType | null;
  configId: string | null;
  comment: string | null;
  metadata: unknown;
  environment: string;
  queueId: string | null;
  source: 'API' | 'ANNOTATION';
  timestamp: string | null;
}

export function scoreBodyToInput(body: Body): ScoreInput {
  assertDepth(body, 'body');
  const name = optionalString(body, 'name');
  if (!name) throw new ValidationError('name is required');
  const value = body.value;
  if (typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean') {
    throw new ValidationError('value must be a number or a string');
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new ValidationError('value must be finite');
  const source = optionalEnum(body, 'source', ['API', 'ANNOTATION', 'EVAL'] as const);
  if (source === 'EVAL') throw new ValidationError('source EVAL cannot be set through the API');
  const metadata = body.metadata;
  if (metadata === null) throw new ValidationError('metadata must not be null');
  const traceId = optionalString(body, 'traceId') ?? null;
  const sessionId = optionalString(body, 'sessionId') ?? null;
  const datasetRunId = optionalString(body, 'datasetRunId') ?? null;
  if (!traceId && !sessionId && !datasetRunId) {
    throw new ValidationError('one of traceId, sessionId or datasetRunId is required');
  }
  const id = optionalString(body, 'id');
  return {
    id: id ? id : null,
    traceId,
    observationId: optionalString(body, 'observationId') ?? null,
    sessionId,
    datasetRunId,
    name,
    value,
    dataType: optionalEnum(body, 'dataType', SCORE_DATA_TYPES) ?? null,
    configId: optionalString(body, 'configId') ?? null,
    comment: optionalString(body, 'comment') ?? null,
    metadata: metadata ?? null,
    environment: optionalString(body, 'environment') ?? 'default',
    queueId: optionalString(body, 'queueId') ?? null,
    source: source ?? 'API',
    timestamp: optionalDate(body, 'timestamp') ?? null,
  };
}
