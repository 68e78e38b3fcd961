// OTLP/HTTP trace export body → OtlpExportRequest, whatever the wire form: OTLP/JSON (what
// @langfuse/otel sends) or protobuf (what the Python SDK sends), plain or gzip. Never throws:
// every failure is an HTTP status and a message the route can answer with as JSON.

import { gunzipSync, inflateSync } from 'node:zlib';
import { normaliseExport } from './normalise.js';
import { countProtobufElements, decodeExportTraceServiceRequest } from './proto.js';
import { MAX_JSON_ELEMENTS } from '../http.js';
import type { DecodeResult, OtlpDecodeLimits } from './types.js';


type Failure = Extract<DecodeResult, { ok: false }>;

const fail = (status: Failure['status'], message: string): Failure => ({ ok: false, status, message });

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Inflates per Content-Encoding, refusing to produce more than the cap (a gzip bomb stops there). */
function inflate(body: Buffer, contentEncoding: string | undefined, maxBytes: number): Buffer | Failure {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  const tooLarge = () => fail(413, `Decompressed body too large: the limit is ${maxBytes} bytes`);
  if (encoding === '' || encoding === 'identity') return body.length > maxBytes ? tooLarge() : body;
  const isGzip = encoding.includes('gzip');
  if (!isGzip && encoding !== 'deflate') return fail(415, `Unsupported content encoding: ${encoding}`);
  try {
    return isGzip ? gunzipSync(body, { maxOutputLength: maxBytes }) : inflateSync(body, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge();
    return fail(400, `Failed to decompress request body (${reason(error)})`);
  }
}

/** Integers past 2^53 (nanosecond timestamps sent as JSON numbers) keep their exact digits. */
function parseJsonKeepingBigIntegers(text: string): unknown {
  if (!/[:[,]\s*-?\d{16,}/.test(text)) return JSON.parse(text);
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' &&
    Number.isInteger(value) &&
    !Number.isSafeInteger(value) &&
    context?.source !== undefined &&
    /^-?\d+$/.test(context.source)
      ? context.source
      : value,
  );
}

export function decodeOtlpRequest(
  body: Buffer,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  limits: OtlpDecodeLimits,
): DecodeResult {
  // Langfuse matches by substring, so "application/json; charset=utf-8" is JSON.
  const type = (contentType ?? '').toLowerCase();
  const isProtobuf = type.includes('application/x-protobuf');
  if (!isProtobuf && !type.includes('application/json')) return fail(400, 'Invalid content type');

  const bytes = inflate(body, contentEncoding, limits.maxDecompressedBytes);
  if (!Buffer.isBuffer(bytes)) return bytes;

  let raw: unknown;
  if (isProtobuf) {
    // Counted before anything is built, as a JSON body's elements are while it streams in.
    if (countProtobufElements(bytes, MAX_JSON_ELEMENTS) > MAX_JSON_ELEMENTS) {
      return fail(413, `Request body too complex: the export holds more than ${MAX_JSON_ELEMENTS} protobuf fields (spans, attributes and values); send fewer spans per request`);
    }
    try {
      raw = decodeExportTraceServiceRequest(bytes);
    } catch (error) {
      return fail(400, `Invalid OTLP trace export: Failed to parse OTel Protobuf Trace (${reason(error)})`);
    }
  } else {
    try {
      raw = parseJsonKeepingBigIntegers(bytes.toString('utf8').replace(/^\uFEFF/, ''));
    } catch (error) {
      return fail(400, `Invalid OTLP trace export: Failed to parse OTel JSON Trace (${reason(error)})`);
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      return fail(400, 'Invalid OTLP trace export: Failed to parse OTel JSON Trace (the body must be a JSON object)');
    }
  }
  try {
    return normaliseExport(raw);
  } catch (error) {
    // A pathological payload (e.g. nesting past the stack) is the sender's fault, not a crash.
    return fail(400, `Invalid OTLP trace export: ${reason(error)}`);
  }
}
