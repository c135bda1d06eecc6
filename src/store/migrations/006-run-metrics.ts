/**
 * Migration 6: run-level metrics. One row per metric that defines a run (a pipeline
 * output, a marked task's metric, or a task-qualified one; see `src/engine/run-metrics.ts`),
 * written in the transaction that records the task's outputs, so run lists sort and filter
 * by a metric in SQL.
 */
import type { Migration } from "./migration.ts";

/** The run_metrics table. */
export const migration006: Migration = {
  version: 6,
  name: "run-metrics",
  sql: `
CREATE TABLE run_metrics (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  PRIMARY KEY (run_id, name)
);
CREATE INDEX run_metrics_task ON run_metrics (task_id);
CREATE INDEX run_metrics_name_value ON run_metrics (name, value);
`,
};
