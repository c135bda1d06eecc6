/**
 * The {@link Engine}: the one entry point the CLI and the server use to start, resume,
 * cancel and plan runs.
 */
import path from "node:path";
import { type ArtifactStore, insideRoot, LocalArtifactStore, pipelineRootDir } from "../artifacts/index.ts";
import {
  assertValidPipeline,
  isRetryableRunState,
  isTerminalRunState,
  type JsonValue,
  type PipelinePackage,
} from "../ir/index.ts";
import { startTaskService, type TaskService } from "../registry/task-service.ts";
import type { Run, Store, Task } from "../store/index.ts";
import { EngineError } from "./errors.ts";
import { resolveRunParameters } from "./params.ts";
import { planPipeline } from "./planner.ts";
import { findOrphanRuns } from "./recovery.ts";
import { defaultMaxParallel, detectCapacity } from "./resources.ts";
import { parseDuration } from "./retry.ts";
import { checkRootArtifacts } from "./root-artifacts.ts";
import { RunExecution } from "./run-execution.ts";
import { Scheduler } from "./scheduler.ts";
import type { Capacity, PlanResult, RunHandle, StartRunRequest } from "./types.ts";

/** Options of an {@link Engine}. */
export interface EngineOptions {
  /** The home directory, resolved by the caller (`resolveHome` in `src/store/home.ts`). */
  home: string;
  /** The metadata store (`openStore(home)`). */
  store: Store;
  /**
   * The artifact store (LocalArtifactStore at `<home>/artifacts`): output artifact URIs
   * are `uriFor(run, task path, output)`. Without one, the engine uses the same layout
   * under `<home>/artifacts` itself.
   */
  artifacts?: ArtifactStore;
  /**
   * Global cap on concurrently running tasks. Default: the smallest of twice the cores,
   * memory / 256 MiB, and (open-file limit - 256) / 8 (`defaultMaxParallel`).
   */
  maxParallel?: number;
  /** Override detected capacity (tests use this). */
  capacity?: Partial<Capacity>;
  /** Where TS task programs are written (default `<cwd>/node_modules/.cache/weft/programs`). */
  programRoot?: string;
  /** Clock in epoch milliseconds (default `Date.now`). */
  clock?: () => number;
  /** Per-attempt timeout in ms (default: env `WEFT_TASK_TIMEOUT` like "10m", else none). */
  taskTimeoutMs?: number;
  /** Cache entries older than this are ignored (default: env `WEFT_CACHE_MAX_STALENESS` like "7d"). */
  cacheMaxStalenessMs?: number;
  /** Grace period between SIGTERM and SIGKILL when killing a task (default 3000 ms). */
  killGraceMs?: number;
  /**
   * Enforce tasks' Kubernetes settings (`weft run --strict-resources`): a task whose CPU,
   * memory or GPU request exceeds this machine fails (`RESOURCES_UNSATISFIABLE`), and so
   * does one that needs a secret, config map or volume (`KUBERNETES_ONLY`). By default,
   * as KFP's local runner, such a task runs: its request is lowered to the machine and
   * its log says what was not honoured. A run's `strictResources` overrides this.
   */
  strictResources?: boolean;
  /**
   * `false`: start no task service, so tasks get no `MLFLOW_TRACKING_URI` (their logging
   * is a no-op). Default: one loopback service per engine, started by the first task.
   */
  taskService?: false;
}

/**
 * The local execution engine.
 *
 * @example
 * const engine = new Engine({ home, store: openStore(home) });
 * const run = engine.startRun({ pipeline: loadPipelineFile("p.yaml") });
 * const summary = await run.done;
 */
export class Engine {
  readonly home: string;
  readonly store: Store;
  readonly capacity: Capacity;
  readonly scheduler: Scheduler;
  private readonly opts: EngineOptions;
  private readonly active = new Map<string, RunExecution>();
  private readonly done = new WeakMap<RunExecution, Promise<unknown>>();
  private taskService: Promise<TaskService> | undefined;

  constructor(opts: EngineOptions) {
    this.opts = opts;
    this.home = path.resolve(opts.home);
    this.store = opts.store;
    this.capacity = detectCapacity(opts.capacity);
    this.scheduler = new Scheduler(this.capacity, opts.maxParallel ?? defaultMaxParallel(this.capacity).value);
  }

  /**
   * Where a run's output artifacts go: its pipeline root when it names a local directory
   * (`file:///abs/dir` or an absolute path), else `<home>/artifacts`; with the store that
   * lays out URIs under it. An object-store root throws `ARTIFACT_ROOT_UNSUPPORTED`.
   */
  private artifactsRootOf(run: Run): { artifactsDir: string; artifactStore?: ArtifactStore } {
    const home = insideRoot(this.home, "artifacts");
    const own = pipelineRootDir(run.pipelineRoot, `run ${run.id}: pipeline root`);
    if (own === undefined || own === home) {
      return { artifactsDir: home, ...(this.opts.artifacts ? { artifactStore: this.opts.artifacts } : {}) };
    }
    return { artifactsDir: own, artifactStore: new LocalArtifactStore(own) };
  }

