// Drains the durable score queue to the backend: retries with backoff while the backend is
// unreachable or overloaded, and parks a score the backend rejects (400: value out of range)
// as failed with the backend's message, for the user to fix or drop — never discarded.

import type { ScoreWriter } from '../api/types.js';
import type { DurableScoreQueue } from './durable-queue.js';

export interface SenderStatus {
  pending: number;
  failed: number;
  /** Why sending is paused, e.g. "backend unreachable, retrying in 4s". */
  detail: string | null;
}

/**
 * Errors the client throws carry the HTTP status; 4xx other than 408/429 will not heal by
 * retrying — except 401/403: wrong keys are fixed by the person, and their scores must still
 * be there (pending) when the keys are right again.
 */
function isPermanent(error: unknown): boolean {
  const status = (error as { status?: unknown })?.status;
  return typeof status === 'number' && status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status);
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class ScoreSender {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = false;
  private backoffMs: number;
  private detail: string | null = null;
  private readonly listeners = new Set<(status: SenderStatus) => void>();

  constructor(
    private readonly queue: DurableScoreQueue,
    private readonly writer: Pick<ScoreWriter, 'createScore'>,
    private readonly options: { minBackoffMs?: number; maxBackoffMs?: number } = {},
  ) {
    this.backoffMs = options.minBackoffMs ?? 500;
  }

  status(): SenderStatus {
    return { pending: this.queue.pending().length, failed: this.queue.failed().length, detail: this.detail };
  }

  onStatus(listener: (status: SenderStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    const status = this.status();
    for (const listener of this.listeners) listener(status);
  }

  /** Sends what is queued now and whenever kick() is called; resumes a previous run's queue. */
  start(): void {
    this.stopped = false;
    this.kick();
  }

  kick(): void {
    if (this.stopped || this.running) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    void this.drain();
  }

  /** Resolves when nothing is pending (or the sender is stopped). */
  async idle(): Promise<void> {
    while (!this.stopped && this.queue.pending().length > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (const entry of this.queue.pending()) {
        if (this.stopped) return;
        try {
          // Bookkeeping only: a journal that cannot take it must not stop the sending.
          this.queue.markAttempt(entry.score.id);
        } catch {
          // markSent below fails the same way and is retried with backoff.
        }
        try {
          await this.writer.createScore(entry.score);
          this.queue.markSent(entry.score.id);
          this.backoffMs = this.options.minBackoffMs ?? 500;
          this.detail = null;
        } catch (error) {
          if (isPermanent(error)) {
            this.queue.markFailed(entry.score.id, describe(error));
            this.emit();
            continue;
          }
          this.detail = `${describe(error)}; retrying in ${Math.round(this.backoffMs / 1000)}s`;
          this.emit();
          this.timer = setTimeout(() => {
            this.timer = null;
            this.kick();
          }, this.backoffMs);
          this.timer.unref();
          this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
          return;
        }
        this.emit();
      }
    } finally {
      this.running = false;
    }
    // Scores enqueued while this pass ran are picked up by another pass.
    if (!this.stopped && this.queue.pending().length > 0 && !this.timer) this.kick();
  }
}
