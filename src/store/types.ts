/**
 * The metadata store's domain model: entities, the inputs that create them, list queries
 * and the `Store`; its repository interfaces are in `repositories.ts`. Ids are UUIDs,
 * times are epoch milliseconds, JSON columns come back parsed.
 */

import type { PipelineSpec, PlatformSpec } from "../ir/index.ts";
import type { SqliteDatabase } from "./driver.ts";
import type {
  ArtifactRepository,
  CacheRepository,
  EventRepository,
  ExperimentRepository,
  MetricRepository,
  ModelRepository,
  PipelineRepository,
  RecurringRunRepository,
  RunRepository,
  TaskRepository,
  TrackingRepository,
  TuningRepository,
} from "./repositories.ts";
import type {
  CacheOutputs,
  JsonValue,
  RunError,
  RuntimeState,
  TaskAttempt,
  TaskCacheInfo,
  TaskError,
  TaskInputs,
  TaskOutputs,
  TaskState,
  Trigger,
} from "./schemas.ts";
import type {
  ArtifactFields,
  EventFields,
  EventType,
  ExperimentFields,
  MetricFields,
  ModelDataset,
  ModelSignature,
  ModelVersionFields,
  ModelVersionStatus,
  PipelineFields,
  PipelineVersionFields,
  RecurringRunFields,
  RecurringRunMode,
  RecurringRunStatus,
  RegisteredModelFields,
  RunFields,
  TaskFields,
  TaskKind,
  TrackingRunFields,
  TuningExperimentFields,
  TuningTrialFields,
} from "./tables/index.ts";

export type {
  ArtifactRepository,
  CacheRepository,
  EventRepository,
  ExperimentRepository,
  MetricRepository,
  ModelRepository,
  PipelineRepository,
  RecurringRunRepository,
  RunRepository,
  TaskRepository,
  TrackingRepository,
  TuningRepository,
} from "./repositories.ts";
export type {
  CachedArtifact,
  CacheOutputs,
  JsonValue,
  RunError,
  RunStateChange,
  RuntimeState,
  TaskAttempt,
  TaskCacheInfo,
  TaskError,
  TaskInputs,
  TaskOutputs,
  TaskState,
  Trigger,
} from "./schemas.ts";

export type { StorageState } from "./tables/index.ts";

// ---------------------------------------------------------------- tuning

/**
 * A tuning experiment as recorded: its source and digest (what a resume compares), the
 * serialisable parts of its spec, its state and why it ended, its owner while it runs
 * (the fields `RunOwnerIdentity` and a run's owner use) and its best trial's number.
 */
export interface TuningExperiment extends TuningExperimentFields {}

export interface TuningExperimentInput {
  id?: string;
  name: string;
  source?: string;
  sourceDigest: string;
  spec: Record<string, JsonValue>;
  algorithm: string;
  createdAt?: number;
}

/** A tuning experiment's owner, as `thisOwner()` (engine/owner.ts) describes this process. */
export interface TuningOwner {
  pid: number;
  host: string;
  identity: RunOwnerIdentity;
}

/** How a tuning experiment ended. */
export interface TuningFinish {
  state: TuningExperiment["state"];
  reason: string;
  message?: string;
  bestTrial?: number;
  at?: number;
}

/** One trial of a tuning experiment (named `<experiment>-<number>`). */
export interface TuningTrial extends TuningTrialFields {}

export interface TuningTrialInput {
  experimentId: string;
  number: number;
  /** Default `<experiment name>-<number>`. */
  name?: string;
  params: Record<string, number | string>;
  meta?: Record<string, number | string>;
  /** Default PENDING. */
  state?: TuningTrial["state"];
  createdAt?: number;
}

/** What `updateTrial` changes: an absent field is kept, `null` clears a nullable one. */
export interface TuningTrialPatch {
  state?: TuningTrial["state"];
  reason?: string | null;
  message?: string | null;
  runId?: string | null;
  values?: number[] | null;
  metrics?: Record<string, number>;
  startedAt?: number | null;
  finishedAt?: number | null;
}

