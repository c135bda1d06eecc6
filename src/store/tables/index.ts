/** Every table declaration, each the one description of its entity's columns. */
import type { TableDecl } from "../table.ts";
import { EXPERIMENTS_TABLE } from "./experiments.ts";
import { RUN_METRICS_TABLE } from "./lineage.ts";
import { PIPELINE_VERSIONS_TABLE, PIPELINES_TABLE } from "./pipelines.ts";
import { RECURRING_RUNS_TABLE } from "./recurring-runs.ts";
import { MODEL_VERSIONS_TABLE, REGISTERED_MODELS_TABLE } from "./registry.ts";
import { RUNS_TABLE } from "./runs.ts";
import { TRACKING_RUNS_TABLE } from "./tracking.ts";
import { TUNING_EXPERIMENTS_TABLE, TUNING_TRIALS_TABLE } from "./tuning.ts";

export { STORAGE_STATES, type StorageState } from "./columns.ts";
export { EXPERIMENTS_TABLE, type ExperimentFields } from "./experiments.ts";
export {
  ARTIFACTS_TABLE,
  type ArtifactFields,
  EVENTS_TABLE,
  type EventFields,
  type EventType,
  METRICS_TABLE,
  type MetricFields,
  RUN_METRICS_TABLE,
  type RunMetricFields,
} from "./lineage.ts";
export {
  PIPELINE_VERSIONS_TABLE,
  PIPELINES_TABLE,
  type PipelineFields,
  type PipelineVersionFields,
} from "./pipelines.ts";
export {
  RECURRING_RUNS_TABLE,
  type RecurringRunFields,
  type RecurringRunMode,
  type RecurringRunStatus,
} from "./recurring-runs.ts";
export {
  MODEL_STAGES,
  MODEL_VERSION_STATUSES,
  MODEL_VERSIONS_TABLE,
  type ModelDataset,
  ModelDatasetSchema,
  ModelDatasetsSchema,
  ModelMetricsSchema,
  type ModelSignature,
  ModelSignatureSchema,
  type ModelStage,
  type ModelVersionFields,
  type ModelVersionStatus,
  REGISTERED_MODELS_TABLE,
  type RegisteredModelFields,
} from "./registry.ts";
export { RUNS_TABLE, type RunFields } from "./runs.ts";
export { TASK_KINDS, TASKS_TABLE, type TaskFields, type TaskKind } from "./tasks.ts";
export {
  type LifecycleStage,
  TRACKING_RUN_STATUSES,
  TRACKING_RUNS_TABLE,
  type TrackingRunFields,
  type TrackingRunStatus,
} from "./tracking.ts";
export {
  TUNING_EXPERIMENTS_TABLE,
  TUNING_TRIALS_TABLE,
  TuningAssignmentSchema,
  type TuningExperimentFields,
  TuningMetricsSchema,
  type TuningTrialFields,
  TuningValuesSchema,
} from "./tuning.ts";

/** The declared tables, checked against the migrated schema by `tables.test.ts`. */
export const TABLES: readonly TableDecl[] = [
  RUNS_TABLE,
  EXPERIMENTS_TABLE,
  PIPELINES_TABLE,
  PIPELINE_VERSIONS_TABLE,
  RECURRING_RUNS_TABLE,
  RUN_METRICS_TABLE,
  TRACKING_RUNS_TABLE,
  REGISTERED_MODELS_TABLE,
  MODEL_VERSIONS_TABLE,
  TUNING_EXPERIMENTS_TABLE,
  TUNING_TRIALS_TABLE,
];
