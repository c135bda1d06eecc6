/**
 * The exit code for an error that ended a command. Kept apart from `main.ts` because it
 * needs the error classes (and so the IR module), which a successful command, or the help,
 * never loads.
 */
import { CommanderError } from "commander";
import { WeftError } from "../ir/index.ts";
import { ServingError } from "../serving/errors.ts";
import { CliError, ExitCode } from "./errors.ts";

/** Error codes of other modules that mean bad input (exit 2) rather than a failure. */
const USAGE_CODES = new Set([
  "PARAMETER_INVALID",
  "PLAN_INVALID",
  "RUN_NOT_FOUND",
  "RUN_NOT_RESUMABLE",
  "CONFIG_INVALID",
  // weft tune: a bad experiment file or setting, an unknown experiment, or another
  // experiment already recorded under the name; nothing was started
  "TUNING_SPEC_INVALID",
  "TUNING_SPEC_UNSUPPORTED",
  "TUNING_SETTING_INVALID",
  "TUNING_EXPERIMENT_NOT_FOUND",
  "TUNING_EXPERIMENT_CHANGED",
]);

/**
 * Serving error codes that mean bad input to `weft serve` (a missing model or version, a
 * file or repository that cannot be served, a bad setting) rather than a failure
 * (`INTERNAL`, `UNAVAILABLE`).
 */
const SERVING_USAGE_CODES = new Set(["INVALID_ARGUMENT", "NOT_FOUND", "MODEL_INVALID", "PAYLOAD_TOO_LARGE"]);

/** The exit code for an error that ended a command. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : ExitCode.usage;
  if (err instanceof ServingError) return SERVING_USAGE_CODES.has(err.code) ? ExitCode.usage : ExitCode.failed;
  if (err instanceof WeftError) {
    if (USAGE_CODES.has(err.code) || err.code.startsWith("IR_") || err.code.startsWith("COMPILE")) {
      return ExitCode.usage;
    }
    return ExitCode.failed;
  }
  const code: unknown = err instanceof Error ? Reflect.get(err, "code") : undefined;
  if (typeof code === "string" && USAGE_CODES.has(code)) return ExitCode.usage;
  return ExitCode.failed;
}

/** The `error[CODE]` label of an error. */
export function errorCodeOf(err: unknown): string {
  return err instanceof WeftError ? err.code : err instanceof Error ? err.name : "ERROR";
}