/** One intermediate value a trial reported. */
export interface TuningObservation {
  /** Arrival order over the whole store. */
  seq: number;
  metric: string;
  step: number;
  /** NaN where the trial reported NaN. */
  value: number;
  timestamp: number;
}

export type TuningObservationInput = Omit<TuningObservation, "seq" | "timestamp"> & { timestamp?: number };

// ---------------------------------------------------------------- list queries

/** Comparison operators of a list filter (KFP's `Predicate.Operation`). */
export type PredicateOp =
  | "EQUALS"
  | "NOT_EQUALS"
  | "GREATER_THAN"
  | "GREATER_THAN_EQUALS"
  | "LESS_THAN"
  | "LESS_THAN_EQUALS"
  | "IN"
  | "IS_SUBSTRING";

/** One filter condition. `value` is an array for `IN`; time fields take epoch ms or ISO strings. */
export interface Predicate {
  field: string;
  op: PredicateOp;
  value: JsonValue;
}

/** A page request: filters (AND-ed), one sort field, page size and the token of the previous page. */
export interface ListQuery {
  filter?: Predicate[];
  sort?: { field: string; desc: boolean };
  /** 1 to 1000; defaults to 50. */
  pageSize?: number;
  /** `nextPageToken` of the previous page of the same query. */
  pageToken?: string;
  /**
   * A byte budget: the page stops before the item that would take the sizes measured by
   * `sizeOf` over `maxBytes` (it always holds at least one item) and returns a
   * `nextPageToken` for the rest. Rows are then read in small batches, not a page at once.
   */
  budget?: ListBudget;
}

/** The byte budget of one list page; `sizeOf` measures an item as the caller will send it. */
export interface ListBudget {
  maxBytes: number;
  sizeOf(item: never): number;
}

/** A page of results. `nextPageToken` is absent on the last page. */
export interface ListResult<T> {
  items: T[];
  nextPageToken?: string;
  /** How many items match the filter, over all pages. */
  totalSize: number;
}

// ---------------------------------------------------------------- pipelines

/** A named pipeline; its versions hold the IR. */
export interface Pipeline extends PipelineFields {}

/** Fields to create a pipeline; `displayName` defaults to `name`, `namespace` to `""`. */
export interface PipelineInput {
  id?: string;
  name: string;
  displayName?: string;
  description?: string;
  namespace?: string;
  createdAt?: number;
  tags?: Record<string, string>;
}

/** The mutable fields of a pipeline or pipeline version; unset fields stay as they are. */
export interface PipelinePatch {
  displayName?: string;
  /** Replaces all tags. */
  tags?: Record<string, string>;
}

/** One uploaded version of a pipeline: the compiled IR. */
export interface PipelineVersion extends PipelineVersionFields {}

/** Fields to create a pipeline version. */
export interface PipelineVersionInput {
  id?: string;
  pipelineId: string;
  name: string;
  displayName?: string;
  description?: string;
  createdAt?: number;
  spec: PipelineSpec;
  platformSpec?: PlatformSpec;
  codeSourceUrl?: string;
  tags?: Record<string, string>;
}

/**
 * A compiled pipeline to record under its pipeline (by `pipelineInfo.name`, created when
 * missing) as a version identified by the spec's content digest.
 */
export interface PipelineRegistration {
  spec: PipelineSpec;
  platformSpec?: PlatformSpec;
  namespace?: string;
  /** The new version's name; default `<pipeline name>-<ISO time>`, as an upload without a name. */
  versionName?: string;
  createdAt?: number;
}

/** What {@link PipelineRegistration} found or created. */
export interface RegisteredPipeline {
  pipeline: Pipeline;
  version: PipelineVersion;
  /** Whether a new version was created (false: a version already held this spec). */
  createdVersion: boolean;
}

// ---------------------------------------------------------------- experiments

