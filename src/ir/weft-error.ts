/**
 * The base class of every Weft error. A leaf file with no imports, so that modules the web
 * UI and every task bundle load (the SDK, `schedule/`) can derive their errors from it
 * without pulling in the IR schema and zod.
 */

/** Base of all Weft errors: a stable machine-readable `code` plus a human message. */
export class WeftError extends Error {
  /** Stable identifier of the failure, e.g. `IR_YAML_SYNTAX`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
