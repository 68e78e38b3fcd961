// Every SQL statement of the embedded backend lives here, prepared once. Records are kept as
// JSON bodies plus the columns queries filter on, so a merge is read-modify-write in JS.

import type { StatementSync } from 'node:sqlite';
import type { Database } from './db.js';
import { observationKeyValues, putObservationFacts, type FactsTrace } from './metrics/facts.js';
import type { ObservationRecord, ScoreRecord, TraceRecord } from './ingest/records.js';
import type {
  AnnotationQueue,
  AnnotationQueueItem,
  ScoreConfig,
} from '../domain/types.js';

export interface TraceAggregates {
  obsCount: number;
  startMinMs: number | null;
  endMaxMs: number | null;
  totalCost: number | null;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  errorCount: number;
  warningCount: number;
}

export interface StoredTrace {
  record: TraceRecord;
  aggregates: TraceAggregates;
  updatedMs: number;
}

export type ChangeKind = 'trace' | 'observation' | 'score' | 'dataset-run-item';

export interface ChangeRow {
  seq: number;
  kind: ChangeKind;
  entityId: string;
  traceId: string | null;
  atMs: number;
}

type Row = Record<string, unknown>;

export const emptyAggregates = (): TraceAggregates => ({
  obsCount: 0,
  startMinMs: null,
  endMaxMs: null,
  totalCost: null,
  inputTokens: 0,
  outputTokens: 0,
  totalTokens: 0,
  errorCount: 0,
  warningCount: 0,
});

function traceFromRow(row: Row): StoredTrace {
  return {
    record: JSON.parse(row.body as string) as TraceRecord,
    aggregates: {
      obsCount: Number(row.obs_count),
      startMinMs: row.start_min_ms === null ? null : Number(row.start_min_ms),
      endMaxMs: row.end_max_ms === null ? null : Number(row.end_max_ms),
      totalCost: row.total_cost === null ? null : Number(row.total_cost),
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      totalTokens: Number(row.total_tokens),
      errorCount: Number(row.error_count),
      warningCount: Number(row.warning_count),
    },
    updatedMs: Number(row.updated_ms),
  };
}

export class Repository {
  private readonly statements = new Map<string, StatementSync>();

  constructor(readonly db: Database) {}

