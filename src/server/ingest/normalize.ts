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

/** JSON values one event's body may hold (its objects, arrays and the values in them): the
 * work an event costs (parsing, merging, storing, serialising, streaming) grows with it, and
 * one event is handled without a break for other requests. */
export const MAX_EVENT_ELEMENTS = 300_000;

/** Throws a ValidationError when `value` nests deeper than MAX_JSON_DEPTH or holds more than
 * `maxElements` values. Recursion is as deep as the value, which the depth cap keeps far from
 * the stack's limit (it is checked before going a level further). */
export function assertDepth(value: unknown, what: string, limit = MAX_JSON_DEPTH, maxElements = MAX_EVENT_ELEMENTS): void {
  if (typeof value !== 'object' || value === null) return;
  let elements = 0;
  const walk = (node: object, depth: number): void => {
    if (depth > limit) throw new ValidationError(`${what} nests deeper than ${limit} levels`);
    if (Array.isArray(node)) {
      elements += node.length;
      if (elements > maxElements) throw new ValidationError(`${what} holds more than ${maxElements} JSON values`);
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (typeof child === 'object' && child !== null) walk(child, depth + 1);
      }
      return;
    }
    for (const key in node) {
      if (++elements > maxElements) throw new ValidationError(`${what} holds more than ${maxElements} JSON values`);
      const child = (node as Body)[key];
      if (typeof child === 'object' && child !== null) walk(child, depth + 1);
    }
  };
  walk(value, 1);
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

/** Longest id accepted (trace, observation, score, session, event…). Langfuse keeps events in
 * object storage under their ids, where a key is at most 1,024 bytes. */
export const MAX_ID_LENGTH = 1000;

const LONE_SURROGATE = /\p{Cs}/u;

/** An id must be well-formed UTF-16: SQLite would store a lone surrogate as U+FFFD (merging
 * ids that differ only there) and encodeURIComponent throws on one. Other text (names,
 * content) is kept exactly as sent. */
export function assertWellFormed(value: string, key: string): string {
  if (LONE_SURROGATE.test(value)) {
    throw new ValidationError(`${key} is not well-formed UTF-16: it holds a lone surrogate (\\ud800–\\udfff without its pair)`);
  }
  return value;
}

/** An id: a well-formed string of at most MAX_ID_LENGTH characters. */
export function checkId(value: string, key: string): string {
  assertWellFormed(value, key);
  if (value.length > MAX_ID_LENGTH) throw new ValidationError(`${key} must be at most ${MAX_ID_LENGTH} characters (got ${value.length})`);
  return value;
}

export function optionalId(body: Body, key: string): string | null | undefined {
  const value = optionalString(body, key);
  return typeof value === 'string' ? checkId(value, key) : value;
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

/** The ISO 8601 date-times Langfuse's ingestion schema accepts (zod `datetime({offset: true})`):
 * `YYYY-MM-DDTHH:MM[:SS[.fraction]]` then `Z` or an offset `±HH:MM` (or `±HHMM`). Seconds
 * are optional and the fraction any length, as zod 4 allows; the calendar is checked (no
 * 2026-02-30, no hour 24). */
const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-](\d{2}):?(\d{2}))$/;

export const DATETIME_RULE = 'an ISO 8601 datetime with a time zone, e.g. 2026-01-31T09:30:00.000Z or 2026-01-31T10:30:00+01:00';

const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** `YYYY-MM-DDTHH:MM:SS.mmmZ`, digits where digits go. */
function isCanonical(value: string): boolean {
  for (let i = 0; i < 23; i++) {
    const code = value.charCodeAt(i);
    const expected = i === 4 || i === 7 ? 45 : i === 10 ? 84 : i === 13 || i === 16 ? 58 : i === 19 ? 46 : -1;
    if (expected === -1 ? code < 48 || code > 57 : code !== expected) return false;
  }
  return value.charCodeAt(23) === 90;
}

