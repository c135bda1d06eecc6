/**
 * KFP v2beta1 API objects as they travel on the wire (snake_case, RFC 3339 times, int64
 * as strings). The same shapes come from Weft and from a Kubeflow Pipelines endpoint.
 */
import {
  type JsonValue,
  type PipelinePackage,
  type PipelineSpec,
  type RuntimeState,
  TERMINAL_RUN_STATES,
} from "../ir/index.ts";

/** `v2beta1RuntimeState`, declared in `ir/states.ts`. */
export type ApiRuntimeState = RuntimeState;

/** States after which a run changes no more (CANCELED counts as finished). */
export const FINAL_RUN_STATES: ReadonlySet<ApiRuntimeState> = new Set(TERMINAL_RUN_STATES);

/** `googleRpcStatus`. */
export interface ApiStatus {
  code?: number;
  message?: string;
  error?: string;
  details?: Record<string, unknown>[];
}

/** `v2beta1Experiment`. */
export interface ApiExperiment {
  experiment_id: string;
  display_name: string;
  description?: string;
  created_at?: string;
  namespace?: string;
  storage_state?: "STORAGE_STATE_UNSPECIFIED" | "AVAILABLE" | "ARCHIVED";
  last_run_created_at?: string;
}

/** `v2beta1Pipeline`. */
export interface ApiPipeline {
  pipeline_id: string;
  name?: string;
  display_name?: string;
  description?: string;
  created_at?: string;
  namespace?: string;
  /** User-defined tags (at most 20; keys and values up to 63 characters, keys without "."). */
  tags?: Record<string, string>;
}

/** `v2beta1PipelineVersion`. */
export interface ApiPipelineVersion {
  pipeline_id: string;
  pipeline_version_id: string;
  name?: string;
  display_name?: string;
  description?: string;
  created_at?: string;
  code_source_url?: string;
  pipeline_spec?: Record<string, unknown>;
  tags?: Record<string, string>;
}

/** `v2beta1PipelineTaskDetail`. */
export interface ApiTaskDetail {
  run_id?: string;
  task_id?: string;
  display_name?: string;
  create_time?: string;
  start_time?: string;
  end_time?: string;
  state?: ApiRuntimeState;
  error?: ApiStatus;
  /** Input artifacts by input name: `{artifact_ids: [...]}` (ids as the artifacts API gives them). */
  inputs?: Record<string, { artifact_ids?: string[] }>;
  /** Output artifacts by output name. */
  outputs?: Record<string, { artifact_ids?: string[] }>;
  parent_task_id?: string;
  pod_name?: string;
  child_tasks?: { task_id?: string; pod_name?: string }[];
}

/** `v2beta1Run`. */
export interface ApiRun {
  run_id: string;
  experiment_id?: string;
  display_name?: string;
  description?: string;
  storage_state?: "STORAGE_STATE_UNSPECIFIED" | "AVAILABLE" | "ARCHIVED";
  pipeline_version_id?: string;
  pipeline_spec?: Record<string, unknown>;
  pipeline_version_reference?: { pipeline_id?: string; pipeline_version_id?: string };
  runtime_config?: {
    parameters?: Record<string, JsonValue>;
    pipeline_root?: string;
    /** Artifacts for the pipeline's artifact inputs (a Weft extension, like Vertex's `input_artifacts`). */
    input_artifacts?: Record<string, { uri: string }>;
  };
  /** KFP's service account; Weft records and shows it (no permission changes locally). */
  service_account?: string;
  created_at?: string;
  scheduled_at?: string;
  finished_at?: string;
  state?: ApiRuntimeState;
  error?: ApiStatus;
  run_details?: { task_details?: ApiTaskDetail[] };
  recurring_run_id?: string;
  state_history?: { update_time?: string; state?: ApiRuntimeState; error?: ApiStatus }[];
  /** A Weft extension: user-defined labels. */
  tags?: Record<string, string>;
  /**
   * Weft: the metrics that define the run (by name, in KFP v1's `RunMetric` form), in list
   * pages and in a run's GET; sort and filter runs by one with `metric:NAME`.
   */
  metrics?: ApiRunMetric[];
}

