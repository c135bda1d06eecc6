/**
 * Public types of the local execution engine: options, run requests, events and
 * summaries. The CLI and the server depend on these names.
 */
import type { EventEmitter } from "node:events";
import type { RuntimeState, TaskState } from "../ir/index.ts";
import type { JsonValue, PipelinePackage } from "../ir/spec.ts";

/** Run states (KFP's `V2beta1RuntimeState`) and task states, declared in `ir/states.ts`. */
export type { RuntimeState, TaskState };

/** Kinds of task records: one per DAG node the engine creates. */
export type TaskKind = "container" | "importer" | "dag" | "loop" | "iteration" | "condition" | "exit-handler";

/** What the machine offers to tasks. */
export interface Capacity {
  /** CPU in millicores (cores × 1000). */
  cpus: number;
  /** Memory in bytes. */
  memoryBytes: number;
  /** GPU device ids (as `nvidia-smi` lists them). */
  gpus: string[];
}

/** A task's demand on {@link Capacity}. */
export interface ResourceDemand {
  cpus: number;
  memoryBytes: number;
  gpus: number;
}

/** One event emitted while a run executes. */
export type EngineEvent =
  | { type: "run"; runId: string; state: RuntimeState; at: number; error?: string }
  | {
      type: "task";
      runId: string;
      taskId: string;
      path: string;
      name: string;
      displayName: string;
      kind: string;
      state: TaskState;
      attempt: number;
      cached?: boolean;
      startedAt?: number;
      finishedAt?: number;
      error?: string;
      /** The task failure code of `error` (`src/engine/errors.ts`, `TASK_ERRORS`). */
      errorCode?: string;
      stderrTail?: string[];
    }
  | { type: "log"; runId: string; taskId: string; path: string; stream: "stdout" | "stderr"; line: string };

/** Emitter of {@link EngineEvent}s: `events.on("event", (e) => ...)`. */
export type EngineEventEmitter = EventEmitter<{ event: [EngineEvent] }>;

/** The request to start a run. */
export interface StartRunRequest {
  pipeline: PipelinePackage;
  /** Validated against root inputDefinitions before anything is recorded. */
  parameters?: Record<string, JsonValue>;
  experimentName?: string;
  runName?: string;
  description?: string;
  /** Default true; task-level `cachingOptions` still apply. */
  enableCache?: boolean;
  pipelineVersionId?: string;
  recurringRunId?: string;
  /** User-defined labels of the run. */
  tags?: Record<string, string>;
  /** This run's `EngineOptions.strictResources` (not kept: a resumed run uses the engine's). */
  strictResources?: boolean;
  /**
   * Where the run's output artifacts go (`file:///abs/dir` or an absolute path); default
   * `<home>/artifacts`. Object-store roots are refused (`ARTIFACT_ROOT_UNSUPPORTED`).
   */
  pipelineRoot?: string;
  /** KFP's service account, recorded and shown; locally it changes no permission. */
  serviceAccount?: string;
  /**
   * Artifacts for the pipeline's artifact inputs (`root.inputDefinitions.artifacts`): input
   * name to an absolute path or a URI. Checked with the parameters; a required one missing
   * refuses the run.
   */
  inputArtifacts?: Record<string, string>;
}

/** One task in a {@link RunSummary}. */
export interface TaskSummary {
  id: string;
  path: string;
  name: string;
  displayName: string;
  kind: string;
  state: TaskState;
  attempt: number;
  startedAt?: number;
  finishedAt?: number;
  durationMs?: number;
  cached: boolean;
  error?: string;
  /** The task failure code of `error` (`TASK_ERRORS`). */
  errorCode?: string;
  /** What to do about `error`. */
  errorAction?: string;
  stderrTail?: string[];
  cacheExplanation?: string;
  logPath?: string;
}

/** The outcome of a run. */
export interface RunSummary {
  runId: string;
  state: RuntimeState;
  durationMs: number;
  error?: string;
  tasks: TaskSummary[];
  /**
   * `task` is the producing task's path; `label` the path as shown, iterations by item and
   * conditions by expression (`for-loop-2[mlp]/train`).
   */
  metrics: { task: string; label?: string; name: string; value: number }[];
  outputs: {
    parameters: Record<string, JsonValue>;
    artifacts: Record<string, { uri: string; schemaTitle: string }[]>;
  };
  artifactsDir: string;
}

/** A started (or resumed) run. */
export interface RunHandle {
  runId: string;
  events: EngineEventEmitter;
  done: Promise<RunSummary>;
  cancel(): void;
}

/** One task in a {@link PlanResult}. */
export interface PlannedTask {
  path: string;
  name: string;
  kind: TaskKind;
  componentName: string;
  executorLabel?: string;
  image?: string;
  /** The command line after placeholder substitution where inputs are known statically. */
  command?: string[];
  dependsOn: string[];
  condition?: string;
  iterations?: number;
  /** What the task will reserve: its request, lowered to this machine unless strict. */
  demand?: ResourceDemand;
  /** What will not be honoured here (a request above this machine, Kubernetes settings). */
  notes?: string[];
}

/** A dry run: the whole DAG resolved without executing anything. */
export interface PlanResult {
  pipelineName: string;
  parameters: Record<string, JsonValue>;
  tasks: PlannedTask[];
}
