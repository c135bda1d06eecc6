/** Stable codes of errors raised inside a task process. */
export type ExecutorErrorCode =
  | "EXECUTOR_ARG_MISSING"
  | "EXECUTOR_INPUT_MALFORMED"
  | "EXECUTOR_FUNCTION_MISMATCH"
  | "EXECUTOR_INPUT_MISSING"
  | "EXECUTOR_INPUT_TYPE"
  | "EXECUTOR_OUTPUT_MISSING"
  | "EXECUTOR_OUTPUT_TYPE"
  | "EXECUTOR_OUTPUT_PATH"
  | "EXECUTOR_METRICS_INVALID";

/**
 * An error of the executor contract. The executor has no dependencies (it is bundled into
 * every task), so this class is the module's own base with the same shape as the
 * project's other module errors: a stable `code`, a message that says what to do, `cause`.
 */
export class ExecutorError extends Error {
  /** Stable machine-readable code. */
  readonly code: ExecutorErrorCode;

  constructor(code: ExecutorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ExecutorError";
    this.code = code;
  }
}
