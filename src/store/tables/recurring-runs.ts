/** The `recurring_runs` table: schedules that start runs. */
import type { PipelineSpec } from "../../ir/index.ts";
import { TriggerSchema } from "../schemas.ts";
import { bool, defineTable, type FieldsOf, int, json, jsonAs, jsonObject, text, textOf } from "../table.ts";
import { createdAt, description, idColumn, namespace } from "./columns.ts";

/** Whether a recurring run fires (KFP's `RecurringRun.Mode`). */
export type RecurringRunMode = "ENABLE" | "DISABLE";
/** KFP's `RecurringRun.Status`. */
export type RecurringRunStatus = "STATUS_UNSPECIFIED" | "ENABLED" | "DISABLED";

const MODES: readonly RecurringRunMode[] = ["ENABLE", "DISABLE"];
const STATUSES: readonly RecurringRunStatus[] = ["STATUS_UNSPECIFIED", "ENABLED", "DISABLED"];

/** The recurring runs table. */
export const RECURRING_RUNS_TABLE = defineTable({
  table: "recurring_runs",
  entity: "recurring runs",
  columns: {
    id: idColumn("recurring_run_id"),
    display_name: { sql: "TEXT", field: "displayName", codec: text, list: { type: "text", wire: ["name"] } },
    description,
    experiment_id: { sql: "TEXT", field: "experimentId", codec: text, list: { type: "text" } },
    pipeline_version_id: {
      sql: "TEXT",
      nullable: true,
      field: "pipelineVersionId",
      codec: text,
      list: { type: "text" },
    },
    pipeline_spec: { sql: "TEXT", nullable: true, field: "pipelineSpec", codec: jsonAs<PipelineSpec>() },
    parameters: { sql: "TEXT", field: "parameters", codec: jsonObject },
    trigger: { sql: "TEXT", field: "trigger", codec: json(TriggerSchema) },
    max_concurrency: { sql: "INTEGER", field: "maxConcurrency", codec: int },
    no_catchup: { sql: "INTEGER", field: "noCatchup", codec: bool },
    mode: { sql: "TEXT", field: "mode", codec: textOf<RecurringRunMode>(), list: { type: "text", values: MODES } },
    status: {
      sql: "TEXT",
      field: "status",
      codec: textOf<RecurringRunStatus>(),
      list: { type: "text", values: STATUSES },
    },
    last_fired_at: { sql: "INTEGER", nullable: true, field: "lastFiredAt", codec: int },
    next_fire_at: { sql: "INTEGER", nullable: true, field: "nextFireAt", codec: int, list: { type: "time" } },
    namespace,
    created_at: createdAt,
    updated_at: { sql: "INTEGER", field: "updatedAt", codec: int },
    /** Given to every run it starts: `runtime_config.pipeline_root` and `service_account`. */
    pipeline_root: { sql: "TEXT", nullable: true, field: "pipelineRoot", codec: text },
    service_account: { sql: "TEXT", nullable: true, field: "serviceAccount", codec: text },
  },
});

/** The fields of a recurring run. */
export type RecurringRunFields = FieldsOf<typeof RECURRING_RUNS_TABLE.columns>;