/** A group of runs. */
export interface Experiment extends ExperimentFields {}

/** Fields to create an experiment; `displayName` defaults to `name`. */
export interface ExperimentInput {
  id?: string;
  name: string;
  displayName?: string;
  description?: string;
  namespace?: string;
  createdAt?: number;
}

// ---------------------------------------------------------------- runs

/** One execution of a pipeline. */
export interface Run extends RunFields {}

/**
 * A run as lists return it: everything but its pipeline and platform specs, which a list
 * neither reads nor parses (a realistic spec is hundreds of KB); get one run for them.
 */
export type RunSummary = Omit<Run, "pipelineSpec" | "platformSpec">;

/**
 * What identifies a run's owner besides its pid and host: a pid is reused (a restarted
 * container's server is PID 1 again), these are not.
 */
export interface RunOwnerIdentity {
  /** A random id the owner process chose when it started. */
  instance: string;
  /** `/proc/sys/kernel/random/boot_id` where the owner ran, when readable. */
  bootId?: string;
  /** The owner's start time (field 22 of `/proc/<pid>/stat`, clock ticks since boot), when readable. */
  startTime?: string;
}

/**
 * Fields to create a run. Without `experimentId` the run goes to the namespace's `Default`
 * experiment; `namespace` defaults to the experiment's; `state` to `PENDING`.
 */
export interface RunInput {
  id?: string;
  experimentId?: string;
  displayName: string;
  description?: string;
  pipelineVersionId?: string;
  pipelineSpec: PipelineSpec;
  platformSpec?: PlatformSpec;
  parameters?: Record<string, JsonValue>;
  pipelineRoot?: string;
  /** KFP's service account; recorded only. */
  serviceAccount?: string;
  state?: RuntimeState;
  createdAt?: number;
  scheduledAt?: number;
  recurringRunId?: string;
  enableCache?: boolean;
  namespace?: string;
  /** User-defined labels; `{}` by default. */
  tags?: Record<string, string>;
  /** The artifacts given for the root's artifact inputs: input name to URI; `{}` by default. */
  inputArtifacts?: Record<string, string>;
}

/** The fields of a run a user may change; unset fields stay as they are. */
export interface RunPatch {
  displayName?: string;
  description?: string;
  /** Replaces all tags. */
  tags?: Record<string, string>;
}

/** Extra fields written together with a state change. */
export interface RunStateExtra {
  /** When the change happened; defaults to now. */
  at?: number;
  /** Set on entering RUNNING if absent; defaults to `at`. */
  startedAt?: number;
  /**
   * Set on entering SUCCEEDED/SKIPPED/FAILED/CANCELED; defaults to `at`. Entering any other
   * state (e.g. RUNNING again on resume) clears it; the history keeps every time.
   */
  finishedAt?: number;
  /** Recorded error; `null` clears it (e.g. on retry). */
  error?: RunError | null;
}

// ---------------------------------------------------------------- tasks

export type { TaskKind } from "./tables/index.ts";

/** One node of a run's execution tree. */
export interface Task extends TaskFields {}

/** Fields to upsert a task, keyed by (runId, path). */
export interface TaskInput {
  runId: string;
  path: string;
  name: string;
  kind: TaskKind;
  parentId?: string;
  displayName?: string;
  componentName?: string;
  iterationIndex?: number;
  state?: TaskState;
  attempt?: number;
  attempts?: TaskAttempt[];
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  error?: TaskError;
  inputs?: TaskInputs;
  outputs?: TaskOutputs;
  cache?: TaskCacheInfo;
  logPath?: string;
  pid?: number;
  resources?: JsonValue;
}

/** A partial task update: `undefined` leaves a field alone, `null` clears an optional field. */
export type TaskPatch = {
  [K in Exclude<keyof Task, "id" | "runId" | "path" | "createdAt" | "updatedAt">]?: Task[K] | null;
};

// ---------------------------------------------------------------- artifacts, events, metrics

