// The SQL of datasets, dataset items (with versions), dataset runs and run items. Objects are
// stored in Langfuse's API shape, so a read returns what was written.

import { createHash, randomUUID } from 'node:crypto';
import type { StatementSync } from 'node:sqlite';
import type { Database } from '../db.js';
import { PROJECT_ID } from '../views.js';

export type DatasetStatus = 'ACTIVE' | 'ARCHIVED';

export interface ApiDataset {
  id: string;
  projectId: string;
  name: string;
  description: string | null;
  metadata: unknown;
  inputSchema: unknown;
  expectedOutputSchema: unknown;
  createdAt: string;
  updatedAt: string;
}

export interface ApiDatasetItem {
  id: string;
  datasetId: string;
  datasetName: string;
  status: DatasetStatus;
  input: unknown;
  expectedOutput: unknown;
  metadata: unknown;
  sourceTraceId: string | null;
  sourceObservationId: string | null;
  createdAt: string;
  updatedAt: string;
  mediaReferences: never[];
}

export interface ApiDatasetRun {
  id: string;
  name: string;
  description: string | null;
  metadata: unknown;
  datasetId: string;
  datasetName: string;
  createdAt: string;
  updatedAt: string;
}

export interface ApiDatasetRunItem {
  id: string;
  datasetRunId: string;
  datasetRunName: string;
  datasetItemId: string;
  traceId: string;
  observationId: string | null;
  createdAt: string;
  updatedAt: string;
}

type Row = Record<string, unknown>;
const parse = <T>(row: Row | undefined): T | null => (row ? (JSON.parse(row.body as string) as T) : null);

/**
 * The id of a dataset run: stable for (project, dataset, run name), as Langfuse v4 derives the
 * experiment id (sha256 over the JSON triple, first 16 hex characters). tracetop uses it in every
 * mode, so a run's id and its experiment's id are one.
 */
export function stableRunId(datasetId: string, runName: string): string {
  return createHash('sha256')
    .update(JSON.stringify(['langfuse-experiment-v1', PROJECT_ID, datasetId, runName]), 'utf8')
    .digest('hex')
    .slice(0, 16);
}

const stores = new WeakMap<Database, DatasetStore>();

export class DatasetStore {
  private readonly statements = new Map<string, StatementSync>();

  static of(db: Database): DatasetStore {
    let store = stores.get(db);
    if (!store) {
      store = new DatasetStore(db);
      stores.set(db, store);
    }
    return store;
  }

  private constructor(readonly db: Database) {}

