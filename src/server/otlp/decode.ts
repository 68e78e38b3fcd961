// Decodes an OTLP/HTTP trace export into one plain shape, whether it came as JSON (what
// @langfuse/otel sends) or protobuf (what the Python SDK sends). Ids become lowercase hex,
// nanosecond timestamps decimal strings (no precision lost), attribute values plain JS.

import protobuf from 'protobufjs';

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string | null;
  attributes: Record<string, unknown>;
  status: { code: number; message: string | null };
  events: { name: string; timeUnixNano: string; attributes: Record<string, unknown> }[];
}

export interface OtlpScopeSpans {
  scope: { name: string; version: string | null };
  spans: OtlpSpan[];
}

export interface OtlpResourceSpans {
  resource: Record<string, unknown>;
  scopeSpans: OtlpScopeSpans[];
}

export interface OtlpExportRequest {
  resourceSpans: OtlpResourceSpans[];
}

export type DecodeResult =
  | { ok: true; request: OtlpExportRequest }
  | { ok: false; status: 400 | 413 | 415; message: string };

// The subset of opentelemetry/proto/{trace,common,resource}/v1 that a trace export uses.
const descriptor = {
  nested: {
    otlp: {
      nested: {
        ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
        ResourceSpans: {
          fields: {
            resource: { type: 'Resource', id: 1 },
            scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
            schemaUrl: { type: 'string', id: 3 },
          },
        },
        Resource: {
          fields: {
            attributes: { rule: 'repeated', type: 'KeyValue', id: 1 },
            droppedAttributesCount: { type: 'uint32', id: 2 },
          },
        },
        ScopeSpans: {
          fields: {
            scope: { type: 'InstrumentationScope', id: 1 },
            spans: { rule: 'repeated', type: 'Span', id: 2 },
            schemaUrl: { type: 'string', id: 3 },
          },
        },
        InstrumentationScope: {
          fields: {
            name: { type: 'string', id: 1 },
            version: { type: 'string', id: 2 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 3 },
            droppedAttributesCount: { type: 'uint32', id: 4 },
          },
        },
        Span: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            traceState: { type: 'string', id: 3 },
            parentSpanId: { type: 'bytes', id: 4 },
            flags: { type: 'fixed32', id: 16 },
            name: { type: 'string', id: 5 },
            kind: { type: 'int32', id: 6 },
            startTimeUnixNano: { type: 'fixed64', id: 7 },
            endTimeUnixNano: { type: 'fixed64', id: 8 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
            droppedAttributesCount: { type: 'uint32', id: 10 },
            events: { rule: 'repeated', type: 'Event', id: 11 },
            droppedEventsCount: { type: 'uint32', id: 12 },
            links: { rule: 'repeated', type: 'Link', id: 13 },
            droppedLinksCount: { type: 'uint32', id: 14 },
            status: { type: 'Status', id: 15 },
          },
        },
        Event: {
          fields: {
            timeUnixNano: { type: 'fixed64', id: 1 },
            name: { type: 'string', id: 2 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 3 },
            droppedAttributesCount: { type: 'uint32', id: 4 },
          },
        },
        Link: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            traceState: { type: 'string', id: 3 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 4 },
            droppedAttributesCount: { type: 'uint32', id: 5 },
            flags: { type: 'fixed32', id: 6 },
          },
        },
        Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
        KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
        AnyValue: {
          oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
          fields: {
            stringValue: { type: 'string', id: 1 },
            boolValue: { type: 'bool', id: 2 },
            intValue: { type: 'int64', id: 3 },
            doubleValue: { type: 'double', id: 4 },
            arrayValue: { type: 'ArrayValue', id: 5 },
            kvlistValue: { type: 'KeyValueList', id: 6 },
            bytesValue: { type: 'bytes', id: 7 },
          },
        },
        ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
        KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
      },
    },
  },
};

const ExportTraceServiceRequest = protobuf.Root.fromJSON(descriptor).lookupType('otlp.ExportTraceServiceRequest');

class OtlpShapeError extends Error {}

type Raw = Record<string, unknown>;

const isObject = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

function list(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpShapeError(`${what} must be an array`);
  return value;
}

/** JSON exporters send hex strings; protobuf (and some JSON encoders) send bytes/base64. */
function idToHex(value: unknown, expectedHexLength: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (value instanceof Uint8Array) return value.length === 0 ? null : Buffer.from(value).toString('hex');
  if (typeof value === 'string') {
    if (/^[0-9a-fA-F]+$/.test(value) && value.length === expectedHexLength) return value.toLowerCase();
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length * 2 === expectedHexLength) return bytes.toString('hex');
    if (/^[0-9a-fA-F]+$/.test(value)) return value.toLowerCase();
    return value;
  }
  throw new OtlpShapeError('span ids must be strings');
}

function nanos(value: unknown): string | null {
  if (value === undefined || value === null || value === '' || value === 0 || value === '0') return null;
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.round(value)).toString();
  if (typeof value === 'bigint') return value.toString();
  if (isObject(value) && typeof value.low === 'number' && typeof value.high === 'number') {
    return ((BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0)).toString();
  }
  if (isObject(value) && typeof value.toString === 'function' && 'unsigned' in value) return String(value);
  throw new OtlpShapeError('timestamps must be decimal nanoseconds');
}