/** One run-level metric (KFP v1's `apiRunMetric` fields). */
export interface ApiRunMetric {
  name: string;
  number_value: number;
}

/** `v2beta1RecurringRun`. */
export interface ApiRecurringRun {
  recurring_run_id: string;
  display_name?: string;
  description?: string;
  pipeline_spec?: Record<string, unknown>;
  pipeline_version_reference?: { pipeline_id?: string; pipeline_version_id?: string };
  runtime_config?: { parameters?: Record<string, JsonValue>; pipeline_root?: string };
  /** Given to every run it starts. */
  service_account?: string;
  max_concurrency?: string;
  trigger?: {
    cron_schedule?: { cron?: string; start_time?: string; end_time?: string };
    periodic_schedule?: { interval_second?: string; start_time?: string; end_time?: string };
  };
  mode?: "MODE_UNSPECIFIED" | "ENABLE" | "DISABLE";
  created_at?: string;
  updated_at?: string;
  status?: "STATUS_UNSPECIFIED" | "ENABLED" | "DISABLED";
  no_catchup?: boolean;
  namespace?: string;
  experiment_id?: string;
  /** Weft only: the next fire times (RFC 3339) of an enabled recurring run. */
  next_fire_times?: string[];
}

/** An artifact of Weft's extension API (`/apis/weft/v1/artifacts`); `task` and `run_name` in lists. */
export interface ApiArtifact {
  artifact_id: string;
  run_id: string;
  task_id: string;
  name: string;
  uri: string;
  schema_title: string;
  schema_version?: string;
  metadata?: Record<string, unknown>;
  digest?: string;
  size_bytes?: number;
  created_at?: string;
  /** The producing task's path (lists only). */
  task?: string;
  /** The run's display name (lists only). */
  run_name?: string;
  /** What the content is (one artifact's GET only). */
  content_kind?: "file" | "directory" | "missing";
}

/** Weft only: one scalar metric of a run, as `GET /apis/weft/v1/runs/{run}/metrics` lists it. */
export interface ApiTaskMetric {
  task_id: string;
  /** The producing task's path, `root/...`. */
  task?: string;
  /**
   * The path as shown: below `root`, iterations by their item and conditions by their
   * expression (`for-loop-2[mlp]/train`), so the metrics of two iterations are told apart by meaning.
   */
  task_label?: string;
  artifact_id?: string;
  name: string;
  value: number;
}

/** One page of a list call. */
export interface Page<T> {
  items: T[];
  totalSize: number;
  nextPageToken?: string;
}

/** A filter operation, as KFP names it. */
export type FilterOp =
  | "EQUALS"
  | "NOT_EQUALS"
  | "GREATER_THAN"
  | "GREATER_THAN_EQUALS"
  | "LESS_THAN"
  | "LESS_THAN_EQUALS"
  | "IN"
  | "IS_SUBSTRING";

/** One filter condition; the value's JSON kind (`string_value`, `int_value`, ...) is chosen from its type. */
export interface FilterPredicate {
  key: string;
  op: FilterOp;
  value: string | number | boolean | Date | string[] | number[];
}

/** Options of every list call. */
export interface ListOptions {
  filter?: FilterPredicate[];
  /** `"field"` or `"field desc"`. */
  sortBy?: string;
  pageSize?: number;
  pageToken?: string;
  namespace?: string;
}

/** A pipeline made with the SDK's `pipeline({ name }, body)`; the client compiles it. */
export interface PipelineFunction {
  (...args: never[]): unknown;
  readonly kind: "pipeline";
}

/**
 * Something a run can be created from: a pipeline function made with the SDK (compiled to
 * IR on the way), compiled IR (a {@link PipelinePackage} or a bare {@link PipelineSpec}), a
 * package file path or its text (YAML or JSON), or a function that returns IR.
 */
export type PipelineSource =
  | PipelineFunction
  | PipelinePackage
  | PipelineSpec
  | string
  | (() => PipelinePackage | PipelineSpec | Promise<PipelinePackage | PipelineSpec>);
