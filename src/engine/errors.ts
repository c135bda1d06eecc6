/**
 * Errors of the local execution engine. Each has a stable `code`, and its message names
 * the run, task, parameter or field concerned and says what to do.
 */
import { WeftError } from "../ir/weft-error.ts";

/** Stable codes of {@link EngineError}: what the engine throws to its callers. */
export type EngineErrorCode =
  | "PARAMETER_INVALID"
  | "PLAN_INVALID"
  | "RUN_NOT_FOUND"
  | "RUN_NOT_RESUMABLE"
  | "CONDITION_INVALID";

/**
 * Codes a failed or canceled run records in its `error` (besides `PARAMETER_INVALID` for
 * a queued run whose parameters no longer resolve).
 */
export type RunErrorCode = "PARAMETER_INVALID" | "TASK_FAILED" | "CANCELED" | "OWNER_DIED" | "INTERNAL";

/**
 * The one catalogue of task failure codes: every task recorded FAILED, CANCELED or
 * SKIPPED with an `error` carries one of these, with the meaning and the action to take.
 * A DAG, loop or iteration that fails records the error of the first task that failed
 * inside it. `src/engine/README.md` lists the same table.
 */
export const TASK_ERRORS = {
  EXIT_NONZERO: {
    meaning: "the task's process exited with a status other than 0",
    action: "read the task's log (weft runs logs), fix the component or its inputs, then weft runs retry",
  },
  SIGNAL: {
    meaning: "the task's process was killed by a signal it did not get from Weft (out of memory, a kill)",
    action: "check the machine's memory and the task's log, then weft runs retry",
  },
  TIMEOUT: {
    meaning: "the task ran longer than the task timeout and was killed",
    action: "make the task faster or raise WEFT_TASK_TIMEOUT (e.g. 2h), then weft runs retry",
  },
  COMMAND_NOT_FOUND: {
    meaning: "the task's command does not exist on this machine",
    action: "install the command the task's image provides, or run the pipeline where that image's tools exist",
  },
  SPAWN_FAILED: {
    meaning: "the task's process could not be started",
    action: "check the command's permissions and the machine's process limits, then weft runs retry",
  },
  PYTHON_KFP_MISSING: {
    meaning:
      "a KFP lightweight Python component that installs no kfp of its own needs the host's python3 to import kfp",
    action: "pip install kfp, then weft runs retry",
  },
  PYTHON_ENV_FAILED: {
    meaning: "the packages a task's pip install prelude asks for could not be installed into its Python environment",
    action:
      "make the packages reachable (a pip index, PIP_INDEX_URL or PIP_FIND_LINKS, pip.conf), then weft runs retry",
  },
  RESOURCES_UNSATISFIABLE: {
    meaning: "with --strict-resources, the task asks for more CPU, memory or GPUs than this machine has",
    action: "lower the task's resource request, run it on a bigger machine, or run without --strict-resources",
  },
  KUBERNETES_ONLY: {
    meaning:
      "the task needs what only a Kubernetes cluster provides: a volume claim created or deleted, or (with --strict-resources) a secret, config map or volume",
    action: "run the pipeline on a Kubeflow cluster, or provide the data another way to run it here",
  },
  COMMAND_MISSING: {
    meaning:
      "the task's container has no command and no args: it relies on its image's entrypoint, which runs only on a cluster",
    action: "give the component a command that runs on this machine, or run the pipeline on a Kubeflow cluster",
  },
  OUTPUT_MISSING: {
    meaning: "the task succeeded but did not write a declared output parameter or artifact",
    action: "write each output to the path its placeholder gives, then weft runs retry",
  },
  OUTPUT_INVALID: {
    meaning: "an output the task wrote is not of its declared type, or executor_output.json is not JSON",
    action: "write values of the declared types, then weft runs retry",
  },
  PATH_UNSAFE: {
    meaning: "a name, link or URI would put a file outside its root, or a written output is a link or not a file",
    action: "write plain files and directories under the paths the task is given; rename outputs without '/' or '..'",
  },
  INPUT_MISSING: {
    meaning: "an input of the task has no value: not wired, no default, or its producer did not output it",
    action: "wire the input in the pipeline or give the component a default",
  },
  INPUT_INVALID: {
    meaning: "an input value is not of the form the task needs (a loop's items, an importer's URI)",
    action: "pass a JSON list to a loop and a URI string to an importer",
  },
  SPEC_INVALID: {
    meaning:
      "the pipeline cannot run this task: a missing component, executor or importer spec, a bad resource quantity, a dependency cycle",
    action: "fix the pipeline (weft validate names the problem) and run it again",
  },
  CONDITION_INVALID: {
    meaning: "a trigger condition or parameter selector could not be evaluated",
    action: "fix the CEL expression in the pipeline and run it again",
  },
  CACHE_FAILED: {
    meaning: "the cache could not be consulted for the task",
    action: "run again with --no-cache, or check the store (weft.db)",
  },
  UPSTREAM_FAILED: {
    meaning: "skipped: a task it depends on failed, was canceled or was skipped",
    action: "fix the upstream task; weft runs retry runs both",
  },
  CONDITION_FALSE: {
    meaning: "skipped: its trigger condition was false",
    action: "none: this is the pipeline's own choice",
  },
  PARENT_SKIPPED: {
    meaning: "skipped: the condition, sub-pipeline or exit handler it belongs to was skipped",
    action: "none, or see why its parent was skipped",
  },
  CANCELED: {
    meaning: "the run was canceled before or while this task ran",
    action: "weft runs retry runs it again",
  },
  OWNER_STOPPED: {
    meaning: "not started: the process running the run was shutting down",
    action: "none: it runs when the run resumes (the next weft server start or weft runs retry)",
  },
  OWNER_DIED: {
    meaning: "the process running the run ended while this task was unfinished",
    action: "weft runs retry resumes the run, reusing finished tasks",
  },
  INTERNAL: {
    meaning: "the engine failed unexpectedly while running the task",
    action: "report it with the message; weft runs retry may succeed",
  },
} as const satisfies Record<string, { meaning: string; action: string }>;