  private settings(run: Run, strictResources = this.opts.strictResources === true) {
    const envTimeout = process.env.WEFT_TASK_TIMEOUT;
    const envStale = process.env.WEFT_CACHE_MAX_STALENESS;
    const taskTimeoutMs =
      this.opts.taskTimeoutMs ?? (envTimeout ? parseDuration(envTimeout, "WEFT_TASK_TIMEOUT") : undefined);
    const maxStalenessMs =
      this.opts.cacheMaxStalenessMs ?? (envStale ? parseDuration(envStale, "WEFT_CACHE_MAX_STALENESS") : undefined);
    return {
      enableCache: run.enableCache,
      strictResources,
      killGraceMs: this.opts.killGraceMs ?? 3000,
      programRoot: this.opts.programRoot ?? path.join(process.cwd(), "node_modules", ".cache", "weft", "programs"),
      home: this.home,
      logsDir: insideRoot(this.home, "logs"),
      ...this.artifactsRootOf(run),
      ...(this.opts.taskService === false ? {} : { taskService: () => this.startTaskService() }),
      ...(taskTimeoutMs !== undefined ? { taskTimeoutMs } : {}),
      ...(maxStalenessMs !== undefined ? { maxStalenessMs } : {}),
    };
  }

  /**
   * Validates the pipeline (throws `IrValidationError` naming each IR path), the
   * parameters and the artifacts given for its artifact inputs (throws `ParameterError`)
   * before anything is recorded, records the run as
   * PENDING, then executes it in this process.
   */
  startRun(req: StartRunRequest): RunHandle {
    const spec = req.pipeline.pipelineSpec;
    assertValidPipeline(req.pipeline, { file: `pipeline '${spec.pipelineInfo.name}'` });
    const parameters = resolveRunParameters(spec, req.parameters);
    // an object-store or relative root is refused before anything is recorded
    pipelineRootDir(req.pipelineRoot, "pipeline root");
    const inputArtifacts = checkRootArtifacts(spec, req.inputArtifacts);
    const clock = this.opts.clock ?? Date.now;
    const experiment = req.experimentName
      ? this.store.experiments.getOrCreateByName(req.experimentName)
      : this.store.experiments.getDefault();
    const now = clock();
    const run = this.store.runs.create({
      experimentId: experiment.id,
      displayName: req.runName ?? `${spec.pipelineInfo.name} ${new Date(now).toISOString()}`,
      description: req.description ?? "",
      pipelineSpec: spec,
      ...(req.pipeline.platformSpec ? { platformSpec: req.pipeline.platformSpec } : {}),
      parameters,
      // recorded only when given: without one the run follows the home, wherever it is
      ...(req.pipelineRoot ? { pipelineRoot: req.pipelineRoot } : {}),
      ...(req.serviceAccount ? { serviceAccount: req.serviceAccount } : {}),
      enableCache: req.enableCache ?? true,
      createdAt: now,
      scheduledAt: now,
      ...(req.pipelineVersionId ? { pipelineVersionId: req.pipelineVersionId } : {}),
      ...(req.recurringRunId ? { recurringRunId: req.recurringRunId } : {}),
      ...(req.tags ? { tags: req.tags } : {}),
      inputArtifacts,
    });
    return this.launch(run.id, new Map(), parameters, req.strictResources);
  }

  /**
   * `weft runs retry`: resumes a FAILED or CANCELED run (including one whose owner
   * died), reusing its SUCCEEDED and CACHED tasks and running the rest again. Also
   * executes a PENDING run recorded by someone else (the server's queue), after
   * checking its parameters (a bad one marks the run FAILED and throws `ParameterError`).
   */
  resumeRun(runId: string): RunHandle {
    this.recoverOrphans();
    const run = this.store.runs.get(runId);
    if (!run) throw new EngineError("RUN_NOT_FOUND", `run '${runId}' does not exist; list runs with 'weft runs list'`);
    const queued = run.state === "PENDING" && run.ownerPid === undefined;
    if (this.active.has(runId) || !(queued || isRetryableRunState(run.state))) {
      throw new EngineError(
        "RUN_NOT_RESUMABLE",
        `run '${runId}' is ${run.state}; only FAILED or CANCELED runs can be retried`,
      );
    }
    let parameters: Record<string, JsonValue>;
    try {
      parameters = resolveRunParameters(run.pipelineSpec, run.parameters);
      // the given artifacts must still be there (and every required one given) before any task runs
      checkRootArtifacts(run.pipelineSpec, run.inputArtifacts);
    } catch (e) {
      if (queued) {
        this.store.runs.updateState(runId, "FAILED", {
          error: {
            code: "PARAMETER_INVALID",
            message: (e as Error).message,
            action: "start a new run with valid parameters",
          },
        });
      }
      throw e;
    }
    const previous = new Map(this.store.tasks.listByRun(runId).map((t) => [t.path, t]));
    return this.launch(runId, previous, parameters);
  }

