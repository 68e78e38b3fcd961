// Field extractors over span attributes, following Langfuse's OtelIngestionProcessor
// (packages/shared/src/server/otel): which attribute wins for each trace/observation field,
// including the fallbacks for third-party instrumentations (OpenInference, OTel GenAI semantic
// conventions, Vercel AI SDK, Pydantic AI). Input/output has its own module (input-output.ts).
// Attribute content is untrusted: keys are always set with setOwn.

import { LEVELS, type Level } from '../../domain/types.js';
import { setOwn } from './normalise.js';
import type { OtlpAttributes, OtlpSpan } from './types.js';

export const LANGFUSE = {
  TRACE_NAME: 'langfuse.trace.name',
  TRACE_USER_ID: 'user.id',
  TRACE_SESSION_ID: 'session.id',
  TRACE_COMPAT_USER_ID: 'langfuse.user.id',
  TRACE_COMPAT_SESSION_ID: 'langfuse.session.id',
  TRACE_TAGS: 'langfuse.trace.tags',
  TRACE_PUBLIC: 'langfuse.trace.public',
  TRACE_METADATA: 'langfuse.trace.metadata',
  TRACE_INPUT: 'langfuse.trace.input',
  TRACE_OUTPUT: 'langfuse.trace.output',
  OBSERVATION_TYPE: 'langfuse.observation.type',
  OBSERVATION_METADATA: 'langfuse.observation.metadata',
  OBSERVATION_LEVEL: 'langfuse.observation.level',
  OBSERVATION_STATUS_MESSAGE: 'langfuse.observation.status_message',
  OBSERVATION_INPUT: 'langfuse.observation.input',
  OBSERVATION_OUTPUT: 'langfuse.observation.output',
  OBSERVATION_COMPLETION_START_TIME: 'langfuse.observation.completion_start_time',
  OBSERVATION_MODEL: 'langfuse.observation.model.name',
  OBSERVATION_MODEL_PARAMETERS: 'langfuse.observation.model.parameters',
  OBSERVATION_USAGE_DETAILS: 'langfuse.observation.usage_details',
  OBSERVATION_COST_DETAILS: 'langfuse.observation.cost_details',
  OBSERVATION_PROMPT_NAME: 'langfuse.observation.prompt.name',
  OBSERVATION_PROMPT_VERSION: 'langfuse.observation.prompt.version',
  ENVIRONMENT: 'langfuse.environment',
  RELEASE: 'langfuse.release',
  VERSION: 'langfuse.version',
  AS_ROOT: 'langfuse.internal.as_root',
} as const;

export type Plain = Record<string, unknown>;

