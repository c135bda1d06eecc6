import { WeftError } from "../ir/weft-error.ts";

/**
 * Errors of the `weft` command line. Each carries a stable `code` and the process exit
 * code the command ends with, and its message says what to do.
 */

/** Exit codes of the `weft` command. */
export const ExitCode = {
  /** The run (or command) succeeded. */
  ok: 0,
  /** The run ended in another state than SUCCEEDED, or a command failed at run time. */
  failed: 1,
  /** Bad input: unknown file, bad parameter, unknown run; nothing was started. */
  usage: 2,
  /** Interrupted with Ctrl-C (SIGINT); the run was canceled. */
  interrupted: 130,
} as const;

/** Stable codes of {@link CliError}. */
export type CliErrorCode =
  | "PIPELINE_FILE_NOT_FOUND"
  | "UNSUPPORTED_PIPELINE_FILE"
  | "BAD_PARAMETER_SYNTAX"
  | "BAD_PARAMETER_VALUE"
  | "UNKNOWN_PARAMETER"
  | "MISSING_PARAMETER"
  | "UNKNOWN_ARTIFACT_INPUT"
  | "MISSING_ARTIFACT_INPUT"
  | "ARTIFACT_INPUT_NOT_FOUND"
  | "BAD_OPTION"
  | "RUN_NOT_FOUND"
  | "TASK_NOT_FOUND"
  | "ARTIFACT_NOT_FOUND"
  | "RUN_NOT_RETRYABLE"
  | "RUN_ACTIVE"
  | "EXPERIMENT_NOT_FOUND"
  | "PIPELINE_NOT_FOUND"
  | "OUTPUT_EXISTS"
  | "REMOTE_UNREACHABLE"
  | "REMOTE_REQUEST_FAILED"
  | "TYPECHECK_FAILED"
  | "BAD_MODEL_URI"
  | "MODEL_NOT_FOUND"
  | "MODEL_VERSION_NOT_FOUND"
  | "MODEL_ALIAS_NOT_FOUND"
  | "MODEL_CONTENT_MISSING"
  | "MODEL_DIGEST_MISMATCH"
  | "EXPERIMENT_FILE_NOT_FOUND"
  | "UNSUPPORTED_EXPERIMENT_FILE"
  | "EXPERIMENT_IMPORT_FAILED";

/**
 * An error the CLI reports as one line (`error[CODE]: message`) before exiting with
 * {@link CliError.exitCode}.
 */
export class CliError extends WeftError {
  declare readonly code: CliErrorCode;
  readonly exitCode: number;

  constructor(code: CliErrorCode, message: string, opts: { exitCode?: number; cause?: unknown } = {}) {
    super(code, message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.exitCode = opts.exitCode ?? ExitCode.usage;
  }
}

/** Error raised by `process.exit`-free command actions to end with a given exit code. */
export class ExitRequest extends Error {
  override readonly name = "ExitRequest";
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}
