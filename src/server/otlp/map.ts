// Decoded OTLP spans → Langfuse ingestion events, as Langfuse's OtelIngestionProcessor builds
// them: one `<type>-create` per span, plus a `trace-create` for root spans (the full trace) and
// for child spans that carry trace attributes (an update). Spans of a trace whose root has not
// arrived create no trace event: the ingestion makes a shallow trace from the observation.
// Event ids derive from the span, so an exporter's retry of the same batch dedups.

import type { IngestionEvent, ObservationBody, TraceBody } from '../../domain/ingestion.js';
import {
  extractCompletionStartTime,
  extractCostDetails,
  extractEnvironment,
  extractLevel,
  extractMetadata,
  extractModelName,
  extractModelParameters,
  extractName,
  extractPrompt,
  extractPublic,
  extractSessionId,
  extractTags,
  extractUsageDetails,
  extractUserId,
  hasTraceUpdates,
  isRootSpan,
  LANGFUSE,
  maybeJson,
  str,
} from './extract.js';
import { extractInputOutput } from './input-output.js';
import { observationTypeOf } from './observation-type.js';
import type { OtlpAttributes, OtlpExportRequest, OtlpScope, OtlpSpan } from './types.js';

export interface OtlpMappingResult {
  events: IngestionEvent[];
  /** One line per span that could not be mapped; its events are left out, the others kept. */
  errors: string[];
}

/** Event ids for a span: stable across resends, distinct between the trace and observation events. */
export const otlpEventIds = (traceId: string, spanId: string) => ({
  trace: `otel-trace-${traceId}-${spanId}`,
  observation: `otel-${traceId}-${spanId}`,
});

/** Nanoseconds → ISO 8601 with milliseconds; null when absent or outside what Date can hold. */
export function nanosToIso(nanos: string | null): string | null {
  if (!nanos) return null;
  const ms = Number(BigInt(nanos) / 1_000_000n);
  return Number.isFinite(ms) && ms <= 8.64e15 ? new Date(ms).toISOString() : null;
}

/** Undefined and null fields are left out, so a body says only what the span said. */
function compact<T extends object>(body: T): T {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined && value !== null)) as T;
}

interface SpanContext {
  span: OtlpSpan;
  resource: OtlpAttributes;
  resourceMetadata: Record<string, unknown>;
  scope: OtlpScope;
  isLangfuseSdk: boolean;
  nowIso: string;
}

function scopeMetadata(scope: OtlpScope): Record<string, unknown> {
  return compact({ name: scope.name, version: scope.version, attributes: scope.attributes });
}

function traceEvent(context: SpanContext, startTime: string): IngestionEvent {
  const { span, resource, resourceMetadata, scope, isLangfuseSdk } = context;
  const attributes = span.attributes;
  const isRoot = isRootSpan(span);
  const common = {
    id: span.traceId,
    environment: extractEnvironment(attributes, resource),
    version: str(attributes[LANGFUSE.VERSION] ?? resource['service.version']),
    release: str(attributes[LANGFUSE.RELEASE] ?? resource[LANGFUSE.RELEASE]),
    userId: extractUserId(attributes),
    sessionId: extractSessionId(attributes),
    public: extractPublic(attributes),
    tags: (() => {
      const tags = extractTags(attributes);
      return tags.length > 0 ? tags : undefined;
    })(),
  };
  let body: TraceBody;
  if (isRoot) {
    const { input, output, filteredAttributes } = extractInputOutput({
      events: span.events,
      attributes,
      scopeName: scope.name,
      domain: 'trace',
    });
    body = {
      ...common,
      timestamp: startTime,
      name: str(attributes[LANGFUSE.TRACE_NAME]) ?? extractName(span.name, attributes),
      metadata: {
        ...resourceMetadata,
        ...extractMetadata(attributes, 'trace'),
        ...extractMetadata(attributes, 'observation'),
        ...(isLangfuseSdk ? {} : { attributes: filteredAttributes }),
        resourceAttributes: resource,
        scope: scopeMetadata(scope),
      },
      input: maybeJson(input),
      output: maybeJson(output),
    };
  } else {
    // An update from a child span: it must not move the trace's start (the root sets that).
    body = {
      ...common,
      name: str(attributes[LANGFUSE.TRACE_NAME]),
      metadata: {
        ...resourceMetadata,
        ...extractMetadata(attributes, 'trace'),
        resourceAttributes: resource,
        scope: scopeMetadata(scope),
      },
      input: maybeJson(attributes[LANGFUSE.TRACE_INPUT]),
      output: maybeJson(attributes[LANGFUSE.TRACE_OUTPUT]),
    };
  }
  // The event time is the span start, as in Langfuse, so a trace first created by a child update
  // starts near its spans rather than at receive time.
  return { id: otlpEventIds(span.traceId, span.spanId).trace, type: 'trace-create', timestamp: startTime, body: compact(body) };
}

