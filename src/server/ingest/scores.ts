// How a posted score becomes a stored one: the value is typed by dataType (given, or
// inferred from the config or the value) and checked against its score config, as
// Langfuse's POST /scores does.

import { randomUUID } from 'node:crypto';
import type { ScoreConfig } from '../../domain/types.js';
import type { Repository } from '../repository.js';
import { ValidationError, type ScoreInput } from './normalize.js';
import type { ScoreRecord } from './records.js';

export function resolveScore(input: ScoreInput, repo: Repository, now: string): ScoreRecord {
  // Langfuse's applyScoreValidation: one subject — a trace (and maybe one of its observations), a
  // session, or a dataset run (a run-level score).
  const subjects = [input.traceId, input.sessionId, input.datasetRunId].filter(Boolean).length;
  if (subjects !== 1 || (input.observationId && !input.traceId)) {
    throw new ValidationError(
      'Provide exactly one of the following: traceId (with optional observationId), sessionId or datasetRunId. ObservationId requires traceId.',
    );
  }
  const config = input.configId ? repo.getJson<ScoreConfig>('score_configs', input.configId) : null;
  if (input.configId && !config) throw new ValidationError(`score config ${input.configId} not found`);
  if (config?.isArchived) throw new ValidationError(`score config ${config.name} is archived`);

  const dataType =
    input.dataType ??
    config?.dataType ??
    (typeof input.value === 'number' ? 'NUMERIC' : typeof input.value === 'boolean' ? 'BOOLEAN' : 'CATEGORICAL');
  if (config && config.dataType !== dataType) {
    throw new ValidationError(`dataType ${dataType} does not match score config ${config.name} (${config.dataType})`);
  }
  if (input.source === 'ANNOTATION' && !config && dataType !== 'CORRECTION') {
    throw new ValidationError('ANNOTATION scores require a configId');
  }

  let value: number | null;
  let stringValue: string | null = null;
  switch (dataType) {
    case 'NUMERIC': {
      if (typeof input.value !== 'number') throw new ValidationError('NUMERIC scores need a numeric value');
      value = input.value;
      if (config?.minValue != null && value < config.minValue) {
        throw new ValidationError(`value ${value} is below the minimum ${config.minValue} of ${config.name}`);
      }
      if (config?.maxValue != null && value > config.maxValue) {
        throw new ValidationError(`value ${value} is above the maximum ${config.maxValue} of ${config.name}`);
      }
      break;
    }
    case 'BOOLEAN': {
      const raw = input.value;
      const truth = raw === true || raw === 1 ? 1 : raw === false || raw === 0 ? 0 : null;
      if (truth === null) throw new ValidationError('BOOLEAN scores need the value 0 or 1');
      value = truth;
      stringValue = truth === 1 ? 'True' : 'False';
      break;
    }
    case 'CATEGORICAL': {
      if (typeof input.value !== 'string') throw new ValidationError('CATEGORICAL scores need a string value');
      stringValue = input.value;
      const category = config?.categories?.find((candidate) => candidate.label === input.value);
      if (config && !category) {
        const labels = (config.categories ?? []).map((candidate) => candidate.label).join(', ');
        throw new ValidationError(`"${input.value}" is not a category of ${config.name} (${labels})`);
      }
      value = category?.value ?? 0;
      break;
    }
    case 'TEXT': {
      if (typeof input.value !== 'string' || input.value.length < 1 || input.value.length > 500) {
        throw new ValidationError('TEXT scores need a string value of 1 to 500 characters');
      }
      value = null;
      stringValue = input.value;
      break;
    }
    case 'CORRECTION': {
      if (typeof input.value !== 'string') throw new ValidationError('CORRECTION scores need a string value');
      if (input.configId) throw new ValidationError('CORRECTION scores cannot have a configId');
      value = 0;
      stringValue = input.value;
      break;
    }
  }

  const id = input.id ?? randomUUID();
  const existing = repo.getScore(id);
  return {
    id,
    traceId: input.traceId,
    observationId: input.observationId,
    sessionId: input.sessionId,
    datasetRunId: input.datasetRunId,
    name: input.name,
    value,
    stringValue,
    dataType,
    source: input.source,
    comment: input.comment,
    metadata: input.metadata ?? null,
    configId: input.configId,
    queueId: input.queueId,
    environment: input.environment,
    authorUserId: null,
    timestamp: input.timestamp ?? existing?.timestamp ?? now,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
}
