// The prompt registry as Langfuse keeps it: versions numbered from 1 per name, labels unique
// across a prompt's versions (giving a label to a version takes it from the others), `latest`
// always on the newest version, tags shared by every version.

import { randomUUID } from 'node:crypto';
import type { Database } from '../db.js';
import { inTransaction } from '../db.js';
import type { ChatMessage, PromptType } from '../../domain/prompts.js';
import { PROJECT_ID } from '../views.js';

export const LATEST_LABEL = 'latest';
export const PRODUCTION_LABEL = 'production';

/** A stored version, in the shape the prompt endpoints answer with. */
export interface StoredPrompt {
  id: string;
  createdAt: string;
  updatedAt: string;
  projectId: string;
  createdBy: string;
  prompt: string | ChatMessage[];
  name: string;
  version: number;
  type: PromptType;
  isActive: null;
  config: unknown;
  tags: string[];
  labels: string[];
  commitMessage: string | null;
  resolutionGraph: null;
}

export interface NewPrompt {
  name: string;
  type: PromptType;
  prompt: string | ChatMessage[];
  config: unknown;
  labels: string[];
  tags: string[] | null;
  commitMessage: string | null;
}

type Row = Record<string, unknown>;

const fromRow = (row: Row): StoredPrompt => JSON.parse(row.body as string) as StoredPrompt;

export class PromptConflictError extends Error {}

export class PromptStore {
  constructor(private readonly db: Database) {}

  private write(prompt: StoredPrompt): void {
    this.db
      .prepare(
        `INSERT INTO prompts (id, name, version, type, labels, tags, body, created_ms, updated_ms) VALUES (?,?,?,?,?,?,?,?,?)
         ON CONFLICT(id) DO UPDATE SET labels=excluded.labels, tags=excluded.tags, body=excluded.body, updated_ms=excluded.updated_ms`,
      )
      .run(
        prompt.id,
        prompt.name,
        prompt.version,
        prompt.type,
        JSON.stringify(prompt.labels),
        JSON.stringify(prompt.tags),
        JSON.stringify(prompt),
        Date.parse(prompt.createdAt),
        Date.parse(prompt.updatedAt),
      );
  }

  versions(name: string): StoredPrompt[] {
    return (this.db.prepare('SELECT body FROM prompts WHERE name = ? ORDER BY version').all(name) as Row[]).map(fromRow);
  }

