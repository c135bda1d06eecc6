/**
 * One repository interface per aggregate of the metadata store. The entity types they
 * read and write are in `types.ts`.
 */
import type {
  AliasMove,
  Artifact,
  ArtifactInput,
  CacheEntry,
  CacheEntryInput,
  Event,
  EventInput,
  Experiment,
  ExperimentInput,
  JsonValue,
  ListQuery,
  ListResult,
  Metric,
  MetricInput,
  ModelVersion,
  ModelVersionInput,
  ModelVersionPatch,
  Pipeline,
  PipelineInput,
  PipelinePatch,
  PipelineRegistration,
  PipelineVersion,
  PipelineVersionInput,
  RecurringRun,
  RecurringRunInput,
  RecurringRunPatch,
  RegisteredModel,
  RegisteredModelInput,
  RegisteredPipeline,
  RegistryPage,
  RegistrySearch,
  Run,
  RunInput,
  RunMetric,
  RunMetricInput,
  RunOwnerIdentity,
  RunPatch,
  RunStateExtra,
  RunSummary,
  RuntimeState,
  StageTransitionOptions,
  StepMetricsPage,
  Task,
  TaskAttempt,
  TaskError,
  TaskInput,
  TaskPatch,
  TaskState,
  TrackingBatch,
  TrackingExperiment,
  TrackingExperimentSearch,
  TrackingMetric,
  TrackingMetricColumns,
  TrackingPage,
  TrackingParam,
  TrackingRun,
  TrackingRunDetail,
  TrackingRunInput,
  TrackingRunPatch,
  TrackingRunSearch,
  TrackingTag,
  TuningExperiment,
  TuningExperimentInput,
  TuningFinish,
  TuningObservation,
  TuningObservationInput,
  TuningOwner,
  TuningTrial,
  TuningTrialInput,
  TuningTrialPatch,
} from "./types.ts";

/** Pipelines and their versions. Names are unique per namespace (pipelines) and per pipeline (versions). */
export interface PipelineRepository {
  create(input: PipelineInput): Pipeline;
  get(id: string): Pipeline | undefined;
  getByName(name: string, namespace?: string): Pipeline | undefined;
  /** Filter/sort fields: id, name, displayName, namespace, createdAt. */
  list(query?: ListQuery): ListResult<Pipeline>;
  /** Throws `IntegrityError` if the pipeline has versions, unless `cascade` is set. */
  delete(id: string, options?: { cascade?: boolean }): void;
  /** Changes the display name and/or replaces the tags. Throws `NotFoundError`. */
  update(id: string, patch: PipelinePatch): Pipeline;
  createVersion(input: PipelineVersionInput): PipelineVersion;
  getVersion(id: string): PipelineVersion | undefined;
  getVersionByName(pipelineId: string, name: string): PipelineVersion | undefined;
  /** Filter/sort fields: id, pipelineId, name, displayName, createdAt. */
  listVersions(query?: ListQuery): ListResult<PipelineVersion>;
  /** Changes the display name and/or replaces the tags. Throws `NotFoundError`. */
  updateVersion(id: string, patch: PipelinePatch): PipelineVersion;
  /** Runs that used the version keep the spec (stored once, shared); their `pipelineVersionId` is cleared. */
  deleteVersion(id: string): void;
  /**
   * Finds or creates the pipeline named by the spec's `pipelineInfo.name` and the version
   * whose spec has the same content digest; a spec no version holds becomes a new version.
   * One transaction, so two processes registering the same spec get one version.
   */
  register(input: PipelineRegistration): RegisteredPipeline;
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

/** Runs, their state history and their owning process. */
export interface RunRepository {
  create(input: RunInput): Run;
  get(id: string): Run | undefined;
  /**
   * Filter/sort fields: id, experimentId, displayName, state, storageState, namespace,
   * pipelineVersionId, recurringRunId, createdAt, scheduledAt, startedAt, finishedAt, and
   * `tags.KEY` (one tag's value; absent reads as NULL).
   */
  list(query?: ListQuery): ListResult<Run>;
  /** The same list without the specs: no spec is read or parsed (what API lists and `weft runs list` show). */
  listSummaries(query?: ListQuery): ListResult<RunSummary>;
  /** Sets the state and appends it to `stateHistory` in one statement. Throws `NotFoundError`. */
  updateState(id: string, state: RuntimeState, extra?: RunStateExtra): Run;
  /** Like `updateState`, but only if the current state is one of `from`; returns undefined otherwise. */
  transitionState(
    id: string,
    from: readonly RuntimeState[],
    state: RuntimeState,
    extra?: RunStateExtra,
  ): Run | undefined;
  /**
   * Records the owner (pid, host, heartbeat at `at`) and, when given, its identity beyond
   * the pid; clears `cancelRequested` (it belonged to an earlier execution).
   */
  setOwner(id: string, pid: number, host: string, at?: number, identity?: RunOwnerIdentity): void;
  /**
   * Writes the owner's heartbeat. With `instance`, only while the run is still claimed by
   * that owner instance; returns whether the heartbeat was written.
   */
  heartbeat(id: string, at?: number, instance?: string): boolean;
  clearOwner(id: string): void;
  /** Sets `cancelRequested`; the owning process polls it and cancels. */
  requestCancel(id: string): Run;
  archive(id: string): Run;
  unarchive(id: string): Run;
  /** Changes the display name, the description and/or replaces the tags. Throws `NotFoundError`. */
  update(id: string, patch: RunPatch): Run;
  /** Deletes the run with its tasks, artifacts, events, metrics and cache entries. */
  delete(id: string): void;
  /**
   * Active runs (`ACTIVE_RUN_STATES`: PENDING, RUNNING, CANCELING; Weft never records PAUSED)
   * whose recorded owner is not alive, plus active runs other than PENDING with no owner at all.
   */
  findOrphans(
    isAlive: (pid: number, host: string, heartbeatAt: number | undefined, run: RunSummary) => boolean,
  ): RunSummary[];
}

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
  /**
   * Moves every task of the run in one of `states` to `newState`, stamping `finishedAt`
   * and, when given, `error` (why: a task failure code, message and action). Returns the count.
   */
  markUnfinishedAs(
    runId: string,
    states: readonly TaskState[],
    newState: TaskState,
    at?: number,
    error?: TaskError,
  ): number;
}

