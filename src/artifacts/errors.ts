import { WeftError } from "../ir/weft-error.ts";

/** Stable codes of artifact storage errors. */
export type ArtifactErrorCode =
  | "ARTIFACT_URI_UNSUPPORTED"
  | "ARTIFACT_OUTSIDE_STORE"
  | "ARTIFACT_INVALID_SEGMENT"
  | "ARTIFACT_NOT_FOUND"
  | "ARTIFACT_IS_DIRECTORY"
  | "ARTIFACT_NOT_REGULAR"
  | "ARTIFACT_ROOT_UNSUPPORTED";

/**
 * An error of artifact storage: a stable `code`, a message that names the URI or path and
 * says what to do, and the underlying `cause` where there is one.
 */
export class ArtifactError extends WeftError {
  /** Stable machine-readable code. */
  declare readonly code: ArtifactErrorCode;

  constructor(code: ArtifactErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
