/**
 * The `weft` command line: `main` is what `bin/weft.js` calls; `runCli` returns the exit
 * code instead of exiting.
 */
export { buildProgram, exitCodeOf, main, runCli } from "./main.ts";
export { CliError, ExitCode } from "./errors.ts";
export type { CliErrorCode } from "./errors.ts";
export { resolveHome } from "./context.ts";
