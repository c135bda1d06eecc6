/**
 * The metadata store's domain model: entities, the inputs that create them, list queries,
 * and one repository interface per aggregate. Ids are UUIDs, times are epoch milliseconds,
 * JSON columns come back parsed.
 */
import type Database from "better-sqlite3";
import type { PipelineSpec, PlatformSpec } from "../ir/index.ts";
import type {
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

/** Whether an entity is listed normally or archived. */
export type StorageState = "AVAILABLE" | "ARCHIVED";

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
export interface Pipeline {
  id: string;
  name: string;
  displayName: string;
  description: string;
  namespace: string;
  createdAt: number;
}

/** Fields to create a pipeline; `displayName` defaults to `name`, `namespace` to `""`. */
export interface PipelineInput {
  id?: string;
  name: string;
  displayName?: string;
  description?: string;
  namespace?: string;
  createdAt?: number;
}

/** One uploaded version of a pipeline: the compiled IR. */
export interface PipelineVersion {
  id: string;
  pipelineId: string;
  name: string;
  displayName: string;
  description: string;
  createdAt: number;
  spec: PipelineSpec;
  platformSpec?: PlatformSpec;
  codeSourceUrl?: string;
}

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
}

/** Pipelines and their versions. Names are unique per namespace (pipelines) and per pipeline (versions). */
export interface PipelineRepository {
  create(input: PipelineInput): Pipeline;
  get(id: string): Pipeline | undefined;
  getByName(name: string, namespace?: string): Pipeline | undefined;
  /** Filter/sort fields: id, name, displayName, namespace, createdAt. */
  list(query?: ListQuery): ListResult<Pipeline>;
  /** Throws `IntegrityError` if the pipeline has versions, unless `cascade` is set. */
  delete(id: string, options?: { cascade?: boolean }): void;
  createVersion(input: PipelineVersionInput): PipelineVersion;
  getVersion(id: string): PipelineVersion | undefined;
  getVersionByName(pipelineId: string, name: string): PipelineVersion | undefined;
  /** Filter/sort fields: id, pipelineId, name, displayName, createdAt. */
  listVersions(query?: ListQuery): ListResult<PipelineVersion>;
  /** Runs that used the version keep their own copy of the spec; their `pipelineVersionId` is cleared. */
  deleteVersion(id: string): void;
}

// ---------------------------------------------------------------- experiments

/** A group of runs. */
export interface Experiment {
  id: string;
  name: string;
  displayName: string;
  description: string;
  namespace: string;
  storageState: StorageState;
  createdAt: number;
  lastRunCreatedAt?: number;
}

/** Fields to create an experiment; `displayName` defaults to `name`. */
export interface ExperimentInput {
  id?: string;
  name: string;
  displayName?: string;
  description?: string;
  namespace?: string;
  createdAt?: number;
}

/** Experiments. Names are unique per namespace. */
export interface ExperimentRepository {
  create(input: ExperimentInput): Experiment;
  get(id: string): Experiment | undefined;
  getByName(name: string, namespace?: string): Experiment | undefined;
  /** Safe when several processes race to create the same name. */
  getOrCreateByName(name: string, namespace?: string): Experiment;
  /** The experiment named `Default` in the namespace, created on first use. */
  getDefault(namespace?: string): Experiment;
  /** Filter/sort fields: id, name, displayName, namespace, storageState, createdAt, lastRunCreatedAt. */
  list(query?: ListQuery): ListResult<Experiment>;
  /** Archives the experiment and its runs, and disables its recurring runs (as KFP does). */
  archive(id: string): Experiment;
  /** Restores the experiment only; its runs and recurring runs stay as they are (as KFP does). */
  unarchive(id: string): Experiment;
  /** Throws `IntegrityError` if runs or recurring runs belong to it, unless `cascade` is set. */
  delete(id: string, options?: { cascade?: boolean }): void;
}

// ---------------------------------------------------------------- runs