/**
 * The AI SDK's OTel integration (scope "gen_ai") repeats the per-call usage of its chat spans as
 * totals on the enclosing invoke_agent/agent_step spans; Langfuse leaves model, usage and cost
 * off those so a trace is not costed twice.
 */
function isAiSdkAggregateSpan(attributes: OtlpAttributes, scope: OtlpScope): boolean {
  const operation = attributes['gen_ai.operation.name'];
  return scope.name === 'gen_ai' && (operation === 'invoke_agent' || operation === 'agent_step');
}

function observationEvent(context: SpanContext, startTime: string, endTime: string): IngestionEvent {
  const { span, resource, resourceMetadata, scope, isLangfuseSdk, nowIso } = context;
  const attributes = span.attributes;
  const type = observationTypeOf(attributes, resource, scope);
  const { input, output, filteredAttributes } = extractInputOutput({ events: span.events, attributes, scopeName: scope.name });
  let body: ObservationBody = {
    id: span.spanId,
    traceId: span.traceId,
    parentObservationId: span.parentSpanId,
    name: extractName(span.name, attributes),
    startTime,
    endTime,
    environment: extractEnvironment(attributes, resource),
    version: str(attributes[LANGFUSE.VERSION] ?? resource['service.version']),
    level: extractLevel(span, scope.name),
    statusMessage: str(attributes[LANGFUSE.OBSERVATION_STATUS_MESSAGE]) ?? span.status.message ?? undefined,
    metadata: {
      ...resourceMetadata,
      ...extractMetadata(attributes, 'observation'),
      ...(isLangfuseSdk ? {} : { attributes: filteredAttributes }),
      resourceAttributes: resource,
      scope: scopeMetadata(scope),
    },
    input: maybeJson(input),
    output: maybeJson(output),
  };
  // Span and event bodies carry no model fields in Langfuse's ingestion schema.
  if (type !== 'SPAN' && type !== 'EVENT' && !isAiSdkAggregateSpan(attributes, scope)) {
    const prompt = type === 'GENERATION' ? extractPrompt(attributes) : {};
    body = {
      ...body,
      model: extractModelName(attributes),
      modelParameters: extractModelParameters(attributes, scope.name),
      usageDetails: extractUsageDetails(attributes, scope.name),
      costDetails: extractCostDetails(attributes),
      completionStartTime: extractCompletionStartTime(attributes, startTime),
      promptName: prompt.name,
      promptVersion: prompt.version,
    };
  }
  const eventType = `${type.toLowerCase()}-create` as IngestionEvent['type'];
  return { id: otlpEventIds(span.traceId, span.spanId).observation, type: eventType, timestamp: nowIso, body: compact(body) };
}

function spanEvents(context: SpanContext): IngestionEvent[] {
  const { span, nowIso } = context;
  const start = nanosToIso(span.startTimeUnixNano);
  const end = nanosToIso(span.endTimeUnixNano);
  // A missing edge borrows the other one; with neither, the receive time (Langfuse does the same).
  const startTime = start ?? end ?? nowIso;
  const endTime = end ?? start ?? nowIso;
  const events: IngestionEvent[] = [];
  if (isRootSpan(span) || hasTraceUpdates(span.attributes)) events.push(traceEvent(context, startTime));
  events.push(observationEvent(context, startTime, endTime));
  return events;
}

export function mapOtlpToIngestion(request: OtlpExportRequest, now: Date): OtlpMappingResult {
  const events: IngestionEvent[] = [];
  const errors: string[] = [];
  const nowIso = now.toISOString();
  for (const { resourceAttributes: resource, scopeSpans } of request.resourceSpans) {
    const resourceMetadata = extractMetadata(resource, 'trace');
    for (const { scope, spans } of scopeSpans) {
      const isLangfuseSdk = scope.name.startsWith('langfuse-sdk');
      for (const span of spans) {
        try {
          events.push(...spanEvents({ span, resource, resourceMetadata, scope, isLangfuseSdk, nowIso }));
        } catch (error) {
          errors.push(`span ${span.spanId} of trace ${span.traceId}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  }
  return { events, errors };
}