/** Artifacts. Several records may share one URI (a cached task reuses its source's outputs). */
export interface ArtifactRepository {
  create(input: ArtifactInput): Artifact;
  get(id: string): Artifact | undefined;
  /** The oldest artifact with this URI (its producer). */
  getByUri(uri: string): Artifact | undefined;
  listByRun(runId: string): Artifact[];
  listByTask(taskId: string): Artifact[];
  /** A page of artifacts, newest first by default; filters and sorts on id, runId, taskId, name, uri, schemaTitle, sizeBytes, createdAt. */
  list(query?: ListQuery): ListResult<Artifact>;
  /**
   * Artifacts whose id or uri is `text`, whose id starts with it, or whose name (any case)
   * or uri contains it: exact matches first, then newest first; at most `limit` (default 50).
   */
  search(text: string, limit?: number): Artifact[];
  /** Replaces the metadata, or merges into it with `{ merge: true }`. */
  updateMetadata(id: string, metadata: Record<string, JsonValue>, options?: { merge?: boolean }): Artifact;
}

/** Lineage events. Recording the same (task, artifact, type, name) twice returns the first. */
export interface EventRepository {
  record(input: EventInput): Event;
  listByArtifact(artifactId: string): Event[];
  listByTask(taskId: string): Event[];
  listByRun(runId: string): Event[];
}

/** Scalar metrics. */
export interface MetricRepository {
  /**
   * Records all in one transaction, with the run metrics they make (a run metric replaces
   * an earlier value of the same name: a retried or resumed task's).
   */
  recordMany(metrics: MetricInput[], runMetrics?: RunMetricInput[]): void;
  /** In recording order. */
  listByRun(runId: string): Metric[];
  /** For each run, its run metrics by name. Runs without any map to `[]`. */
  runMetricsOf(runIds: string[]): Record<string, RunMetric[]>;
}

/** The execution cache. */
export interface CacheRepository {
  /** Inserts or replaces the entry for `key`. */
  put(entry: CacheEntryInput): CacheEntry;
  /** The entry, unless older than `maxStalenessMs` (measured from `now`, default `Date.now()`). */
  get(key: string, options?: { maxStalenessMs?: number; now?: number }): CacheEntry | undefined;
  /** The newest entry of the same component, to explain a miss. */
  closest(componentDigest: string): CacheEntry | undefined;
  /** The newest `limit` entries of the same component, newest first. */
  recent(componentDigest: string, limit: number): CacheEntry[];
  /** Returns whether an entry was deleted. */
  delete(key: string): boolean;
}

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

