// Input and output of a span, by Langfuse's precedence (OtelIngestionProcessor.extractInputAndOutput):
// its own langfuse.* attributes first, then each framework's convention (Vercel AI SDK, GenAI
// events, Semantic Kernel, Google ADK, Logfire, LiveKit, MLflow, TraceLoop, OpenInference,
// Pydantic AI, OTel GenAI messages). Flattened message paths are rebuilt without ever walking
// into a prototype key or building a huge sparse array.

import { isPlainObject, LANGFUSE, truthy, type Plain } from './extract.js';
import { setOwn } from './normalise.js';
import type { OtlpAttributes, OtlpSpanEvent } from './types.js';

const FORBIDDEN_PATH_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Flattened message paths (gen_ai.prompt.<i>.content) never build arrays longer than this. */
const MAX_PATH_INDEX = 10_000;

/** Input/output attribute keys of every framework Langfuse knows; kept out of metadata.attributes. */
const INPUT_OUTPUT_KEYS = new Set([
  LANGFUSE.TRACE_INPUT,
  LANGFUSE.TRACE_OUTPUT,
  LANGFUSE.OBSERVATION_INPUT,
  LANGFUSE.OBSERVATION_OUTPUT,
  'ai.prompt.messages',
  'ai.prompt',
  'ai.toolCall.args',
  'ai.response.text',
  'ai.result.text',
  'ai.toolCall.result',
  'ai.response.object',
  'ai.result.object',
  'ai.response.toolCalls',
  'ai.result.toolCalls',
  'gcp.vertex.agent.llm_request',
  'gcp.vertex.agent.llm_response',
  'gcp.vertex.agent.tool_call_args',
  'gcp.vertex.agent.tool_response',
  'prompt',
  'all_messages_events',
  'events',
  'lk.input_text',
  'lk.user_transcript',
  'lk.chat_ctx',
  'lk.user_input',
  'lk.function_tool.output',
  'lk.response.text',
  'mlflow.spanInputs',
  'mlflow.spanOutputs',
  'traceloop.entity.input',
  'traceloop.entity.output',
  'input.value',
  'output.value',
  'final_result',
  'pydantic_ai.all_messages',
  'input',
  'output',
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
]);
const INPUT_OUTPUT_PREFIXES = ['gen_ai.prompt', 'gen_ai.completion', 'llm.input_messages', 'llm.output_messages'];

/** Span attributes minus input/output, values stringified: what Langfuse keeps as metadata.attributes. */
function filterAttributes(attributes: OtlpAttributes): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (INPUT_OUTPUT_KEYS.has(key) || INPUT_OUTPUT_PREFIXES.some((prefix) => key.startsWith(prefix))) continue;
    setOwn(result, key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return result;
}

function setPath(target: Plain | unknown[], path: string[], value: unknown): void {
  if (path.length === 0 || path.some((part) => FORBIDDEN_PATH_KEYS.has(part))) return;
  let current: Plain | unknown[] = target;
  for (let index = 0; index < path.length - 1; index++) {
    const key = path[index]!;
    if (/^\d+$/.test(key) && Number(key) > MAX_PATH_INDEX) return;
    let next = Object.hasOwn(current, key) ? (current as Plain)[key] : undefined;
    if (next === undefined) {
      next = /^\d+$/.test(path[index + 1]!) ? [] : {};
      setOwn(current as Plain, key, next);
    }
    // A value and a deeper path under the same key ("a" and "a.b"): the value wins.
    if (typeof next !== 'object' || next === null) return;
    current = next as Plain | unknown[];
  }
  const last = path[path.length - 1]!;
  if (/^\d+$/.test(last) && Number(last) > MAX_PATH_INDEX) return;
  setOwn(current as Plain, last, value);
}

