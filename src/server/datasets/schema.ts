// Tables of the dataset and experiment endpoints, appended to the server's schema (db.ts).
// Records are JSON bodies plus the columns queries filter and order on, as elsewhere.

export const DATASETS_SCHEMA = `
CREATE TABLE IF NOT EXISTS datasets (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL,
  body TEXT NOT NULL
);

-- The current version of each item; every version (for ?version=) is in dataset_item_versions.
CREATE TABLE IF NOT EXISTS dataset_items (
  id TEXT PRIMARY KEY,
  dataset_id TEXT NOT NULL,
  status TEXT NOT NULL,
  source_trace_id TEXT,
  source_observation_id TEXT,
  created_ms INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dataset_items_dataset ON dataset_items(dataset_id, created_ms);

CREATE TABLE IF NOT EXISTS dataset_item_versions (
  item_id TEXT NOT NULL,
  dataset_id TEXT NOT NULL,
  valid_from_ms INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  body TEXT NOT NULL,
  PRIMARY KEY (item_id, valid_from_ms, seq)
);
CREATE INDEX IF NOT EXISTS dataset_item_versions_dataset ON dataset_item_versions(dataset_id, valid_from_ms);

CREATE TABLE IF NOT EXISTS dataset_runs (
  id TEXT PRIMARY KEY,
  dataset_id TEXT NOT NULL,
  name TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (dataset_id, name)
);
CREATE INDEX IF NOT EXISTS dataset_runs_dataset ON dataset_runs(dataset_id, created_ms);

CREATE TABLE IF NOT EXISTS dataset_run_items (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  dataset_item_id TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dataset_run_items_run ON dataset_run_items(run_id, created_ms);
-- Retention removes a pruned trace's run items (and experiment spans) by trace id.
CREATE INDEX IF NOT EXISTS dataset_run_items_trace ON dataset_run_items(trace_id);

-- What v4 keeps in its events table: spans the SDK's experiment runner marked with
-- langfuse.experiment.* attributes. /experiments and /experiment-items read these.
CREATE TABLE IF NOT EXISTS experiment_spans (
  span_id TEXT PRIMARY KEY,
  trace_id TEXT NOT NULL,
  experiment_id TEXT NOT NULL,
  experiment_name TEXT NOT NULL,
  item_id TEXT NOT NULL,
  root_span_id TEXT,
  dataset_id TEXT,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS experiment_spans_experiment ON experiment_spans(experiment_id, item_id);
CREATE INDEX IF NOT EXISTS experiment_spans_trace ON experiment_spans(trace_id);

-- Scores attached to a dataset run / experiment (datasetRunId) are found by it.
CREATE INDEX IF NOT EXISTS scores_dataset_run ON scores(json_extract(body, '$.datasetRunId')) WHERE json_extract(body, '$.datasetRunId') IS NOT NULL;
`;
