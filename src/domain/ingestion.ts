// The Langfuse batch-ingestion wire format (`POST /api/public/ingestion`). The server
// accepts it, the OTLP mapper produces it, the demo generator sends it.

import type { Level, ObservationType, ScoreDataType } from './types.js';

export const OBSERVATION_EVENT_TYPES = {
  'span-create': 'SPAN',
  'span-update': 'SPAN',
  'generation-create': 'GENERATION',
  'generation-update': 'GENERATION',
  'event-create': 'EVENT',
  'agent-create': 'AGENT',
  'tool-create': 'TOOL',
  'chain-create': 'CHAIN',
  'retriever-create': 'RETRIEVER',
  'evaluator-create': 'EVALUATOR',
  'embedding-create': 'EMBEDDING',
  'guardrail-create': 'GUARDRAIL',
  // Legacy events carry the type in the body.
  'observation-create': null,
  'observation-update': null,
} as const satisfies Record<string, ObservationType | null>;

export type ObservationEventType = keyof typeof OBSERVATION_EVENT_TYPES;
export type IngestionEventType =
  | 'trace-create'
  | ObservationEventType
  | 'score-create'
  | 'sdk-log'
  | 'dataset-run-item-create';

export interface TraceBody {
  id?: string | null;
  timestamp?: string | null;
  name?: string | null;
  userId?: string | null;
  input?: unknown;
  output?: unknown;
  sessionId?: string | null;
  release?: string | null;
  version?: string | null;
  metadata?: unknown;
  tags?: string[] | null;
  environment?: string | null;
  public?: boolean | null;
}

export interface UsageBody {
  input?: number | null;
  output?: number | null;
  total?: number | null;
  unit?: string | null;
  inputCost?: number | null;
  outputCost?: number | null;
  totalCost?: number | null;
  promptTokens?: number | null;
  completionTokens?: number | null;
  totalTokens?: number | null;
}

export interface ObservationBody {
  id?: string | null;
  traceId?: string | null;
  type?: ObservationType | null;
  name?: string | null;
  startTime?: string | null;
  endTime?: string | null;
  completionStartTime?: string | null;
  metadata?: unknown;
  input?: unknown;
  output?: unknown;
  level?: Level | null;
  statusMessage?: string | null;
  parentObservationId?: string | null;
  version?: string | null;
  environment?: string | null;
  model?: string | null;
  modelParameters?: Record<string, unknown> | null;
  usage?: UsageBody | null;
  usageDetails?: Record<string, number> | null;
  costDetails?: Record<string, number> | null;
  promptName?: string | null;
  promptVersion?: number | null;
}

export interface ScoreBody {
  id?: string | null;
  traceId?: string | null;
  observationId?: string | null;
  sessionId?: string | null;
  datasetRunId?: string | null;
  name: string;
  value: number | string | boolean;
  dataType?: ScoreDataType | null;
  configId?: string | null;
  comment?: string | null;
  metadata?: unknown;
  environment?: string | null;
  queueId?: string | null;
  source?: 'API' | 'ANNOTATION' | null;
}

export interface IngestionEvent {
  id: string;
  timestamp: string;
  type: IngestionEventType;
  body: unknown;
  metadata?: unknown;
}

export interface IngestionBatch {
  batch: IngestionEvent[];
  metadata?: unknown;
}

export interface IngestionSuccess {
  id: string;
  status: number;
}

export interface IngestionError {
  id: string;
  status: number;
  message?: string;
  error?: unknown;
}

export interface IngestionResponse {
  successes: IngestionSuccess[];
  errors: IngestionError[];
}
