/** The tuning tables: experiments (keyed by name) and their numbered trials. */
import { z } from "zod";
import type { ExperimentState, TrialState } from "../../ir/states.ts";
import { EXPERIMENT_STATES, TRIAL_STATES } from "../../ir/states.ts";
import { defineTable, type FieldsOf, int, json, jsonObject, text, textOf } from "../table.ts";
import { createdAt, name } from "./columns.ts";

/** A trial's parameter values (or a sampler's meta): name to number or string. */
export const TuningAssignmentSchema = z.record(z.string(), z.union([z.number(), z.string()]));
/** A trial's objective values, in the order of the experiment's objectives. */
export const TuningValuesSchema = z.array(z.number());
/** A trial's final value per metric. */
export const TuningMetricsSchema = z.record(z.string(), z.number());

const owner = {
  owner_pid: { sql: "INTEGER", nullable: true, field: "ownerPid", codec: int },
  owner_host: { sql: "TEXT", nullable: true, field: "ownerHost", codec: text },
  owner_instance: { sql: "TEXT", nullable: true, field: "ownerInstance", codec: text },
  owner_boot_id: { sql: "TEXT", nullable: true, field: "ownerBootId", codec: text },
  owner_start_time: { sql: "TEXT", nullable: true, field: "ownerStartTime", codec: text },
  heartbeat_at: { sql: "INTEGER", nullable: true, field: "heartbeatAt", codec: int },
} as const;

/** The tuning_experiments table. */
export const TUNING_EXPERIMENTS_TABLE = defineTable({
  table: "tuning_experiments",
  entity: "tuning experiments",
  columns: {
    id: { sql: "TEXT", field: "id", codec: text, list: { type: "text" } },
    name,
    /** The text the experiment was read from (Katib YAML, or a description of a `tune()` call). */
    source: { sql: "TEXT", field: "source", codec: text },
    /** sha256 of the source: a resume of the same name must have the same digest. */
    source_digest: { sql: "TEXT", field: "sourceDigest", codec: text },
    /** The serialisable parts of the ExperimentSpec (functions and constraints left out). */
    spec: { sql: "TEXT", field: "spec", codec: jsonObject },
    algorithm: { sql: "TEXT", field: "algorithm", codec: text, list: { type: "text" } },
    state: {
      sql: "TEXT",
      field: "state",
      codec: textOf<ExperimentState>(),
      list: { type: "text", values: EXPERIMENT_STATES },
    },
    /** Katib's condition reason: GoalReached, MaxTrialsReached, MaxFailedTrialsReached, ... */
    reason: { sql: "TEXT", nullable: true, field: "reason", codec: text },
    message: { sql: "TEXT", nullable: true, field: "message", codec: text },
    ...owner,
    created_at: createdAt,
    finished_at: { sql: "INTEGER", nullable: true, field: "finishedAt", codec: int, list: { type: "time" } },
    /** The number of the best trial (the one chosen by the best rule for several objectives). */
    best_trial: { sql: "INTEGER", nullable: true, field: "bestTrial", codec: int },
  },
});

/** The tuning_trials table (key: experiment id and number). */
export const TUNING_TRIALS_TABLE = defineTable({
  table: "tuning_trials",
  entity: "tuning trials",
  columns: {
    experiment_id: { sql: "TEXT", field: "experimentId", codec: text },
    number: { sql: "INTEGER", field: "number", codec: int },
    name: { sql: "TEXT", field: "name", codec: text },
    params: { sql: "TEXT", field: "params", codec: json(TuningAssignmentSchema) },
    meta: { sql: "TEXT", field: "meta", codec: json(TuningAssignmentSchema) },
    state: { sql: "TEXT", field: "state", codec: textOf<TrialState>(), list: { type: "text", values: TRIAL_STATES } },
    /** Why it ended (METRICS_UNAVAILABLE, an exit code, the early stopper's reason, ...). */
    reason: { sql: "TEXT", nullable: true, field: "reason", codec: text },
    message: { sql: "TEXT", nullable: true, field: "message", codec: text },
    /** The Weft run of a pipeline trial. */
    run_id: { sql: "TEXT", nullable: true, field: "runId", codec: text },
    vals: { sql: "TEXT", nullable: true, field: "values", codec: json(TuningValuesSchema) },
    metrics: { sql: "TEXT", field: "metrics", codec: json(TuningMetricsSchema) },
    created_at: createdAt,
    started_at: { sql: "INTEGER", nullable: true, field: "startedAt", codec: int },
    finished_at: { sql: "INTEGER", nullable: true, field: "finishedAt", codec: int },
  },
});

/** The fields of a tuning experiment. */
export type TuningExperimentFields = FieldsOf<typeof TUNING_EXPERIMENTS_TABLE.columns>;
/** The fields of a tuning trial. */
export type TuningTrialFields = FieldsOf<typeof TUNING_TRIALS_TABLE.columns>;
