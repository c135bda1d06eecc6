/**
 * Migration 2: run counts per (experiment, namespace, state, storage state), kept by
 * triggers. A list filtered on those columns gets its `totalSize` from this small table
 * instead of counting up to 100,000 index entries.
 */
import type { Migration } from "./migration.ts";

/** The run counts table and its triggers. */
export const migration002: Migration = {
  version: 2,
  name: "run-counts",
  sql: `
CREATE TABLE run_counts (
  experiment_id TEXT NOT NULL,
  namespace TEXT NOT NULL,
  state TEXT NOT NULL,
  storage_state TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (experiment_id, namespace, state, storage_state)
) WITHOUT ROWID;

INSERT INTO run_counts (experiment_id, namespace, state, storage_state, n)
  SELECT experiment_id, namespace, state, storage_state, count(*) FROM runs
  GROUP BY experiment_id, namespace, state, storage_state;

CREATE TRIGGER runs_count_insert AFTER INSERT ON runs BEGIN
  INSERT INTO run_counts (experiment_id, namespace, state, storage_state, n)
    VALUES (NEW.experiment_id, NEW.namespace, NEW.state, NEW.storage_state, 1)
    ON CONFLICT (experiment_id, namespace, state, storage_state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER runs_count_delete AFTER DELETE ON runs BEGIN
  UPDATE run_counts SET n = n - 1
    WHERE experiment_id = OLD.experiment_id AND namespace = OLD.namespace
      AND state = OLD.state AND storage_state = OLD.storage_state;
END;

CREATE TRIGGER runs_count_update AFTER UPDATE OF experiment_id, namespace, state, storage_state ON runs
  WHEN OLD.experiment_id IS NOT NEW.experiment_id OR OLD.namespace IS NOT NEW.namespace
    OR OLD.state IS NOT NEW.state OR OLD.storage_state IS NOT NEW.storage_state
BEGIN
  UPDATE run_counts SET n = n - 1
    WHERE experiment_id = OLD.experiment_id AND namespace = OLD.namespace
      AND state = OLD.state AND storage_state = OLD.storage_state;
  INSERT INTO run_counts (experiment_id, namespace, state, storage_state, n)
    VALUES (NEW.experiment_id, NEW.namespace, NEW.state, NEW.storage_state, 1)
    ON CONFLICT (experiment_id, namespace, state, storage_state) DO UPDATE SET n = n + 1;
END;
`,
};
