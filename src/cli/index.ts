/**
 * The `weft` command line: `main` is what `bin/weft.js` calls; `runCli` returns the exit
 * code instead of exiting.
 */

export { resolveHome } from "../store/index.ts";
export { COMMANDS, type CommandEntry } from "./command-table.ts";
export type { CliErrorCode } from "./errors.ts";
export { CliError, ExitCode } from "./errors.ts";
export { exitCodeOf } from "./exit-codes.ts";
export { buildFullProgram, buildProgram, main, runCli } from "./main.ts";