/** One execution of a pipeline. */
export interface Run {
  id: string;
  experimentId: string;
  displayName: string;
  description: string;
  pipelineVersionId?: string;
  pipelineSpec: PipelineSpec;
  platformSpec?: PlatformSpec;
  parameters: Record<string, JsonValue>;
  pipelineRoot?: string;
  state: RuntimeState;
  stateHistory: RunStateChange[];
  storageState: StorageState;
  createdAt: number;
  scheduledAt: number;
  startedAt?: number;
  finishedAt?: number;
  error?: RunError;
  ownerPid?: number;
  ownerHost?: string;
  heartbeatAt?: number;
  cancelRequested: boolean;
  recurringRunId?: string;
  enableCache: boolean;
  namespace: string;
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
  state?: RuntimeState;
  createdAt?: number;
  scheduledAt?: number;
  recurringRunId?: string;
  enableCache?: boolean;
  namespace?: string;
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

/** Runs, their state history and their owning process. */
export interface RunRepository {
  create(input: RunInput): Run;
  get(id: string): Run | undefined;
  /**
   * Filter/sort fields: id, experimentId, displayName, state, storageState, namespace,
   * pipelineVersionId, recurringRunId, createdAt, scheduledAt, startedAt, finishedAt.
   */
  list(query?: ListQuery): ListResult<Run>;
  /** Sets the state and appends it to `stateHistory` in one statement. Throws `NotFoundError`. */
  updateState(id: string, state: RuntimeState, extra?: RunStateExtra): Run;
  /** Like `updateState`, but only if the current state is one of `from`; returns undefined otherwise. */
  transitionState(id: string, from: RuntimeState[], state: RuntimeState, extra?: RunStateExtra): Run | undefined;
  setOwner(id: string, pid: number, host: string, at?: number): void;
  heartbeat(id: string, at?: number): void;
  clearOwner(id: string): void;
  /** Sets `cancelRequested`; the owning process polls it and cancels. */
  requestCancel(id: string): Run;
  archive(id: string): Run;
  unarchive(id: string): Run;
  /** Deletes the run with its tasks, artifacts, events, metrics and cache entries. */
  delete(id: string): void;
  /**
   * Runs in PENDING/RUNNING/CANCELING whose recorded owner is not alive, plus RUNNING/CANCELING
   * runs with no owner at all.
   */
  findOrphans(isAlive: (pid: number, host: string, heartbeatAt: number | undefined) => boolean): Run[];
}

// ---------------------------------------------------------------- tasks

/** What a task node is. */
export type TaskKind = "container" | "importer" | "dag" | "loop" | "iteration" | "condition" | "exit-handler";

/** One node of a run's execution tree. */
export interface Task {
  id: string;
  runId: string;
  parentId?: string;
  /** Task key in its DAG, e.g. `train`. */
  name: string;
  displayName: string;
  /** Unique per run, e.g. `root/for-loop-2/iteration-1/train`. */
  path: string;
  kind: TaskKind;
  componentName?: string;
  iterationIndex?: number;
  state: TaskState;
  /** 1-based. */
  attempt: number;
  attempts: TaskAttempt[];
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  error?: TaskError;
  inputs: TaskInputs;
  outputs: TaskOutputs;
  cache?: TaskCacheInfo;
  logPath?: string;
  pid?: number;
  resources?: JsonValue;
  createdAt: number;
  updatedAt: number;
}

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

/** The tasks of runs. */
export interface TaskRepository {
  /** Creates the task at (runId, path), or updates the given fields of the existing one. */
  upsert(input: TaskInput): Task;
  get(id: string): Task | undefined;
  getByPath(runId: string, path: string): Task | undefined;
  /** In creation order. */
  listByRun(runId: string): Task[];
  update(id: string, patch: TaskPatch): Task;
  /** Appends one attempt to the history in one statement. */
  appendAttempt(id: string, attempt: TaskAttempt): Task;
  /** Moves every task of the run in one of `states` to `newState`, stamping `finishedAt`. Returns the count. */
  markUnfinishedAs(runId: string, states: TaskState[], newState: TaskState, at?: number): number;
}

// ---------------------------------------------------------------- artifacts, events, metrics

/** An output artifact produced by a task. */
export interface Artifact {
  id: string;
  runId: string;
  taskId: string;
  /** The output key. */
  name: string;
  uri: string;
  schemaTitle: string;
  schemaVersion: string;
  metadata: Record<string, JsonValue>;
  digest?: string;
  sizeBytes?: number;
  createdAt: number;
}

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

/** Artifacts. Several records may share one URI (a cached task reuses its source's outputs). */
export interface ArtifactRepository {
  create(input: ArtifactInput): Artifact;
  get(id: string): Artifact | undefined;
  /** The oldest artifact with this URI (its producer). */
  getByUri(uri: string): Artifact | undefined;
  listByRun(runId: string): Artifact[];
  listByTask(taskId: string): Artifact[];
  /** Replaces the metadata, or merges into it with `{ merge: true }`. */
  updateMetadata(id: string, metadata: Record<string, JsonValue>, options?: { merge?: boolean }): Artifact;
}

/** Whether a task read or wrote an artifact. */
export type EventType = "INPUT" | "OUTPUT";

/** A lineage edge: a task read (`INPUT`) or wrote (`OUTPUT`) an artifact under an input/output name. */
export interface Event {
  id: string;
  runId: string;
  taskId: string;
  artifactId: string;
  type: EventType;
  name: string;
  createdAt: number;
}

/** Fields to record an event. */
export interface EventInput {
  runId: string;
  taskId: string;
  artifactId: string;
  type: EventType;
  name: string;
  createdAt?: number;
}

/** Lineage events. Recording the same (task, artifact, type, name) twice returns the first. */
export interface EventRepository {
  record(input: EventInput): Event;
  listByArtifact(artifactId: string): Event[];
  listByTask(taskId: string): Event[];
  listByRun(runId: string): Event[];
}

/** A scalar metric logged by a task. */
export interface Metric {
  runId: string;
  taskId: string;
  artifactId?: string;
  name: string;
  value: number;
  createdAt: number;
}

/** Fields to record a metric. */
export interface MetricInput {
  runId: string;
  taskId: string;
  artifactId?: string;
  name: string;
  value: number;
  createdAt?: number;
}

/** Scalar metrics. */
export interface MetricRepository {
  /** Records all in one transaction. */
  recordMany(metrics: MetricInput[]): void;
  /** In recording order. */
  listByRun(runId: string): Metric[];
  /** For each run, the latest value of each metric name (by name). Runs without metrics map to `[]`. */
  latestByRunIds(runIds: string[]): Record<string, Metric[]>;
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

/** The execution cache. */
export interface CacheRepository {
  /** Inserts or replaces the entry for `key`. */
  put(entry: CacheEntryInput): CacheEntry;
  /** The entry, unless older than `maxStalenessMs` (measured from `now`, default `Date.now()`). */
  get(key: string, options?: { maxStalenessMs?: number; now?: number }): CacheEntry | undefined;
  /** The newest entry of the same component, to explain a miss. */
  closest(componentDigest: string): CacheEntry | undefined;
  /** Returns whether an entry was deleted. */
  delete(key: string): boolean;
}

// ---------------------------------------------------------------- recurring runs

/** Whether a recurring run fires. */
export type RecurringRunMode = "ENABLE" | "DISABLE";
/** KFP's `RecurringRun.Status`. */
export type RecurringRunStatus = "STATUS_UNSPECIFIED" | "ENABLED" | "DISABLED";

/** A schedule that creates runs. */
export interface RecurringRun {
  id: string;
  displayName: string;
  description: string;
  experimentId: string;
  pipelineVersionId?: string;
  pipelineSpec?: PipelineSpec;
  parameters: Record<string, JsonValue>;
  trigger: Trigger;
  maxConcurrency: number;
  noCatchup: boolean;
  mode: RecurringRunMode;
  status: RecurringRunStatus;
  lastFiredAt?: number;
  nextFireAt?: number;
  namespace: string;
  createdAt: number;
  updatedAt: number;
}

/** Fields to create a recurring run; `status` follows `mode` unless given. */
export interface RecurringRunInput {
  id?: string;
  displayName: string;
  description?: string;
  experimentId?: string;
  pipelineVersionId?: string;
  pipelineSpec?: PipelineSpec;
  parameters?: Record<string, JsonValue>;
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

/** Recurring runs (schedules). */
export interface RecurringRunRepository {
  create(input: RecurringRunInput): RecurringRun;
  get(id: string): RecurringRun | undefined;
  /** Filter/sort fields: id, displayName, experimentId, pipelineVersionId, mode, status, namespace, createdAt, nextFireAt. */
  list(query?: ListQuery): ListResult<RecurringRun>;
  update(id: string, patch: RecurringRunPatch): RecurringRun;
  delete(id: string): void;
  /**
   * Compare-and-set: if the schedule is enabled and its `nextFireAt` is still
   * `expectedNextFireAt` (and not after `now`), records `lastFiredAt = now` and
   * `nextFireAt = newNextFireAt` and returns true. Returns false if another process won.
   */
  claimDue(now: number, id: string, expectedNextFireAt: number | undefined, newNextFireAt: number | undefined): boolean;
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
  /**
   * Runs `fn` in one write transaction (nested calls become savepoints); returns its result.
   * `fn` must be synchronous: returning a Promise rolls back and throws.
   */
  transaction<T>(fn: () => T): T;
  close(): void;
  /** The raw database handle; for the store module's own tests. */
  readonly db: Database.Database;
}