/**
 * The model registry (MLflow's model registry semantics). Every write is one transaction.
 * Errors: `NotFoundError` for a missing model, version or alias, `AlreadyExistsError` for
 * a duplicate model name, `InvalidInputError` for a bad name, alias, stage or field, and
 * `InvalidQueryError` for a bad filter, `order_by` or page token; each message names the
 * model, version or alias and says what to do.
 */
export interface ModelRepository {
  /** Throws `AlreadyExistsError` when a model has the name. */
  createModel(input: RegisteredModelInput): RegisteredModel;
  getModel(name: string): RegisteredModel | undefined;
  /** Renames the model; its versions, tags, aliases and alias history follow. */
  renameModel(name: string, newName: string): RegisteredModel;
  updateModel(name: string, patch: { description?: string }): RegisteredModel;
  /** Deletes the model with its versions, tags, aliases and alias history. */
  deleteModel(name: string): void;
  setModelTag(name: string, key: string, value: string): void;
  /** Throws `NotFoundError` when the model does not exist; a tag that is not set is no error (as in MLflow). */
  deleteModelTag(name: string, key: string): void;
  /** Filter on `name` and `tags.KEY`; order by name, creation_timestamp, last_updated_timestamp (default name ASC). */
  searchModels(query?: RegistrySearch): RegistryPage<RegisteredModel>;

  /** Assigns the next version number in the same transaction; status defaults to PENDING_REGISTRATION. */
  createVersion(input: ModelVersionInput): ModelVersion;
  getVersion(name: string, version: number): ModelVersion | undefined;
  updateVersion(name: string, version: number, patch: ModelVersionPatch): ModelVersion;
  /** Deletes the version, its tags and the aliases that point at it (their history stays). */
  deleteVersion(name: string, version: number): void;
  setVersionTag(name: string, version: number, key: string, value: string): void;
  /** Throws `NotFoundError` when the version does not exist; a tag that is not set is no error (as in MLflow). */
  deleteVersionTag(name: string, version: number, key: string): void;
  /**
   * Filter on `name`, `version_number`, `run_id` (`IN` too), `source_path` and `tags.KEY`;
   * order by name, version_number, creation_timestamp, last_updated_timestamp
   * (default name ASC, version_number DESC).
   */
  searchVersions(query?: RegistrySearch): RegistryPage<ModelVersion>;
  /** MLflow's get-latest-versions: the highest version in each stage (all stages by default), in stage order. */
  latestVersions(name: string, stages?: readonly string[]): ModelVersion[];
  /**
   * Moves the version to `stage` (any case of None, Staging, Production, Archived). With
   * `archiveExistingVersions` (Staging or Production only) the other versions in that stage go to Archived.
   */
  transitionStage(name: string, version: number, stage: string, options?: StageTransitionOptions): ModelVersion;

  /** Points the alias at the version and records the move, in one transaction. */
  setAlias(name: string, alias: string, version: number, movedBy?: string): void;
  /** Removes the alias (nothing to do when it is not set) and records the move. */
  deleteAlias(name: string, alias: string, movedBy?: string): void;
  /** The version the alias points at; throws `NotFoundError` when the alias is not set. */
  getByAlias(name: string, alias: string): ModelVersion;
  /** The moves of one alias, or of all the model's aliases, oldest first. */
  aliasHistory(name: string, alias?: string): AliasMove[];
  /** The versions recorded from a run, by model name then version. */
  versionsOfRun(runId: string): ModelVersion[];
}

/**
 * MLflow tracking over the store: runs, metric history and latest values, params, tags and
 * experiment tags. Writes to an unknown run throw `NotFoundError`; changing a logged param
 * throws `InvalidInputError`; a bad filter or page token throws `InvalidQueryError`.
 */
