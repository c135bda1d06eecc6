/**
 * Errors raised by the IR module. Every error has a stable `code` that callers and tests
 * can match on, and a message that names the file and the IR path and says what to do.
 */

import { WeftError } from "./weft-error.ts";

export { WeftError };

/** Codes used by {@link IrError}. */
export type IrErrorCode =
  | "IR_READ_FAILED"
  | "IR_EMPTY"
  | "IR_YAML_SYNTAX"
  | "IR_DUPLICATE_KEY"
  | "IR_TOO_MANY_DOCUMENTS"
  | "IR_NOT_AN_OBJECT"
  | "IR_SCHEMA"
  | "IR_INVALID_PIPELINE"
  | "IR_PLACEHOLDER"
  | "IR_PARAMETER_VALUE";

/** Any failure while reading, parsing, validating or resolving pipeline IR. */
export class IrError extends WeftError {
  declare readonly code: IrErrorCode;

  constructor(code: IrErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A pipeline file could not be read or parsed (I/O, YAML/JSON syntax, duplicate keys, schema). */
export class IrParseError extends IrError {
  /** The file name the text came from, as given by the caller (or `<input>`). */
  readonly file: string;

  constructor(code: IrErrorCode, file: string, message: string, options?: { cause?: unknown }) {
    // Every line names the file, so multi-problem messages stay greppable.
    super(
      code,
      message
        .split("\n")
        .map((line) => `${file}: ${line}`)
        .join("\n"),
      options,
    );
    this.file = file;
  }
}

/** One problem found by `validatePipeline`: the IR path and what is wrong there. */
export interface IrIssue {
  /** Dotted IR path, e.g. `root.dag.tasks.train.componentRef.name`. */
  path: string;
  /** What is wrong and what to do about it. */
  message: string;
}

/** A parsed pipeline breaks one or more structural rules; carries every issue found. */
export class IrValidationError extends IrError {
  readonly file: string;
  readonly issues: IrIssue[];

  constructor(file: string, issues: IrIssue[]) {
    super("IR_INVALID_PIPELINE", formatIssues(file, issues));
    this.file = file;
    this.issues = issues;
  }
}

/**
 * Formats issues one per line as `file: path: message`.
 *
 * @example formatIssues("p.yaml", [{ path: "schemaVersion", message: "..." }])
 */
export function formatIssues(file: string, issues: readonly IrIssue[]): string {
  return issues.map((i) => `${file}: ${i.path ? `${i.path}: ` : ""}${i.message}`).join("\n");
}
