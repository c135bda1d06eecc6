/**
 * Migration 11: the model registry. Registered models (unique by name) with tags and
 * aliases, their numbered versions with tags, and the history of every alias move.
 *
 * Every table below a model refers to it by name with ON UPDATE CASCADE, so a rename
 * carries versions, tags, aliases and history in the one UPDATE; ON DELETE CASCADE removes
 * them with the model. An alias refers to its version, so deleting a version deletes the
 * aliases that point at it; the alias history keeps the moves (it refers to the model only).
 * `last_version` is the highest version number the model ever had, so a deleted version's
 * number is never given again (as in MLflow).
 */
import type { Migration } from "./migration.ts";

/** The registry tables and their search indexes. */
export const migration011: Migration = {
  version: 11,
  name: "registry",
  sql: `
CREATE TABLE registered_models (
  name TEXT PRIMARY KEY NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  user_id TEXT,
  last_version INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX registered_models_created ON registered_models (created_at, name);
CREATE INDEX registered_models_updated ON registered_models (updated_at, name);

CREATE TABLE registered_model_tags (
  name TEXT NOT NULL REFERENCES registered_models (name) ON DELETE CASCADE ON UPDATE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (name, key)
);
CREATE INDEX registered_model_tags_key ON registered_model_tags (key, value);

CREATE TABLE model_versions (
  name TEXT NOT NULL REFERENCES registered_models (name) ON DELETE CASCADE ON UPDATE CASCADE,
  version INTEGER NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '',
  digest TEXT,
  format TEXT,
  signature TEXT,
  run_id TEXT,
  run_link TEXT,
  task_id TEXT,
  task_name TEXT,
  pipeline_version_id TEXT,
  datasets TEXT NOT NULL DEFAULT '[]',
  metrics TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'PENDING_REGISTRATION'
    CHECK (status IN ('PENDING_REGISTRATION', 'READY', 'FAILED_REGISTRATION')),
  status_message TEXT,
  current_stage TEXT NOT NULL DEFAULT 'None' CHECK (current_stage IN ('None', 'Staging', 'Production', 'Archived')),
  user_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- MLflow's default order (name ASC, version DESC) reads this index without sorting.
  PRIMARY KEY (name, version DESC)
);
CREATE INDEX model_versions_run ON model_versions (run_id);
CREATE INDEX model_versions_stage ON model_versions (name, current_stage, version);
CREATE INDEX model_versions_created ON model_versions (created_at);
CREATE INDEX model_versions_updated ON model_versions (updated_at);
CREATE INDEX model_versions_source ON model_versions (source);

CREATE TABLE model_version_tags (
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (name, version, key),
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX model_version_tags_key ON model_version_tags (key, value);

CREATE TABLE registered_model_aliases (
  name TEXT NOT NULL,
  alias TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (name, alias),
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX registered_model_aliases_version ON registered_model_aliases (name, version);

CREATE TABLE model_alias_history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL REFERENCES registered_models (name) ON DELETE CASCADE ON UPDATE CASCADE,
  alias TEXT NOT NULL,
  from_version INTEGER,
  to_version INTEGER,
  moved_by TEXT,
  moved_at INTEGER NOT NULL
);
CREATE INDEX model_alias_history_alias ON model_alias_history (name, alias, seq);
`,
};
