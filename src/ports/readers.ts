// What the store, the UI and the CLI may ask of a backend: read traces and sessions, write
// scores, work annotation queues. Implemented by the HTTP client (`src/api/`) over either
// Langfuse API generation; consumers depend on these interfaces only, so neither the store nor
// the UI reaches into `api/`.

import type {
  AnnotationQueue,
  AnnotationQueueItem,
  Score,
  ScoreConfig,
  Session,
  TraceQuery,
  TraceSummary,
  TraceWithFullDetails,
} from '../domain/types.js';
import type { ScoreBody } from '../domain/ingestion.js';

export type { TraceQuery, ScoreCondition, ScoreOperator } from '../domain/types.js';
export type { Score };

export interface TraceLoadOptions {
  /** How many observations the caller expects (the list knows): a big trace loads in pages. */
  expectedObservations?: number;
  /** Called after each page: observations loaded so far, and the total when the backend says. */
  onProgress?: (loaded: number, total: number | null) => void;
}

export interface TraceReader {
  getTrace(traceId: string, options?: TraceLoadOptions): Promise<TraceWithFullDetails>;
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