export const isPlainObject = (value: unknown): value is Plain =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON text becomes its value (as Langfuse's API returns it); anything else stays as it came. */
export function maybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (trimmed === '' || !/^[[{"]|^(?:true|false|null)$|^-?\d/.test(trimmed)) return value;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    // A long digit string (an id) must not turn into a rounded number.
    if (typeof parsed === 'number' && !Number.isSafeInteger(parsed) && /^-?\d+$/.test(trimmed)) return value;
    return parsed;
  } catch {
    return value;
  }
}

/** Langfuse stringifies non-string ids and names with JSON.stringify; empty means absent. */
export function str(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export const truthy = (value: unknown): boolean => Boolean(value);

function firstTruthy(attributes: OtlpAttributes, keys: readonly string[]): unknown {
  for (const key of keys) if (truthy(attributes[key])) return attributes[key];
  return undefined;
}

export function extractName(spanName: string, attributes: OtlpAttributes): string {
  const toolName = attributes['gen_ai.tool.name'];
  if (truthy(toolName)) return str(toolName)!;
  if (truthy(attributes['logfire.msg'])) return str(attributes['logfire.msg'])!;
  if ('ai.toolCall.name' in attributes) return str(attributes['ai.toolCall.name']) ?? spanName;
  if ('ai.operationId' in attributes) {
    const functionId = attributes['ai.telemetry.functionId'];
    return `${truthy(functionId) ? `${String(functionId)}:` : ''}${String(attributes['ai.operationId'])}`;
  }
  return spanName;
}

const VERCEL_TRACE_ATTRIBUTE_KEYS = [
  'ai.telemetry.metadata.userId',
  'ai.telemetry.metadata.sessionId',
  'ai.telemetry.metadata.tags',
  'ai.telemetry.metadata.langfusePrompt',
];

/** `langfuse.<domain>.metadata` as JSON, merged with the flattened `<prefix>.<key>` attributes. */
export function extractMetadata(attributes: OtlpAttributes, domain: 'trace' | 'observation'): Plain {
  const prefix = domain === 'observation' ? LANGFUSE.OBSERVATION_METADATA : LANGFUSE.TRACE_METADATA;
  const whole = attributes[prefix] || attributes['langfuse.metadata'];
  let topLevel: Plain = {};
  const parsedWhole = typeof whole === 'string' ? maybeJson(whole) : whole;
  if (isPlainObject(parsedWhole)) topLevel = parsedWhole;

  const flattened: Plain = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (VERCEL_TRACE_ATTRIBUTE_KEYS.includes(key)) continue;
    for (const candidate of [prefix, 'langfuse.metadata', 'ai.telemetry.metadata']) {
      if (key.startsWith(`${candidate}.`)) setOwn(flattened, key.slice(candidate.length + 1), maybeJson(value));
    }
  }
  if (truthy(attributes['ai.prompt.tools'])) setOwn(flattened, 'tools', attributes['ai.prompt.tools']);
  return { ...topLevel, ...flattened };
}

export function extractEnvironment(attributes: OtlpAttributes, resource: OtlpAttributes): string {
  for (const key of [LANGFUSE.ENVIRONMENT, 'deployment.environment.name', 'deployment.environment']) {
    if (truthy(attributes[key])) return String(attributes[key]);
    if (truthy(resource[key])) return String(resource[key]);
  }
  return 'default';
}

export function extractUserId(attributes: OtlpAttributes): string | undefined {
  return str(
    firstTruthy(attributes, [
      LANGFUSE.TRACE_COMPAT_USER_ID,
      LANGFUSE.TRACE_USER_ID,
      `${LANGFUSE.OBSERVATION_METADATA}.langfuse_user_id`,
      `${LANGFUSE.TRACE_METADATA}.langfuse_user_id`,
      'ai.telemetry.metadata.userId',
    ]),
  );
}

export function extractSessionId(attributes: OtlpAttributes): string | undefined {
  return str(
    firstTruthy(attributes, [
      LANGFUSE.TRACE_COMPAT_SESSION_ID,
      LANGFUSE.TRACE_SESSION_ID,
      'gen_ai.conversation.id',
      `${LANGFUSE.OBSERVATION_METADATA}.langfuse_session_id`,
      `${LANGFUSE.TRACE_METADATA}.langfuse_session_id`,
      'ai.telemetry.metadata.sessionId',
    ]),
  );
}

/** An array, a JSON array string, a comma-separated string or a single string. */
export function extractTags(attributes: OtlpAttributes): string[] {
  const value = firstTruthy(attributes, [
    LANGFUSE.TRACE_TAGS,
    'langfuse.tags',
    `${LANGFUSE.OBSERVATION_METADATA}.langfuse_tags`,
    `${LANGFUSE.TRACE_METADATA}.langfuse_tags`,
    'ai.telemetry.metadata.tags',
    'tag.tags',
  ]);
  if (Array.isArray(value)) return value.map((tag) => String(tag));
  if (typeof value !== 'string') return [];
  if (value.trim().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed.map((tag) => String(tag));
    } catch {
      // not JSON: fall through to the string forms
    }
  }
  if (value.includes(',')) return value.split(',').map((tag) => tag.trim());
  return [value];
}

export function extractPublic(attributes: OtlpAttributes): boolean | undefined {
  const value = attributes[LANGFUSE.TRACE_PUBLIC] ?? attributes['langfuse.public'];
  if (value === undefined || value === null) return undefined;
  return value === true || value === 'true';
}

const TRACE_UPDATE_KEYS = [
  LANGFUSE.TRACE_NAME,
  LANGFUSE.TRACE_INPUT,
  LANGFUSE.TRACE_OUTPUT,
  LANGFUSE.TRACE_METADATA,
  LANGFUSE.TRACE_USER_ID,
  LANGFUSE.TRACE_SESSION_ID,
  LANGFUSE.TRACE_PUBLIC,
  LANGFUSE.TRACE_TAGS,
  LANGFUSE.TRACE_COMPAT_USER_ID,
  LANGFUSE.TRACE_COMPAT_SESSION_ID,
  `${LANGFUSE.OBSERVATION_METADATA}.langfuse_user_id`,
  `${LANGFUSE.OBSERVATION_METADATA}.langfuse_session_id`,
  `${LANGFUSE.OBSERVATION_METADATA}.langfuse_tags`,
  `${LANGFUSE.TRACE_METADATA}.langfuse_session_id`,
  `${LANGFUSE.TRACE_METADATA}.langfuse_user_id`,
  `${LANGFUSE.TRACE_METADATA}.langfuse_tags`,
  'ai.telemetry.metadata.sessionId',
  'ai.telemetry.metadata.userId',
  'ai.telemetry.metadata.tags',
  'tag.tags',
];

/** Does a (non-root) span carry trace-level attributes that should update its trace? */
export function hasTraceUpdates(attributes: OtlpAttributes): boolean {
  return (
    TRACE_UPDATE_KEYS.some((key) => truthy(attributes[key])) ||
    Object.keys(attributes).some((key) => key.startsWith(LANGFUSE.TRACE_METADATA))
  );
}

export function isRootSpan(span: OtlpSpan): boolean {
  return !span.parentSpanId || String(span.attributes[LANGFUSE.AS_ROOT]) === 'true';
}

const LIVEKIT_DEBUG_SPAN_NAMES = new Set([
  'user_speaking',
  'eou_detection',
  'llm_request_run',
  'tts_node',
  'tts_request',
  'tts_request_run',
  'tts_stream_adapter',
  'agent_speaking',
  'drain_agent_activity',
  'on_exit',
  'on_enter',
  'llm_fallback_adapter',
  'tts_fallback_adapter',
  'start_agent_activity',
]);

export function extractLevel(span: OtlpSpan, scopeName: string): Level {
  const explicit = span.attributes[LANGFUSE.OBSERVATION_LEVEL];
  if (typeof explicit === 'string' && (LEVELS as readonly string[]).includes(explicit.toUpperCase())) {
    return explicit.toUpperCase() as Level;
  }
  if (span.status.code === 2) return 'ERROR';
  if (scopeName === 'livekit-agents' && LIVEKIT_DEBUG_SPAN_NAMES.has(span.name)) return 'DEBUG';
  return 'DEFAULT';
}

export function extractModelName(attributes: OtlpAttributes): string | undefined {
  return str(
    firstTruthy(attributes, [
      LANGFUSE.OBSERVATION_MODEL,
      'gen_ai.response.model',
      'ai.model.id',
      'gen_ai.request.model',
      'llm.response.model',
      'llm.model_name',
      'model',
    ]),
  );
}

/** Langfuse keeps model parameters as string|number values; anything else is JSON text. */
function sanitiseModelParameters(value: unknown): Record<string, string | number> | undefined {
  if (!isPlainObject(value)) return undefined;
  const result: Record<string, string | number> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue;
    setOwn(result, key, typeof item === 'string' || typeof item === 'number' ? item : JSON.stringify(item));
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

function parseJsonObject(value: unknown): unknown {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

export function extractModelParameters(attributes: OtlpAttributes, scopeName: string): Record<string, string | number> | undefined {
  const explicit = parseJsonObject(attributes[LANGFUSE.OBSERVATION_MODEL_PARAMETERS]);
  if (isPlainObject(explicit)) return sanitiseModelParameters(explicit);

  if (scopeName === 'ai') {
    const pick = (...keys: string[]) => {
      const key = keys.find((candidate) => candidate in attributes);
      return key === undefined ? null : (str(attributes[key]) ?? null);
    };
    return sanitiseModelParameters({
      maxSteps: pick('ai.settings.maxSteps'),
      toolChoice: pick('ai.prompt.toolChoice'),
      maxTokens: pick('gen_ai.request.max_tokens'),
      finishReason: pick('gen_ai.response.finish_reasons', 'gen_ai.finishReason'),
      system: pick('gen_ai.system', 'ai.model.provider'),
      maxRetries: pick('ai.settings.maxRetries'),
      mode: pick('ai.settings.mode'),
      temperature: pick('gen_ai.request.temperature'),
    });
  }
  for (const key of ['llm.invocation_parameters', 'model_config']) {
    const parsed = parseJsonObject(attributes[key]);
    if (isPlainObject(parsed)) return sanitiseModelParameters(parsed);
  }
  const fromRequest: Plain = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith('gen_ai.request.') && key !== 'gen_ai.request.model') setOwn(fromRequest, key.slice('gen_ai.request.'.length), value);
  }
  return sanitiseModelParameters(fromRequest);
}

/** Only counts survive: finite, non-negative numbers (one level of OpenAI-style nesting kept).
 * Token counts (`counts`) are rounded to integers, as the ingestion API only takes integer
 * counts; costs keep their fractions. */
function usageNumbers(value: unknown, counts = true): Record<string, number> | undefined {
  if (!isPlainObject(value)) return undefined;
  const result: Record<string, number> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'number' && Number.isFinite(item) && item >= 0) setOwn(result, key, counts ? Math.round(item) : item);
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

const toInt = (value: unknown): number | undefined => {
  if (value === undefined || value === null) return undefined;
  const parsed = parseInt(String(value), 10);
  return Number.isNaN(parsed) ? undefined : parsed;
};

function vercelUsage(attributes: OtlpAttributes): Plain {
  const usage: Record<string, number | undefined> = {
    input: 'gen_ai.usage.prompt_tokens' in attributes ? toInt(attributes['gen_ai.usage.prompt_tokens']) : toInt(attributes['gen_ai.usage.input_tokens']),
    output: 'gen_ai.usage.completion_tokens' in attributes ? toInt(attributes['gen_ai.usage.completion_tokens']) : toInt(attributes['gen_ai.usage.output_tokens']),
    total: toInt(attributes['ai.usage.tokens']),
  };
  const numberOrIntValue = (value: unknown): number | undefined => {
    const parsed = typeof value === 'string' ? maybeJson(value) : value;
    if (typeof parsed === 'number') return parsed;
    return isPlainObject(parsed) && typeof parsed.intValue === 'number' ? parsed.intValue : undefined;
  };
  if ('ai.usage.cachedInputTokens' in attributes) usage.input_cached_tokens = numberOrIntValue(attributes['ai.usage.cachedInputTokens']);
  if ('ai.usage.reasoningTokens' in attributes) usage.output_reasoning_tokens = numberOrIntValue(attributes['ai.usage.reasoningTokens']);

  const providerMetadata = maybeJson(attributes['ai.response.providerMetadata']);
  if (isPlainObject(providerMetadata)) {
    const openai = providerMetadata.openai;
    if (isPlainObject(openai)) {
      usage.input_cached_tokens ??= openai.cachedPromptTokens as number | undefined;
      usage.accepted_prediction_tokens ??= openai.acceptedPredictionTokens as number | undefined;
      usage.rejected_prediction_tokens ??= openai.rejectedPredictionTokens as number | undefined;
      usage.output_reasoning_tokens ??= openai.reasoningTokens as number | undefined;
    }
    const anthropic = isPlainObject(providerMetadata.anthropic) ? providerMetadata.anthropic.usage : undefined;
    if (isPlainObject(anthropic)) {
      usage.input_cache_creation ??= anthropic.cache_creation_input_tokens as number | undefined;
      usage.input_cached_tokens ??= anthropic.cache_read_input_tokens as number | undefined;
      const creation = anthropic.cache_creation;
      if (isPlainObject(creation)) {
        if (typeof creation.ephemeral_5m_input_tokens === 'number') usage.input_cache_creation_5m ??= creation.ephemeral_5m_input_tokens;
        if (typeof creation.ephemeral_1h_input_tokens === 'number') usage.input_cache_creation_1h ??= creation.ephemeral_1h_input_tokens;
        usage.input_cache_creation = Math.max(
          (usage.input_cache_creation ?? 0) - (usage.input_cache_creation_5m ?? 0) - (usage.input_cache_creation_1h ?? 0),
          0,
        );
      }
    }
    const bedrock = isPlainObject(providerMetadata.bedrock) ? providerMetadata.bedrock.usage : undefined;
    if (isPlainObject(bedrock)) {
      if (bedrock.cacheReadInputTokens !== undefined) usage.input_cache_read ??= bedrock.cacheReadInputTokens as number;
      if (bedrock.cacheWriteInputTokens !== undefined) usage.input_cache_write ??= bedrock.cacheWriteInputTokens as number;
      if (bedrock.cacheCreationInputTokens !== undefined) usage.input_cache_creation ??= bedrock.cacheCreationInputTokens as number;
    }
  }
  // Langfuse reports input/output net of the cached and reasoning parts.
  usage.input = Math.max(
    (usage.input ?? 0) -
      (usage.input_cached_tokens ?? 0) -
      (usage.input_cache_creation ?? 0) -
      (usage.input_cache_creation_5m ?? 0) -
      (usage.input_cache_creation_1h ?? 0) -
      (usage.input_cache_read ?? 0),
    0,
  );
  usage.output = Math.max((usage.output ?? 0) - (usage.output_reasoning_tokens ?? 0), 0);
  return usage;
}

const USAGE_KEY_ALIASES: Record<string, string> = {
  prompt_tokens: 'input',
  completion_tokens: 'output',
  total_tokens: 'total',
  input_tokens: 'input',
  output_tokens: 'output',
  prompt: 'input',
  completion: 'output',
};

export function extractUsageDetails(attributes: OtlpAttributes, scopeName: string): Record<string, number> | undefined {
  const explicit = parseJsonObject(attributes[LANGFUSE.OBSERVATION_USAGE_DETAILS]);
  if (isPlainObject(explicit)) return usageNumbers(explicit);
  if (scopeName === 'ai') return usageNumbers(vercelUsage(attributes));
  if (scopeName === 'pydantic-ai') {
    // Pydantic AI reports totals and details; only the details avoid double counting.
    return usageNumbers({
      input: attributes['gen_ai.usage.details.input_tokens'],
      output: attributes['gen_ai.usage.details.output_tokens'],
      input_cache_read: attributes['gen_ai.usage.details.cache_read_input_tokens'] ?? attributes['gen_ai.usage.details.cache_read_tokens'],
      input_cache_creation: attributes['gen_ai.usage.cache_write_tokens'] ?? attributes['gen_ai.usage.details.cache_creation_input_tokens'],
    });
  }
  const usage: Plain = {};
  for (const [key, value] of Object.entries(attributes)) {
    const isUsageKey = (key.startsWith('gen_ai.usage.') && key !== 'gen_ai.usage.cost') || key.startsWith('llm.token_count');
    if (!isUsageKey) continue;
    const short = key.replace('gen_ai.usage.', '').replace('llm.token_count.', '');
    const number = Number(value);
    if (!Number.isNaN(number)) setOwn(usage, Object.hasOwn(USAGE_KEY_ALIASES, short) ? USAGE_KEY_ALIASES[short]! : short, number);
  }
  return usageNumbers(usage);
}

export function extractCostDetails(attributes: OtlpAttributes): Record<string, number> | undefined {
  const explicit = parseJsonObject(attributes[LANGFUSE.OBSERVATION_COST_DETAILS]);
  if (isPlainObject(explicit)) return usageNumbers(explicit, false);
  const total = firstTruthy(attributes, ['gen_ai.usage.cost', 'llm.cost.total']);
  return total === undefined ? undefined : usageNumbers({ total: Number(total) }, false);
}

const toIso = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;

/** The SDKs send a JSON-quoted ISO string; older ones a bare one; the Vercel AI SDK an offset in ms. */
export function extractCompletionStartTime(attributes: OtlpAttributes, startTimeIso: string): string | undefined {
  const value = attributes[LANGFUSE.OBSERVATION_COMPLETION_START_TIME];
  const direct = toIso(value) ?? toIso(maybeJson(value));
  if (direct) return direct;
  const msToFirstChunk = attributes['ai.response.msToFirstChunk'] ?? attributes['ai.stream.msToFirstChunk'];
  if (truthy(msToFirstChunk)) {
    const offset = Math.ceil(Number(msToFirstChunk));
    const at = Date.parse(startTimeIso) + offset;
    if (Number.isFinite(at) && Math.abs(at) < 8.64e15) return new Date(at).toISOString();
  }
  return undefined;
}

export function extractPrompt(attributes: OtlpAttributes): { name?: string; version?: number } {
  const fromVercel = maybeJson(attributes['ai.telemetry.metadata.langfusePrompt']);
  const vercel = isPlainObject(fromVercel) ? fromVercel : {};
  const name = str(attributes[LANGFUSE.OBSERVATION_PROMPT_NAME] ?? attributes['langfuse.prompt.name'] ?? vercel.name);
  const rawVersion = attributes[LANGFUSE.OBSERVATION_PROMPT_VERSION] ?? attributes['langfuse.prompt.version'] ?? vercel.version;
  const version = rawVersion === undefined || rawVersion === null || rawVersion === '' ? Number.NaN : Number(rawVersion);
  return { name, version: Number.isFinite(version) ? version : undefined };
}
