// The decoded OTLP trace export, one shape for JSON and protobuf bodies: ids as lowercase hex
// (or the sender's own string when it is not hex/base64, as Langfuse keeps it), nanosecond
// timestamps as decimal strings (no precision lost), attribute values as plain JS values.

/** A converted OTLP AnyValue: int64 beyond 2^53 stays a decimal string, bytes become base64. */
export type OtlpAttributeValue =
  | string
  | number
  | boolean
  | null
  | OtlpAttributeValue[]
  | { [key: string]: OtlpAttributeValue };

export type OtlpAttributes = Record<string, OtlpAttributeValue>;

export interface OtlpSpanEvent {
  name: string;
  timeUnixNano: string | null;
  attributes: OtlpAttributes;
}

export interface OtlpSpanLink {
  traceId: string | null;
  spanId: string | null;
  attributes: OtlpAttributes;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  /** Null for a root span (absent, empty or all-zero on the wire). */
  parentSpanId: string | null;
  name: string;
  kind: number;
  /** Decimal nanoseconds since the epoch; null when missing or unreadable. */
  startTimeUnixNano: string | null;
  endTimeUnixNano: string | null;
  attributes: OtlpAttributes;
  events: OtlpSpanEvent[];
  links: OtlpSpanLink[];
  /** OTel status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string | null };
}

export interface OtlpScope {
  name: string;
  version: string | null;
  attributes: OtlpAttributes;
}

export interface OtlpScopeSpans {
  scope: OtlpScope;
  spans: OtlpSpan[];
}

export interface OtlpResourceSpans {
  resourceAttributes: OtlpAttributes;
  scopeSpans: OtlpScopeSpans[];
}

export interface OtlpExportRequest {
  resourceSpans: OtlpResourceSpans[];
}

export interface OtlpDecodeLimits {
  /** A compressed body may not inflate past this many bytes (and a plain one may not be larger). */
  maxDecompressedBytes: number;
}

export type DecodeResult =
  | { ok: true; request: OtlpExportRequest }
  | { ok: false; status: 400 | 413 | 415; message: string };