/** An output artifact produced by a task. */
export interface Artifact extends ArtifactFields {}

/** Fields to record an artifact. */
export interface ArtifactInput {
  id?: string;
  runId: string;
  taskId: string;
  name: string;
  uri: string;
  schemaTitle: string;
  schemaVersion?: string;
  metadata?: Record<string, JsonValue>;
  digest?: string;
  sizeBytes?: number;
  createdAt?: number;
}

export type { EventType } from "./tables/index.ts";

/** A lineage edge: a task read (`INPUT`) or wrote (`OUTPUT`) an artifact under an input/output name. */
export interface Event extends EventFields {}

/** Fields to record an event. */
export interface EventInput {
  runId: string;
  taskId: string;
  artifactId: string;
  type: EventType;
  name: string;
  createdAt?: number;
}

/** A scalar metric logged by a task. */
export interface Metric extends MetricFields {}

/** Fields to record a metric. */
export interface MetricInput {
  runId: string;
  taskId: string;
  artifactId?: string;
  name: string;
  value: number;
  createdAt?: number;
}

/** A metric that defines a run (see `src/engine/run-metrics.ts`): one value per name. */
export interface RunMetric {
  name: string;
  value: number;
}

/** Fields to record a run metric: the task whose outputs it is. */
export interface RunMetricInput {
  runId: string;
  taskId: string;
  name: string;
  value: number;
}

// ---------------------------------------------------------------- cache

/** A finished task's outputs, remembered under its fingerprint. */
export interface CacheEntry {
  /** Fingerprint hash. */
  key: string;
  componentDigest: string;
  /** Digest of each key part: image, command, args, outputs spec, each input. */
  parts: Record<string, string>;
  taskId: string;
  runId: string;
  outputs: CacheOutputs;
  createdAt: number;
}

/** Fields to put a cache entry; `createdAt` defaults to now. */
export type CacheEntryInput = Omit<CacheEntry, "createdAt"> & { createdAt?: number };

// ---------------------------------------------------------------- recurring runs

export type { RecurringRunMode, RecurringRunStatus } from "./tables/index.ts";

/** A schedule that creates runs. */
export interface RecurringRun extends RecurringRunFields {}

/** Fields to create a recurring run; `status` follows `mode` unless given. */
export interface RecurringRunInput {
  id?: string;
  displayName: string;
  description?: string;
  experimentId?: string;
  pipelineVersionId?: string;
  pipelineSpec?: PipelineSpec;
  parameters?: Record<string, JsonValue>;
  /** Given to every run it starts. */
  pipelineRoot?: string;
  serviceAccount?: string;
  trigger: Trigger;
  maxConcurrency?: number;
  noCatchup?: boolean;
  mode?: RecurringRunMode;
  status?: RecurringRunStatus;
  nextFireAt?: number;
  namespace?: string;
  createdAt?: number;
}

/** A partial recurring run update; `null` clears an optional field. */
export type RecurringRunPatch = {
  [K in Exclude<keyof RecurringRun, "id" | "createdAt" | "updatedAt">]?: RecurringRun[K] | null;
};

// ---------------------------------------------------------------- model registry

export type { ModelDataset, ModelSignature, ModelStage, ModelVersionStatus } from "./tables/index.ts";

/** A registered model: a named series of versions, with tags and aliases. */
export interface RegisteredModel extends RegisteredModelFields {
  /** Tag key to value. */
  tags: Record<string, string>;
  /** Alias name to the version it points at. */
  aliases: Record<string, number>;
}

/** Fields to create a registered model. */
export interface RegisteredModelInput {
  /** 1 to 256 characters, without `/`, `@` or control characters (names are parts of `models:/` URIs). */
  name: string;
  description?: string;
  tags?: Record<string, string>;
  userId?: string;
  createdAt?: number;
}

/** One version of a registered model, with the lineage of the artifact it records. */
export interface ModelVersion extends ModelVersionFields {
  tags: Record<string, string>;
  /** The aliases that point at this version, sorted. */
  aliases: string[];
}

