// Stored records and how ingestion bodies merge into them. Creates and updates merge by id
// in any order (an update may arrive before its create), so every body is a partial
// record: fields it carries overwrite, fields it leaves out are kept.

import type { Level, ObservationType, ScoreDataType, ScoreSource } from '../../domain/types.js';
import { costFromUsage } from '../../domain/pricing.js';

/** Distinct tags a trace keeps across all its merges (normalize rejects one event past it). */
export const MAX_MERGED_TAGS = 250;

export interface TraceRecord {
  id: string;
  timestamp: string;
  name: string | null;
  userId: string | null;
  sessionId: string | null;
  release: string | null;
  version: string | null;
  input: unknown;
  output: unknown;
  metadata: unknown;
  tags: string[];
  environment: string;
  public: boolean;
  bookmarked: boolean;
  /** false while the trace exists only because its observations or scores arrived first. */
  explicit: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ObservationRecord {
  id: string;
  traceId: string;
  parentObservationId: string | null;
  type: ObservationType;
  name: string | null;
  startTime: string;
  endTime: string | null;
  completionStartTime: string | null;
  environment: string;
  version: string | null;
  release: string | null;
  input: unknown;
  output: unknown;
  metadata: unknown;
  level: Level;
  statusMessage: string | null;
  model: string | null;
  modelParameters: unknown;
  promptName: string | null;
  promptVersion: number | null;
  usageDetails: Record<string, number>;
  costDetails: Record<string, number>;
  /** true when costDetails came from the pricing table rather than the sender. */
  costInferred: boolean;
  /** true when a sender gave usageDetails.total / costDetails.total itself; otherwise the
   * total is derived (sum of the other keys) and re-derived on every merge. Absent on
   * records stored before this was tracked. */
  usageTotalGiven?: boolean;
  costTotalGiven?: boolean;
  unit: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ScoreRecord {
  id: string;
  traceId: string | null;
  observationId: string | null;
  sessionId: string | null;
  datasetRunId: string | null;
  name: string;
  value: number | null;
  stringValue: string | null;
  dataType: ScoreDataType;
  source: ScoreSource;
  comment: string | null;
  metadata: unknown;
  configId: string | null;
  queueId: string | null;
  environment: string;
  authorUserId: string | null;
  timestamp: string;
  createdAt: string;
  updatedAt: string;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Metadata objects merge key by key (as Langfuse does); anything else is replaced. */
function mergeMetadata(previous: unknown, next: unknown): unknown {
  if (next === undefined || next === null) return previous;
  if (isPlainObject(previous) && isPlainObject(next)) {
    const merged: Record<string, unknown> = Object.create(null);
    for (const [key, value] of Object.entries(previous)) merged[key] = value;
    for (const [key, value] of Object.entries(next)) merged[key] = value;
    return { ...merged };
  }
  return next;
}

/** Copies every field of `patch` that is set (not undefined, not null) over `base`. */
function overlay<T extends object>(base: T, patch: Partial<T>): T {
  const result = { ...base };
  for (const key of Object.keys(patch) as (keyof T)[]) {
    const value = patch[key];
    if (value !== undefined && value !== null) result[key] = value as T[keyof T];
  }
  return result;
}

export function newTraceRecord(id: string, timestamp: string, now: string): TraceRecord {
  return {
    id,
    timestamp,
    name: null,
    userId: null,
    sessionId: null,
    release: null,
    version: null,
    input: null,
    output: null,
    metadata: null,
    tags: [],
    environment: 'default',
    public: false,
    bookmarked: false,
    explicit: false,
    createdAt: now,
    updatedAt: now,
  };
}

export function mergeTrace(
  base: TraceRecord,
  patch: Partial<TraceRecord>,
  now: string,
): TraceRecord {
  const { metadata, tags, ...rest } = patch;
  const merged = overlay(base, rest);
  merged.metadata = mergeMetadata(base.metadata, metadata);
  // Tags accumulate across merges; past the cap the newest extra tags are dropped.
  if (tags) merged.tags = [...new Set([...base.tags, ...tags])].slice(0, MAX_MERGED_TAGS).sort();
  merged.explicit = base.explicit || patch.explicit === true;
  merged.updatedAt = now;
  return merged;
}

export function newObservationRecord(
  id: string,
  traceId: string,
  type: ObservationType,
  startTime: string,
  now: string,
): ObservationRecord {
  return {
    id,
    traceId,
    parentObservationId: null,
    type,
    name: null,
    startTime,
    endTime: null,
    completionStartTime: null,
    environment: 'default',
    version: null,
    release: null,
    input: null,
    output: null,
    metadata: null,
    level: 'DEFAULT',
    statusMessage: null,
    model: null,
    modelParameters: null,
    promptName: null,
    promptVersion: null,
    usageDetails: {},
    costDetails: {},
    costInferred: false,
    unit: null,
    createdAt: now,
    updatedAt: now,
  };
}

export function mergeObservation(
  base: ObservationRecord,
  patch: Partial<ObservationRecord>,
  now: string,
): ObservationRecord {
  const { metadata, usageDetails, costDetails, ...rest } = patch;
  const merged = overlay(base, rest);
  merged.metadata = mergeMetadata(base.metadata, metadata);
  if (usageDetails && Object.keys(usageDetails).length > 0) {
    const given = usageDetails.total !== undefined || totalGiven(base.usageDetails, base.usageTotalGiven);
    merged.usageDetails = withTotal({ ...base.usageDetails, ...usageDetails }, given);
    merged.usageTotalGiven = given;
  }
  if (costDetails && Object.keys(costDetails).length > 0) {
    const previous = base.costInferred ? {} : base.costDetails;
    const given = costDetails.total !== undefined || (!base.costInferred && totalGiven(previous, base.costTotalGiven));
    merged.costDetails = withTotal({ ...previous, ...costDetails }, given);
    merged.costTotalGiven = given;
    merged.costInferred = false;
  }
  if (merged.costInferred || Object.keys(merged.costDetails).length === 0) {
    const inferred =
      Object.keys(merged.usageDetails).length > 0
        ? costFromUsage(merged.model, merged.usageDetails)
        : null;
    merged.costDetails = inferred ?? {};
    merged.costInferred = inferred !== null;
  }
  merged.updatedAt = now;
  return merged;
}

/** Summed in key order, not arrival order, so the float result does not depend on it. */
const sumWithoutTotal = (details: Record<string, number>): number => {
  let total = 0;
  for (const key of Object.keys(details).sort()) if (key !== 'total') total += details[key]!;
  return total;
};

/** Whether a stored total came from a sender. Older records carry no flag: a total other
 * than the sum of the other keys can only have been given. */
function totalGiven(details: Record<string, number>, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  return details.total !== undefined && details.total !== sumWithoutTotal(details);
}

/** Langfuse fills `total` as the sum of the other keys when the sender omits it. A derived
 * total is recomputed after every merge, so usage split over several events (input on the
 * create, output on the update) adds up whatever order they arrive in. */
function withTotal(details: Record<string, number>, given: boolean): Record<string, number> {
  if (given && details.total !== undefined) return details;
  return { ...details, total: sumWithoutTotal(details) };
}

export function totalCost(record: ObservationRecord): number | null {
  const cost = record.costDetails;
  if (cost.total !== undefined) return cost.total;
  return null;
}

export function tokenCounts(record: ObservationRecord): { input: number; output: number; total: number } {
  const usage = record.usageDetails;
  const input = usage.input ?? 0;
  const output = usage.output ?? 0;
  return { input, output, total: usage.total ?? input + output };
}
