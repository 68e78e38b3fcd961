// The models and prompt versions of a trace's generations, for its summary: the filter
// language's prompt:/model: check them on the live stream (one indexed read per summary).

import type { StatementSync } from 'node:sqlite';
import type { Database } from '../db.js';
import type { TraceSummary } from '../../domain/types.js';

const statements = new WeakMap<Database, StatementSync>();

export function withGenerationKeys(db: Database, summary: TraceSummary): TraceSummary {
  let statement = statements.get(db);
  if (!statement) {
    statement = db.prepare(`SELECT DISTINCT model, prompt_name, prompt_version FROM observation_facts WHERE trace_id = ? AND type = 'GENERATION'`);
    statements.set(db, statement);
  }
  const rows = statement.all(summary.id) as { model: string | null; prompt_name: string | null; prompt_version: number | null }[];
  const models = new Set<string>();
  const prompts = new Set<string>();
  for (const row of rows) {
    if (row.model) models.add(row.model);
    if (row.prompt_name) prompts.add(`${row.prompt_name}@${row.prompt_version ?? '?'}`);
  }
  summary.models = [...models].sort();
  summary.prompts = [...prompts].sort();
  return summary;
}
