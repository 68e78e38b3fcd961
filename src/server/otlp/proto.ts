// The part of opentelemetry-proto (collector/trace/v1, trace/v1, common/v1, resource/v1) that an
// OTLP/HTTP trace export carries, as a protobufjs JSON descriptor. Field names are the JSON
// (camelCase) names so a decoded message has the same shape as an OTLP/JSON body. Enums
// (Span.SpanKind, Status.StatusCode) are declared int32: same wire format, plain numbers out.

import protobuf from 'protobufjs';

const COMMON = 'opentelemetry.proto.common.v1';
const RESOURCE = 'opentelemetry.proto.resource.v1';
const TRACE = 'opentelemetry.proto.trace.v1';

const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });

export const otlpTraceDescriptor = {
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            collector: {
              nested: {
                trace: {
                  nested: {
                    v1: {
                      nested: {
                        ExportTraceServiceRequest: {
                          fields: { resourceSpans: repeated(`${TRACE}.ResourceSpans`, 1) },
                        },
                      },
                    },
                  },
                },
              },
            },
            common: {
              nested: {
                v1: {
                  nested: {
                    AnyValue: {
                      oneofs: {
                        value: {
                          oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'],
                        },
                      },
                      fields: {
                        stringValue: { type: 'string', id: 1 },
                        boolValue: { type: 'bool', id: 2 },
                        intValue: { type: 'int64', id: 3 },
                        doubleValue: { type: 'double', id: 4 },
                        arrayValue: { type: `${COMMON}.ArrayValue`, id: 5 },
                        kvlistValue: { type: `${COMMON}.KeyValueList`, id: 6 },
                        bytesValue: { type: 'bytes', id: 7 },
                      },
                    },
                    ArrayValue: { fields: { values: repeated(`${COMMON}.AnyValue`, 1) } },
                    KeyValueList: { fields: { values: repeated(`${COMMON}.KeyValue`, 1) } },
                    KeyValue: {
                      fields: {
                        key: { type: 'string', id: 1 },
                        value: { type: `${COMMON}.AnyValue`, id: 2 },
                      },
                    },
                    InstrumentationScope: {
                      fields: {
                        name: { type: 'string', id: 1 },
                        version: { type: 'string', id: 2 },
                        attributes: repeated(`${COMMON}.KeyValue`, 3),
                        droppedAttributesCount: { type: 'uint32', id: 4 },
                      },
                    },
                  },
                },
              },
            },
            resource: {
              nested: {
                v1: {
                  nested: {
                    Resource: {
                      fields: {
                        attributes: repeated(`${COMMON}.KeyValue`, 1),
                        droppedAttributesCount: { type: 'uint32', id: 2 },
                      },
                    },
                  },
                },
              },
            },
            trace: {
              nested: {
                v1: {
                  nested: {
                    ResourceSpans: {
                      fields: {
                        resource: { type: `${RESOURCE}.Resource`, id: 1 },
                        scopeSpans: repeated(`${TRACE}.ScopeSpans`, 2),
                        schemaUrl: { type: 'string', id: 3 },
                      },
                    },
                    ScopeSpans: {
                      fields: {
                        scope: { type: `${COMMON}.InstrumentationScope`, id: 1 },
                        spans: repeated(`${TRACE}.Span`, 2),
                        schemaUrl: { type: 'string', id: 3 },
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
                        attributes: repeated(`${COMMON}.KeyValue`, 9),
                        droppedAttributesCount: { type: 'uint32', id: 10 },
                        events: repeated(`${TRACE}.Span.Event`, 11),
                        droppedEventsCount: { type: 'uint32', id: 12 },
                        links: repeated(`${TRACE}.Span.Link`, 13),
                        droppedLinksCount: { type: 'uint32', id: 14 },
                        status: { type: `${TRACE}.Status`, id: 15 },
                      },
                      nested: {
                        Event: {
                          fields: {
                            timeUnixNano: { type: 'fixed64', id: 1 },
                            name: { type: 'string', id: 2 },
                            attributes: repeated(`${COMMON}.KeyValue`, 3),
                            droppedAttributesCount: { type: 'uint32', id: 4 },
                          },
                        },
                        Link: {
                          fields: {
                            traceId: { type: 'bytes', id: 1 },
                            spanId: { type: 'bytes', id: 2 },
                            traceState: { type: 'string', id: 3 },
                            attributes: repeated(`${COMMON}.KeyValue`, 4),
                            droppedAttributesCount: { type: 'uint32', id: 5 },
                            flags: { type: 'fixed32', id: 6 },
                          },
                        },
                      },
                    },
                    Status: {
                      fields: {
                        message: { type: 'string', id: 2 },
                        code: { type: 'int32', id: 3 },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

export const ExportTraceServiceRequest = protobuf.Root.fromJSON(otlpTraceDescriptor).lookupType(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
);

/**
 * Decodes protobuf bytes into the OTLP/JSON-like object shape: 64-bit integers as decimal
 * strings (fixed64 nanos keep every digit), bytes as Buffers. Throws on malformed input.
 */
export function decodeExportTraceServiceRequest(bytes: Uint8Array): Record<string, unknown> {
  const message = ExportTraceServiceRequest.decode(bytes);
  return ExportTraceServiceRequest.toObject(message, { longs: String, defaults: false, arrays: false }) as Record<string, unknown>;
}

/** For each message type, the fields that hold a nested message (by field number). */
const nestedFields = new Map<protobuf.Type, Map<number, protobuf.Type>>();
function nestedOf(type: protobuf.Type): Map<number, protobuf.Type> {
  let fields = nestedFields.get(type);
  if (!fields) {
    fields = new Map();
    for (const field of type.fieldsArray) {
      const resolved = field.resolve().resolvedType;
      if (resolved instanceof protobuf.Type) fields.set(field.id, resolved);
    }
    nestedFields.set(type, fields);
  }
  return fields;
}

/**
 * Counts the fields of an export (each one an object or value the decoder would build) by
 * walking the wire format, without building anything, and stops once past `limit`: the cost of
 * a protobuf body is in what decoding makes of it (millions of 2-byte empty attributes), as
 * for JSON. Returns the count, or limit + 1 when past it. Malformed bytes end the count early;
 * the decoder then says what is wrong.
 */
export function countProtobufElements(bytes: Uint8Array, limit: number): number {
  let count = 0;
  let pos = 0;
  let type: protobuf.Type = ExportTraceServiceRequest;
  let end = bytes.length;
  const stack: { type: protobuf.Type; end: number }[] = [];
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (pos >= end) return -1;
      const byte = bytes[pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
      if (shift > 63) return -1;
    }
  };
  for (;;) {
    if (pos >= end) {
      const outer = stack.pop();
      if (!outer) return count;
      type = outer.type;
      end = outer.end;
      continue;
    }
    const tag = varint();
    if (tag < 0) return count;
    if (++count > limit) return limit + 1;
    switch (tag & 7) {
      case 0:
        if (varint() < 0) return count;
        break;
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      case 2: {
        const length = varint();
        if (length < 0 || pos + length > end) return count;
        const nested = nestedOf(type).get(Math.floor(tag / 8));
        if (nested) {
          stack.push({ type, end });
          type = nested;
          end = pos + length;
        } else {
          pos += length;
        }
        break;
      }
      default:
        return count;
    }
  }
}
