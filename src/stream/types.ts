// The contract between the data layer and the UI: the UI subscribes to a LiveSource and
// never learns whether changes arrive over SSE or by polling.

import type { TraceSummary } from '../domain/types.js';

export type ConnectionState = 'connecting' | 'live' | 'polling' | 'reconnecting' | 'offline';

export interface LiveSourceStats {
  /** Trace changes delivered to listeners since start. */
  received: number;
  /** Changes coalesced away because a newer change of the same trace superseded them. */
  coalesced: number;
  /** Milliseconds between a change being stored and being delivered (last seen). */
  lagMs: number;
  /** Last stream sequence seen (SSE) — resume point. */
  lastEventId: string | null;
}

/** How far the window's history has been read (polling sources and the stream's history). */
export interface HistoryStatus {
  /** Traces delivered from history so far. */
  count: number;
  /** Still reading pages. */
  loading: boolean;
  /** The whole window was read; false once the capacity cut it (or while loading). */
  complete: boolean;
  /** The most traces the history reads. */
  capacity: number;
  /** The window asked for, as the user wrote it ("2h"), or null for no window. */
  window: string | null;
}

/** A request waiting for the rate limit: the budget's allowance is spent, or the server said 429. */
export interface RateLimitStatus {
  /** Langfuse's rate-limit bucket ("public-api", "public-api-legacy", …). */
  bucket: string;
  /** When the wait ends (epoch ms). */
  untilMs: number;
  reason: 'retry-after' | 'budget';
}

export interface LiveStatus {
  state: ConnectionState;
  /** Human-readable reason for the state: "401 from http://…: check keys", "retrying in 4s". */
  detail: string | null;
  host: string;
  stats: LiveSourceStats;
  /** The history read; absent before it starts. */
  history?: HistoryStatus | null;
  /** Set while a request waits for the rate limit. */
  rateLimit?: RateLimitStatus | null;
}

export interface LiveSource {
  /** Starts delivering; the first batch is the history matching the filter (newest last). */
  start(): void;
  stop(): Promise<void>;
  /** Listener receives batches of changed traces, coalesced per trace id, in arrival order. */
  onTraces(listener: (traces: TraceSummary[]) => void): () => void;
  onStatus(listener: (status: LiveStatus) => void): () => void;
  /**
   * The backend now serves another database (tracetop's server swapped or restored): what was
   * delivered before is from that other database. The source re-syncs (the following batch is
   * the new history); a consumer may drop what it holds. Optional for a consumer to listen to.
   */
  onReset?(listener: () => void): () => void;
  status(): LiveStatus;
}
