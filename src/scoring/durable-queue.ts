// Scores waiting to reach the backend, kept in an append-only journal (JSON lines, fsync'd)
// so a label typed once survives a dropped network or a killed tracetop. Each score has its
// client-generated id before anything is sent; the backend upserts by id, so a resend after
// a crash is harmless.

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ScoreBody } from '../domain/ingestion.js';

export type QueuedScoreBody = ScoreBody & { id: string };

export interface QueuedScore {
  score: QueuedScoreBody;
  state: 'pending' | 'failed';
  attempts: number;
  /** The backend's reason when it rejected the score (state failed). */
  error: string | null;
  queuedAt: string;
}

type JournalEntry =
  | { op: 'add'; score: QueuedScoreBody; at: string }
  | { op: 'sent'; id: string }
  | { op: 'failed'; id: string; error: string }
  | { op: 'attempt'; id: string }
  | { op: 'drop'; id: string }
  | { op: 'retry'; id: string };

export class DurableScoreQueue {
  private readonly entries = new Map<string, QueuedScore>();
  private fd: number;

  private constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.replay();
    this.fd = openSync(path, 'a', 0o600);
  }

  static open(path: string): DurableScoreQueue {
    return new DurableScoreQueue(path);
  }

  private replay(): void {
    let text = '';
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return;
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        // A line torn by a crash mid-write: everything before it was fsync'd and counts.
        continue;
      }
      this.apply(entry);
    }
  }

  private apply(entry: JournalEntry): void {
    switch (entry.op) {
      case 'add':
        if (!this.entries.has(entry.score.id)) {
          this.entries.set(entry.score.id, { score: entry.score, state: 'pending', attempts: 0, error: null, queuedAt: entry.at });
        }
        break;
      case 'sent':
      case 'drop':
        this.entries.delete(entry.id);
        break;
      case 'failed': {
        const queued = this.entries.get(entry.id);
        if (queued) Object.assign(queued, { state: 'failed', error: entry.error });
        break;
      }
      case 'attempt': {
        const queued = this.entries.get(entry.id);
        if (queued) queued.attempts += 1;
        break;
      }
      case 'retry': {
        const queued = this.entries.get(entry.id);
        if (queued) Object.assign(queued, { state: 'pending', error: null });
        break;
      }
    }
  }

  private write(entry: JournalEntry, durable: boolean): void {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    if (durable) fsyncSync(this.fd);
    this.apply(entry);
  }

  /** Returns once the score is on disk: only then may the UI show it as pending. */
  enqueue(score: QueuedScoreBody): QueuedScore {
    this.write({ op: 'add', score, at: new Date().toISOString() }, true);
    return this.entries.get(score.id)!;
  }

  markAttempt(id: string): void {
    this.write({ op: 'attempt', id }, false);
  }

  markSent(id: string): void {
    this.write({ op: 'sent', id }, true);
  }

  markFailed(id: string, error: string): void {
    this.write({ op: 'failed', id, error }, true);
  }

  /** A failed score the user fixed or wants resent goes back to pending. */
  retry(id: string): void {
    this.write({ op: 'retry', id }, true);
  }

  drop(id: string): void {
    this.write({ op: 'drop', id }, true);
  }

  pending(): QueuedScore[] {
    return [...this.entries.values()].filter((entry) => entry.state === 'pending');
  }

  failed(): QueuedScore[] {
    return [...this.entries.values()].filter((entry) => entry.state === 'failed');
  }

  get(id: string): QueuedScore | undefined {
    return this.entries.get(id);
  }

  /** Rewrites the journal with only what is outstanding (atomically, via rename). */
  compact(): void {
    const temporary = `${this.path}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    for (const entry of this.entries.values()) {
      writeSync(fd, `${JSON.stringify({ op: 'add', score: entry.score, at: entry.queuedAt })}\n`);
      if (entry.state === 'failed') writeSync(fd, `${JSON.stringify({ op: 'failed', id: entry.score.id, error: entry.error })}\n`);
    }
    fsyncSync(fd);
    closeSync(fd);
    closeSync(this.fd);
    renameSync(temporary, this.path);
    this.fd = openSync(this.path, 'a', 0o600);
  }

  close(): void {
    closeSync(this.fd);
  }
}
