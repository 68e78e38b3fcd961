// Raw OTLP export (parsed JSON or a protobufjs object) → OtlpExportRequest, with Langfuse's
// validation (web/src/pages/api/public/otel/v1/traces + validateOtelSpanIds): one span without
// a usable traceId/spanId, or a collection that is present but not an array, rejects the whole
// export with 400 "Invalid OTLP trace export: ...". Everything else is converted leniently.

import type {
  DecodeResult,
  OtlpAttributes,
  OtlpAttributeValue,
  OtlpExportRequest,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpSpanEvent,
  OtlpSpanLink,
} from './types.js';

type Raw = Record<string, unknown>;

const TRACE_ID_BYTES = 16;
const SPAN_ID_BYTES = 8;
const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Nested kvlist/array values deeper than this are cut off rather than recursed into. */
const MAX_VALUE_DEPTH = 32;
const MAX_SAMPLED_SCOPES = 5;

const isRecord = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/** Attribute keys are data: define them, never assign through a setter such as __proto__. */
export function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

type IdProblem = 'absent' | 'not_an_id' | 'wrong_length' | 'all_zero';
type IdResult = { id: string } | { problem: IdProblem };

/** A Buffer that went through JSON arrives as {type:"Buffer", data:[...]}. */
function unwrapBufferEnvelope(value: unknown): unknown {
  return isRecord(value) && 'data' in value ? value.data : value;
}

function bytesToId(bytes: ArrayLike<unknown>, expectedBytes: number | null): IdResult {
  if (bytes.length === 0) return { problem: 'absent' };
  if (expectedBytes !== null && bytes.length !== expectedBytes) return { problem: 'wrong_length' };
  const octets = Array.from(bytes, (entry: unknown) => {
    const n = Number(entry);
    return Number.isFinite(n) ? n & 0xff : 0;
  });
  if (octets.every((octet) => octet === 0)) return { problem: 'all_zero' };
  return { id: Buffer.from(octets).toString('hex') };
}

/**
 * Langfuse accepts hex strings of the right length, byte arrays of the right length (protobuf,
 * Python int arrays, JSON'd Buffers) and passes any other non-hex string through unchanged.
 * A base64 string of the right byte length (the proto3 JSON mapping) becomes hex here, so its
 * ids line up with what the same spans look like over protobuf.
 */
function parseId(value: unknown, expectedBytes: number): IdResult {
  const unwrapped = unwrapBufferEnvelope(value);
  if (unwrapped === undefined || unwrapped === null) return { problem: 'absent' };
  if (typeof unwrapped === 'string') {
    if (unwrapped.length === 0) return { problem: 'absent' };
    if (HEX.test(unwrapped)) {
      if (unwrapped.length !== expectedBytes * 2) return { problem: 'wrong_length' };
      if (/^0+$/.test(unwrapped)) return { problem: 'all_zero' };
      return { id: unwrapped.toLowerCase() };
    }
    if (BASE64.test(unwrapped)) {
      const bytes = Buffer.from(unwrapped, 'base64');
      if (bytes.length === expectedBytes) return bytesToId(bytes, expectedBytes);
    }
    return { id: unwrapped };
  }
  if (unwrapped instanceof Uint8Array || Array.isArray(unwrapped)) return bytesToId(unwrapped, expectedBytes);
  return { problem: 'not_an_id' };
}

/** A parent is optional: empty or all-zero means "root", any length is tolerated. */
function parseParentId(value: unknown): IdResult | null {
  const unwrapped = unwrapBufferEnvelope(value);
  if (unwrapped === undefined || unwrapped === null || unwrapped === '') return null;
  if (typeof unwrapped === 'string') {
    if (HEX.test(unwrapped)) return /^0+$/.test(unwrapped) ? null : { id: unwrapped.toLowerCase() };
    return parseId(unwrapped, SPAN_ID_BYTES);
  }
  if (unwrapped instanceof Uint8Array || Array.isArray(unwrapped)) {
    const result = bytesToId(unwrapped, null);
    return 'id' in result ? result : null;
  }
  return { problem: 'not_an_id' };
}

/** Nanoseconds as a decimal string; unreadable values become null (Langfuse falls back, never fails). */
function nanos(value: unknown): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (!/^\d+$/.test(trimmed)) return null;
    const normalised = trimmed.replace(/^0+(?=\d)/, '');
    return normalised === '0' ? null : normalised;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) && value > 0 ? BigInt(Math.trunc(value)).toString() : null;
  }
  if (typeof value === 'bigint') return value > 0n ? value.toString() : null;
  if (isRecord(value) && typeof value.high === 'number' && typeof value.low === 'number') {
    const combined = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
    return combined > 0n ? combined.toString() : null;
  }
  return null;
}