  /** Prepared statements are cached by their SQL text. */
  prepare(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  // ---- event dedup -------------------------------------------------------------------

  /** Records an ingestion event id; false when it was applied before. */
  claimEvent(eventId: string): boolean {
    const result = this.prepare('INSERT OR IGNORE INTO ingested_events (id) VALUES (?)').run(eventId);
    return Number(result.changes) > 0;
  }

  // ---- traces ------------------------------------------------------------------------

  getTrace(id: string): StoredTrace | null {
    const row = this.prepare('SELECT * FROM traces WHERE id = ?').get(id) as Row | undefined;
    return row ? traceFromRow(row) : null;
  }

  getTraces(ids: string[]): Map<string, StoredTrace> {
    const found = new Map<string, StoredTrace>();
    for (let offset = 0; offset < ids.length; offset += 500) {
      const chunk = ids.slice(offset, offset + 500);
      const rows = this.db
        .prepare(`SELECT * FROM traces WHERE id IN (${chunk.map(() => '?').join(',')})`)
        .all(...chunk) as Row[];
      for (const row of rows) found.set(String(row.id), traceFromRow(row));
    }
    return found;
  }

  putTrace(record: TraceRecord, aggregates: TraceAggregates, updatedMs: number, tagsChanged: boolean): void {
    this.prepare(
      `INSERT INTO traces (id, ts_ms, name, user_id, session_id, environment, release, version, body,
         obs_count, start_min_ms, end_max_ms, total_cost, input_tokens, output_tokens, total_tokens,
         error_count, warning_count, updated_ms)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT(id) DO UPDATE SET ts_ms=excluded.ts_ms, name=excluded.name, user_id=excluded.user_id,
         session_id=excluded.session_id, environment=excluded.environment, release=excluded.release,
         version=excluded.version, body=excluded.body, obs_count=excluded.obs_count,
         start_min_ms=excluded.start_min_ms, end_max_ms=excluded.end_max_ms, total_cost=excluded.total_cost,
         input_tokens=excluded.input_tokens, output_tokens=excluded.output_tokens,
         total_tokens=excluded.total_tokens, error_count=excluded.error_count,
         warning_count=excluded.warning_count, updated_ms=excluded.updated_ms`,
    ).run(
      record.id,
      Date.parse(record.timestamp),
      record.name,
      record.userId,
      record.sessionId,
      record.environment,
      record.release,
      record.version,
      JSON.stringify(record),
      aggregates.obsCount,
      aggregates.startMinMs,
      aggregates.endMaxMs,
      aggregates.totalCost,
      aggregates.inputTokens,
      aggregates.outputTokens,
      aggregates.totalTokens,
      aggregates.errorCount,
      aggregates.warningCount,
      updatedMs,
    );
    if (tagsChanged) {
      const insertTag = this.prepare('INSERT OR IGNORE INTO trace_tags (tag, trace_id) VALUES (?, ?)');
      for (const tag of record.tags) insertTag.run(tag, record.id);
    }
  }

  /** Deletes a placeholder trace that no observation or score points at any more; true when
   * nothing references it (whether or not a row existed). */
  deleteTraceIfUnreferenced(id: string): boolean {
    const used =
      this.prepare('SELECT 1 FROM observations WHERE trace_id = ? LIMIT 1').get(id) ??
      this.prepare('SELECT 1 FROM scores WHERE trace_id = ? LIMIT 1').get(id);
    if (used) return false;
    this.prepare('DELETE FROM trace_tags WHERE trace_id = ?').run(id);
    this.prepare('DELETE FROM traces WHERE id = ?').run(id);
    return true;
  }

  // ---- observations -------------------------------------------------------------------

  getObservation(id: string): ObservationRecord | null {
    const row = this.prepare('SELECT body FROM observations WHERE id = ?').get(id) as Row | undefined;
    return row ? (JSON.parse(row.body as string) as ObservationRecord) : null;
  }

  putObservation(record: ObservationRecord): void {
    this.prepare(
      `INSERT INTO observations (id, trace_id, parent_id, type, name, level, environment, version, start_ms, end_ms, body)
       VALUES (?,?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT(id) DO UPDATE SET trace_id=excluded.trace_id, parent_id=excluded.parent_id, type=excluded.type,
         name=excluded.name, level=excluded.level, environment=excluded.environment, version=excluded.version,
         start_ms=excluded.start_ms, end_ms=excluded.end_ms, body=excluded.body`,
    ).run(
      ...observationKeyValues(record),
      Date.parse(record.startTime),
      Math.max(Date.parse(record.startTime), record.endTime ? Date.parse(record.endTime) : 0),
      JSON.stringify(record),
    );
  }

  /** Observations' rows of the metrics projection (distinct ids), with their traces' fields as
   * stored; ingestion writes a batch's after its traces. */
  putObservationFacts(rows: { record: ObservationRecord; trace: FactsTrace }[]): void {
    putObservationFacts((sql) => this.prepare(sql), rows);
  }

  /** Exact time span of a trace's observations, for when a merge narrowed an extreme. */
  observationTimeSpan(traceId: string): { startMinMs: number | null; endMaxMs: number | null } {
    const row = this.prepare(
      'SELECT min(start_ms) AS s, max(end_ms) AS e FROM observations WHERE trace_id = ?',
    ).get(traceId) as Row;
    return {
      startMinMs: row.s === null ? null : Number(row.s),
      endMaxMs: row.e === null ? null : Number(row.e),
    };
  }

  observationsOfTrace(traceId: string): ObservationRecord[] {
    const rows = this.prepare('SELECT body FROM observations WHERE trace_id = ? ORDER BY start_ms, id').all(
      traceId,
    ) as Row[];
    return rows.map((row) => JSON.parse(row.body as string) as ObservationRecord);
  }

  observationIdsOfTraces(traceIds: string[]): Map<string, string[]> {
    const result = new Map<string, string[]>(traceIds.map((id) => [id, []]));
    if (traceIds.length === 0) return result;
    const rows = this.db
      .prepare(
        `SELECT trace_id, id FROM observations WHERE trace_id IN (${traceIds.map(() => '?').join(',')})
         ORDER BY start_ms, id`,
      )
      .all(...traceIds) as Row[];
    for (const row of rows) result.get(String(row.trace_id))?.push(String(row.id));
    return result;
  }

  // ---- scores ------------------------------------------------------------------------

  getScore(id: string): ScoreRecord | null {
    const row = this.prepare('SELECT body FROM scores WHERE id = ?').get(id) as Row | undefined;
    return row ? (JSON.parse(row.body as string) as ScoreRecord) : null;
  }

  putScore(record: ScoreRecord): void {
    this.prepare(
      `INSERT INTO scores (id, trace_id, observation_id, session_id, name, value, data_type, source, config_id,
         queue_id, environment, ts_ms, body)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT(id) DO UPDATE SET trace_id=excluded.trace_id, observation_id=excluded.observation_id,
         session_id=excluded.session_id, name=excluded.name, value=excluded.value, data_type=excluded.data_type,
         source=excluded.source, config_id=excluded.config_id, queue_id=excluded.queue_id,
         environment=excluded.environment, ts_ms=excluded.ts_ms, body=excluded.body`,
    ).run(
      record.id,
      record.traceId,
      record.observationId,
      record.sessionId,
      record.name,
      record.value,
      record.dataType,
      record.source,
      record.configId,
      record.queueId,
      record.environment,
      Date.parse(record.timestamp),
      JSON.stringify(record),
    );
  }

  deleteScore(id: string): ScoreRecord | null {
    const existing = this.getScore(id);
    if (existing) this.prepare('DELETE FROM scores WHERE id = ?').run(id);
    return existing;
  }

  scoresOfTraces(traceIds: string[]): Map<string, ScoreRecord[]> {
    const result = new Map<string, ScoreRecord[]>(traceIds.map((id) => [id, []]));
    if (traceIds.length === 0) return result;
    const rows = this.db
      .prepare(
        `SELECT trace_id, body FROM scores WHERE trace_id IN (${traceIds.map(() => '?').join(',')})
         ORDER BY ts_ms, id`,
      )
      .all(...traceIds) as Row[];
    for (const row of rows) {
      result.get(String(row.trace_id))?.push(JSON.parse(row.body as string) as ScoreRecord);
    }
    return result;
  }

  // ---- change log ---------------------------------------------------------------------

  appendChange(kind: ChangeKind, entityId: string, traceId: string | null, atMs: number): number {
    const result = this.prepare('INSERT INTO changes (kind, entity_id, trace_id, at_ms) VALUES (?,?,?,?)').run(
      kind,
      entityId,
      traceId,
      atMs,
    );
    return Number(result.lastInsertRowid);
  }

  changesAfter(seq: number, limit: number): ChangeRow[] {
    const rows = this.prepare(
      'SELECT seq, kind, entity_id, trace_id, at_ms FROM changes WHERE seq > ? ORDER BY seq LIMIT ?',
    ).all(seq, limit) as Row[];
    return rows.map((row) => ({
      seq: Number(row.seq),
      kind: row.kind as ChangeKind,
      entityId: String(row.entity_id),
      traceId: row.trace_id === null ? null : String(row.trace_id),
      atMs: Number(row.at_ms),
    }));
  }

  headSeq(): number {
    const row = this.prepare('SELECT max(seq) AS seq FROM changes').get() as Row;
    return row.seq === null ? 0 : Number(row.seq);
  }

  // ---- score configs, queues ------------------------------------------------------------

  listJson<T>(table: 'score_configs' | 'annotation_queues', limit: number, offset: number): { items: T[]; total: number } {
    const rows = this.prepare(`SELECT body FROM ${table} ORDER BY created_ms, rowid LIMIT ? OFFSET ?`).all(
      limit,
      offset,
    ) as Row[];
    const total = Number((this.prepare(`SELECT count(*) AS n FROM ${table}`).get() as Row).n);
    return { items: rows.map((row) => JSON.parse(row.body as string) as T), total };
  }

  getJson<T>(table: 'score_configs' | 'annotation_queues' | 'annotation_queue_items', id: string): T | null {
    const row = this.prepare(`SELECT body FROM ${table} WHERE id = ?`).get(id) as Row | undefined;
    return row ? (JSON.parse(row.body as string) as T) : null;
  }

  putScoreConfig(config: ScoreConfig): void {
    this.prepare(
      `INSERT INTO score_configs (id, name, created_ms, body) VALUES (?,?,?,?)
       ON CONFLICT(id) DO UPDATE SET name=excluded.name, body=excluded.body`,
    ).run(config.id, config.name, Date.parse(config.createdAt), JSON.stringify(config));
  }

  putQueue(queue: AnnotationQueue): void {
    this.prepare(
      `INSERT INTO annotation_queues (id, name, created_ms, body) VALUES (?,?,?,?)
       ON CONFLICT(id) DO UPDATE SET name=excluded.name, body=excluded.body`,
    ).run(queue.id, queue.name, Date.parse(queue.createdAt), JSON.stringify(queue));
  }

  putQueueItem(item: AnnotationQueueItem): void {
    this.prepare(
      `INSERT INTO annotation_queue_items (id, queue_id, status, created_ms, body) VALUES (?,?,?,?,?)
       ON CONFLICT(id) DO UPDATE SET status=excluded.status, body=excluded.body`,
    ).run(item.id, item.queueId, item.status, Date.parse(item.createdAt), JSON.stringify(item));
  }

  deleteQueueItem(id: string): boolean {
    return Number(this.prepare('DELETE FROM annotation_queue_items WHERE id = ?').run(id).changes) > 0;
  }

  listQueueItems(
    queueId: string,
    status: string | null,
    limit: number,
    offset: number,
  ): { items: AnnotationQueueItem[]; total: number } {
    const where = status ? 'queue_id = ? AND status = ?' : 'queue_id = ?';
    const params = status ? [queueId, status] : [queueId];
    const rows = this.prepare(
      `SELECT body FROM annotation_queue_items WHERE ${where} ORDER BY created_ms, rowid LIMIT ? OFFSET ?`,
    ).all(...params, limit, offset) as Row[];
    const total = Number(
      (this.prepare(`SELECT count(*) AS n FROM annotation_queue_items WHERE ${where}`).get(...params) as Row).n,
    );
    return { items: rows.map((row) => JSON.parse(row.body as string) as AnnotationQueueItem), total };
  }
}
