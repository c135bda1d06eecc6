/**
 * Migration 12: MLflow tracking. Runs (`tracking_runs`: a Weft pipeline run is the run
 * whose id is the Weft run id, each task that logs is a child run whose id is the task
 * id; runs made through `runs/create` stand alone), their metric history and latest value
 * per key, params, tags, and experiment tags (MLflow experiments are Weft experiments).
 * A metric value of NULL is NaN (SQLite stores NaN as NULL).
 */
import type { Migration } from "./migration.ts";

/** The tracking tables. */
export const migration012: Migration = {
  version: 12,
  name: "tracking",
  sql: `
CREATE TABLE experiment_tags (
  experiment_id TEXT NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (experiment_id, key)
) WITHOUT ROWID;

CREATE TABLE tracking_runs (
  id TEXT PRIMARY KEY,
  experiment_id TEXT NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
  run_name TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED')),
  start_time INTEGER NOT NULL,
  end_time INTEGER,
  user_id TEXT NOT NULL DEFAULT '',
  lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted')),
  artifact_uri TEXT NOT NULL DEFAULT '',
  weft_run_id TEXT REFERENCES runs (id) ON DELETE CASCADE,
  weft_task_id TEXT REFERENCES tasks (id) ON DELETE CASCADE,
  parent_run_id TEXT REFERENCES tracking_runs (id) ON DELETE CASCADE
);
CREATE INDEX tracking_runs_experiment ON tracking_runs (experiment_id, start_time);
CREATE INDEX tracking_runs_weft_run ON tracking_runs (weft_run_id) WHERE weft_run_id IS NOT NULL;
CREATE INDEX tracking_runs_parent ON tracking_runs (parent_run_id) WHERE parent_run_id IS NOT NULL;

CREATE TABLE tracking_metrics (
  seq INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES tracking_runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value REAL,
  timestamp INTEGER NOT NULL,
  step INTEGER NOT NULL DEFAULT 0
);
-- one index, the least a write of many rows pays for: a key's history (sorted by step when
-- read) and its points after a sequence number (the UI polls live curves by it)
CREATE INDEX tracking_metrics_key ON tracking_metrics (run_id, key, seq);

CREATE TABLE tracking_latest_metrics (
  run_id TEXT NOT NULL REFERENCES tracking_runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value REAL,
  timestamp INTEGER NOT NULL,
  step INTEGER NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE tracking_params (
  run_id TEXT NOT NULL REFERENCES tracking_runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE tracking_tags (
  run_id TEXT NOT NULL REFERENCES tracking_runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
`,
};