/** The proto3 JSON mapping lets an encoder send enum names instead of numbers. */
const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };
const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

function enumNumber(value: unknown, names: Record<string, number>): number {
  if (typeof value === 'string' && Object.hasOwn(names, value)) return names[value]!;
  const number = Number(value ?? 0);
  return Number.isInteger(number) ? number : 0;
}

function intValue(value: unknown): OtlpAttributeValue {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'string') {
    const number = Number(value);
    if (/^-?\d+$/.test(value.trim()) && Number.isSafeInteger(number)) return number;
    return value;
  }
  if (isRecord(value) && typeof value.high === 'number' && typeof value.low === 'number') {
    const combined = BigInt.asIntN(64, (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0));
    return Number.isSafeInteger(Number(combined)) ? Number(combined) : combined.toString();
  }
  return null;
}

/** OTLP AnyValue → plain value. Malformed values never throw; they become null or pass through. */
function anyValue(value: unknown, depth: number): OtlpAttributeValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (!isRecord(value)) return null;
  if (value.stringValue !== undefined && value.stringValue !== null) return String(value.stringValue);
  if (value.doubleValue !== undefined && value.doubleValue !== null) {
    const number = Number(value.doubleValue);
    return Number.isFinite(number) ? number : String(value.doubleValue);
  }
  if (value.boolValue !== undefined && value.boolValue !== null) {
    return value.boolValue === true || value.boolValue === 'true';
  }
  if (value.intValue !== undefined && value.intValue !== null) return intValue(value.intValue);
  if (depth >= MAX_VALUE_DEPTH) return null;
  if (isRecord(value.arrayValue)) {
    const values = value.arrayValue.values;
    return Array.isArray(values) ? values.map((item) => anyValue(item, depth + 1)) : [];
  }
  if (isRecord(value.kvlistValue)) {
    const values = value.kvlistValue.values;
    return Array.isArray(values) ? keyValues(values, depth + 1) : {};
  }
  if (value.bytesValue !== undefined && value.bytesValue !== null) {
    const bytes = value.bytesValue;
    if (bytes instanceof Uint8Array) return Buffer.from(bytes).toString('base64');
    return typeof bytes === 'string' ? bytes : null;
  }
  return null;
}

function keyValues(list: unknown[], depth: number): OtlpAttributes {
  const result: OtlpAttributes = {};
  for (const item of list) {
    if (!isRecord(item) || typeof item.key !== 'string') continue;
    setOwn(result, item.key, anyValue(item.value, depth));
  }
  return result;
}

class Validation {
  totalSpanCount = 0;
  invalidSpanCount = 0;
  malformedCollectionCount = 0;
  readonly reasonCounts = new Map<string, number>();
  readonly scopeNames = new Set<string>();

  reason(reason: string): void {
    this.reasonCounts.set(reason, (this.reasonCounts.get(reason) ?? 0) + 1);
  }

  scope(name: unknown): void {
    if (typeof name === 'string' && name && this.scopeNames.size < MAX_SAMPLED_SCOPES) this.scopeNames.add(name);
  }

  /** A list that may be absent; present but not an array is a malformed collection. */
  list(value: unknown, field: string, scopeName?: unknown): unknown[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    this.malformedCollectionCount += 1;
    this.reason(`${field}:not_an_array`);
    this.scope(scopeName);
    return [];
  }

  get failed(): boolean {
    return this.invalidSpanCount > 0 || this.malformedCollectionCount > 0;
  }

  /** Langfuse's wording, so a hand-rolled exporter can be fixed from the response alone. */
  message(): string {
    const reasons = [...this.reasonCounts.keys()];
    const problems: string[] = [];
    if (this.invalidSpanCount > 0) {
      problems.push(`${this.invalidSpanCount} of ${this.totalSpanCount} span(s) cannot be processed`);
    }
    if (this.malformedCollectionCount > 0) {
      problems.push(`${this.malformedCollectionCount} resource- or scope-level field(s) are present but not arrays`);
    }
    const hints: string[] = [];
    if (reasons.some((reason) => reason.endsWith(':absent') || reason.endsWith(':not_an_id'))) {
      hints.push('traceId and spanId are required on every span, and each must be a string or a byte array.');
    }
    if (reasons.some((reason) => reason.endsWith(':not_an_array'))) {
      hints.push(
        'scopeSpans, spans, attributes and events must all be arrays — OTLP attributes are a list of {key, value} entries, not a JSON object.',
      );
    }
    return (
      `Invalid OTLP trace export: ${problems.join('; ')} (${reasons.join(', ')}). ${hints.join(' ')} ` +
      'The entire export was rejected and no spans were ingested. ' +
      `Instrumentation scopes: ${[...this.scopeNames].join(', ') || 'unknown'}. ` +
      'This endpoint accepts OpenTelemetry traces only — if you are exporting OpenTelemetry logs, point your log exporter elsewhere.'
    );
  }
}