  private launch(
    runId: string,
    previous: Map<string, Task>,
    parameters: Record<string, JsonValue>,
    strictResources?: boolean,
  ): RunHandle {
    const run = this.store.runs.get(runId);
    if (!run) throw new EngineError("RUN_NOT_FOUND", `run '${runId}' does not exist`);
    const exec = new RunExecution({
      run,
      store: this.store,
      scheduler: this.scheduler,
      capacity: this.capacity,
      settings: this.settings(run, strictResources),
      clock: this.opts.clock ?? Date.now,
      previous,
      parameters,
    });
    this.active.set(runId, exec);
    const done = exec.start().finally(() => this.active.delete(runId));
    this.done.set(exec, done);
    return { runId, events: exec.events, done, cancel: () => exec.cancel() };
  }

  /**
   * Cancels a run. In this process it kills the run's process trees and records
   * CANCELED; for a run owned by another process it sets `cancelRequested`, which the
   * owner polls.
   */
  cancelRun(runId: string): void {
    const exec = this.active.get(runId);
    if (exec) {
      exec.cancel();
      return;
    }
    const run = this.store.runs.get(runId);
    if (!run) throw new EngineError("RUN_NOT_FOUND", `run '${runId}' does not exist`);
    if (isTerminalRunState(run.state)) return;
    if (run.state === "PENDING" && run.ownerPid === undefined) {
      // queued (or handed over by a stopped server): nothing executes it, so it ends here
      const now = (this.opts.clock ?? Date.now)();
      this.store.runs.transitionState(runId, ["PENDING"], "CANCELED", {
        at: now,
        finishedAt: now,
        error: { code: "CANCELED", message: "canceled before it started", action: "weft runs retry runs it" },
      });
      if (this.store.runs.get(runId)?.state === "CANCELED") return;
    }
    this.store.runs.requestCancel(runId);
    this.recoverOrphans();
  }

  /**
   * Dry run: resolves the whole DAG statically; throws `PlanError` naming the task. A
   * resource request is planned as it will run: lowered to this machine, or (with
   * `strictResources`) a `PlanError` when it exceeds it.
   */
  plan(pipeline: PipelinePackage, parameters?: Record<string, JsonValue>): PlanResult {
    return planPipeline(pipeline, parameters, this.capacity, this.opts.strictResources === true);
  }

  /**
   * Graceful shutdown: every run executing here stops starting tasks at once; running
   * tasks get what is left of `graceMs` (less the kill grace and a margin) to finish and
   * be recorded, the rest are killed. Runs that did not finish are recorded PENDING
   * without an owner, so that the next `weft server` start resumes them; finished tasks
   * are reused. Resolves when every run has been recorded, or after `graceMs`.
   */
  async shutdown(graceMs = 10_000): Promise<void> {
    const killGraceMs = this.opts.killGraceMs ?? 3000;
    const waitMs = Math.max(0, graceMs - killGraceMs - 2500);
    const runs = [...this.active.values()];
    const done = Promise.allSettled(runs.map((r) => r.handOver(waitMs).then(() => this.done.get(r))));
    await Promise.race([done, new Promise((r) => setTimeout(r, graceMs).unref())]);
    await this.close();
  }

  /**
   * The task service, started on first need: a loopback server for this engine's tasks
   * (MLflow tracking and registry calls through `MLFLOW_TRACKING_URI`). A failed start is
   * tried again by the next task.
   */
  private startTaskService(): Promise<TaskService> {
    if (this.taskService === undefined) {
      const starting = startTaskService(this.store);
      this.taskService = starting;
      starting.catch(() => {
        if (this.taskService === starting) this.taskService = undefined;
      });
    }
    return this.taskService;
  }

  /**
   * Closes what the engine started besides runs: the task service. Runs still executing
   * here lose tracking (their logging is reported on stderr, never failing them); call
   * after their `done` or {@link shutdown}.
   */
  async close(): Promise<void> {
    const service = this.taskService;
    this.taskService = undefined;
    await (await service?.catch(() => undefined))?.close();
  }

  /** Marks runs whose owner process is dead as FAILED (OWNER_DIED); returns their ids. */
  recoverOrphans(): string[] {
    return findOrphanRuns(this.store, this.opts.clock ?? Date.now, new Set(this.active.keys()));
  }
}
