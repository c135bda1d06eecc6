import { Command, CommanderError, Help } from "commander";
import { COMMANDS, commandsFor } from "./command-table.ts";

/** Exit code of bad usage (commander's errors), as `ExitCode.usage` in `errors.ts`. */
const USAGE_EXIT = 2;

function baseProgram(): Command {
  const program = new Command();
  program.name("weft").description("ML pipelines for TypeScript teams, compatible with Kubeflow Pipelines");
  program.option(
    "--host <url>",
    "remote mode: run, runs, experiments and models talk to the Weft server at this URL (default: $WEFT_HOME here; also WEFT_HOST)",
  );
  // global options come before the command, so `weft server --host` keeps its own meaning
  program.enablePositionalOptions();
  program.showHelpAfterError();
  program.exitOverride();
  return program;
}

/**
 * Builds the `weft` program for `argv`: only the command `argv` names is loaded and
 * registered (its module imports what it needs); when none is named (top-level help, an
 * unknown command) every command is listed from the command table without loading any.
 * Commands live in `commands/` and are listed in `command-table.ts`.
 */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = baseProgram();
  const entries = commandsFor(argv);
  if (entries.length > 0) {
    for (const e of entries) (await e.load())(program);
    return program;
  }
  const terms = new Map(COMMANDS.map((c) => [c.name, c.term]));
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? new Help().subcommandTerm(cmd) });
  for (const c of COMMANDS) program.command(c.name).description(c.description);
  return program;
}

/** Builds the `weft` program with every command loaded and registered. */
export async function buildFullProgram(): Promise<Command> {
  const program = baseProgram();
  for (const c of COMMANDS) (await c.load())(program);
  return program;
}

/**
 * Runs the `weft` command line on `argv` and returns its exit code: 0 on success
 * (for `weft run`: only when the run SUCCEEDED), 1 on failure, 2 on bad input, 130
 * when interrupted.
 */
export async function runCli(argv: string[]): Promise<number> {
  ignoreClosedPipe();
  process.exitCode = undefined;
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    // commander printed the message (or the help)
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : USAGE_EXIT;
    const { errorCodeOf, exitCodeOf } = await import("./exit-codes.ts");
    const code = errorCodeOf(err);
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
