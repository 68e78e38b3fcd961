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
