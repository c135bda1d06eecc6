/**
 * Errors of the authoring SDK. Each has a stable `code` and a message that names the
 * component, task, pipeline or field at fault and says what to do.
 */
import { WeftError } from "../ir/weft-error.ts";

/** Stable codes of {@link SdkError}. */
export type SdkErrorCode =
  | "SDK_OUTSIDE_PIPELINE"
  | "SDK_UNKNOWN_INPUT"
  | "SDK_MISSING_INPUT"
  | "SDK_INVALID_ARGUMENT"
  | "SDK_INVALID_COMPONENT"
  | "SDK_INVALID_CONTROL_FLOW"
  | "SDK_INVALID_TOPOLOGY"
  | "SDK_COMPONENT_LOAD";

/** A misuse of the authoring API, raised while a component or pipeline is defined. */
export class SdkError extends WeftError {
  declare readonly code: SdkErrorCode;

  constructor(code: SdkErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
