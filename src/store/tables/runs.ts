/** The `runs` table: one row per run. */
import type { PipelineSpec, PlatformSpec } from "../../ir/index.ts";
import { RunErrorSchema, RunStateHistorySchema, type RuntimeState, RuntimeStateSchema } from "../schemas.ts";
import { bool, defineTable, type FieldsOf, int, json, jsonAs, jsonObject, text, textOf } from "../table.ts";
import { createdAt, description, idColumn, listedTags, namespace, storageState } from "./columns.ts";

/** The runs table. */
export const RUNS_TABLE = defineTable({
  table: "runs",
  entity: "runs",
  columns: {
    id: idColumn("run_id"),
    experiment_id: { sql: "TEXT", field: "experimentId", codec: text, list: { type: "text" } },
    display_name: { sql: "TEXT", field: "displayName", codec: text, list: { type: "text", wire: ["name"] } },
    description,
    pipeline_version_id: {
      sql: "TEXT",
      nullable: true,
      field: "pipelineVersionId",
      codec: text,
      list: { type: "text" },
    },
    /** '' when the spec is in `pipeline_specs` under `spec_digest`; the repository reads it. */
    pipeline_spec: { sql: "TEXT" },
    spec_digest: { sql: "TEXT", nullable: true },
    platform_spec: { sql: "TEXT", nullable: true, field: "platformSpec", codec: jsonAs<PlatformSpec>() },
    parameters: { sql: "TEXT", field: "parameters", codec: jsonObject },
    pipeline_root: { sql: "TEXT", nullable: true, field: "pipelineRoot", codec: text },
    state: {
      sql: "TEXT",
      field: "state",
      codec: textOf<RuntimeState>(),
      list: { type: "text", values: RuntimeStateSchema.options },
    },
    state_history: { sql: "TEXT", field: "stateHistory", codec: json(RunStateHistorySchema) },
    storage_state: storageState,
    created_at: createdAt,
    scheduled_at: { sql: "INTEGER", field: "scheduledAt", codec: int, list: { type: "time" } },
    started_at: { sql: "INTEGER", nullable: true, field: "startedAt", codec: int, list: { type: "time" } },
    finished_at: { sql: "INTEGER", nullable: true, field: "finishedAt", codec: int, list: { type: "time" } },
    error: { sql: "TEXT", nullable: true, field: "error", codec: json(RunErrorSchema) },
    owner_pid: { sql: "INTEGER", nullable: true, field: "ownerPid", codec: int },
    owner_host: { sql: "TEXT", nullable: true, field: "ownerHost", codec: text },
    heartbeat_at: { sql: "INTEGER", nullable: true, field: "heartbeatAt", codec: int },
    cancel_requested: { sql: "INTEGER", field: "cancelRequested", codec: bool },
    recurring_run_id: { sql: "TEXT", nullable: true, field: "recurringRunId", codec: text, list: { type: "text" } },
    enable_cache: { sql: "INTEGER", field: "enableCache", codec: bool },
    namespace,
    /** The owner process's instance id, kernel boot id and start time (see `RunOwnerIdentity`). */
    owner_instance: { sql: "TEXT", nullable: true, field: "ownerInstance", codec: text },
    owner_boot_id: { sql: "TEXT", nullable: true, field: "ownerBootId", codec: text },
    owner_start_time: { sql: "TEXT", nullable: true, field: "ownerStartTime", codec: text },
    tags: listedTags,
    /** KFP's `service_account`: recorded and shown; the local engine changes no permission by it. */
    service_account: { sql: "TEXT", nullable: true, field: "serviceAccount", codec: text },
    /** The artifacts given for the pipeline's artifact inputs: input name to URI. */
    input_artifacts: { sql: "TEXT", field: "inputArtifacts", codec: jsonAs<Record<string, string>>() },
  },
});

/** The fields of a run the runs table stores directly (its spec is stored once, by digest). */
export type RunFields = FieldsOf<typeof RUNS_TABLE.columns> & {
  pipelineSpec: PipelineSpec;
};