/** Fields to create a model version; the version number is assigned (highest so far + 1). */
export interface ModelVersionInput {
  /** The registered model; it must exist. */
  name: string;
  /** The artifact URI as recorded (`file://...` locally). */
  source?: string;
  description?: string;
  /** `sha256:...` as `digestArtifact` writes it. */
  digest?: string;
  /** `onnx`, `tfjs-layers`, ... */
  format?: string;
  signature?: ModelSignature;
  /** The Weft run id (also the MLflow run id of that pipeline run). */
  runId?: string;
  runLink?: string;
  taskId?: string;
  taskName?: string;
  pipelineVersionId?: string;
  datasets?: ModelDataset[];
  /** A snapshot of the run's metrics. */
  metrics?: Record<string, number>;
  /** Default `PENDING_REGISTRATION`. */
  status?: ModelVersionStatus;
  statusMessage?: string;
  tags?: Record<string, string>;
  userId?: string;
  createdAt?: number;
}

/** The fields `updateVersion` changes; absent fields stay, `null` clears an optional one. */
export interface ModelVersionPatch {
  description?: string;
  status?: ModelVersionStatus;
  statusMessage?: string | null;
  digest?: string | null;
  format?: string | null;
  signature?: ModelSignature | null;
  datasets?: ModelDataset[];
  metrics?: Record<string, number>;
  taskId?: string | null;
  taskName?: string | null;
  pipelineVersionId?: string | null;
}

/**
 * A registry search, as MLflow's `search-registered-models` / `search-model-versions` take
 * it: a filter in MLflow's grammar (comparisons joined by AND), `order_by` entries such as
 * `name ASC` or `last_updated_timestamp DESC`, a page size and the previous page's token.
 */
export interface RegistrySearch {
  filter?: string;
  orderBy?: string[];
  /** Models: 1 to 1000, default 100. Versions: 1 to 200000, default 10000 (MLflow's limits). */
  maxResults?: number;
  pageToken?: string;
}

/** A page of a registry search; `nextPageToken` is absent on the last page. */
export interface RegistryPage<T> {
  items: T[];
  nextPageToken?: string;
}

/** One move of an alias: from a version (null: it was new) to a version (null: it was deleted). */
export interface AliasMove {
  /** Increasing over the store; orders the moves. */
  seq: number;
  name: string;
  alias: string;
  fromVersion: number | null;
  toVersion: number | null;
  movedBy?: string;
  movedAt: number;
}

/** Options of a stage transition. */
export interface StageTransitionOptions {
  /** Move the other versions now in the target stage to Archived (target Staging or Production only). */
  archiveExistingVersions?: boolean;
  userId?: string;
}

// ---------------------------------------------------------------- tracking (MLflow)

export type { LifecycleStage, TrackingRunStatus } from "./tables/index.ts";

/** An MLflow run: a Weft pipeline run, a task that logged, or a run made through `runs/create`. */
export interface TrackingRun extends TrackingRunFields {}

/** Fields to create a tracking run; the id is a new hex UUID unless given. */
export interface TrackingRunInput {
  runId?: string;
  experimentId: string;
  runName?: string;
  startTime?: number;
  userId?: string;
  tags?: TrackingTag[];
}

/** A run update (`runs/update`); `endTime: null` clears it. */
export interface TrackingRunPatch {
  status?: TrackingRun["status"];
  endTime?: number | null;
  runName?: string;
}

/** One logged metric value (NaN allowed, as MLflow allows it). */
export interface TrackingMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/**
 * Metrics as columns, as Weft's binary route decodes them: point `i` has the key
 * `keys[key[i]]`, `value[i]`, `timestamp[i]` and `step[i]`; `count` points in all.
 */
export interface TrackingMetricColumns {
  keys: readonly string[];
  count: number;
  value: Float64Array;
  timestamp: Float64Array;
  step: Float64Array;
  key: Uint32Array;
}

