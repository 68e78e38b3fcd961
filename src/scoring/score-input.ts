// From what a person typed (a name and a value) to a score body the backend accepts, typed
// by the matching score config when there is one (as Langfuse's annotation UI does).

import { randomUUID } from 'node:crypto';
import type { ScoreConfig } from '../domain/types.js';
import type { QueuedScoreBody } from './durable-queue.js';

export class ScoreInputError extends Error {}

export function buildScore(input: {
  /** A trace (and optionally one of its observations), or a session. */
  traceId?: string;
  sessionId?: string;
  observationId?: string;
  name: string;
  value: string;
  comment?: string;
  queueId?: string;
  configs: ScoreConfig[];
}): QueuedScoreBody {
  if (!input.traceId && !input.sessionId) throw new ScoreInputError('a score needs a trace or a session');
  const config = input.configs.find((candidate) => candidate.name === input.name && !candidate.isArchived);
  const raw = input.value.trim();
  let value: number | string;
  let dataType: QueuedScoreBody['dataType'];
  const asNumber = Number(raw);
  const asBoolean = /^(true|yes|y|1)$/i.test(raw) ? 1 : /^(false|no|n|0)$/i.test(raw) ? 0 : null;
  switch (config?.dataType) {
    case 'NUMERIC':
      if (raw === '' || !Number.isFinite(asNumber)) throw new ScoreInputError(`${input.name} takes a number${range(config)}`);
      if ((config.minValue != null && asNumber < config.minValue) || (config.maxValue != null && asNumber > config.maxValue)) {
        throw new ScoreInputError(`${raw} is outside ${input.name}'s range${range(config)}`);
      }
      value = asNumber;
      dataType = 'NUMERIC';
      break;
    case 'BOOLEAN':
      if (asBoolean === null) throw new ScoreInputError(`${input.name} takes true or false`);
      value = asBoolean;
      dataType = 'BOOLEAN';
      break;
    case 'CATEGORICAL': {
      const labels = (config.categories ?? []).map((category) => category.label);
      const byNumber = /^\d+$/.test(raw) && !labels.includes(raw) ? labels[Number(raw) - 1] : undefined;
      const label = byNumber ?? labels.find((candidate) => candidate.toLowerCase() === raw.toLowerCase());
      if (!label) throw new ScoreInputError(`${input.name} takes one of: ${labels.join(', ')}`);
      value = label;
      dataType = 'CATEGORICAL';
      break;
    }
    case 'TEXT':
      if (raw.length < 1 || raw.length > 500) throw new ScoreInputError(`${input.name} takes 1 to 500 characters`);
      value = raw;
      dataType = 'TEXT';
      break;
    default:
      // No config: the value's own shape decides, as Langfuse infers it.
      if (raw !== '' && Number.isFinite(asNumber)) {
        value = asNumber;
        dataType = 'NUMERIC';
      } else if (/^(true|false)$/i.test(raw)) {
        value = asBoolean!;
        dataType = 'BOOLEAN';
      } else if (raw.length > 0) {
        value = raw;
        dataType = 'CATEGORICAL';
      } else {
        throw new ScoreInputError('a score needs a value');
      }
  }
  return {
    id: randomUUID(),
    ...(input.traceId ? { traceId: input.traceId } : {}),
    ...(input.sessionId ? { sessionId: input.sessionId } : {}),
    ...(input.observationId ? { observationId: input.observationId } : {}),
    name: input.name,
    value,
    dataType,
    ...(config ? { configId: config.id, source: 'ANNOTATION' as const } : { source: 'API' as const }),
    ...(input.comment ? { comment: input.comment } : {}),
    ...(input.queueId ? { queueId: input.queueId } : {}),
  };
}

function range(config: ScoreConfig): string {
  if (config.minValue == null && config.maxValue == null) return '';
  return ` (${config.minValue ?? '-∞'} to ${config.maxValue ?? '∞'})`;
}
