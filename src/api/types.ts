// What the UI and the CLI may ask of a backend. Implemented by the HTTP client over
// either Langfuse API generation; the UI depends on this interface only.

import type {
  AnnotationQueue,
  AnnotationQueueItem,
  Score,
  ScoreConfig,
  Session,
  TraceSummary,
  TraceWithFullDetails,
} from '../domain/types.js';
import type { ScoreBody } from '../domain/ingestion.js';

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
}

export type ScoreOperator = '<' | '<=' | '>' | '>=' | '=' | '!=';

export interface ScoreCondition {
  name: string;
  operator: ScoreOperator;
  value: number | string | boolean;
}

export interface TraceReader {
  getTrace(traceId: string): Promise<TraceWithFullDetails>;
  listTraces(query: TraceQuery): Promise<TraceSummary[]>;
}

export interface ScoreWriter {
  createScore(score: ScoreBody & { id: string }): Promise<{ id: string }>;
  deleteScore(scoreId: string): Promise<void>;
  listScoreConfigs(): Promise<ScoreConfig[]>;
}

export interface SessionReader {
  listSessions(): Promise<Session[]>;
  getSessionTraces(sessionId: string): Promise<TraceWithFullDetails[]>;
}

export interface QueueClient {
  listQueues(): Promise<AnnotationQueue[]>;
  listQueueItems(queueId: string, status?: 'PENDING' | 'COMPLETED'): Promise<AnnotationQueueItem[]>;
  completeQueueItem(queueId: string, itemId: string): Promise<AnnotationQueueItem>;
}

export type { Score };
