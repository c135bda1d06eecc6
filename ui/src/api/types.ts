/**
 * Shapes of the JSON the Weft server answers with. The KFP v2beta1 resources are the typed
 * client's (`src/client/types.ts`), which the server's JSON functions return; this file
 * adds only the UI's own views of them and Weft's extension endpoints.
 */
import type {
  ApiExperiment,
  ApiPipeline,
  ApiPipelineVersion,
  ApiRecurringRun,
  ApiRun,
  ApiStatus,
  ApiTaskDetail,
  ApiTaskMetric,
} from "../../../src/client/types.ts";
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

/** `v2beta1Run`, its inline spec read as the parts the UI shows. */
export type Run = Omit<ApiRun, "pipeline_spec"> & { pipeline_spec?: PipelineSpecJson };

/** A run as the run list returns it: without its pipeline spec (get the run for that). */
export type RunSummary = Omit<Run, "pipeline_spec" | "run_details">;

/** `v2beta1PipelineTaskDetail`. */
export type TaskDetail = ApiTaskDetail;

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
    parameters?: Record<string, { taskOutputParameter?: { producerTask: string; outputParameterKey?: string } }>;
    artifacts?: Record<string, { taskOutputArtifact?: { producerTask: string } }>;
  };
  triggerPolicy?: { condition?: string };
  parameterIterator?: Json;
  artifactIterator?: Json;
  iteratorPolicy?: { parallelismLimit?: number };
}

/** `v2beta1Pipeline`. */
export type Pipeline = ApiPipeline;

/** `v2beta1PipelineVersion`, its spec read as the parts the UI shows (bare or wrapped, as KFP stores it). */
export type PipelineVersion = Omit<ApiPipelineVersion, "pipeline_spec"> & {
  pipeline_spec?: PipelineSpecJson | { pipeline_spec?: PipelineSpecJson };
};

/** `v2beta1Experiment`. */
export type Experiment = ApiExperiment;

/** `v2beta1RecurringRun`. */
export type RecurringRun = ApiRecurringRun;

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
  /** The producing task's path (lists). */
  task?: string;
  /** The run's display name (lists). */
  run_name?: string;
  /** Whether the content is a file or a directory (one artifact's GET). */
  content_kind?: "file" | "directory" | "missing";
}

/** One entry of a directory artifact's folder. */
export interface DirItem {
  name: string;
  kind: "file" | "dir" | "link" | "other";
  size_bytes?: number;
}

/** A node of the lineage graph (`/apis/weft/v1/lineage/graph`). */
export interface LineageNode {
  id: string;
  kind: "artifact" | "execution";
  /** Executions from the selected node: negative upstream, positive downstream. */
  hop: number;
  artifact?: Artifact;
  execution?: { task_id: string; run_id: string; run_name?: string; task: string; name: string; state: string };
  /** The walk stopped here: more hops would show more. */
  more?: boolean;
}

/** The lineage graph around one artifact or execution. */
export interface LineageGraph {
  root: string;
  upstream: number;
  downstream: number;
  nodes: LineageNode[];
  edges: Array<{ from: string; to: string; type: "INPUT" | "OUTPUT"; name: string }>;
  truncated: boolean;
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

/** One scalar metric a task of a run logged. */
export type RunMetric = ApiTaskMetric;

/** A `google.rpc.Status` (a run's or task's `error`). */
export type { ApiStatus };

/**
 * A task failure in the extension JSON: the catalogue code, the message, the action to take
 * and the last lines of the task's stderr (`src/server/task-detail.ts`).
 */
export interface TaskErrorInfo {
  code?: string;
  message?: string;
  action?: string;
  stderr_tail?: string;
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
    error?: string | TaskErrorInfo;
  }>;
  exit_code?: number;
  error?: string | TaskErrorInfo;
}