  prepare(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  // ---- datasets ---------------------------------------------------------------------------

  datasetByName(name: string): ApiDataset | null {
    return parse<ApiDataset>(this.prepare('SELECT body FROM datasets WHERE name = ?').get(name) as Row | undefined);
  }

  datasetById(id: string): ApiDataset | null {
    return parse<ApiDataset>(this.prepare('SELECT body FROM datasets WHERE id = ?').get(id) as Row | undefined);
  }

  putDataset(dataset: ApiDataset): void {
    this.prepare('INSERT INTO datasets (id, name, created_ms, body) VALUES (?,?,?,?) ON CONFLICT(id) DO UPDATE SET body = excluded.body').run(
      dataset.id,
      dataset.name,
      Date.parse(dataset.createdAt),
      JSON.stringify(dataset),
    );
  }

  /** Newest first, as Langfuse lists them. */
  listDatasets(limit: number, offset: number): { items: ApiDataset[]; total: number } {
    const rows = this.prepare('SELECT body FROM datasets ORDER BY created_ms DESC, id ASC LIMIT ? OFFSET ?').all(limit, offset) as Row[];
    const total = Number((this.prepare('SELECT count(*) AS n FROM datasets').get() as Row).n);
    return { items: rows.map((row) => parse<ApiDataset>(row)!), total };
  }

  // ---- items ------------------------------------------------------------------------------

  item(id: string): ApiDatasetItem | null {
    return parse<ApiDatasetItem>(this.prepare('SELECT body FROM dataset_items WHERE id = ?').get(id) as Row | undefined);
  }

  /** Writes the current version and appends it to the item's history. */
  putItem(item: ApiDatasetItem, atMs: number): void {
    this.prepare(
      `INSERT INTO dataset_items (id, dataset_id, status, source_trace_id, source_observation_id, created_ms, body)
       VALUES (?,?,?,?,?,?,?)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, source_trace_id = excluded.source_trace_id,
         source_observation_id = excluded.source_observation_id, body = excluded.body`,
    ).run(item.id, item.datasetId, item.status, item.sourceTraceId, item.sourceObservationId, Date.parse(item.createdAt), JSON.stringify(item));
    this.appendVersion(item.id, item.datasetId, atMs, false, item);
  }

  deleteItem(item: ApiDatasetItem, atMs: number): void {
    this.prepare('DELETE FROM dataset_items WHERE id = ?').run(item.id);
    this.appendVersion(item.id, item.datasetId, atMs, true, item);
  }

  private appendVersion(itemId: string, datasetId: string, atMs: number, deleted: boolean, item: ApiDatasetItem): void {
    const seq = Number(
      (this.prepare('SELECT count(*) AS n FROM dataset_item_versions WHERE item_id = ? AND valid_from_ms = ?').get(itemId, atMs) as Row).n,
    );
    this.prepare('INSERT INTO dataset_item_versions (item_id, dataset_id, valid_from_ms, seq, deleted, body) VALUES (?,?,?,?,?,?)').run(
      itemId,
      datasetId,
      atMs,
      seq,
      deleted ? 1 : 0,
      JSON.stringify(item),
    );
  }

  /** An item as it was at `versionMs` (null: now), or null when it did not exist (or was deleted) then. */
  itemAt(id: string, versionMs: number | null): ApiDatasetItem | null {
    if (versionMs === null) return this.item(id);
    const row = this.prepare(
      'SELECT body, deleted FROM dataset_item_versions WHERE item_id = ? AND valid_from_ms <= ? ORDER BY valid_from_ms DESC, seq DESC LIMIT 1',
    ).get(id, versionMs) as Row | undefined;
    return row && !row.deleted ? parse<ApiDatasetItem>(row) : null;
  }

  /** ACTIVE items, newest first (createdAt desc, id asc), as they are now or were at `versionMs`. */
  listItems(
    filter: { datasetId: string | null; sourceTraceId: string | null; sourceObservationId: string | null; versionMs: number | null },
    limit: number,
    offset: number,
  ): { items: ApiDatasetItem[]; total: number } {
    if (filter.versionMs !== null && filter.datasetId !== null) {
      const all = this.itemsAtVersion(filter.datasetId, filter.versionMs).filter(
        (item) =>
          item.status === 'ACTIVE' &&
          (filter.sourceTraceId === null || item.sourceTraceId === filter.sourceTraceId) &&
          (filter.sourceObservationId === null || item.sourceObservationId === filter.sourceObservationId),
      );
      return { items: all.slice(offset, offset + limit), total: all.length };
    }
    const clauses = ["status = 'ACTIVE'"];
    const params: string[] = [];
    for (const [column, value] of [
      ['dataset_id', filter.datasetId],
      ['source_trace_id', filter.sourceTraceId],
      ['source_observation_id', filter.sourceObservationId],
    ] as const) {
      if (value !== null) {
        clauses.push(`${column} = ?`);
        params.push(value);
      }
    }
    const where = `WHERE ${clauses.join(' AND ')}`;
    const rows = this.prepare(`SELECT body FROM dataset_items ${where} ORDER BY created_ms DESC, id ASC LIMIT ? OFFSET ?`).all(
      ...params,
      limit,
      offset,
    ) as Row[];
    const total = Number((this.prepare(`SELECT count(*) AS n FROM dataset_items ${where}`).get(...params) as Row).n);
    return { items: rows.map((row) => parse<ApiDatasetItem>(row)!), total };
  }

  private itemsAtVersion(datasetId: string, versionMs: number): ApiDatasetItem[] {
    const rows = this.prepare(
      'SELECT item_id, body, deleted FROM dataset_item_versions WHERE dataset_id = ? AND valid_from_ms <= ? ORDER BY item_id, valid_from_ms, seq',
    ).all(datasetId, versionMs) as Row[];
    const latest = new Map<string, Row>();
    for (const row of rows) latest.set(String(row.item_id), row);
    return [...latest.values()]
      .filter((row) => !row.deleted)
      .map((row) => parse<ApiDatasetItem>(row)!)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
  }

  activeItemCount(datasetId: string): number {
    return Number((this.prepare("SELECT count(*) AS n FROM dataset_items WHERE dataset_id = ? AND status = 'ACTIVE'").get(datasetId) as Row).n);
  }

  // ---- runs -------------------------------------------------------------------------------

  run(datasetId: string, name: string): ApiDatasetRun | null {
    return parse<ApiDatasetRun>(this.prepare('SELECT body FROM dataset_runs WHERE dataset_id = ? AND name = ?').get(datasetId, name) as Row | undefined);
  }

  runById(id: string): ApiDatasetRun | null {
    return parse<ApiDatasetRun>(this.prepare('SELECT body FROM dataset_runs WHERE id = ?').get(id) as Row | undefined);
  }

  putRun(run: ApiDatasetRun): void {
    this.prepare(
      'INSERT INTO dataset_runs (id, dataset_id, name, created_ms, body) VALUES (?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET body = excluded.body',
    ).run(run.id, run.datasetId, run.name, Date.parse(run.createdAt), JSON.stringify(run));
  }

  /** Newest first. */
  listRuns(datasetId: string, limit: number, offset: number): { items: ApiDatasetRun[]; total: number } {
    const rows = this.prepare('SELECT body FROM dataset_runs WHERE dataset_id = ? ORDER BY created_ms DESC, id ASC LIMIT ? OFFSET ?').all(
      datasetId,
      limit,
      offset,
    ) as Row[];
    const total = Number((this.prepare('SELECT count(*) AS n FROM dataset_runs WHERE dataset_id = ?').get(datasetId) as Row).n);
    return { items: rows.map((row) => parse<ApiDatasetRun>(row)!), total };
  }

  deleteRun(run: ApiDatasetRun): void {
    this.prepare('DELETE FROM dataset_run_items WHERE run_id = ?').run(run.id);
    this.prepare('DELETE FROM dataset_runs WHERE id = ?').run(run.id);
  }

  /** The run of that name, created (or its description and metadata updated) as a run item arrives. */
  createOrFetchRun(dataset: ApiDataset, name: string, description: string | null | undefined, metadata: unknown, createdAt: string): ApiDatasetRun {
    const existing = this.run(dataset.id, name);
    if (existing) {
      const updated = { ...existing };
      let changed = false;
      if (description !== undefined && description !== null && description !== existing.description) {
        updated.description = description;
        changed = true;
      }
      if (metadata !== undefined && metadata !== null && JSON.stringify(metadata) !== JSON.stringify(existing.metadata)) {
        updated.metadata = metadata;
        changed = true;
      }
      if (changed) {
        updated.updatedAt = new Date().toISOString();
        this.putRun(updated);
      }
      return updated;
    }
    const run: ApiDatasetRun = {
      id: stableRunId(dataset.id, name),
      name,
      description: description ?? null,
      metadata: metadata ?? {},
      datasetId: dataset.id,
      datasetName: dataset.name,
      createdAt,
      updatedAt: createdAt,
    };
    this.putRun(run);
    return run;
  }

  // ---- run items --------------------------------------------------------------------------

  putRunItem(item: ApiDatasetRunItem): void {
    this.prepare('INSERT INTO dataset_run_items (id, run_id, dataset_item_id, trace_id, created_ms, body) VALUES (?,?,?,?,?,?)').run(
      item.id,
      item.datasetRunId,
      item.datasetItemId,
      item.traceId,
      Date.parse(item.createdAt),
      JSON.stringify(item),
    );
  }

  runItem(id: string): ApiDatasetRunItem | null {
    return parse<ApiDatasetRunItem>(this.prepare('SELECT body FROM dataset_run_items WHERE id = ?').get(id) as Row | undefined);
  }

  /** A new run item as the stream sends it: the item, and the dataset it belongs to. */
  runItemEvent(id: string): { data: ApiDatasetRunItem; datasetId: string | null; datasetName: string | null } | null {
    const item = this.runItem(id);
    if (!item) return null;
    const run = this.runById(item.datasetRunId);
    return { data: item, datasetId: run?.datasetId ?? null, datasetName: run?.datasetName ?? null };
  }

  /** Newest first. */
  listRunItems(runId: string, limit: number, offset: number): { items: ApiDatasetRunItem[]; total: number } {
    const rows = this.prepare('SELECT body FROM dataset_run_items WHERE run_id = ? ORDER BY created_ms DESC, id ASC LIMIT ? OFFSET ?').all(
      runId,
      limit,
      offset,
    ) as Row[];
    const total = Number((this.prepare('SELECT count(*) AS n FROM dataset_run_items WHERE run_id = ?').get(runId) as Row).n);
    return { items: rows.map((row) => parse<ApiDatasetRunItem>(row)!), total };
  }

  newRunItemId(): string {
    return randomUUID();
  }
}
