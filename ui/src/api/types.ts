/**
 * Shapes of the JSON the Weft server answers with: KFP v2beta1 resources (snake_case,
 * RFC 3339 times, int64 as strings, unset fields omitted) and Weft's extension endpoints.
 */

import type { RuntimeState as KfpRuntimeState, TaskState } from "../../../src/ir/states.ts";

/** A JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * KFP runtime states of runs and tasks: the run states and Weft's task states (a task may
 * be CACHED), as `src/ir/states.ts` declares them.
 */
export type RuntimeState = KfpRuntimeState | TaskState;

/** A KFP list page. */
export interface Page<T> {
  items: T[];
  totalSize: number;
  nextPageToken: string | undefined;
}

/** `v2beta1Run`. */
export interface Run {
  run_id: string;
  display_name?: string;
  experiment_id?: string;
  description?: string;
  state?: RuntimeState;
  storage_state?: string;
  created_at?: string;
  scheduled_at?: string;
  finished_at?: string;
  pipeline_version_reference?: { pipeline_id?: string; pipeline_version_id?: string };
  pipeline_spec?: PipelineSpecJson;
  runtime_config?: { parameters?: Record<string, Json>; pipeline_root?: string };
  error?: { code?: number; message?: string };
  recurring_run_id?: string;
  run_details?: { task_details?: TaskDetail[] };
  state_history?: Array<{ update_time?: string; state?: RuntimeState }>;
}

/** A run as the run list returns it: without its pipeline spec (get the run for that). */
export type RunSummary = Omit<Run, "pipeline_spec" | "run_details">;

/** `v2beta1PipelineTaskDetail`. */
export interface TaskDetail {
  task_id: string;
  display_name?: string;
  state?: RuntimeState;
  start_time?: string;
  end_time?: string;
  parent_task_id?: string;
  pod_name?: string;
  error?: { message?: string };
}

/** The parts of a compiled PipelineSpec the UI reads. */
export interface PipelineSpecJson {
  pipelineInfo?: { name?: string; displayName?: string; description?: string };
  root?: ComponentSpecJson;
  components?: Record<string, ComponentSpecJson>;
  deploymentSpec?: { executors?: Record<string, Json> };
  schemaVersion?: string;
}

/** A component in a PipelineSpec. */
export interface ComponentSpecJson {
  inputDefinitions?: { parameters?: Record<string, ParameterSpecJson>; artifacts?: Record<string, Json> };
  outputDefinitions?: { parameters?: Record<string, ParameterSpecJson>; artifacts?: Record<string, Json> };
  dag?: { tasks?: Record<string, PipelineTaskJson> };
  executorLabel?: string;
}

/** A parameter definition: its type, default and whether it may be left out. */
export interface ParameterSpecJson {
  parameterType?: string;
  defaultValue?: Json;
  isOptional?: boolean;
  description?: string;
}

/** A task in a DAG of a PipelineSpec. */
export interface PipelineTaskJson {
  taskInfo?: { name?: string };
  componentRef?: { name?: string };
  dependentTasks?: string[];
  inputs?: {
    parameters?: Record<string, { taskOutputParameter?: { producerTask: string } }>;
    artifacts?: Record<string, { taskOutputArtifact?: { producerTask: string } }>;
  };
  triggerPolicy?: { condition?: string };
  parameterIterator?: Json;
  artifactIterator?: Json;
  iteratorPolicy?: { parallelismLimit?: number };
}

/** `v2beta1Pipeline`. */
export interface Pipeline {
  pipeline_id: string;
  name?: string;
  display_name?: string;
  description?: string;
  created_at?: string;
}

/** `v2beta1PipelineVersion`. */
export interface PipelineVersion {
  pipeline_id: string;
  pipeline_version_id: string;
  name?: string;
  display_name?: string;
  description?: string;
  created_at?: string;
  pipeline_spec?: PipelineSpecJson | { pipeline_spec?: PipelineSpecJson };
}

/** `v2beta1Experiment`. */
export interface Experiment {
  experiment_id: string;
  display_name?: string;
  description?: string;
  created_at?: string;
  storage_state?: string;
  last_run_created_at?: string;
}

/** `v2beta1RecurringRun`. */
export interface RecurringRun {
  recurring_run_id: string;
  display_name?: string;
  description?: string;
  pipeline_version_reference?: { pipeline_id?: string; pipeline_version_id?: string };
  runtime_config?: { parameters?: Record<string, Json> };
  max_concurrency?: string;
  trigger?: {
    cron_schedule?: { cron?: string; start_time?: string; end_time?: string };
    periodic_schedule?: { interval_second?: string; start_time?: string; end_time?: string };
  };
  mode?: "ENABLE" | "DISABLE";
  status?: string;
  created_at?: string;
  updated_at?: string;
  no_catchup?: boolean;
  experiment_id?: string;
  next_fire_times?: string[];
}

/** The run graph (`/apis/weft/v1/runs/{id}/graph`): one definition, shared with the typed client. */
export type { GraphNode, RunGraph } from "../../../src/client/weft-extensions.ts";

/** An artifact record. */
export interface Artifact {
  artifact_id: string;
  run_id: string;
  task_id: string;
  name: string;
  uri: string;
  schema_title: string;
  schema_version?: string;
  metadata?: Record<string, Json>;
  digest?: string;
  size_bytes?: number;
  created_at?: string;
}

/** An input/output event linking a task and an artifact. */
export interface LineageEvent {
  task_id: string;
  artifact_id: string;
  type: "INPUT" | "OUTPUT";
  name: string;
  created_at?: string;
}

/** A run's artifacts and events. */
export interface RunLineage {
  run_id: string;
  artifacts: Artifact[];
  events: LineageEvent[];
}

/** Lineage of one artifact: its producer (with inputs) and its consumers. */
export interface ArtifactLineage {
  artifact: Artifact;
  producer?: { run_id: string; task_id: string; task?: string; inputs: Array<{ name: string; artifact: Artifact }> };
  consumers: Array<{ run_id: string; task_id: string; task?: string; input?: string }>;
}

/** One scalar metric of a run. */
export interface RunMetric {
  task_id: string;
  task?: string;
  artifact_id?: string;
  name: string;
  value: number;
}

/** Full details of a task (`/apis/weft/v1/runs/{run}/tasks/{task}`), when the server has them. */
export interface TaskInfo {
  task_id: string;
  path?: string;
  state?: string;
  inputs?: { parameters?: Record<string, Json>; artifacts?: Record<string, string[]> };
  outputs?: { parameters?: Record<string, Json> };
  cache?: { key?: string; hit?: boolean; explanation?: string; source_run_id?: string; source_task_id?: string };
  attempts?: Array<{
    attempt: number;
    started_at?: string;
    finished_at?: string;
    exit_code?: number;
    error?: string | { message?: string };
  }>;
  exit_code?: number;
  error?: string | { message?: string };
}