/** Epoch ms of an ISO 8601 date-time as Langfuse accepts it, or null for anything else
 * (numbers, RFC 1123, dates without a time or zone, impossible dates). */
export function parseIsoDatetime(value: string): number | null {
  // Fast path: toISOString's own form (what the JS SDKs send), read without a regex or a copy.
  if (value.length === 24 && isCanonical(value)) {
    const n = (from: number, to: number) => {
      let result = 0;
      for (let i = from; i < to; i++) result = result * 10 + value.charCodeAt(i) - 48;
      return result;
    };
    const [year, month, day, hour, minute, second] = [n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19)];
    if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return null;
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute, second, n(20, 23));
    return date.getTime();
  }
  const match = ISO_DATETIME.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(match[i] ?? 0)) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (match[9] !== undefined && (Number(match[9]) > 23 || Number(match[10]) > 59)) return null;
  // Date.parse wants the fraction at most 3 digits and the offset with a colon.
  const fraction = (match[7] ?? '').slice(0, 4);
  const zone = match[8] === 'Z' ? 'Z' : `${match[8]!.slice(0, 3)}:${match[10]}`;
  const ms = Date.parse(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6] ?? '00'}${fraction}${zone}`);
  return Number.isNaN(ms) ? null : ms;
}

/** Dates become ISO strings with milliseconds; anything but an ISO 8601 date-time with a zone
 * is rejected, as Langfuse rejects it. */
export function optionalDate(body: Body, key: string): string | null | undefined {
  const value = body[key];
  if (value === undefined || value === null) return value as undefined | null;
  const ms = typeof value === 'string' ? parseIsoDatetime(value) : null;
  if (ms === null) throw new ValidationError(`${key} must be ${DATETIME_RULE}`);
  // toISOString's own form with a four-digit year is already what it would be turned into.
  if (typeof value === 'string' && value.length === 24 && isCanonical(value)) return value;
  const date = new Date(ms);
  // Years past 9999 or before 0000 need ISO's expanded form (+010000-…), which Langfuse
  // rejects and most clients cannot parse back (an offset can carry 9999-12-31 past it).
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
    id: optionalId(body, 'id'),
    timestamp: optionalDate(body, 'timestamp') ?? undefined,
    name: optionalString(body, 'name'),
    userId: optionalString(body, 'userId'),
    sessionId: optionalId(body, 'sessionId'),
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
    id: optionalId(body, 'id'),
    traceId: optionalId(body, 'traceId'),
    type,
    name: optionalString(body, 'name'),
    startTime: optionalDate(body, 'startTime') ?? undefined,
    endTime: optionalDate(body, 'endTime'),
    completionStartTime: optionalDate(body, 'completionStartTime'),
    environment: optionalString(body, 'environment') ?? undefined,
    version: optionalString(body, 'version'),
    parentObservationId: optionalId(body, 'parentObservationId'),
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
  const traceId = optionalId(body, 'traceId') ?? null;
  const sessionId = optionalId(body, 'sessionId') ?? null;
  const datasetRunId = optionalId(body, 'datasetRunId') ?? null;
  if (!traceId && !sessionId && !datasetRunId) {
    throw new ValidationError('one of traceId, sessionId or datasetRunId is required');
  }
  const id = optionalId(body, 'id');
  return {
    id: id ? id : null,
    traceId,
    observationId: optionalId(body, 'observationId') ?? null,
    sessionId,
    datasetRunId,
    name,
    value,
    dataType: optionalEnum(body, 'dataType', SCORE_DATA_TYPES) ?? null,
    configId: optionalId(body, 'configId') ?? null,
    comment: optionalString(body, 'comment') ?? null,
    metadata: metadata ?? null,
    environment: optionalString(body, 'environment') ?? 'default',
    queueId: optionalId(body, 'queueId') ?? null,
    source: source ?? 'API',
    timestamp: optionalDate(body, 'timestamp') ?? null,
  };
}
