/** Parsing of the task command line the KFP launcher builds. */
import { ExecutorError } from "./errors.ts";
import type { ExecutorInput } from "./types.ts";

/** The two flags of a TypeScript component's container command. */
export interface ExecutorArgs {
  executorInput: ExecutorInput;
  functionToExecute: string;
}

function flagValue(argv: string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === flag) return argv[i + 1];
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
  }
  return undefined;
}

/**
 * Reads `--executor_input <json>` and `--function_to_execute <name>` (or `--flag=value`).
 *
 * @throws ExecutorError `EXECUTOR_ARG_MISSING` naming the flag, or `EXECUTOR_INPUT_MALFORMED`
 *   when the executor input is not a JSON object.
 */
export function parseExecutorArgs(argv: string[]): ExecutorArgs {
  const raw = flagValue(argv, "--executor_input");
  if (raw === undefined || raw.startsWith("--")) {
    throw new ExecutorError(
      "EXECUTOR_ARG_MISSING",
      "--executor_input is missing: the task command must pass --executor_input followed by the executor input placeholder (the ExecutorInput JSON).",
    );
  }
  const functionToExecute = flagValue(argv, "--function_to_execute");
  if (functionToExecute === undefined || functionToExecute === "" || functionToExecute.startsWith("--")) {
    throw new ExecutorError(
      "EXECUTOR_ARG_MISSING",
      "--function_to_execute is missing: the task command must name the component to run, e.g. --function_to_execute preprocess.",
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new ExecutorError(
      "EXECUTOR_INPUT_MALFORMED",
      `--executor_input is not valid JSON (${(cause as Error).message}); pass the ExecutorInput JSON, starting ${JSON.stringify(raw.slice(0, 40))}.`,
      { cause },
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ExecutorError(
      "EXECUTOR_INPUT_MALFORMED",
      "--executor_input must be a JSON object with `inputs` and `outputs` (KFP ExecutorInput).",
    );
  }
  return { executorInput: parsed as ExecutorInput, functionToExecute };
}

/**
 * Component and function names match when they differ only in spelling style
 * (`selectBest`, `select_best`, `select-best`) or a `comp-` prefix.
 */
export function sameFunctionName(a: string, b: string): boolean {
  const norm = (s: string) =>
    s
      .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^comp-/, "");
  return norm(a) === norm(b);
}
