/**
 * Migration 1: every aggregate's table, the integrity rules SQLite enforces, and the
 * indexes list views need (a page of filtered runs among 100,000 in well under 5 ms).
 */
import type { Migration } from "./migration.ts";

/** The initial schema. */
export const migration001: Migration = {
  version: 1,
  name: "initial",
  sql: `
CREATE TABLE pipelines (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL CHECK (length(name) > 0),
  display_name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  namespace TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE (namespace, name)
);
CREATE INDEX pipelines_created ON pipelines (created_at, id);

CREATE TABLE pipeline_versions (
  id TEXT PRIMARY KEY,
  pipeline_id TEXT NOT NULL REFERENCES pipelines (id),
  name TEXT NOT NULL CHECK (length(name) > 0),
  display_name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  spec TEXT NOT NULL,
  platform_spec TEXT,
  code_source_url TEXT,
  UNIQUE (pipeline_id, name)
);
CREATE INDEX pipeline_versions_created ON pipeline_versions (pipeline_id, created_at, id);

CREATE TABLE experiments (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL CHECK (length(name) > 0),
  display_name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  namespace TEXT NOT NULL DEFAULT '',
  storage_state TEXT NOT NULL DEFAULT 'AVAILABLE' CHECK (storage_state IN ('AVAILABLE', 'ARCHIVED')),
  created_at INTEGER NOT NULL,
  last_run_created_at INTEGER,
  UNIQUE (namespace, name)
);
CREATE INDEX experiments_created ON experiments (created_at, id);

CREATE TABLE recurring_runs (
  id TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  experiment_id TEXT NOT NULL REFERENCES experiments (id),
  pipeline_version_id TEXT REFERENCES pipeline_versions (id),
  pipeline_spec TEXT,
  parameters TEXT NOT NULL DEFAULT '{}',
  trigger TEXT NOT NULL,
  max_concurrency INTEGER NOT NULL DEFAULT 1,
  no_catchup INTEGER NOT NULL DEFAULT 0,
  mode TEXT NOT NULL CHECK (mode IN ('ENABLE', 'DISABLE')),
  status TEXT NOT NULL,
  last_fired_at INTEGER,
  next_fire_at INTEGER,
  namespace TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX recurring_runs_created ON recurring_runs (created_at, id);
CREATE INDEX recurring_runs_experiment ON recurring_runs (experiment_id, created_at, id);
CREATE INDEX recurring_runs_due ON recurring_runs (mode, next_fire_at);

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  experiment_id TEXT NOT NULL REFERENCES experiments (id),
  display_name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  pipeline_version_id TEXT REFERENCES pipeline_versions (id) ON DELETE SET NULL,
  pipeline_spec TEXT NOT NULL,
  platform_spec TEXT,
  parameters TEXT NOT NULL DEFAULT '{}',
  pipeline_root TEXT,
  state TEXT NOT NULL,
  state_history TEXT NOT NULL DEFAULT '[]',
  storage_state TEXT NOT NULL DEFAULT 'AVAILABLE' CHECK (storage_state IN ('AVAILABLE', 'ARCHIVED')),
  created_at INTEGER NOT NULL,
  scheduled_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  error TEXT,
  owner_pid INTEGER,
  owner_host TEXT,
  heartbeat_at INTEGER,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  recurring_run_id TEXT REFERENCES recurring_runs (id) ON DELETE SET NULL,
  enable_cache INTEGER NOT NULL DEFAULT 1,
  namespace TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_created ON runs (created_at, id);
CREATE INDEX runs_experiment ON runs (experiment_id, created_at, id);
CREATE INDEX runs_state ON runs (state, created_at, id);
CREATE INDEX runs_storage ON runs (storage_state, created_at, id);
CREATE INDEX runs_namespace ON runs (namespace, created_at, id);
CREATE INDEX runs_recurring ON runs (recurring_run_id, created_at) WHERE recurring_run_id IS NOT NULL;
CREATE INDEX runs_version ON runs (pipeline_version_id) WHERE pipeline_version_id IS NOT NULL;

CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  parent_id TEXT REFERENCES tasks (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  display_name TEXT NOT NULL,
  path TEXT NOT NULL,
  kind TEXT NOT NULL,
  component_name TEXT,
  iteration_index INTEGER,
  state TEXT NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 1,
  attempts TEXT NOT NULL DEFAULT '[]',
  started_at INTEGER,
  finished_at INTEGER,
  exit_code INTEGER,
  error TEXT,
  inputs TEXT NOT NULL,
  outputs TEXT NOT NULL,
  cache TEXT,
  log_path TEXT,
  pid INTEGER,
  resources TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (run_id, path)
);
CREATE INDEX tasks_run ON tasks (run_id);
CREATE INDEX tasks_parent ON tasks (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE artifacts (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  uri TEXT NOT NULL,
  schema_title TEXT NOT NULL,
  schema_version TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  digest TEXT,
  size_bytes INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX artifacts_run ON artifacts (run_id);
CREATE INDEX artifacts_task ON artifacts (task_id);
CREATE INDEX artifacts_uri ON artifacts (uri);

CREATE TABLE events (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  artifact_id TEXT NOT NULL REFERENCES artifacts (id) ON DELETE CASCADE,
  type TEXT NOT NULL CHECK (type IN ('INPUT', 'OUTPUT')),
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (task_id, artifact_id, type, name)
);
CREATE INDEX events_artifact ON events (artifact_id);
CREATE INDEX events_run ON events (run_id);

CREATE TABLE metrics (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  artifact_id TEXT REFERENCES artifacts (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX metrics_run ON metrics (run_id, name);
CREATE INDEX metrics_task ON metrics (task_id);
CREATE INDEX metrics_artifact ON metrics (artifact_id) WHERE artifact_id IS NOT NULL;

CREATE TABLE cache_entries (
  key TEXT PRIMARY KEY,
  component_digest TEXT NOT NULL,
  parts TEXT NOT NULL,
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  outputs TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX cache_component ON cache_entries (component_digest, created_at);
CREATE INDEX cache_run ON cache_entries (run_id);
CREATE INDEX cache_task ON cache_entries (task_id);
`,
};
