// Stored records → the JSON objects Langfuse's public API returns.

import type { Observation, Score, Trace, TraceSummary } from '../domain/types.js';
import type { ObservationRecord, ScoreRecord } from './ingest/records.js';
import type { StoredTrace } from './repository.js';

export const PROJECT_ID = 'tracetop-local';

/** Ids as SQLite keeps them: a lone surrogate (stored before ingestion checked ids) reads back as
 * U+FFFD, which is also what the id column holds, so an id a client sends back finds its row and
 * encodeURIComponent never throws on it. */
export function wellFormedId<T extends string | null>(id: T): T {
  return (id === null ? id : id.replace(/\p{Cs}/gu, '\uFFFD')) as T;
}

export function traceLatency(stored: StoredTrace): number | null {
  const { startMinMs, endMaxMs } = stored.aggregates;
  if (startMinMs === null || endMaxMs === null) return null;
  return (endMaxMs - startMinMs) / 1000;
}

export interface TraceFieldGroups {
  io: boolean;
  scores: boolean;
  observations: boolean;
  metrics: boolean;
}

export function traceToApi(
  stored: StoredTrace,
  observationIds: string[],
  scoreIds: string[],
  fields: TraceFieldGroups,
  shape: 'list' | 'byId' = 'list',
): Trace {
  const record = stored.record;
  const trace: Trace = {
    id: wellFormedId(record.id),
    projectId: PROJECT_ID,
    timestamp: record.timestamp,
    name: record.name,
    input: fields.io ? record.input : null,
    output: fields.io ? record.output : null,
    sessionId: wellFormedId(record.sessionId),
    release: record.release,
    version: record.version,
    userId: record.userId,
    metadata: fields.io ? record.metadata : null,
    tags: record.tags,
    public: record.public,
    bookmarked: record.bookmarked,
    environment: record.environment,
    externalId: null,
    htmlPath: `/project/${PROJECT_ID}/traces/${encodeURIComponent(wellFormedId(record.id))}`,
    latency: fields.metrics ? (traceLatency(stored) ?? 0) : -1,
    totalCost: fields.metrics ? (stored.aggregates.totalCost ?? 0) : -1,
    observations: fields.observations ? observationIds : [],
    scores: fields.scores ? scoreIds : [],
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
  // Without `io`, a list row has no metadata at all and the by-id reply `{}` (traces_converters.ts).
  if (!fields.io) {
    if (shape === 'list') delete (trace as Partial<Trace>).metadata;
    else trace.metadata = {};
  }
  return trace;
}

const seconds = (fromIso: string | null, toIso: string | null): number | null =>
  fromIso && toIso ? (Date.parse(toIso) - Date.parse(fromIso)) / 1000 : null;

export function observationToApi(record: ObservationRecord, options: { io?: boolean } = {}): Observation {
  const io = options.io ?? true;
  const usage = record.usageDetails;
  const cost = record.costDetails;
  const input = usage.input ?? 0;
  const output = usage.output ?? 0;
  const total = usage.total ?? input + output;
  return {
    id: wellFormedId(record.id),
    projectId: PROJECT_ID,
    traceId: wellFormedId(record.traceId),
    parentObservationId: wellFormedId(record.parentObservationId),
    type: record.type,
    name: record.name,
    startTime: record.startTime,
    endTime: record.endTime,
    completionStartTime: record.completionStartTime,
    environment: record.environment,
    version: record.version,
    release: record.release,
    input: io ? record.input : null,
    output: io ? record.output : null,
    metadata: io ? record.metadata : null,
    level: record.level,
    statusMessage: record.statusMessage,
    model: record.model,
    modelParameters: record.modelParameters ?? {},
    promptId: null,
    promptName: record.promptName,
    promptVersion: record.promptVersion,
    usageDetails: usage,
    costDetails: cost,
    usage: { unit: record.unit ?? 'TOKENS', input, output, total },
    unit: record.unit ?? 'TOKENS',
    promptTokens: input,
    completionTokens: output,
    totalTokens: total,
    calculatedInputCost: cost.input ?? null,
    calculatedOutputCost: cost.output ?? null,
    calculatedTotalCost: cost.total ?? null,
    modelId: null,
    inputPrice: null,
    outputPrice: null,
    totalPrice: null,
    latency: seconds(record.startTime, record.endTime),
    timeToFirstToken: seconds(record.startTime, record.completionStartTime),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

export function scoreToApi(record: ScoreRecord): Score {
  return {
    id: wellFormedId(record.id),
    projectId: PROJECT_ID,
    traceId: wellFormedId(record.traceId),
    sessionId: wellFormedId(record.sessionId),
    observationId: wellFormedId(record.observationId),
    datasetRunId: record.datasetRunId,
    name: record.name,
    value: record.value,
    stringValue: record.stringValue,
    dataType: record.dataType,
    source: record.source,
    timestamp: record.timestamp,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    authorUserId: record.authorUserId,
    comment: record.comment,
    metadata: record.metadata ?? {},
    configId: record.configId,
    queueId: record.queueId,
    environment: record.environment,
    executionTraceId: null,
  };
}

/** The value a list column shows for a score: numbers as numbers, categories as labels. */
export function scoreDisplayValue(record: Pick<ScoreRecord, 'dataType' | 'value' | 'stringValue'>): number | string | boolean {
  switch (record.dataType) {
    case 'NUMERIC':
      return record.value ?? 0;
    case 'BOOLEAN':
      return record.value === 1;
    default:
      return record.stringValue ?? String(record.value ?? '');
  }
}

/** A score in the v3 read shape: the core fields plus the requested groups (details, annotation, subject). */
export function scoreV3(record: ScoreRecord, groups: Set<string>) {
  const item: Record<string, unknown> = {
    id: record.id,
    projectId: PROJECT_ID,
    name: record.name,
    value: scoreDisplayValue(record),
    dataType: record.dataType,
    source: record.source,
    timestamp: record.timestamp,
    environment: record.environment,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
  if (groups.has('details')) {
    Object.assign(item, { comment: record.comment, configId: record.configId, metadata: record.metadata ?? {} });
  }
  if (groups.has('annotation')) Object.assign(item, { authorUserId: record.authorUserId, queueId: record.queueId });
  if (groups.has('subject')) {
    item.subject = record.observationId
      ? { kind: 'observation', id: record.observationId, traceId: record.traceId }
      : record.traceId
        ? { kind: 'trace', id: record.traceId }
        : record.sessionId
          ? { kind: 'session', id: record.sessionId }
          : { kind: 'experiment', id: record.datasetRunId ?? '' };
  }
  return item;
}

export function traceSummary(stored: StoredTrace, scores: ScoreRecord[], options: { io?: boolean } = {}): TraceSummary {
  const record = stored.record;
  const latest: Record<string, number | string | boolean> = Object.create(null); // a score named __proto__ stays a score
  for (const score of scores) if (!score.observationId) latest[score.name] = scoreDisplayValue(score);
  const summary: TraceSummary = {
    id: wellFormedId(record.id),
    timestamp: record.timestamp,
    name: record.name,
    userId: record.userId,
    sessionId: wellFormedId(record.sessionId),
    tags: record.tags,
    environment: record.environment,
    release: record.release,
    version: record.version,
    latency: traceLatency(stored),
    totalCost: stored.aggregates.totalCost,
    inputTokens: stored.aggregates.inputTokens,
    outputTokens: stored.aggregates.outputTokens,
    totalTokens: stored.aggregates.totalTokens,
    observationCount: stored.aggregates.obsCount,
    errorCount: stored.aggregates.errorCount,
    warningCount: stored.aggregates.warningCount,
    scores: latest,
    updatedAt: new Date(stored.updatedMs).toISOString(),
  };
  if (options.io) {
    summary.input = record.input;
    summary.output = record.output;
    summary.metadata = record.metadata;
  }
  return summary;
}