/** `prefix.0.role`, `prefix.0.content` … → [{role, content}] (or an object when not indexed). */
function keyPathsToNested(entries: Plain, prefix: string): unknown {
  if (truthy(entries[prefix])) return entries[prefix];
  const relative: [string, unknown][] = Object.entries(entries)
    .filter(([key]) => key.startsWith(`${prefix}.`))
    .map(([key, value]) => [key.slice(prefix.length + 1), value]);
  if (relative.some(([key]) => /^\d+\./.test(key))) {
    const items = new Map<number, Plain>();
    for (const [key, value] of relative) {
      const [head, ...rest] = key.split('.');
      if (!/^\d+$/.test(head!) || rest.length === 0) continue;
      const index = Number(head);
      if (index > MAX_PATH_INDEX) continue;
      if (!items.has(index)) items.set(index, {});
      setPath(items.get(index)!, rest, value);
    }
    return [...items.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
  }
  const result: Plain = {};
  for (const [key, value] of relative) setPath(result, key.split('.'), value);
  return result;
}

const VERCEL_OUTPUT_FALLBACK_KEYS = [
  'ai.result.text', // AI SDK < 4
  'ai.toolCall.result',
  'ai.response.object',
  'ai.result.object',
  'ai.response.toolCalls',
  'ai.result.toolCalls',
];

const GEN_AI_INPUT_EVENTS = new Set(['gen_ai.system.message', 'gen_ai.user.message', 'gen_ai.assistant.message', 'gen_ai.tool.message']);

export interface InputOutput {
  input: unknown;
  output: unknown;
  filteredAttributes: Record<string, string>;
}

/** Input and output by Langfuse's precedence: its own attributes first, then each framework's. */
export function extractInputOutput(params: {
  events: OtlpSpanEvent[];
  attributes: OtlpAttributes;
  scopeName: string;
  domain?: 'trace' | 'observation';
}): InputOutput {
  const { events, attributes, scopeName, domain } = params;
  const filteredAttributes = filterAttributes(attributes);
  const result = (input: unknown, output: unknown): InputOutput => ({ input, output, filteredAttributes });

  let input: unknown =
    domain === 'trace' && truthy(attributes[LANGFUSE.TRACE_INPUT]) ? attributes[LANGFUSE.TRACE_INPUT] : attributes[LANGFUSE.OBSERVATION_INPUT];
  let output: unknown =
    domain === 'trace' && truthy(attributes[LANGFUSE.TRACE_OUTPUT]) ? attributes[LANGFUSE.TRACE_OUTPUT] : attributes[LANGFUSE.OBSERVATION_OUTPUT];
  if (input != null || output != null) return result(input, output);

  if (scopeName === 'ai') {
    const has = (key: string) => key in attributes;
    const inputKey = ['ai.prompt.messages', 'ai.prompt', 'ai.toolCall.args'].find(has);
    input = inputKey ? attributes[inputKey] : undefined;
    if (has('ai.response.text') && has('ai.response.toolCalls')) {
      const message = { role: 'assistant', content: attributes['ai.response.text'], tool_calls: attributes['ai.response.toolCalls'] };
      output = JSON.stringify(message);
    } else {
      // An empty response text falls through to the older/other result attributes.
      const outputKey = truthy(attributes['ai.response.text'])
        ? 'ai.response.text'
        : VERCEL_OUTPUT_FALLBACK_KEYS.find(has);
      output = outputKey ? attributes[outputKey] : undefined;
    }
    return result(input, output);
  }

  const inputEvents = events.filter((event) => GEN_AI_INPUT_EVENTS.has(event.name));
  const outputEvents = events.filter((event) => event.name === 'gen_ai.choice');
  if (inputEvents.length > 0 || outputEvents.length > 0) {
    const processedInput = inputEvents.length > 0
      ? inputEvents.map((event) => ({ role: event.name.replace('gen_ai.', '').replace('.message', ''), ...event.attributes }))
      : null;
    const processedOutput = outputEvents.length > 0 ? outputEvents.map((event) => ({ ...event.attributes })) : null;
    return result(processedInput, processedOutput && processedOutput.length === 1 ? processedOutput[0] : processedOutput);
  }

  // Semantic Kernel (legacy): the prompt/completion ride on events.
  const promptEvent = events.find((event) => event.name === 'gen_ai.content.prompt');
  const completionEvent = events.find((event) => event.name === 'gen_ai.content.completion');
  if (promptEvent || completionEvent) {
    const promptAttributes = promptEvent?.attributes ?? {};
    const completionAttributes = completionEvent?.attributes ?? {};
    const nestedInput = extractInputOutput({ events: [], attributes: promptAttributes, scopeName }).input;
    const nestedOutput = extractInputOutput({ events: [], attributes: completionAttributes, scopeName }).output;
    return result(truthy(nestedInput) ? nestedInput : promptAttributes, truthy(nestedOutput) ? nestedOutput : completionAttributes);
  }

  // Google ADK sets llm_request/llm_response to "{}" on tool calls and carries the tool's I/O instead.
  input = attributes['gcp.vertex.agent.llm_request'];
  output = attributes['gcp.vertex.agent.llm_response'];
  if (input === '{}' || !truthy(input)) input = attributes['gcp.vertex.agent.tool_call_args'];
  if (output === '{}' || !truthy(output)) output = attributes['gcp.vertex.agent.tool_response'];
  if (truthy(input) || truthy(output)) return result(input, output);

  const pairs: [unknown, unknown][] = [
    [attributes['prompt'], attributes['all_messages_events']], // Logfire
    [
      attributes['lk.input_text'] ?? attributes['lk.user_transcript'] ?? attributes['lk.chat_ctx'],
      attributes['lk.function_tool.output'] || attributes['lk.response.text'],
    ], // LiveKit
  ];
  for (const [pairInput, pairOutput] of pairs) if (truthy(pairInput) || truthy(pairOutput)) return result(pairInput, pairOutput);

  // Logfire: a single `events` array of GenAI events.
  const eventsAttribute = attributes['events'];
  if (typeof eventsAttribute === 'string' || Array.isArray(eventsAttribute)) {
    let list: unknown = eventsAttribute;
    if (typeof eventsAttribute === 'string') {
      try {
        list = JSON.parse(eventsAttribute);
      } catch {
        list = [];
      }
    }
    if (Array.isArray(list)) {
      const isChoice = (event: unknown) => isPlainObject(event) && event['event.name'] === 'gen_ai.choice';
      const choice = list.find(isChoice);
      const inputs = list.filter((event) => !isChoice(event));
      if (choice || inputs.length > 0) return result(inputs.length > 0 ? inputs : null, choice ?? null);
    }
  }

  const laterPairs: [unknown, unknown][] = [
    [attributes['mlflow.spanInputs'], attributes['mlflow.spanOutputs']],
    [attributes['traceloop.entity.input'], attributes['traceloop.entity.output']],
    [attributes['input.value'], attributes['output.value']], // OpenInference, SmolAgents
    [attributes['input'], attributes['output']], // Pydantic, Pipecat
  ];
  for (const [pairInput, pairOutput] of laterPairs) if (truthy(pairInput) || truthy(pairOutput)) return result(pairInput, pairOutput);

  if (scopeName === 'pydantic-ai') {
    input = attributes['pydantic_ai.all_messages'] ?? null;
    output = attributes['final_result'] ?? null;
    if (truthy(input) || truthy(output)) return result(input, output);
  }
  input = attributes['tool_arguments'];
  output = attributes['tool_response'];
  if (truthy(input) || truthy(output)) return result(input, output);

  for (const [inputPrefix, outputPrefix] of [
    ['gen_ai.prompt', 'gen_ai.completion'], // TraceLoop / OpenLLMetry
    ['llm.input_messages', 'llm.output_messages'], // OpenInference
  ] as const) {
    const keys = Object.keys(attributes);
    const inputKeys = keys.filter((key) => key.startsWith(inputPrefix));
    const outputKeys = keys.filter((key) => key.startsWith(outputPrefix));
    if (inputKeys.length > 0 || outputKeys.length > 0) {
      const pick = (selected: string[]) => {
        const picked: Plain = {};
        for (const key of selected) setOwn(picked, key, attributes[key]);
        return picked;
      };
      return result(keyPathsToNested(pick(inputKeys), inputPrefix), keyPathsToNested(pick(outputKeys), outputPrefix));
    }
  }

  for (const [pairInput, pairOutput] of [
    [attributes['gen_ai.input.messages'], attributes['gen_ai.output.messages']],
    [attributes['gen_ai.tool.call.arguments'], attributes['gen_ai.tool.call.result']],
  ] as const) {
    if (truthy(pairInput) || truthy(pairOutput)) return result(pairInput, pairOutput);
  }
  return result(null, null);
}
