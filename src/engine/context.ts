/**
 * The state one run's execution shares across its DAGs: the store, the scheduler, the
 * cancellation signal, event emission and the tasks reused on resume.
 */
import type { ChildProcess } from "node:child_process";
import type { ArtifactStore } from "../artifacts/index.ts";
import type { JsonValue, PipelineSpec, PlatformSpec } from "../ir/index.ts";
import type { Store, Task } from "../store/index.ts";
import type { TaskFailure } from "./errors.ts";
import type { RunMetricPlan } from "./run-metrics.ts";
import type { RunRuntime } from "./runtime-values.ts";
import type { Scheduler } from "./scheduler.ts";
import type { Capacity, EngineEvent, TaskKind, TaskState } from "./types.ts";

/** An artifact as it flows between tasks at run time. */
export interface RuntimeArtifact {
  /** Store id of the artifact record. */
  id: string;
  name: string;
  uri: string;
  schemaTitle: string;
  schemaVersion: string;
  metadata: Record<string, JsonValue>;
  digest?: string;
  /** True when the task wrote no file for it: its content is its metadata (digest over that). */
  metadataOnly?: boolean;
}

/** Parameters and artifacts flowing in or out of a node. */
export interface NodeIO {
  parameters: Record<string, JsonValue>;
  artifacts: Record<string, RuntimeArtifact[]>;
}

/** The outcome of one node (task, DAG, loop). */
export interface NodeResult {
  state: TaskState;
  outputs: NodeIO;
  taskId: string;
  /** Why the node FAILED, was CANCELED or SKIPPED. */
  error?: TaskFailure;
}

/** Options that shape how tasks run. */
export interface RunSettings {
  enableCache: boolean;
  maxStalenessMs?: number;
  taskTimeoutMs?: number;
  killGraceMs: number;
  programRoot: string;
  home: string;
  logsDir: string;
  artifactsDir: string;
  /** Lays out output artifact URIs when given (else `file://<artifactsDir>/<run>/<task>/<output>`). */
  artifactStore?: ArtifactStore;
  /**
   * Fail a task whose resources exceed this machine, or that needs Kubernetes-only data
   * (secrets, config maps, volumes), instead of running it with a note of what was not
   * honoured (the default, as KFP's local runner).
   */
  strictResources?: boolean;
  /**
   * The engine's task service (started on first call, one per engine): its URL and token
   * go into every task's environment as `MLFLOW_TRACKING_URI` and `MLFLOW_TRACKING_TOKEN`.
   */
  taskService?: () => Promise<{ url: string; token: string }>;
}

/** What every node of one run can reach. */
export interface RunContext {
  runId: string;
  runName: string;
  /** The run's experiment (a task's `MLFLOW_EXPERIMENT_ID`). */
  experimentId?: string;
  /** The values of KFP's run-level placeholders (`runtime-values.ts`). */
  runtime: RunRuntime;
  spec: PipelineSpec;
  /** The run's platform settings (`platforms.kubernetes`, `platforms.weft`). */
  platformSpec?: PlatformSpec;
  store: Store;
  scheduler: Scheduler;
  capacity: Capacity;
  settings: RunSettings;
  signal: AbortSignal;
  clock: () => number;
  emit(e: EngineEvent): void;
  /** Tasks of a previous attempt of this run, by path (resume). */
  previous: Map<string, Task>;
  /** Live child processes (killed on cancel). */
  procs: Set<ChildProcess>;
  /** Aborted when the owner is shutting down: no task process starts after that. */
  draining?: AbortSignal;
  /** Which task outputs are the run's metrics, and under which names (`run-metrics.ts`). */
  runMetrics?: RunMetricPlan;
}

/** Where a node sits in the run's tree. */
export interface NodePlace {
  path: string;
  name: string;
  parentId: string | undefined;
  kind: TaskKind;
  componentName: string;
  iterationIndex?: number;
  /** What the node means, recorded as its display name: a condition's expression, a loop's given name. */
  label?: string;
}

/** Emits a task event from a stored task record. */
export function emitTask(ctx: RunContext, t: Task, extra: { error?: TaskFailure; stderrTail?: string[] } = {}): void {
  ctx.emit({
    type: "task",
    runId: ctx.runId,
    taskId: t.id,
    path: t.path,
    name: t.name,
    displayName: t.displayName,
    kind: t.kind,
    state: t.state,
    attempt: t.attempt,
    cached: t.state === "CACHED" || undefined,
    ...(t.startedAt !== undefined ? { startedAt: t.startedAt } : {}),
    ...(t.finishedAt !== undefined ? { finishedAt: t.finishedAt } : {}),
    ...(extra.error !== undefined ? { error: extra.error.message, errorCode: extra.error.code } : {}),
    ...(extra.stderrTail !== undefined ? { stderrTail: extra.stderrTail } : {}),
  });
}

/**
 * Records a node in a terminal state without running it (skipped, canceled, failed
 * early), with the catalogue code that says why.
 */
export function recordFinished(
  ctx: RunContext,
  place: NodePlace,
  state: TaskState,
  opts: { error?: TaskFailure; inputs?: NodeIO } = {},
): NodeResult {
  const now = ctx.clock();
  const t = ctx.store.tasks.upsert({
    runId: ctx.runId,
    path: place.path,
    name: place.name,
    displayName: place.label ?? place.name,
    kind: place.kind,
    componentName: place.componentName,
    ...(place.parentId !== undefined ? { parentId: place.parentId } : {}),
    ...(place.iterationIndex !== undefined ? { iterationIndex: place.iterationIndex } : {}),
    state,
    finishedAt: now,
    ...(opts.error !== undefined ? { error: opts.error } : {}),
    ...(opts.inputs ? { inputs: toTaskInputs(opts.inputs) } : {}),
  });
  emitTask(ctx, t, opts.error !== undefined ? { error: opts.error } : {});
  return { state, outputs: emptyIO(), taskId: t.id, ...(opts.error !== undefined ? { error: opts.error } : {}) };
}

/** An empty {@link NodeIO}. */
export function emptyIO(): NodeIO {
  return { parameters: {}, artifacts: {} };
}

/** The store's form of node inputs: artifact ids per input name. */
export function toTaskInputs(io: NodeIO): {
  parameters: Record<string, JsonValue>;
  artifacts: Record<string, string[]>;
} {
  const artifacts: Record<string, string[]> = {};
  for (const [k, list] of Object.entries(io.artifacts)) artifacts[k] = list.map((a) => a.id);
  return { parameters: io.parameters, artifacts };
}
