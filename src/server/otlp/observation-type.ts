// Which Langfuse observation type a span becomes, in the priority order of Langfuse's
// ObservationTypeMapperRegistry (packages/shared/src/server/otel/ObservationTypeMapper.ts).

import type { ObservationType } from '../../domain/types.js';
import type { OtlpAttributes, OtlpScope } from './types.js';

const LANGFUSE_TYPES: Record<string, ObservationType> = {
  span: 'SPAN',
  generation: 'GENERATION',
  event: 'EVENT',
  embedding: 'EMBEDDING',
  agent: 'AGENT',
  tool: 'TOOL',
  chain: 'CHAIN',
  retriever: 'RETRIEVER',
  guardrail: 'GUARDRAIL',
  evaluator: 'EVALUATOR',
};

const OPENINFERENCE_KINDS: Record<string, ObservationType> = {
  CHAIN: 'CHAIN',
  RETRIEVER: 'RETRIEVER',
  LLM: 'GENERATION',
  EMBEDDING: 'EMBEDDING',
  AGENT: 'AGENT',
  TOOL: 'TOOL',
  GUARDRAIL: 'GUARDRAIL',
  EVALUATOR: 'EVALUATOR',
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

const VERCEL_GENERATION_OPERATIONS = [
  'ai.generateText.doGenerate',
  'ai.streamText.doStream',
  'ai.generateObject.doGenerate',
  'ai.streamObject.doStream',
];
const VERCEL_EMBEDDING_OPERATIONS = ['ai.embedMany.doEmbed', 'ai.embed.doEmbed'];

/** Python SDK <= 3.3.0 marked generations as spans; these keys give them away. */
const GENERATION_ATTRIBUTE_KEYS = [
  'langfuse.observation.model.name',
  'langfuse.observation.cost_details',
  'langfuse.observation.usage_details',
  'langfuse.observation.completion_start_time',
  'langfuse.observation.model.parameters',
  'langfuse.observation.prompt.name',
  'langfuse.observation.prompt.version',
];

/** Not null, undefined, "", [] or {}. */
export function hasMeaningfulValue(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

const lookup = (table: Record<string, ObservationType>, value: unknown): ObservationType | null =>
  typeof value === 'string' && Object.hasOwn(table, value) ? table[value]! : null;

/** Vercel AI SDK: `operation.name` starts with a prefix (a function id may follow), or `ai.operationId` equals one. */
function matchesVercelOperation(attributes: OtlpAttributes, prefixes: string[]): boolean {
  const operationName = attributes['operation.name'];
  const operationId = attributes['ai.operationId'];
  if (typeof operationName === 'string' && prefixes.some((prefix) => operationName.startsWith(prefix))) return true;
  return typeof operationId === 'string' && prefixes.includes(operationId);
}

function isOldPythonSdkGeneration(attributes: OtlpAttributes, resource: OtlpAttributes, scope: OtlpScope): boolean {
  if (attributes['langfuse.observation.type'] !== 'span' || scope.name !== 'langfuse-sdk') return false;
  if (resource['telemetry.sdk.language'] !== 'python') return false;
  if (scope.version) {
    const [major = 0, minor = 0] = scope.version.split('.').map(Number);
    if (major > 3 || (major === 3 && minor > 3)) return false;
  }
  return Object.keys(attributes).some((key) => GENERATION_ATTRIBUTE_KEYS.includes(key));
}

export function observationTypeOf(attributes: OtlpAttributes, resource: OtlpAttributes, scope: OtlpScope): ObservationType {
  if (isOldPythonSdkGeneration(attributes, resource, scope)) return 'GENERATION';

  const direct =
    lookup(LANGFUSE_TYPES, attributes['langfuse.observation.type']) ??
    lookup(OPENINFERENCE_KINDS, attributes['openinference.span.kind']) ??
    lookup(GEN_AI_OPERATIONS, attributes['gen_ai.operation.name']);
  if (direct) return direct;

  const hasVercelModel = ['langfuse.observation.model.name', 'ai.model.id', 'gen_ai.request.model', 'gen_ai.response.model'].some(
    (key) => hasMeaningfulValue(attributes[key]),
  );
  if (hasVercelModel && matchesVercelOperation(attributes, VERCEL_GENERATION_OPERATIONS)) return 'GENERATION';
  if (hasVercelModel && matchesVercelOperation(attributes, VERCEL_EMBEDDING_OPERATIONS)) return 'EMBEDDING';
  if (matchesVercelOperation(attributes, ['ai.toolCall'])) return 'TOOL';

  if (hasMeaningfulValue(attributes['gen_ai.tool.name']) || hasMeaningfulValue(attributes['gen_ai.tool.call.id'])) return 'TOOL';

  const hasModel = ['langfuse.observation.model.name', 'gen_ai.request.model', 'gen_ai.response.model', 'llm.model_name', 'model'].some(
    (key) => hasMeaningfulValue(attributes[key]),
  );
  return hasModel ? 'GENERATION' : 'SPAN';
}