/** A run's param (immutable once logged) or a run's or experiment's tag. */
export interface TrackingParam {
  key: string;
  value: string;
}
/** A run's or experiment's tag. */
export type TrackingTag = TrackingParam;

/** What `runs/log-batch` writes, in one transaction. */
export interface TrackingBatch {
  metrics?: TrackingMetric[];
  params?: TrackingParam[];
  tags?: TrackingTag[];
}

/** A run with its latest metrics, params and tags (`runs/get`). */
export interface TrackingRunDetail {
  info: TrackingRun;
  metrics: TrackingMetric[];
  params: TrackingParam[];
  tags: TrackingTag[];
}

/** Which runs or experiments a search includes (MLflow's `ViewType`). */
export type TrackingViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

/** `runs/search`: experiments, a filter in MLflow's grammar (a subset), order and page. */
export interface TrackingRunSearch {
  experimentIds: string[];
  /** `metrics.k > 0.5 AND params.k = 'v' AND tags.k = 'v' AND attributes.status = 'FINISHED'`. */
  filter?: string;
  /** `metrics.k DESC`, `start_time`, `attributes.run_name ASC`, ... */
  orderBy?: string[];
  viewType?: TrackingViewType;
  maxResults?: number;
  pageToken?: string;
}

/** A page of results; `nextPageToken` is absent on the last page. */
export interface TrackingPage<T> {
  items: T[];
  nextPageToken?: string;
}

/** An MLflow experiment (a Weft experiment) with its tags. */
export interface TrackingExperiment {
  experimentId: string;
  name: string;
  lifecycleStage: TrackingRun["lifecycleStage"];
  creationTime: number;
  lastUpdateTime: number;
  tags: TrackingTag[];
}

/** `experiments/search`: a filter on the name (`name = 'x'`, `name LIKE '%x%'`), view type, page. */
export interface TrackingExperimentSearch {
  filter?: string;
  viewType?: TrackingViewType;
  maxResults?: number;
  pageToken?: string;
}

/** A Weft run's step metrics, one series per tracking run and key, read after a cursor. */
export interface StepMetricSeries {
  /** The tracking run: a task id, or the Weft run id for the run's own metrics. */
  runId: string;
  /** The task that logged them (absent for the Weft run's own). */
  taskId?: string;
  taskName?: string;
  key: string;
  points: Array<{ step: number; value: number; timestamp: number }>;
}

/** A page of a Weft run's step metrics; pass `cursor` as `after` to read only newer points. */
export interface StepMetricsPage {
  series: StepMetricSeries[];
  cursor: number;
  /** True when more points are after `cursor` already (the page was full). */
  more: boolean;
}

// ---------------------------------------------------------------- the store

/** The metadata store: one repository per aggregate over one SQLite database. */
export interface Store {
  readonly home: string;
  /** `<home>/weft.db`. */
  readonly path: string;
  readonly pipelines: PipelineRepository;
  readonly experiments: ExperimentRepository;
  readonly runs: RunRepository;
  readonly tasks: TaskRepository;
  readonly artifacts: ArtifactRepository;
  readonly events: EventRepository;
  readonly metrics: MetricRepository;
  readonly cache: CacheRepository;
  readonly recurringRuns: RecurringRunRepository;
  /** MLflow tracking: runs, metric history, params, tags, experiment tags. */
  readonly tracking: TrackingRepository;
  /** The model registry: registered models, versions, tags, aliases and stages. */
  readonly models: ModelRepository;
  /** Tuning: experiments (keyed by name, with an owner), their trials and intermediate values. */
  readonly tuning: TuningRepository;
  /**
   * Runs `fn` in one write transaction (nested calls become savepoints); returns its result.
   * `fn` must be synchronous: returning a Promise rolls back and throws.
   */
  transaction<T>(fn: () => T): T;
  close(): void;
  /** The raw database handle; for the store module's own tests. */
  readonly db: SqliteDatabase;
}