  /** The newest version, or null. */
  private latest(name: string): StoredPrompt | null {
    const row = this.db.prepare('SELECT body FROM prompts WHERE name = ? ORDER BY version DESC LIMIT 1').get(name) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  /** Takes labels off every other version that has them (only those are read). */
  private takeLabels(name: string, labels: string[], except: number, now: string): void {
    if (labels.length === 0) return;
    const holders = (
      this.db
        .prepare(`SELECT body FROM prompts WHERE name = ? AND version != ? AND EXISTS (SELECT 1 FROM json_each(labels) WHERE value IN (${labels.map(() => '?').join(',')}))`)
        .all(name, except, ...labels) as Row[]
    ).map(fromRow);
    for (const other of holders) this.write({ ...other, labels: other.labels.filter((label) => !labels.includes(label)), updatedAt: now });
  }

  create(input: NewPrompt, now = new Date()): StoredPrompt {
    return inTransaction(this.db, () => {
      const latest = this.latest(input.name);
      if (latest && latest.type !== input.type) {
        throw new PromptConflictError('Previous versions have different prompt type. Create a new prompt with a different name.');
      }
      const iso = now.toISOString();
      const labels = [...new Set([...input.labels, LATEST_LABEL])];
      const tags = [...new Set(input.tags ?? latest?.tags ?? [])];
      const version = (latest?.version ?? 0) + 1;
      this.takeLabels(input.name, labels, version, iso);
      const tagsChanged = JSON.stringify([...tags].sort()) !== JSON.stringify([...new Set(latest?.tags ?? [])].sort());
      if (tagsChanged) {
        for (const other of this.versions(input.name)) this.write({ ...other, tags, updatedAt: iso });
      }
      const created: StoredPrompt = {
        id: randomUUID(),
        createdAt: iso,
        updatedAt: iso,
        projectId: PROJECT_ID,
        createdBy: 'API',
        prompt: input.prompt,
        name: input.name,
        version,
        type: input.type,
        isActive: null,
        config: input.config ?? {},
        tags,
        labels,
        commitMessage: input.commitMessage,
        resolutionGraph: null,
      };
      this.write(created);
      return created;
    });
  }

  get(name: string, selector: { version: number } | { label: string }): StoredPrompt | null {
    const row =
      'version' in selector
        ? (this.db.prepare('SELECT body FROM prompts WHERE name = ? AND version = ?').get(name, selector.version) as Row | undefined)
        : (this.db
            .prepare('SELECT body FROM prompts WHERE name = ? AND EXISTS (SELECT 1 FROM json_each(labels) WHERE value = ?) ORDER BY version DESC LIMIT 1')
            .get(name, selector.label) as Row | undefined);
    return row ? fromRow(row) : null;
  }

  /** Adds labels to a version (existing labels are kept), taking them from the others. */
  addLabels(name: string, version: number, newLabels: string[], now = new Date()): StoredPrompt | null {
    return inTransaction(this.db, () => {
      const prompt = this.get(name, { version });
      if (!prompt) return null;
      const iso = now.toISOString();
      const wanted = [...new Set(newLabels)];
      this.takeLabels(name, wanted, version, iso);
      const updated = { ...prompt, labels: [...new Set([...wanted, ...prompt.labels])], updatedAt: iso };
      this.write(updated);
      return updated;
    });
  }

  /** Deletes the versions of a prompt (all, one, or those with a label); `latest` moves to the
   * highest remaining version. Returns how many were deleted. */
  delete(name: string, selector: { version?: number; label?: string }, now = new Date()): number {
    return inTransaction(this.db, () => {
      const all = this.versions(name);
      const doomed = all.filter((p) => (selector.version === undefined || p.version === selector.version) && (selector.label === undefined || p.labels.includes(selector.label)));
      if (doomed.length === 0) return 0;
      const remaining = all.filter((p) => !doomed.includes(p));
      for (const p of doomed) this.db.prepare('DELETE FROM prompts WHERE id = ?').run(p.id);
      if (doomed.some((p) => p.labels.includes(LATEST_LABEL)) && remaining.length > 0 && !remaining.some((p) => p.labels.includes(LATEST_LABEL))) {
        const highest = remaining[remaining.length - 1]!;
        this.write({ ...highest, labels: [...new Set([...highest.labels, LATEST_LABEL])], updatedAt: now.toISOString() });
      }
      return doomed.length;
    });
  }

  /** Prompts grouped by name (versions matching the filters), sorted by name, one page. */
  list(
    filter: { name?: string; label?: string; tag?: string; version?: number; fromUpdatedMs?: number; toUpdatedMs?: number },
    page: number,
    limit: number,
  ): { items: { name: string; type: PromptType; versions: number[]; labels: string[]; tags: string[]; lastUpdatedAt: string; lastConfig: unknown }[]; total: number } {
    const clauses: string[] = [];
    const params: (string | number)[] = [];
    if (filter.name !== undefined) (clauses.push('name = ?'), params.push(filter.name));
    if (filter.version !== undefined) (clauses.push('version = ?'), params.push(filter.version));
    if (filter.label !== undefined) (clauses.push('EXISTS (SELECT 1 FROM json_each(labels) WHERE value = ?)'), params.push(filter.label));
    if (filter.tag !== undefined) (clauses.push('EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?)'), params.push(filter.tag));
    if (filter.fromUpdatedMs !== undefined) (clauses.push('updated_ms >= ?'), params.push(filter.fromUpdatedMs));
    if (filter.toUpdatedMs !== undefined) (clauses.push('updated_ms < ?'), params.push(filter.toUpdatedMs));
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const total = Number((this.db.prepare(`SELECT count(DISTINCT name) AS n FROM prompts ${where}`).get(...params) as Row).n);
    const names = (
      this.db.prepare(`SELECT DISTINCT name FROM prompts ${where} ORDER BY name LIMIT ? OFFSET ?`).all(...params, limit, (page - 1) * limit) as Row[]
    ).map((row) => String(row.name));
    const items = names.map((name) => {
      // The small columns of every matching version; the config of the newest one only.
      const rows = this.db
        .prepare(`SELECT version, type, labels, tags, updated_ms FROM prompts ${where ? `${where} AND` : 'WHERE'} name = ? ORDER BY version`)
        .all(...params, name) as Row[];
      const last = rows[rows.length - 1]!;
      // `->` gives the JSON text of any value (json_extract would unquote a string).
      const config = this.db.prepare(`SELECT body -> '$.config' AS config FROM prompts WHERE name = ? AND version = ?`).get(name, Number(last.version)) as Row;
      const labels = new Set<string>();
      for (const row of rows) for (const label of JSON.parse(row.labels as string) as string[]) labels.add(label);
      return {
        name,
        type: last.type as PromptType,
        versions: rows.map((row) => Number(row.version)),
        labels: [...labels].sort(),
        tags: JSON.parse(last.tags as string) as string[],
        lastUpdatedAt: new Date(Math.max(...rows.map((row) => Number(row.updated_ms)))).toISOString(),
        lastConfig: typeof config.config === 'string' ? (JSON.parse(config.config) as unknown) : null,
      };
    });
    return { items, total };
  }
}
