/**
 * Parsers of command-line option values, shared by the command modules; this module
 * imports nothing heavy, so registering a command costs nothing before it runs.
 */
import { CliError } from "./errors.ts";

/** Parser for options that take a positive integer; the error names the option. */
export function parsePositiveInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) {
      throw new CliError("BAD_OPTION", `${name} expects a positive integer, got "${value}"`);
    }
    return n;
  };
}

/** Collects a repeatable option (`--param a=1 --param b=2`) into a list. */
export function collectParam(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
