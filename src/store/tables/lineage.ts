/**
 * The `artifacts`, `events`, `metrics` and `run_metrics` tables: what tasks wrote and read,
 * the scalars they logged, and the ones that define their run.
 */
import { defineTable, type FieldsOf, int, jsonObject, text, textOf } from "../table.ts";

/** Whether a task read or wrote an artifact. */
export type EventType = "INPUT" | "OUTPUT";

/** The artifacts table. */
export const ARTIFACTS_TABLE = defineTable({
  table: "artifacts",
  entity: "artifacts",
  columns: {
    id: { sql: "TEXT", field: "id", codec: text, list: { type: "text", wire: ["artifact_id"] } },
    run_id: { sql: "TEXT", field: "runId", codec: text, list: { type: "text" } },
    task_id: { sql: "TEXT", field: "taskId", codec: text, list: { type: "text" } },
    /** The output key. */
    name: { sql: "TEXT", field: "name", codec: text, list: { type: "text" } },
    uri: { sql: "TEXT", field: "uri", codec: text, list: { type: "text" } },
    schema_title: { sql: "TEXT", field: "schemaTitle", codec: text, list: { type: "text", wire: ["type"] } },
    schema_version: { sql: "TEXT", field: "schemaVersion", codec: text },
    metadata: { sql: "TEXT", field: "metadata", codec: jsonObject },
    digest: { sql: "TEXT", nullable: true, field: "digest", codec: text },
    size_bytes: { sql: "INTEGER", nullable: true, field: "sizeBytes", codec: int, list: { type: "number" } },
    created_at: { sql: "INTEGER", field: "createdAt", codec: int, list: { type: "time" } },
  },
});

/** The events table: lineage edges between tasks and artifacts. */
export const EVENTS_TABLE = defineTable({
  table: "events",
  entity: "events",
  columns: {
    id: { sql: "TEXT", field: "id", codec: text },
    run_id: { sql: "TEXT", field: "runId", codec: text },
    task_id: { sql: "TEXT", field: "taskId", codec: text },
    artifact_id: { sql: "TEXT", field: "artifactId", codec: text },
    type: { sql: "TEXT", field: "type", codec: textOf<EventType>() },
    name: { sql: "TEXT", field: "name", codec: text },
    created_at: { sql: "INTEGER", field: "createdAt", codec: int },
  },
});

/** The metrics table. */
export const METRICS_TABLE = defineTable({
  table: "metrics",
  entity: "metrics",
  columns: {
    run_id: { sql: "TEXT", field: "runId", codec: text },
    task_id: { sql: "TEXT", field: "taskId", codec: text },
    artifact_id: { sql: "TEXT", nullable: true, field: "artifactId", codec: text },
    name: { sql: "TEXT", field: "name", codec: text },
    value: { sql: "REAL", field: "value", codec: int },
    created_at: { sql: "INTEGER", field: "createdAt", codec: int },
  },
});

/** The run_metrics table: the metrics that define a run, one value per name. */
export const RUN_METRICS_TABLE = defineTable({
  table: "run_metrics",
  entity: "run metrics",
  columns: {
    run_id: { sql: "TEXT", field: "runId", codec: text },
    name: { sql: "TEXT", field: "name", codec: text },
    value: { sql: "REAL", field: "value", codec: int },
    task_id: { sql: "TEXT", field: "taskId", codec: text },
  },
});

/** The fields of an artifact. */
export type ArtifactFields = FieldsOf<typeof ARTIFACTS_TABLE.columns>;
/** The fields of a lineage event. */
export type EventFields = FieldsOf<typeof EVENTS_TABLE.columns>;
/** The fields of a metric. */
export type MetricFields = FieldsOf<typeof METRICS_TABLE.columns>;
/** The fields of a run metric. */
export type RunMetricFields = FieldsOf<typeof RUN_METRICS_TABLE.columns>;
