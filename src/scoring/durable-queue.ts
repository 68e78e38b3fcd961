// Scores waiting to reach the backend, kept in an append-only journal (JSON lines, fsync'd)
// so a label typed once survives a dropped network or a killed tracetop. Each score has its
// client-generated id before anything is sent; the backend upserts by id, so a resend after
// a crash is harmless.

import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ScoreBody } from '../domain/ingestion.js';
import { fsReason, unwritableReason } from '../config/fs-errors.js';

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


/** The journal could not be opened or written: whatever was being recorded was not. */
export class ScoreQueueError extends Error {
  constructor(
    message: string,
    readonly code: string | null = null,
    /** The cause in a few words ("the file system is read-only (EROFS) at /x"), for narrow places. */
    readonly reason: string = message,
  ) {
    super(message);
    this.name = 'ScoreQueueError';
  }
}

export class DurableScoreQueue {
  private readonly entries = new Map<string, QueuedScore>();
  private fd: number;
  /** Bytes of whole entries in the journal: where a failed append is cut back to. */
  private size = 0;

  private constructor(readonly path: string) {
    const dir = dirname(path);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.replay();
      this.fd = openSync(path, 'a', 0o600);
      this.size = fstatSync(this.fd).size;
      this.cutTornTail();
    } catch (error) {
      if (error instanceof ScoreQueueError) throw error;
      // Node's recursive mkdir says ENOENT on a read-only file system: name the real cause.
      const why = unwritableReason(dir) ?? fsReason(error);
      throw new ScoreQueueError(`cannot open the score queue ${path}: ${why}`, (error as NodeJS.ErrnoException).code ?? null, why);
    }
  }

  static open(path: string): DurableScoreQueue {
    return new DurableScoreQueue(path);
  }

  /** The bytes after the last newline are a torn write: cut them, or the next entry is glued on. */
  private cutTornTail(): void {
    if (this.size === 0) return;
    const text = readFileSync(this.path);
    const end = text.lastIndexOf(0x0a) + 1;
    if (end === text.length) return;
    ftruncateSync(this.fd, end);
    fsyncSync(this.fd);
    this.size = end;
  }

  private replay(): void {
    let text = '';
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
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

  /**
   * Appends one entry. Every byte is written (a full disk can make a write short) and, if
   * durable, fsync'd before the entry counts; on failure the journal is cut back to the last
   * whole entry and a ScoreQueueError says why, so nothing half-written is ever replayed.
   */
  private write(entry: JournalEntry, durable: boolean): void {
    const line = Buffer.from(`${JSON.stringify(entry)}\n`);
    try {
      let offset = 0;
      while (offset < line.length) offset += writeSync(this.fd, line, offset, line.length - offset);
      if (durable) fsyncSync(this.fd);
    } catch (error) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // Replay skips a torn line and open() cuts it: the entry still does not count.
      }
      const what = entry.op === 'add' ? 'the score was not queued' : `the score's ${entry.op} was not recorded`;
      throw new ScoreQueueError(`cannot write the score queue ${this.path}: ${fsReason(error)}; ${what}`, (error as NodeJS.ErrnoException).code ?? null, fsReason(error));
    }
    this.size += line.length;
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
    let text = '';
    for (const entry of this.entries.values()) {
      text += `${JSON.stringify({ op: 'add', score: entry.score, at: entry.queuedAt })}\n`;
      if (entry.state === 'failed') text += `${JSON.stringify({ op: 'failed', id: entry.score.id, error: entry.error })}\n`;
    }
    const bytes = Buffer.from(text);
    const fd = openSync(temporary, 'w', 0o600);
    try {
      // Every byte before the rename: a short write on a full disk must not replace the journal.
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      fsyncSync(fd);
    } catch (error) {
      closeSync(fd);
      rmSync(temporary, { force: true });
      throw new ScoreQueueError(`cannot compact the score queue ${this.path}: ${fsReason(error)}; it is left as it was`, (error as NodeJS.ErrnoException).code ?? null);
    }
    closeSync(fd);
    closeSync(this.fd);
    renameSync(temporary, this.path);
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  close(): void {
    closeSync(this.fd);
  }
}
