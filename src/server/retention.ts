// Retention for `tracetop serve --retention 30d --max-db-size 2GB`: old traces go with
// everything attached (observations, scores, tags), and so do the change log and the event
// ids kept for dedup, which otherwise grow forever. It runs in the background in small
// transactions, yielding between them, so ingestion and reads go on meanwhile. A stream
// client whose Last-Event-ID fell off the pruned log is told to reset (see StreamHub.attach).
//
// The size bound counts pages in use (page_count − freelist_count): SQLite reuses the pages
// freed by pruning, so the file stops growing; it does not shrink without a VACUUM.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { inTransaction, type Database } from './db.js';

export interface RetentionOptions {
  /** Traces older than this (by their timestamp) are deleted; change-log entries and event
   * ids older than this (by when they were received) too. */
  maxAgeMs?: number;
  /** Pages in use above this many bytes: the oldest traces are deleted until under it. */
  maxDbBytes?: number;
  /** Between passes; default one minute. */
  intervalMs?: number;
  /** Traces per transaction; default 200. */
  batchSize?: number;
}

export interface RetentionPass {
  traces: number;
  changes: number;
  events: number;
}

const DAY_MS = 86_400_000;
const UNITS_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };
const UNITS_BYTES: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

/** `30d`, `12h`, `90m`, `2w`, `3600s`: a positive duration in milliseconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(text);
  const ms = match ? Number(match[1]) * UNITS_MS[match[2]!.toLowerCase()]! : NaN;
  if (!(ms > 0) || !Number.isFinite(ms)) {
    throw new Error(`--retention must be a duration like 30d, 12h, 90m, 2w or 3600s (got ${JSON.stringify(text)})`);
  }
  return ms;
}

/** `2GB`, `500MB`, `1.5GiB`, `1000000`: a positive size in bytes. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(text);
  const bytes = match ? Number(match[1]) * UNITS_BYTES[(match[2] ?? '').toLowerCase()]! : NaN;
  if (!(bytes >= 1024 * 1024) || !Number.isFinite(bytes)) {
    throw new Error(`--max-db-size must be a size of at least 1MB like 500MB, 2GB or 1.5GiB (got ${JSON.stringify(text)})`);
  }
  return bytes;
}

/** Bytes of the database's pages in use. */
export function usedBytes(db: Database): number {
  const value = (pragma: string) => Number((db.prepare(`PRAGMA ${pragma}`).get() as Record<string, unknown>)[pragma]);
  return (value('page_count') - value('freelist_count')) * value('page_size');
}

const CHUNK = 5000;

