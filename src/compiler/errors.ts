/**
 * Errors of the compiler. Each has a stable `code` and a message naming the pipeline,
 * task or component at fault and saying what to do.
 */
import { WeftError } from "../ir/index.ts";

/** Stable codes of {@link CompilerError}. */
export type CompilerErrorCode =
  | "COMPILE_INVALID_TOPOLOGY"
  | "COMPILE_UNSUPPORTED"
  | "COMPILE_BUNDLE_FAILED"
  | "COMPILE_BUNDLE_TOO_LARGE"
  | "COMPILE_NO_SOURCE_FILE"
  | "COMPILE_NOT_EXPORTED"
  | "COMPILE_FILE_NOT_FOUND"
  | "COMPILE_IMPORT_FAILED"
  | "COMPILE_MODULE_FORMAT"
  | "COMPILE_PACKAGE_MISSING"
  | "COMPILE_NO_PIPELINE"
  | "COMPILE_AMBIGUOUS_PIPELINE";

/** A pipeline could not be compiled to IR. */
export class CompilerError extends WeftError {
  declare readonly code: CompilerErrorCode;

  constructor(code: CompilerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
