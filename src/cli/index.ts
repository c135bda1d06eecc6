/**
 * The `weft` command line: `main` is what `bin/weft.js` calls; `runCli` returns the exit
 * code instead of exiting.
 */

export { resolveHome } from "./context.ts";
export type { CliErrorCode } from "./errors.ts";
export { CliError, ExitCode } from "./errors.ts";
export { buildProgram, exitCodeOf, main, runCli } from "./main.ts";
