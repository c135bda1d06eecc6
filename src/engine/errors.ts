/**
 * Errors of the local execution engine. Each has a stable `code`, and its message names
 * the run, task, parameter or field concerned and says what to do.
 */
import { WeftError } from "../ir/index.ts";

/** Stable codes of {@link EngineError}. */
export type EngineErrorCode =
  | "PARAMETER_INVALID"
  | "PLAN_INVALID"
  | "RUN_NOT_FOUND"
  | "RUN_NOT_RESUMABLE"
  | "COMMAND_NOT_FOUND"
  | "KFP_NOT_INSTALLED"
  | "RESOURCES_UNSATISFIABLE"
  | "TASK_FAILED"
  | "TASK_TIMEOUT"
  | "CANCELED"
  | "OWNER_DIED"
  | "CONDITION_INVALID"
  | "OUTPUT_MISSING"
  | "PATH_UNSAFE"
  | "INTERNAL";

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

/** A task failed; the message says why and what to do. */
export class TaskError extends EngineError {
  readonly stderrTail: string[] | undefined;
  readonly exitCode: number | undefined;

  constructor(
    code: EngineErrorCode,
    message: string,
    opts: { stderrTail?: string[]; exitCode?: number; cause?: unknown } = {},
  ) {
    super(code, message, { cause: opts.cause });
    this.stderrTail = opts.stderrTail;
    this.exitCode = opts.exitCode;
  }
}