export interface TrackingRepository {
  createRun(input: TrackingRunInput): TrackingRun;
  getRun(runId: string): TrackingRun | undefined;
  /** The run with its latest metric per key, params and tags; undefined when it does not exist. */
  getRunDetail(runId: string): TrackingRunDetail | undefined;
  updateRun(runId: string, patch: TrackingRunPatch): TrackingRun;
  /** Marks the run deleted (lifecycle stage), or active again. */
  deleteRun(runId: string): void;
  restoreRun(runId: string): void;
  searchRuns(search: TrackingRunSearch): TrackingPage<TrackingRunDetail>;
  /** Metrics, params and tags in one transaction: all of them are written or none. */
  logBatch(runId: string, batch: TrackingBatch): void;
  /**
   * Metrics given as columns (no object per point), in one transaction: what `logBatch`
   * does with `metrics` alone. Each key's points become one chunk.
   */
  logMetricColumns(runId: string, columns: TrackingMetricColumns): void;
  deleteTag(runId: string, key: string): void;
  /** One key's history, ordered by step, timestamp and arrival. */
  metricHistory(
    runId: string,
    key: string,
    page?: { maxResults?: number; pageToken?: string },
  ): TrackingPage<TrackingMetric>;
  latestMetrics(runId: string): TrackingMetric[];
  params(runId: string): TrackingParam[];
  tags(runId: string): TrackingTag[];
  /**
   * Makes sure the run that a task or Weft run logs to exists: for a Weft task id, the
   * task's run (id = task id) under its Weft run's run (id = the Weft run id); for a Weft
   * run id, that run. Returns false when `runId` is neither (nor an existing tracking run).
   */
  ensureWeftRun(runId: string): boolean;
  /** Every step metric of a Weft run's tracking runs with a sequence number after `after`. */
  stepMetrics(weftRunId: string, after?: number, limit?: number): StepMetricsPage;
  getExperiment(experimentId: string): TrackingExperiment | undefined;
  getExperimentByName(name: string): TrackingExperiment | undefined;
  searchExperiments(search: TrackingExperimentSearch): TrackingPage<TrackingExperiment>;
  setExperimentTag(experimentId: string, key: string, value: string): void;
  /** Renames an experiment (`experiments/update`); the new name must be free. */
  renameExperiment(experimentId: string, newName: string): void;
}

/** Tuning experiments, their trials and intermediate values (migration 14). */
export interface TuningRepository {
  /** Creates a RUNNING experiment without an owner; the name is unique (`AlreadyExistsError`). */
  createExperiment(input: TuningExperimentInput): TuningExperiment;
  getExperiment(id: string): TuningExperiment | undefined;
  getExperimentByName(name: string): TuningExperiment | undefined;
  /**
   * Filter/sort fields: id, name, algorithm, state, createdAt, finishedAt; newest first by
   * default. Pages with `nextPageToken` as other lists do.
   */
  listExperiments(query?: ListQuery): ListResult<TuningExperiment>;
  /**
   * Makes `owner` the experiment's owner and its state RUNNING (reason, message and
   * finish time cleared), but only while the recorded owner instance is still
   * `expectedInstance` (`null`: no owner): of two processes resuming the same dead owner's
   * experiment, one wins. Returns whether the claim was written.
   */
  claimExperiment(id: string, owner: TuningOwner, expectedInstance: string | null, at?: number): boolean;
  /** Writes the heartbeat while `instance` owns the experiment; returns whether it did. */
  heartbeatExperiment(id: string, instance: string, at?: number): boolean;
  /** Ends the experiment: state, reason, message, best trial, finish time; the owner is cleared. */
  finishExperiment(id: string, finish: TuningFinish): TuningExperiment;
  /** Records the best trial's number while the experiment runs. */
  setBestTrial(id: string, bestTrial: number | null): void;
  /** Deletes the experiment with its trials and observations. Throws `NotFoundError`. */
  deleteExperiment(id: string): void;
  /** Creates a trial; its number is unique in the experiment (`AlreadyExistsError`). */
  createTrial(input: TuningTrialInput): TuningTrial;
  getTrial(experimentId: string, number: number): TuningTrial | undefined;
  /** Changes a trial's state and results. Throws `NotFoundError`. */
  updateTrial(experimentId: string, number: number, patch: TuningTrialPatch): TuningTrial;
  /** Every trial of the experiment, by number. */
  listTrials(experimentId: string): TuningTrial[];
  /** How many trials are in each state (states without trials are absent). */
  countTrials(experimentId: string): Partial<Record<TuningTrial["state"], number>>;
  /** Appends intermediate values of a trial, in one transaction, in the order given. */
  appendObservations(experimentId: string, number: number, points: readonly TuningObservationInput[]): void;
  /** Deletes a trial's intermediate values (a trial run again after its owner died). */
  clearObservations(experimentId: string, number: number): void;
  /** A trial's intermediate values in arrival order, of one metric when given. */
  listObservations(experimentId: string, number: number, metric?: string): TuningObservation[];
}
