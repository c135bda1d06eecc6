import { Command, CommanderError } from "commander";
import { WeftError } from "../ir/index.ts";
import { registerArtifactsCommand } from "./commands/artifacts.ts";
import { registerCompile } from "./commands/compile.ts";
import { registerExperimentsCommand } from "./commands/experiments.ts";
import { registerLineageCommand } from "./commands/lineage.ts";
import { registerRunCommand } from "./commands/run.ts";
import { registerRunsCommand } from "./commands/runs.ts";
import { registerServerCommand } from "./commands/server.ts";
import { registerValidate } from "./commands/validate.ts";
import { CliError, ExitCode } from "./errors.ts";

/** Error codes of other modules that mean bad input (exit 2) rather than a failure. */
const USAGE_CODES = new Set(["PARAMETER_INVALID", "PLAN_INVALID", "RUN_NOT_FOUND", "RUN_NOT_RESUMABLE"]);

/** The exit code for an error that ended a command. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : ExitCode.usage;
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

/** Builds the `weft` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command();
  program.name("weft").description("ML pipelines for TypeScript teams, compatible with Kubeflow Pipelines");
  program.showHelpAfterError();
  program.exitOverride();
  // command registrations (one line each, keep sorted)
  registerArtifactsCommand(program);
  registerCompile(program);
  registerExperimentsCommand(program);
  registerLineageCommand(program);
  registerRunCommand(program);
  registerRunsCommand(program);
  registerServerCommand(program);
  registerValidate(program);
  return program;
}

/**
 * Runs the `weft` command line on `argv` and returns its exit code: 0 on success
 * (for `weft run`: only when the run SUCCEEDED), 1 on failure, 2 on bad input, 130
 * when interrupted.
 */
export async function runCli(argv: string[]): Promise<number> {
  ignoreClosedPipe();
  const program = buildProgram();
  process.exitCode = undefined;
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return exitCodeOf(err); // commander printed the message
    const code = err instanceof WeftError ? err.code : err instanceof Error ? err.name : "ERROR";
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`weft: error[${code}]: ${message}\n`);
    if (process.env.WEFT_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return exitCodeOf(err);
  }
}

let pipeGuarded = false;

/**
 * `weft runs list | head` closes stdout early; further writes must not crash the command
 * (and must never interrupt a run in progress).
 */
function ignoreClosedPipe(): void {
  if (pipeGuarded) return;
  pipeGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
    });
  }
}

/**
 * Entry point of the `weft` command line (`bin/weft.js`). Each command lives in its own
 * file under `commands/` and registers itself on the program. Exits the process with
 * the command's exit code once output is written.
 */
export async function main(argv: string[]): Promise<void> {
  const code = await runCli(argv);
  process.exit(code);
}
