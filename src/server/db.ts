// Opens the embedded backend's SQLite file and brings its schema up to date.
// node:sqlite (built into Node ≥ 22.13) keeps tracetop free of native builds, so it installs
// on an air-gapped bastion with nothing but npm.

import { DatabaseSync } from 'node:sqlite';
import { dirname, resolve } from 'node:path';
import { dataDir } from '../config/paths.js';
import { ensurePrivateDir, ensurePrivateFile, tightenDatabaseFiles } from './private-files.js';
import { unwritableReason } from '../config/fs-errors.js';
import { DATASETS_SCHEMA } from './datasets/schema.js';
import { PROMPTS_SCHEMA } from './prompts/schema.js';
import { applyMetricsSchema } from './metrics/schema.js';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS traces (
  id TEXT PRIMARY KEY,
  ts_ms INTEGER NOT NULL,
  name TEXT,
  user_id TEXT,
  session_id TEXT,
  environment TEXT NOT NULL DEFAULT 'default',
  release TEXT,
  version TEXT,
  body TEXT NOT NULL,
  obs_count INTEGER NOT NULL DEFAULT 0,
  start_min_ms INTEGER,
  end_max_ms INTEGER,
  total_cost REAL,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  total_tokens INTEGER NOT NULL DEFAULT 0,
  error_count INTEGER NOT NULL DEFAULT 0,
  warning_count INTEGER NOT NULL DEFAULT 0,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS traces_ts ON traces(ts_ms);
CREATE INDEX IF NOT EXISTS traces_user_ts ON traces(user_id, ts_ms);
CREATE INDEX IF NOT EXISTS traces_session_ts ON traces(session_id, ts_ms);
CREATE INDEX IF NOT EXISTS traces_name_ts ON traces(name, ts_ms);

CREATE TABLE IF NOT EXISTS trace_tags (
  tag TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  PRIMARY KEY (tag, trace_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS observations (
  id TEXT PRIMARY KEY,
  trace_id TEXT,
  parent_id TEXT,
  type TEXT NOT NULL,
  name TEXT,
  level TEXT NOT NULL,
  environment TEXT NOT NULL,
  version TEXT,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS observations_trace ON observations(trace_id, start_ms);
CREATE INDEX IF NOT EXISTS observations_start ON observations(start_ms);

CREATE TABLE IF NOT EXISTS scores (
  id TEXT PRIMARY KEY,
  trace_id TEXT,
  observation_id TEXT,
  session_id TEXT,
  name TEXT NOT NULL,
  value REAL,
  data_type TEXT NOT NULL,
  source TEXT NOT NULL,
  config_id TEXT,
  queue_id TEXT,
  environment TEXT NOT NULL,
  ts_ms INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scores_trace ON scores(trace_id);
CREATE INDEX IF NOT EXISTS scores_name_value ON scores(name, value);
CREATE INDEX IF NOT EXISTS scores_ts ON scores(ts_ms);

CREATE TABLE IF NOT EXISTS score_configs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  body TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS annotation_queues (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  body TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS annotation_queue_items (
  id TEXT PRIMARY KEY,
  queue_id TEXT NOT NULL,
  status TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_items_queue ON annotation_queue_items(queue_id, status, created_ms);

-- Event ids already applied: the SDKs retry whole batches, so a resend must be a no-op.
CREATE TABLE IF NOT EXISTS ingested_events (id TEXT PRIMARY KEY) WITHOUT ROWID;

-- The durable change log the SSE stream replays from: seq is the event id clients resume with.
CREATE TABLE IF NOT EXISTS changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  trace_id TEXT,
  at_ms INTEGER NOT NULL
);
`;

export type Database = DatabaseSync;


export class DatabaseOpenError extends Error {}

/** tracetop's data directory, or none when HOME cannot tell it. */
function ownDataDir(): string {
  try {
    return dataDir();
  } catch {
    return '';
  }
}

export function openDatabase(path: string): Database {
  if (path === ':memory:') return prepare(new DatabaseSync(path));
  const dir = dirname(path);
  const advice = 'pick another file with --db, or fix the directory';
  try {
    // Directories it creates are 0700; its own data directory is tightened even if it exists.
    ensurePrivateDir(dir, resolve(dir) === resolve(ownDataDir()));
    ensurePrivateFile(path);
  } catch (error) {
    // Node's recursive mkdir reports ENOENT on a read-only file system: say what is wrong.
    const why = unwritableReason(dir) ?? (error as Error).message;
    throw new DatabaseOpenError(`cannot create the database directory ${dir}: ${why}; ${advice}`);
  }
  let db: Database;
  try {
    db = new DatabaseSync(path);
    prepare(db);
    // SQLite gives -wal/-shm the database's mode; a database from an older version is fixed here.
    tightenDatabaseFiles(path);
    return db;
  } catch (error) {
    // SQLite's own words ("unable to open database file") name neither the file nor the cause.
    const why = unwritableReason(dir) ?? (error as Error).message;
    throw new DatabaseOpenError(`cannot open the database ${path}: ${why}; ${advice}`);
  }
}

function prepare(db: Database): Database {
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('PRAGMA foreign_keys = OFF');
    db.exec('PRAGMA cache_size = -65536');
    db.exec(SCHEMA);
    db.exec(DATASETS_SCHEMA);
    db.exec(PROMPTS_SCHEMA);
    applyMetricsSchema(db);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A storage failure (disk full, read-only, I/O error) as an HTTP status and a message a person
 * can act on; null for anything else. node:sqlite errors carry SQLite's primary code in errcode.
 */
export function storageFailure(error: unknown): { status: number; message: string } | null {
  const errcode = (error as { errcode?: unknown })?.errcode;
  if (typeof errcode !== 'number') return null;
  switch (errcode & 0xff) {
    case 13: // SQLITE_FULL
      return { status: 507, message: 'the database disk is full: nothing from this request was stored; free space and retry' };
    case 8: // SQLITE_READONLY
      return { status: 503, message: 'the database is read-only: nothing from this request was stored; check the data directory' };
    case 10: // SQLITE_IOERR
      return { status: 503, message: 'the database could not be written (I/O error): nothing from this request was stored' };
    case 5: // SQLITE_BUSY
      return { status: 503, message: 'the database is busy: retry' };
    default:
      return null;
  }
}

/** Runs fn inside one transaction; the SQLite write path is single-threaded, so batches are atomic. */
export function inTransaction<T>(db: Database, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    // On a full disk or an I/O error SQLite may already have rolled the transaction back: a
    // ROLLBACK then fails with "no transaction is active" and would hide the real reason.
    if (db.isTransaction) {
      try {
        db.exec('ROLLBACK');
      } catch {
        // The original error says more.
      }
    }
    throw error;
  }
}
