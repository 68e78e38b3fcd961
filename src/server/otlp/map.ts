// OTLP spans → Langfuse ingestion events, with Langfuse's attribute mapping
// (packages/shared/src/server/otel: langfuse.*, gen_ai.*, user.id, session.id …).
// Event ids derive from the span so an exporter's retry dedups.

import type { IngestionEvent } from '../../domain/ingestion.js';
import type { ObservationType } from '../../domain/types.js';
import type { OtlpExportRequest, OtlpSpan } from './decode.js';

type Attributes = Record<string, unknown>;

const TYPES: Record<string, ObservationType> = {
  span: 'SPAN',
  generation: 'GENERATION',
  event: 'EVENT',
  agent: 'AGENT',
  tool: 'TOOL',
  chain: 'CHAIN',
  retriever: 'RETRIEVER',
  evaluator: 'EVALUATOR',
  embedding: 'EMBEDDING',
  guardrail: 'GUARDRAIL',
};

const OPENINFERENCE_KINDS: Record<string, ObservationType> = {
  LLM: 'GENERATION',
  EMBEDDING: 'EMBEDDING',
  AGENT: 'AGENT',
  TOOL: 'TOOL',
  CHAIN: 'CHAIN',
  RETRIEVER: 'RETRIEVER',
  EVALUATOR: 'EVALUATOR',
  GUARDRAIL: 'GUARDRAIL',
};

const GEN_AI_OPERATIONS: Record<string, ObservationType> = {
  chat: 'GENERATION',
  completion: 'GENERATION',
  text_completion: 'GENERATION',
  generate_content: 'GENERATION',
  generate: 'GENERATION',
  embeddings: 'EMBEDDING',
  invoke_agent: 'AGENT',
  create_agent: 'AGENT',
  execute_tool: 'TOOL',
};

const nanosToIso = (value: string | null): string | null => {
  if (!value || value === '0') return null;
  const ms = Number(BigInt(value) / 1_000_000n);
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : null;
};

/** JSON strings are parsed; anything else is kept as it came. */
function maybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!trimmed || !'{["'.includes(trimmed[0]!) && !/^(true|false|null|-?\d)/.test(trimmed)) return value;
  try {
    return JSON.parse(trimmed);
  } catch {
    return value;
  }
}

const str = (value: unknown): string | undefined =>
  value === undefined || value === null || value === '' ? undefined : typeof value === 'string' ? value : String(value);

function first(attributes: Attributes, ...keys: string[]): unknown {
  for (const key of keys) if (attributes[key] !== undefined && attributes[key] !== null && attributes[key] !== '') return attributes[key];
  return undefined;
}

/** `<prefix>` as a JSON object, or the flattened `<prefix>.<key>` attributes. */
function objectAttribute(attributes: Attributes, prefix: string): Record<string, unknown> | undefined {
  const whole = maybeJson(attributes[prefix]);
  const result: Record<string, unknown> = {};
  if (typeof whole === 'object' && whole !== null && !Array.isArray(whole)) Object.assign(result, whole);
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith(`${prefix}.`)) {
      Object.defineProperty(result, key.slice(prefix.length + 1), { value: maybeJson(value), enumerable: true, writable: true, configurable: true });
    }
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

function tagsAttribute(value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') {
    const parsed = maybeJson(value);
    if (Array.isArray(parsed)) return parsed.map(String);
    return value.split(',').map((tag) => tag.trim()).filter(Boolean);
  }
  return [String(value)];
}

function numberMap(value: unknown): Record<string, number> | undefined {
  const parsed = maybeJson(value);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const result: Record<string, number> = {};
  for (const [key, item] of Object.entries(parsed)) if (typeof item === 'number' && Number.isFinite(item)) result[key] = item;
  return Object.keys(result).length ? result : undefined;
}

