/**
 * Migration 14: tuning. An experiment is keyed by its name, with the text it was read
 * from and that text's digest (a resume must run the same experiment), the serialisable
 * parts of its spec, its state and why it ended, and an owner recorded as runs record
 * theirs (pid, host, instance id, kernel boot id, process start time, heartbeat). Its
 * trials are numbered from 0 within it; each intermediate value a trial reports is one
 * observation row (NaN is stored as NULL). States are checked by the repository against
 * `TRIAL_STATES` and `EXPERIMENT_STATES`; a run a trial made may be deleted (its id stays).
 */
import type { Migration } from "./migration.ts";

/** The tuning tables. */
export const migration014: Migration = {
  version: 14,
  name: "tuning",
  sql: `
CREATE TABLE tuning_experiments (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL DEFAULT '',
  source_digest TEXT NOT NULL,
  spec TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  state TEXT NOT NULL,
  reason TEXT,
  message TEXT,
  owner_pid INTEGER,
  owner_host TEXT,
  owner_instance TEXT,
  owner_boot_id TEXT,
  owner_start_time TEXT,
  heartbeat_at INTEGER,
  created_at INTEGER NOT NULL,
  finished_at INTEGER,
  best_trial INTEGER
);
CREATE INDEX tuning_experiments_created ON tuning_experiments (created_at, id);

CREATE TABLE tuning_trials (
  experiment_id TEXT NOT NULL REFERENCES tuning_experiments (id) ON DELETE CASCADE,
  number INTEGER NOT NULL CHECK (number >= 0),
  name TEXT NOT NULL,
  params TEXT NOT NULL,
  meta TEXT NOT NULL DEFAULT '{}',
  state TEXT NOT NULL,
  reason TEXT,
  message TEXT,
  run_id TEXT,
  vals TEXT,
  metrics TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  PRIMARY KEY (experiment_id, number)
) WITHOUT ROWID;

CREATE TABLE tuning_observations (
  seq INTEGER PRIMARY KEY,
  experiment_id TEXT NOT NULL,
  number INTEGER NOT NULL,
  metric TEXT NOT NULL,
  step REAL NOT NULL,
  value REAL,
  timestamp INTEGER NOT NULL,
  FOREIGN KEY (experiment_id, number) REFERENCES tuning_trials (experiment_id, number) ON DELETE CASCADE
);
CREATE INDEX tuning_observations_trial ON tuning_observations (experiment_id, number, metric, seq);
`,
};
