/** The `tasks` table: the nodes of a run's execution tree, keyed by (run_id, path). */
import type { JsonValue } from "../../ir/index.ts";
import {
  TaskAttemptsSchema,
  TaskCacheInfoSchema,
  TaskErrorSchema,
  TaskInputsSchema,
  TaskOutputsSchema,
  type TaskState,
} from "../schemas.ts";
import { defineTable, type FieldsOf, int, json, jsonAs, text, textOf } from "../table.ts";

/** What a task node is. */
export type TaskKind = "container" | "importer" | "dag" | "loop" | "iteration" | "condition" | "exit-handler";
/** Every task kind. */
export const TASK_KINDS: readonly TaskKind[] = [
  "container",
  "importer",
  "dag",
  "loop",
  "iteration",
  "condition",
  "exit-handler",
];

/** The tasks table. */
export const TASKS_TABLE = defineTable({
  table: "tasks",
  entity: "tasks",
  columns: {
    id: { sql: "TEXT", field: "id", codec: text },
    run_id: { sql: "TEXT", field: "runId", codec: text },
    parent_id: { sql: "TEXT", nullable: true, field: "parentId", codec: text },
    /** Task key in its DAG, e.g. `train`. */
    name: { sql: "TEXT", field: "name", codec: text },
    display_name: { sql: "TEXT", field: "displayName", codec: text },
    /** Unique per run, e.g. `root/for-loop-2/iteration-1/train`. */
    path: { sql: "TEXT", field: "path", codec: text },
    kind: { sql: "TEXT", field: "kind", codec: textOf<TaskKind>() },
    component_name: { sql: "TEXT", nullable: true, field: "componentName", codec: text },
    iteration_index: { sql: "INTEGER", nullable: true, field: "iterationIndex", codec: int },
    state: { sql: "TEXT", field: "state", codec: textOf<TaskState>() },
    /** 1-based. */
    attempt: { sql: "INTEGER", field: "attempt", codec: int },
    attempts: { sql: "TEXT", field: "attempts", codec: json(TaskAttemptsSchema) },
    started_at: { sql: "INTEGER", nullable: true, field: "startedAt", codec: int },
    finished_at: { sql: "INTEGER", nullable: true, field: "finishedAt", codec: int },
    exit_code: { sql: "INTEGER", nullable: true, field: "exitCode", codec: int },
    error: { sql: "TEXT", nullable: true, field: "error", codec: json(TaskErrorSchema) },
    inputs: { sql: "TEXT", field: "inputs", codec: json(TaskInputsSchema) },
    outputs: { sql: "TEXT", field: "outputs", codec: json(TaskOutputsSchema) },
    cache: { sql: "TEXT", nullable: true, field: "cache", codec: json(TaskCacheInfoSchema) },
    log_path: { sql: "TEXT", nullable: true, field: "logPath", codec: text },
    pid: { sql: "INTEGER", nullable: true, field: "pid", codec: int },
    resources: { sql: "TEXT", nullable: true, field: "resources", codec: jsonAs<JsonValue>() },
    created_at: { sql: "INTEGER", field: "createdAt", codec: int },
    updated_at: { sql: "INTEGER", field: "updatedAt", codec: int },
  },
});

/** The fields of a task. */
export type TaskFields = FieldsOf<typeof TASKS_TABLE.columns>;
