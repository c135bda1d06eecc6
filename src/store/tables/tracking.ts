/** The `tracking_runs` table: MLflow runs (a Weft run, a task that logs, or a run made through the API). */
import { defineTable, type FieldsOf, int, text, textOf } from "../table.ts";

/** MLflow's `RunStatus`. */
export type TrackingRunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";
/** The values of `tracking_runs.status` (its CHECK constraint). */
export const TRACKING_RUN_STATUSES: readonly TrackingRunStatus[] = [
  "RUNNING",
  "SCHEDULED",
  "FINISHED",
  "FAILED",
  "KILLED",
];
/** MLflow's lifecycle stage of a run or experiment. */
export type LifecycleStage = "active" | "deleted";

/** The tracking runs table. */
export const TRACKING_RUNS_TABLE = defineTable({
  table: "tracking_runs",
  entity: "tracking runs",
  columns: {
    id: { sql: "TEXT", field: "runId", codec: text },
    experiment_id: { sql: "TEXT", field: "experimentId", codec: text },
    run_name: { sql: "TEXT", field: "runName", codec: text },
    status: { sql: "TEXT", field: "status", codec: textOf<TrackingRunStatus>() },
    start_time: { sql: "INTEGER", field: "startTime", codec: int },
    end_time: { sql: "INTEGER", nullable: true, field: "endTime", codec: int },
    user_id: { sql: "TEXT", field: "userId", codec: text },
    lifecycle_stage: { sql: "TEXT", field: "lifecycleStage", codec: textOf<LifecycleStage>() },
    artifact_uri: { sql: "TEXT", field: "artifactUri", codec: text },
    weft_run_id: { sql: "TEXT", nullable: true, field: "weftRunId", codec: text },
    weft_task_id: { sql: "TEXT", nullable: true, field: "weftTaskId", codec: text },
    parent_run_id: { sql: "TEXT", nullable: true, field: "parentRunId", codec: text },
  },
});

/** The stored fields of a tracking run. */
export type TrackingRunFields = FieldsOf<typeof TRACKING_RUNS_TABLE.columns>;