function observationType(attributes: Attributes): ObservationType {
  const explicit = str(attributes['langfuse.observation.type']);
  if (explicit && TYPES[explicit.toLowerCase()]) return TYPES[explicit.toLowerCase()]!;
  const kind = str(attributes['openinference.span.kind']);
  if (kind && OPENINFERENCE_KINDS[kind.toUpperCase()]) return OPENINFERENCE_KINDS[kind.toUpperCase()]!;
  const operation = str(attributes['gen_ai.operation.name']);
  if (operation && GEN_AI_OPERATIONS[operation]) return GEN_AI_OPERATIONS[operation]!;
  return 'SPAN';
}

function usageDetails(attributes: Attributes): Record<string, number> | undefined {
  const explicit = numberMap(attributes['langfuse.observation.usage_details']);
  if (explicit) return explicit;
  const usage: Record<string, number> = {};
  const put = (key: string, value: unknown) => {
    const number = typeof value === 'number' ? value : Number(value);
    if (value !== undefined && Number.isFinite(number)) usage[key] = number;
  };
  put('input', first(attributes, 'gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt'));
  put('output', first(attributes, 'gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'llm.token_count.completion'));
  put('total', first(attributes, 'gen_ai.usage.total_tokens', 'llm.token_count.total'));
  return Object.keys(usage).length ? usage : undefined;
}

function costDetails(attributes: Attributes): Record<string, number> | undefined {
  const explicit = numberMap(attributes['langfuse.observation.cost_details']);
  if (explicit) return explicit;
  const total = first(attributes, 'gen_ai.usage.cost', 'llm.cost.total');
  return typeof total === 'number' ? { total } : undefined;
}

const TRACE_ATTRIBUTE_KEYS = [
  'langfuse.trace.name',
  'user.id',
  'langfuse.user.id',
  'session.id',
  'langfuse.session.id',
  'langfuse.trace.tags',
  'langfuse.tags',
  'langfuse.trace.public',
  'langfuse.trace.input',
  'langfuse.trace.output',
];

function carriesTraceAttributes(attributes: Attributes): boolean {
  return Object.keys(attributes).some(
    (key) => TRACE_ATTRIBUTE_KEYS.includes(key) || key === 'langfuse.trace.metadata' || key.startsWith('langfuse.trace.metadata.'),
  );
}

export function mapOtlpToIngestion(request: OtlpExportRequest, now: Date): { events: IngestionEvent[]; errors: string[] } {
  const events: IngestionEvent[] = [];
  const errors: string[] = [];
  const timestamp = now.toISOString();
  for (const resourceSpans of request.resourceSpans) {
    const resource = resourceSpans.resource;
    for (const { scope, spans } of resourceSpans.scopeSpans) {
      const isLangfuseSdk = scope.name.startsWith('langfuse-sdk');
      for (const span of spans) {
        try {
          events.push(...spanEvents(span, resource, scope, isLangfuseSdk, timestamp));
        } catch (error) {
          errors.push(`span ${span.spanId}: ${(error as Error).message}`);
        }
      }
    }
  }
  return { events, errors };
}

function spanEvents(
  span: OtlpSpan,
  resource: Attributes,
  scope: { name: string; version: string | null },
  isLangfuseSdk: boolean,
  timestamp: string,
): IngestionEvent[] {
  const attributes = span.attributes;
  const startTime = nanosToIso(span.startTimeUnixNano) ?? timestamp;
  const endTime = nanosToIso(span.endTimeUnixNano);
  const environment = str(
    first(attributes, 'langfuse.environment', 'deployment.environment.name', 'deployment.environment') ??
      first(resource, 'langfuse.environment', 'deployment.environment.name', 'deployment.environment'),
  );
  const release = str(first(attributes, 'langfuse.release') ?? first(resource, 'langfuse.release'));
  const version = str(first(attributes, 'langfuse.version') ?? first(resource, 'service.version'));
  const isRoot = !span.parentSpanId || attributes['langfuse.internal.as_root'] === true || attributes['langfuse.internal.as_root'] === 'true';
  const events: IngestionEvent[] = [];

  const metadata: Record<string, unknown> = { ...(objectAttribute(attributes, 'langfuse.observation.metadata') ?? {}) };
  if (!isLangfuseSdk) metadata.attributes = attributes;
  metadata.resourceAttributes = resource;
  metadata.scope = { name: scope.name, version: scope.version };

  if (isRoot || carriesTraceAttributes(attributes)) {
    const traceMetadata = objectAttribute(attributes, 'langfuse.trace.metadata');
    const isPublic = first(attributes, 'langfuse.trace.public', 'langfuse.public');
    const body: Record<string, unknown> = {
      id: span.traceId,
      name: str(attributes['langfuse.trace.name']) ?? (isRoot ? span.name : undefined),
      userId: str(first(attributes, 'langfuse.user.id', 'user.id', 'ai.telemetry.metadata.userId', 'langfuse.trace.metadata.langfuse_user_id', 'langfuse.observation.metadata.langfuse_user_id')),
      sessionId: str(first(attributes, 'langfuse.session.id', 'session.id', 'gen_ai.conversation.id', 'langfuse.trace.metadata.langfuse_session_id', 'langfuse.observation.metadata.langfuse_session_id')),
      tags: tagsAttribute(first(attributes, 'langfuse.trace.tags', 'langfuse.tags')),
      public: isPublic === undefined ? undefined : isPublic === true || isPublic === 'true',
      metadata: traceMetadata,
      input: maybeJson(first(attributes, 'langfuse.trace.input') ?? (isRoot ? attributes['langfuse.observation.input'] : undefined)),
      output: maybeJson(first(attributes, 'langfuse.trace.output') ?? (isRoot ? attributes['langfuse.observation.output'] : undefined)),
      environment,
      release,
      version,
    };
    if (isRoot) body.timestamp = startTime;
    events.push({ id: `otel-trace-${span.traceId}-${span.spanId}`, type: 'trace-create', timestamp, body });
  }

  const type = observationType(attributes);
  const level = str(attributes['langfuse.observation.level'])?.toUpperCase() ?? (span.status.code === 2 ? 'ERROR' : undefined);
  const promptVersion = first(attributes, 'langfuse.observation.prompt.version', 'langfuse.prompt.version');
  const observation: Record<string, unknown> = {
    id: span.spanId,
    traceId: span.traceId,
    parentObservationId: isRoot && attributes['langfuse.internal.as_root'] ? null : span.parentSpanId,
    name: span.name,
    startTime,
    endTime: type === 'EVENT' ? (endTime ?? startTime) : endTime,
    level,
    statusMessage: str(attributes['langfuse.observation.status_message']) ?? span.status.message ?? undefined,
    input: maybeJson(attributes['langfuse.observation.input']),
    output: maybeJson(attributes['langfuse.observation.output']),
    metadata,
    environment,
    release,
    version,
  };
  if (type === 'GENERATION' || type === 'EMBEDDING' || attributes['langfuse.observation.model.name'] !== undefined) {
    Object.assign(observation, {
      model: str(first(attributes, 'langfuse.observation.model.name', 'gen_ai.response.model', 'ai.model.id', 'gen_ai.request.model', 'llm.response.model', 'llm.model_name', 'model')),
      modelParameters: objectAttribute(attributes, 'langfuse.observation.model.parameters'),
      usageDetails: usageDetails(attributes),
      costDetails: costDetails(attributes),
      completionStartTime: (() => {
        const raw = maybeJson(attributes['langfuse.observation.completion_start_time']);
        return typeof raw === 'string' && !Number.isNaN(Date.parse(raw)) ? new Date(raw).toISOString() : undefined;
      })(),
      promptName: type === 'GENERATION' ? str(first(attributes, 'langfuse.observation.prompt.name', 'langfuse.prompt.name')) : undefined,
      promptVersion: type === 'GENERATION' && promptVersion !== undefined ? Number(promptVersion) : undefined,
    });
  }
  events.push({ id: `otel-${span.traceId}-${span.spanId}`, type: `${type.toLowerCase()}-create` as IngestionEvent['type'], timestamp, body: observation });
  return events;
}
