// The shapes tracetop speaks: Langfuse's public API objects, shared by the embedded
// server (which emits them) and the client (which reads them). Field names follow
// Langfuse exactly so that a Langfuse SDK or a Langfuse server is interchangeable.

export const OBSERVATION_TYPES = [
  'SPAN',
  'GENERATION',
  'EVENT',
  'AGENT',
  'TOOL',
  'CHAIN',
  'RETRIEVER',
  'EVALUATOR',
  'EMBEDDING',
  'GUARDRAIL',
] as const;
export type ObservationType = (typeof OBSERVATION_TYPES)[number];

export const LEVELS = ['DEBUG', 'DEFAULT', 'WARNING', 'ERROR'] as const;
export type Level = (typeof LEVELS)[number];

export const SCORE_DATA_TYPES = ['NUMERIC', 'BOOLEAN', 'CATEGORICAL', 'TEXT', 'CORRECTION'] as const;
export type ScoreDataType = (typeof SCORE_DATA_TYPES)[number];

export const SCORE_SOURCES = ['API', 'ANNOTATION', 'EVAL'] as const;
export type ScoreSource = (typeof SCORE_SOURCES)[number];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A trace as `GET /api/public/traces` lists it (TraceWithDetails + the real handler's extras). */
export interface Trace {
  id: string;
  projectId: string;
  timestamp: string;
  name: string | null;
  input: unknown;
  output: unknown;
  sessionId: string | null;
  release: string | null;
  version: string | null;
  userId: string | null;
  metadata: unknown;
  tags: string[];
  public: boolean;
  bookmarked: boolean;
  environment: string;
  externalId: string | null;
  htmlPath: string;
  /** Seconds between the earliest start and the latest end of its observations. */
  latency: number | null;
  /** USD, summed over its observations. */
  totalCost: number | null;
  observations: string[] | null;
  scores: string[] | null;
  createdAt: string;
  updatedAt: string;
}

export type UsageDetails = Record<string, number>;
export type CostDetails = Record<string, number>;

/** An observation as `GET /api/public/traces/{id}` and `GET /api/public/observations` return it. */
export interface Observation {
  id: string;
  projectId: string;
  traceId: string | null;
  parentObservationId: string | null;
  type: ObservationType;
  name: string | null;
  startTime: string;
  endTime: string | null;
  completionStartTime: string | null;
  environment: string;
  version: string | null;
  release?: string | null;
  input: unknown;
  output: unknown;
  metadata: unknown;
  level: Level;
  statusMessage: string | null;
  model: string | null;
  modelParameters: unknown;
  promptId: string | null;
  promptName: string | null;
  promptVersion: number | null;
  usageDetails: UsageDetails;
  costDetails: CostDetails;
  usage: { unit: string | null; input: number; output: number; total: number };
  unit: string | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  calculatedInputCost: number | null;
  calculatedOutputCost: number | null;
  calculatedTotalCost: number | null;
  modelId: string | null;
  inputPrice: number | null;
  outputPrice: number | null;
  totalPrice: number | null;
  latency: number | null;
  timeToFirstToken: number | null;
  createdAt: string;
  updatedAt: string;
}

/** A score in the v1/v2 read shape (discriminated by dataType). */
export interface Score {
  id: string;
  projectId: string;
  traceId: string | null;
  sessionId: string | null;
  observationId: string | null;
  datasetRunId: string | null;
  name: string;
  value: number | null;
  stringValue: string | null;
  dataType: ScoreDataType;
  source: ScoreSource;
  timestamp: string;
  createdAt: string;
  updatedAt: string;
  authorUserId: string | null;
  comment: string | null;
  metadata: unknown;
  configId: string | null;
  queueId: string | null;
  environment: string;
  executionTraceId: string | null;
}

export interface ScoreCategory {
  label: string;
  value: number;
}

export interface ScoreConfig {
  id: string;
  name: string;
  projectId: string;
  dataType: Exclude<ScoreDataType, 'CORRECTION'>;
  isArchived: boolean;
  minValue?: number | null;
  maxValue?: number | null;
  categories?: ScoreCategory[] | null;
  description?: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AnnotationQueue {
  id: string;
  name: string;
  description: string | null;
  scoreConfigIds: string[];
  createdAt: string;
  updatedAt: string;
}

export type AnnotationObjectType = 'TRACE' | 'OBSERVATION' | 'SESSION';
export type AnnotationItemStatus = 'PENDING' | 'COMPLETED';

export interface AnnotationQueueItem {
  id: string;
  queueId: string;
  objectId: string;
  objectType: AnnotationObjectType;
  status: AnnotationItemStatus;
  completedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Session {
  id: string;
  createdAt: string;
  projectId: string;
  environment: string;
}

export interface PageMeta {
  page: number;
  limit: number;
  totalItems: number;
  totalPages: number;
}

export interface Paged<T> {
  data: T[];
  meta: PageMeta;
}

/** A trace with its full observations and scores: `GET /api/public/traces/{id}`. */
export interface TraceWithFullDetails extends Omit<Trace, 'observations' | 'scores'> {
  observations: Observation[];
  scores: Score[];
}

/**
 * What tracetop's list shows of a trace: the trace's own fields plus aggregates over its
 * observations. The embedded stream sends it; the polling source derives it.
 */
export interface TraceSummary {
  id: string;
  timestamp: string;
  name: string | null;
  userId: string | null;
  sessionId: string | null;
  tags: string[];
  environment: string;
  release: string | null;
  version: string | null;
  latency: number | null;
  totalCost: number | null;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  observationCount: number;
  errorCount: number;
  warningCount: number;
  /** Latest value per score name: numeric value, or the string value for categorical/text. */
  scores: Record<string, number | string | boolean>;
  updatedAt: string;
  /** Models of its generations, when the source knows them (tracetop's server sends them). */
  models?: string[];
  /** `NAME@VERSION` of the prompts its generations are linked to, when the source knows them. */
  prompts?: string[];
  /** Present when the source includes payloads (stream `fields=io`, or a full fetch). */
  input?: unknown;
  output?: unknown;
  metadata?: unknown;
}

/** What a backend can be asked for when listing traces (server-side filters). */
export interface TraceQuery {
  userId?: string;
  tags?: string[];
  sessionId?: string;
  name?: string;
  environment?: string[];
  release?: string;
  version?: string;
  fromTimestamp?: string;
  toTimestamp?: string;
  limit?: number;
  /** Traces with at least one observation at this level or worse. */
  level?: 'error' | 'warning';
  /** All of these must hold for the trace's scores (resolved through the scores endpoint). */
  scores?: ScoreCondition[];
  /** Ask for input/output/metadata with each summary (free-text search needs them). */
  includeIo?: boolean;
  /** Traces with a generation linked to this prompt (any version when version is null). */
  prompt?: { name: string; version: number | null };
  /** Traces with a generation of this model (exact name). */
  model?: string;
}

export type ScoreOperator = '<' | '<=' | '>' | '>=' | '=' | '!=';

export interface ScoreCondition {
  name: string;
  operator: ScoreOperator;
  value: number | string | boolean;
}