/** A code of the task failure catalogue, {@link TASK_ERRORS}. */
export type TaskErrorCode = keyof typeof TASK_ERRORS;

/** A task failure as the engine records it: the code, the message and the action to take. */
export type TaskFailure = {
  code: TaskErrorCode;
  message: string;
  action: string;
};

/** A {@link TaskFailure} with the catalogue's action unless another is given. */
export function taskFailure(code: TaskErrorCode, message: string, action?: string): TaskFailure {
  return { code, message, action: action ?? TASK_ERRORS[code].action };
}

/** Codes of errors from other layers that a task failure keeps under a catalogue code. */
const FOREIGN_CODES: Record<string, TaskErrorCode> = {
  PLAN_INVALID: "SPEC_INVALID",
  IR_PLACEHOLDER: "SPEC_INVALID",
  CONDITION_INVALID: "CONDITION_INVALID",
  ARTIFACT_OUTSIDE_STORE: "PATH_UNSAFE",
  ARTIFACT_INVALID_SEGMENT: "PATH_UNSAFE",
  ARTIFACT_NOT_REGULAR: "PATH_UNSAFE",
};

/**
 * The failure a thrown error stands for: a {@link TaskError} keeps its code and action,
 * an engine or artifact error is mapped onto the catalogue, anything else is `fallback`.
 */
export function failureOf(e: unknown, fallback: TaskErrorCode = "INTERNAL", where?: string): TaskFailure {
  const raw = e instanceof Error ? e.message : String(e);
  const message = where !== undefined && !raw.startsWith("task '") ? `task '${where}': ${raw}` : raw;
  if (e instanceof TaskError) return taskFailure(e.code, message, e.action);
  const code = e instanceof WeftError ? FOREIGN_CODES[e.code] : undefined;
  return taskFailure(code ?? fallback, message);
}

/** Base error of the engine module. */
export class EngineError extends WeftError {
  declare readonly code: EngineErrorCode;

  constructor(code: EngineErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(code, message, opts.cause === undefined ? undefined : { cause: opts.cause });
  }
}

/**
 * A run parameter is missing or of the wrong type. Raised before anything is recorded.
 */
export class ParameterError extends EngineError {
  /** The parameter concerned. */
  readonly parameter: string;

  constructor(parameter: string, message: string) {
    super("PARAMETER_INVALID", message);
    this.parameter = parameter;
  }
}

/** The IR cannot be planned: a reference that does not resolve, a missing component. */
export class PlanError extends EngineError {
  /** Path of the task concerned (e.g. `root/for-loop-2/print-text`). */
  readonly task: string;

  constructor(task: string, message: string) {
    super("PLAN_INVALID", `task '${task}': ${message}`);
    this.task = task;
  }
}

/**
 * A task cannot finish: thrown where a task's files, outputs or inputs are handled and
 * recorded as the task's error under a {@link TASK_ERRORS} code.
 */
export class TaskError extends WeftError {
  declare readonly code: TaskErrorCode;
  /** What to do about it (the catalogue's action unless the thrower knows better). */
  readonly action: string;

  constructor(code: TaskErrorCode, message: string, opts: { action?: string; cause?: unknown } = {}) {
    super(code, message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.action = opts.action ?? TASK_ERRORS[code].action;
  }
}