export class Retention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<RetentionPass> | null = null;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly options: RetentionOptions,
  ) {
    db.exec('CREATE INDEX IF NOT EXISTS changes_at ON changes(at_ms)');
    // Event ids carry no time; a pass stamps the new ones, so they age from (about) their
    // arrival. A database from before retention gets the column here.
    const columns = db.prepare('PRAGMA table_info(ingested_events)').all() as { name: string }[];
    if (!columns.some((column) => column.name === 'at_ms')) db.exec('ALTER TABLE ingested_events ADD COLUMN at_ms INTEGER');
    db.exec('CREATE INDEX IF NOT EXISTS ingested_events_unstamped ON ingested_events(id) WHERE at_ms IS NULL');
    db.exec('CREATE INDEX IF NOT EXISTS ingested_events_at ON ingested_events(at_ms) WHERE at_ms IS NOT NULL');
  }

  get enabled(): boolean {
    return this.options.maxAgeMs !== undefined || this.options.maxDbBytes !== undefined;
  }

  start(): void {
    if (!this.enabled || this.timer) return;
    const tick = () => {
      void this.run().catch((error: unknown) => process.emitWarning(`tracetop serve: retention pass failed: ${String(error)}`));
    };
    this.timer = setInterval(tick, this.options.intervalMs ?? 60_000);
    this.timer.unref();
    setImmediate(tick);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass (a pass already running is joined, not doubled). */
  run(now = Date.now()): Promise<RetentionPass> {
    this.running ??= this.pass(now).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(now: number): Promise<RetentionPass> {
    const total: RetentionPass = { traces: 0, changes: 0, events: 0 };
    const batch = this.options.batchSize ?? 200;
    // Stamped with the clock, not `now` (a pass may be asked to act as of another time).
    const stampedAt = Date.now();
    await this.step(() => this.stampEvents(stampedAt));
    if (this.options.maxAgeMs !== undefined) {
      const cutoff = now - this.options.maxAgeMs;
      total.traces += await this.step(() => this.deleteTraces('WHERE ts_ms < ?', [cutoff], batch));
      await this.step(() => this.deleteLooseScores(cutoff));
      total.changes += await this.step(() => this.deleteChanges('at_ms < ?', [cutoff]));
      total.events += await this.step(() => this.deleteEvents('at_ms < ?', [cutoff]));
    }
    if (this.options.maxDbBytes !== undefined) {
      // Oldest first, a slice of each at a time, until the pages in use fit.
      while (!this.stopped && usedBytes(this.db) > this.options.maxDbBytes) {
        const traces = inTransaction(this.db, () => this.deleteTraces('', [], batch));
        const changes = inTransaction(this.db, () => this.deleteChanges('1', [], CHUNK));
        const events = inTransaction(this.db, () => this.deleteEvents('at_ms IS NOT NULL', [], CHUNK));
        total.traces += traces;
        total.changes += changes;
        total.events += events;
        if (traces + changes + events === 0) break;
        await nextTurn();
      }
    }
    return total;
  }

  /** Repeats a small transaction until it has nothing left to do, yielding between. */
  private async step(work: () => number): Promise<number> {
    let total = 0;
    while (!this.stopped) {
      const done = inTransaction(this.db, work);
      total += done;
      if (done === 0) break;
      await nextTurn();
    }
    return total;
  }

  private stampEvents(now: number): number {
    const result = this.db
      .prepare(`UPDATE ingested_events SET at_ms = ? WHERE id IN (SELECT id FROM ingested_events WHERE at_ms IS NULL LIMIT ${CHUNK})`)
      .run(now);
    return Number(result.changes);
  }

  /** Deletes up to `limit` of the oldest matching traces with their observations, scores,
   * tags, dataset run items and experiment spans; returns how many traces went. */
  private deleteTraces(where: string, params: number[], limit: number): number {
    const ids = (this.db.prepare(`SELECT id FROM traces ${where} ORDER BY ts_ms LIMIT ?`).all(...params, limit) as { id: string }[]).map((row) => row.id);
    const byTrace = {
      observations: this.db.prepare('DELETE FROM observations WHERE trace_id = ?'),
      scores: this.db.prepare('DELETE FROM scores WHERE trace_id = ?'),
      tags: this.db.prepare('DELETE FROM trace_tags WHERE trace_id = ?'),
      // A run's rows for the trace (the dataset, its items and the run itself stay).
      runItems: this.db.prepare('DELETE FROM dataset_run_items WHERE trace_id = ?'),
      experimentSpans: this.db.prepare('DELETE FROM experiment_spans WHERE trace_id = ?'),
      trace: this.db.prepare('DELETE FROM traces WHERE id = ?'),
    };
    for (const id of ids) for (const statement of Object.values(byTrace)) statement.run(id);
    return ids.length;
  }

  /** Session and dataset-run scores (no trace) older than the cutoff. */
  private deleteLooseScores(cutoff: number): number {
    return Number(
      this.db.prepare(`DELETE FROM scores WHERE id IN (SELECT id FROM scores WHERE trace_id IS NULL AND ts_ms < ? LIMIT ${CHUNK})`).run(cutoff).changes,
    );
  }

  /** The oldest change-log entries; the newest entry always stays, so the head (and every
   * client's resume point) keeps its meaning. */
  private deleteChanges(where: string, params: number[], limit = CHUNK): number {
    const sql = `DELETE FROM changes WHERE seq IN (SELECT seq FROM changes WHERE ${where} AND seq < (SELECT max(seq) FROM changes) ORDER BY seq LIMIT ${limit})`;
    return Number(this.db.prepare(sql).run(...params).changes);
  }

  private deleteEvents(where: string, params: number[], limit = CHUNK): number {
    const sql = `DELETE FROM ingested_events WHERE id IN (SELECT id FROM ingested_events WHERE ${where} ORDER BY at_ms LIMIT ${limit})`;
    return Number(this.db.prepare(sql).run(...params).changes);
  }
}