function attributesOf(owner: Raw, validation: Validation, scopeName: unknown): OtlpAttributes {
  return keyValues(validation.list(owner.attributes, 'attributes', scopeName), 0);
}

function normaliseSpan(rawSpan: unknown, scopeName: unknown, validation: Validation): OtlpSpan | null {
  validation.totalSpanCount += 1;
  const span = isRecord(rawSpan) ? rawSpan : {};
  const problems: string[] = [];
  const traceId = parseId(span.traceId, TRACE_ID_BYTES);
  if ('problem' in traceId) problems.push(`traceId:${traceId.problem}`);
  const spanId = parseId(span.spanId, SPAN_ID_BYTES);
  if ('problem' in spanId) problems.push(`spanId:${spanId.problem}`);
  const parent = parseParentId(span.parentSpanId);
  if (parent && 'problem' in parent) problems.push(`parentSpanId:${parent.problem}`);
  if (problems.length > 0) {
    validation.invalidSpanCount += 1;
    for (const problem of problems) validation.reason(problem);
    validation.scope(scopeName);
    return null;
  }
  const attributes = attributesOf(span, validation, scopeName);
  const events: OtlpSpanEvent[] = validation.list(span.events, 'events', scopeName).flatMap((event) =>
    isRecord(event)
      ? [{ name: typeof event.name === 'string' ? event.name : '', timeUnixNano: nanos(event.timeUnixNano), attributes: attributesOf(event, validation, scopeName) }]
      : [],
  );
  const links: OtlpSpanLink[] = validation.list(span.links, 'links', scopeName).flatMap((link) => {
    if (!isRecord(link)) return [];
    const linkTrace = parseId(link.traceId, TRACE_ID_BYTES);
    const linkSpan = parseId(link.spanId, SPAN_ID_BYTES);
    return [{ traceId: 'id' in linkTrace ? linkTrace.id : null, spanId: 'id' in linkSpan ? linkSpan.id : null, attributes: attributesOf(link, validation, scopeName) }];
  });
  const status = isRecord(span.status) ? span.status : {};
  return {
    traceId: (traceId as { id: string }).id,
    spanId: (spanId as { id: string }).id,
    parentSpanId: parent && 'id' in parent ? parent.id : null,
    name: typeof span.name === 'string' ? span.name : span.name === undefined || span.name === null ? '' : String(span.name),
    kind: enumNumber(span.kind, SPAN_KINDS),
    startTimeUnixNano: nanos(span.startTimeUnixNano),
    endTimeUnixNano: nanos(span.endTimeUnixNano),
    attributes,
    events,
    links,
    status: {
      code: enumNumber(status.code, STATUS_CODES),
      message: typeof status.message === 'string' && status.message !== '' ? status.message : null,
    },
  };
}

/** Parsed export → request, or Langfuse's 400 when any span or collection is unusable. */
export function normaliseExport(raw: unknown): DecodeResult {
  const validation = new Validation();
  const rawResourceSpans = isRecord(raw) ? raw.resourceSpans : undefined;
  const resourceSpans: OtlpResourceSpans[] = [];
  for (const rawResource of validation.list(rawResourceSpans, 'resourceSpans')) {
    if (!isRecord(rawResource)) continue;
    const resource = isRecord(rawResource.resource) ? rawResource.resource : {};
    const resourceAttributes = attributesOf(resource, validation, undefined);
    const scopeSpans: OtlpScopeSpans[] = [];
    for (const rawScopeSpans of validation.list(rawResource.scopeSpans, 'scopeSpans')) {
      if (!isRecord(rawScopeSpans)) continue;
      const rawScope = isRecord(rawScopeSpans.scope) ? rawScopeSpans.scope : {};
      const scopeName = typeof rawScope.name === 'string' ? rawScope.name : '';
      const scope = {
        name: scopeName,
        version: typeof rawScope.version === 'string' && rawScope.version !== '' ? rawScope.version : null,
        attributes: attributesOf(rawScope, validation, scopeName),
      };
      const spans: OtlpSpan[] = [];
      for (const rawSpan of validation.list(rawScopeSpans.spans, 'spans', scopeName)) {
        const span = normaliseSpan(rawSpan, scopeName, validation);
        if (span) spans.push(span);
      }
      scopeSpans.push({ scope, spans });
    }
    resourceSpans.push({ resourceAttributes, scopeSpans });
  }
  if (validation.failed) return { ok: false, status: 400, message: validation.message() };
  const request: OtlpExportRequest = { resourceSpans };
  return { ok: true, request };
}
