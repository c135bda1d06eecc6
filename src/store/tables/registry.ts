/**
 * The model registry's tables: `registered_models` and `model_versions` (their tags,
 * aliases and alias history are small key tables the models repository reads itself).
 */
import { z } from "zod";
import { defineTable, type FieldsOf, int, jsonAs, text, textOf } from "../table.ts";
import { description } from "./columns.ts";

/** A version's registration status, as MLflow's `ModelVersionStatus`. */
export const MODEL_VERSION_STATUSES = ["PENDING_REGISTRATION", "READY", "FAILED_REGISTRATION"] as const;
/** A version's registration status. */
export type ModelVersionStatus = (typeof MODEL_VERSION_STATUSES)[number];

/** MLflow's legacy stages, in MLflow's order. */
export const MODEL_STAGES = ["None", "Staging", "Production", "Archived"] as const;
/** One of MLflow's legacy stages. */
export type ModelStage = (typeof MODEL_STAGES)[number];

/** One input or output of a model signature. `shape` uses -1 (or null) for a free dimension. */
export const ModelTensorSpecSchema = z.looseObject({
  name: z.string(),
  dtype: z.string(),
  shape: z.array(z.number().nullable()).optional(),
});
/** A model's input/output signature. */
export const ModelSignatureSchema = z.looseObject({
  inputs: z.array(ModelTensorSpecSchema),
  outputs: z.array(ModelTensorSpecSchema),
});
/** A model's input/output signature. */
export type ModelSignature = z.infer<typeof ModelSignatureSchema>;

/** One input dataset of a version: the upstream Dataset artifact its producing task read. */
export const ModelDatasetSchema = z.looseObject({
  name: z.string(),
  uri: z.string(),
  digest: z.string().optional(),
  /** The task that produced the dataset. */
  task: z.string().optional(),
  /** The data commit, once data versions exist. */
  commit: z.string().optional(),
});
/** One input dataset of a version. */
export type ModelDataset = z.infer<typeof ModelDatasetSchema>;

/** A version's input datasets. */
export const ModelDatasetsSchema = z.array(ModelDatasetSchema);
/** A version's metrics snapshot: metric name to value. */
export const ModelMetricsSchema = z.record(z.string(), z.number());

/** The registered models table. */
export const REGISTERED_MODELS_TABLE = defineTable({
  table: "registered_models",
  entity: "registered models",
  columns: {
    name: { sql: "TEXT", field: "name", codec: text },
    description,
    user_id: { sql: "TEXT", nullable: true, field: "userId", codec: text },
    /** The highest version number ever given; the repository reads it itself. */
    last_version: { sql: "INTEGER" },
    created_at: { sql: "INTEGER", field: "createdAt", codec: int },
    updated_at: { sql: "INTEGER", field: "updatedAt", codec: int },
  },
});

/** The model versions table. */
export const MODEL_VERSIONS_TABLE = defineTable({
  table: "model_versions",
  entity: "model versions",
  columns: {
    name: { sql: "TEXT", field: "name", codec: text },
    version: { sql: "INTEGER", field: "version", codec: int },
    description,
    source: { sql: "TEXT", field: "source", codec: text },
    digest: { sql: "TEXT", nullable: true, field: "digest", codec: text },
    format: { sql: "TEXT", nullable: true, field: "format", codec: text },
    // The JSON columns are checked by the repository before they are written (a search
    // reads a page of versions; checking each again on every read would triple its cost).
    signature: { sql: "TEXT", nullable: true, field: "signature", codec: jsonAs<ModelSignature>() },
    run_id: { sql: "TEXT", nullable: true, field: "runId", codec: text },
    run_link: { sql: "TEXT", nullable: true, field: "runLink", codec: text },
    task_id: { sql: "TEXT", nullable: true, field: "taskId", codec: text },
    task_name: { sql: "TEXT", nullable: true, field: "taskName", codec: text },
    pipeline_version_id: { sql: "TEXT", nullable: true, field: "pipelineVersionId", codec: text },
    datasets: { sql: "TEXT", field: "datasets", codec: jsonAs<ModelDataset[]>() },
    metrics: { sql: "TEXT", field: "metrics", codec: jsonAs<Record<string, number>>() },
    status: { sql: "TEXT", field: "status", codec: textOf<ModelVersionStatus>() },
    status_message: { sql: "TEXT", nullable: true, field: "statusMessage", codec: text },
    current_stage: { sql: "TEXT", field: "currentStage", codec: textOf<ModelStage>() },
    user_id: { sql: "TEXT", nullable: true, field: "userId", codec: text },
    created_at: { sql: "INTEGER", field: "createdAt", codec: int },
    updated_at: { sql: "INTEGER", field: "updatedAt", codec: int },
  },
});

/** The fields of a registered model stored in its row. */
export type RegisteredModelFields = FieldsOf<typeof REGISTERED_MODELS_TABLE.columns>;
/** The fields of a model version stored in its row. */
export type ModelVersionFields = FieldsOf<typeof MODEL_VERSIONS_TABLE.columns>;