function anyValue(value: unknown, depth = 0): unknown {
  if (!isObject(value) || depth > 32) return null;
  if ('stringValue' in value && value.stringValue !== undefined) return value.stringValue;
  if ('boolValue' in value && value.boolValue !== undefined) return value.boolValue;
  if ('intValue' in value && value.intValue !== undefined) {
    const int = value.intValue;
    if (typeof int === 'number') return int;
    const big = typeof int === 'string' ? Number(int) : Number(String(int));
    return Number.isFinite(big) ? big : String(int);
  }
  if ('doubleValue' in value && value.doubleValue !== undefined) return Number(value.doubleValue);
  if ('arrayValue' in value && isObject(value.arrayValue)) {
    return list(value.arrayValue.values, 'arrayValue.values').map((item) => anyValue(item, depth + 1));
  }
  if ('kvlistValue' in value && isObject(value.kvlistValue)) {
    return attributes(value.kvlistValue.values, depth + 1);
  }
  if ('bytesValue' in value && value.bytesValue !== undefined) {
    return value.bytesValue instanceof Uint8Array ? Buffer.from(value.bytesValue).toString('base64') : value.bytesValue;
  }
  return null;
}

function attributes(value: unknown, depth = 0): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const item of list(value, 'attributes')) {
    if (!isObject(item) || typeof item.key !== 'string') continue;
    // Attribute keys are data: define them, never assign through a setter like __proto__.
    Object.defineProperty(result, item.key, { value: anyValue(item.value, depth), enumerable: true, writable: true, configurable: true });
  }
  return result;
}

function normalise(raw: unknown): OtlpExportRequest {
  if (!isObject(raw)) throw new OtlpShapeError('body must be an object');
  return {
    resourceSpans: list(raw.resourceSpans, 'resourceSpans').map((resourceSpans) => {
      if (!isObject(resourceSpans)) throw new OtlpShapeError('resourceSpans items must be objects');
      const resource = isObject(resourceSpans.resource) ? attributes(resourceSpans.resource.attributes) : {};
      return {
        resource,
        scopeSpans: list(resourceSpans.scopeSpans, 'scopeSpans').map((scopeSpans) => {
          if (!isObject(scopeSpans)) throw new OtlpShapeError('scopeSpans items must be objects');
          const scope = isObject(scopeSpans.scope) ? scopeSpans.scope : {};
          return {
            scope: { name: typeof scope.name === 'string' ? scope.name : '', version: typeof scope.version === 'string' ? scope.version : null },
            spans: list(scopeSpans.spans, 'spans').map((span) => {
              if (!isObject(span)) throw new OtlpShapeError('spans must be objects');
              const traceId = idToHex(span.traceId, 32);
              const spanId = idToHex(span.spanId, 16);
              if (!traceId || !spanId) throw new OtlpShapeError('every span needs a traceId and a spanId');
              const status = isObject(span.status) ? span.status : {};
              return {
                traceId,
                spanId,
                parentSpanId: idToHex(span.parentSpanId, 16),
                name: typeof span.name === 'string' ? span.name : '',
                startTimeUnixNano: nanos(span.startTimeUnixNano) ?? '0',
                endTimeUnixNano: nanos(span.endTimeUnixNano),
                attributes: attributes(span.attributes),
                status: {
                  code: typeof status.code === 'number' ? status.code : Number(status.code ?? 0) || 0,
                  message: typeof status.message === 'string' && status.message ? status.message : null,
                },
                events: list(span.events, 'events').flatMap((event) =>
                  isObject(event)
                    ? [{ name: String(event.name ?? ''), timeUnixNano: nanos(event.timeUnixNano) ?? '0', attributes: attributes(event.attributes) }]
                    : [],
                ),
              };
            }),
          };
        }),
      };
    }),
  };
}

export function decodeOtlpRequest(
  body: Buffer,
  contentType: string | undefined,
  _contentEncoding: string | undefined,
  _limits: { maxDecompressedBytes: number },
): DecodeResult {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  try {
    if (type === 'application/json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch (error) {
        return { ok: false, status: 400, message: `Invalid OTLP trace export: body is not valid JSON (${(error as Error).message})` };
      }
      return { ok: true, request: normalise(parsed) };
    }
    if (type === 'application/x-protobuf' || type === 'application/protobuf') {
      let message: protobuf.Message;
      try {
        message = ExportTraceServiceRequest.decode(body);
      } catch (error) {
        return { ok: false, status: 400, message: `Invalid OTLP trace export: protobuf does not decode (${(error as Error).message})` };
      }
      const plain = ExportTraceServiceRequest.toObject(message, { longs: String, bytes: Buffer, defaults: false, oneofs: false });
      return { ok: true, request: normalise(plain) };
    }
    return { ok: false, status: 400, message: 'Invalid content type' };
  } catch (error) {
    if (error instanceof OtlpShapeError) return { ok: false, status: 400, message: `Invalid OTLP trace export: ${error.message}` };
    throw error;
  }
}
