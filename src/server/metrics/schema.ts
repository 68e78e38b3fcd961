// The metrics API's own projection of observations: the columns its queries group, filter and
// aggregate on (model, prompt, tokens, costs, times, and their trace's name, user, session,
// release and version), so a query never parses a JSON body nor joins a million rows to their
// traces. Ingestion writes a batch's rows from the records in memory, after its traces (facts.ts;
// a trigger parsing the stored JSON cost ingestion two thirds of its rate); triggers remove it
// with its observation and follow a trace created or renamed after its observations. A database
// from before this table (or this shape of it) is backfilled once when opened.

import type { Database } from '../db.js';

const ms = (expression: string) =>
  `CASE WHEN ${expression} IS NULL THEN NULL ELSE CAST(round(unixepoch(${expression}, 'subsec') * 1000) AS INTEGER) END`;

const num = (path: string) => `CAST(json_extract(NEW.body, '${path}') AS REAL)`;

/** An observation's row in SQL, from its stored JSON (the one-time backfill). */
const VALUES = `NEW.id, NEW.trace_id, NEW.parent_id, NEW.type, NEW.name, NEW.level, NEW.environment, NEW.version,
  json_extract(NEW.body, '$.release'), NEW.start_ms,
  CASE WHEN json_extract(NEW.body, '$.endTime') IS NULL THEN NULL ELSE NEW.end_ms END,
  ${ms("json_extract(NEW.body, '$.completionStartTime')")},
  json_extract(NEW.body, '$.model'), json_extract(NEW.body, '$.promptName'),
  CAST(json_extract(NEW.body, '$.promptVersion') AS INTEGER),
  coalesce(${num('$.usageDetails.input')}, 0), coalesce(${num('$.usageDetails.output')}, 0),
  coalesce(${num('$.usageDetails.total')}, coalesce(${num('$.usageDetails.input')}, 0) + coalesce(${num('$.usageDetails.output')}, 0)),
  ${num('$.costDetails.input')}, ${num('$.costDetails.output')}, ${num('$.costDetails.total')},
  ${['name', 'user_id', 'session_id', 'release', 'version'].map((column) => `(SELECT tr.${column} FROM traces tr WHERE tr.id = NEW.trace_id)`).join(', ')}`;

const COLUMNS = `id, trace_id, parent_id, type, name, level, environment, version, release, start_ms, end_ms,
  completion_start_ms, model, prompt_name, prompt_version, input_tokens, output_tokens, total_tokens,
  input_cost, output_cost, total_cost, trace_name, user_id, session_id, trace_release, trace_version`;

const TRACE_UPDATE = `UPDATE observation_facts SET trace_name = NEW.name, user_id = NEW.user_id, session_id = NEW.session_id,
    trace_release = NEW.release, trace_version = NEW.version WHERE trace_id = NEW.id;`;

export const METRICS_SCHEMA = `
CREATE TABLE IF NOT EXISTS observation_facts (
  id TEXT PRIMARY KEY,
  trace_id TEXT,
  parent_id TEXT,
  type TEXT NOT NULL,
  name TEXT,
  level TEXT NOT NULL,
  environment TEXT NOT NULL,
  version TEXT,
  release TEXT,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER,
  completion_start_ms INTEGER,
  model TEXT,
  prompt_name TEXT,
  prompt_version INTEGER,
  input_tokens REAL NOT NULL,
  output_tokens REAL NOT NULL,
  total_tokens REAL NOT NULL,
  input_cost REAL,
  output_cost REAL,
  total_cost REAL,
  trace_name TEXT,
  user_id TEXT,
  session_id TEXT,
  trace_release TEXT,
  trace_version TEXT
);
-- Time-ordered and covering the columns a top breakdown reads: a window's scan never touches
-- the (wide) table rows.
CREATE INDEX IF NOT EXISTS observation_facts_window ON observation_facts(start_ms, type, level, model, prompt_name, prompt_version, end_ms, total_tokens, total_cost);
CREATE INDEX IF NOT EXISTS observation_facts_trace ON observation_facts(trace_id);
DROP TRIGGER IF EXISTS observation_facts_insert;
DROP TRIGGER IF EXISTS observation_facts_update;
CREATE TRIGGER IF NOT EXISTS observation_facts_delete AFTER DELETE ON observations BEGIN
  DELETE FROM observation_facts WHERE id = OLD.id;
END;
CREATE TRIGGER IF NOT EXISTS observation_facts_trace_insert AFTER INSERT ON traces BEGIN
  ${TRACE_UPDATE}
END;
CREATE TRIGGER IF NOT EXISTS observation_facts_trace_update AFTER UPDATE OF name, user_id, session_id, release, version ON traces
  WHEN OLD.name IS NOT NEW.name OR OLD.user_id IS NOT NEW.user_id OR OLD.session_id IS NOT NEW.session_id
    OR OLD.release IS NOT NEW.release OR OLD.version IS NOT NEW.version BEGIN
  ${TRACE_UPDATE}
END;
`;

export function applyMetricsSchema(db: Database): void {
  const columns = (db.prepare("SELECT name FROM pragma_table_info('observation_facts')").all() as { name: string }[]).map((row) => row.name);
  if (columns.length > 0 && !columns.includes('trace_version')) {
    // An earlier shape of the projection: rebuilt from the observations below.
    for (const trigger of ['insert', 'update', 'delete', 'trace_insert', 'trace_update']) db.exec(`DROP TRIGGER IF EXISTS observation_facts_${trigger}`);
    db.exec('DROP TABLE observation_facts');
  }
  const existed = columns.includes('trace_version');
  db.exec(METRICS_SCHEMA);
  if (existed) return;
  // Backfill: the same projection over what was stored before.
  const select = VALUES.replaceAll('NEW.', 'o.');
  db.exec(`INSERT OR IGNORE INTO observation_facts (${COLUMNS}) SELECT ${select} FROM observations o`);
}
