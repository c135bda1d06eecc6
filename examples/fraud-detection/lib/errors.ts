/**
 * Errors of the fraud-detection example. Each has a stable `code` and a message that names
 * the file, line or field and says what to do.
 */

/** Codes used by {@link FraudPipelineError}. */
export type FraudErrorCode =
  | "FRAUD_CSV_HEADER"
  | "FRAUD_CSV_ROW"
  | "FRAUD_CSV_EMPTY"
  | "FRAUD_DATA_INVALID"
  | "FRAUD_DATASET_FORMAT"
  | "FRAUD_MODEL_FORMAT"
  | "FRAUD_ONNX_MISMATCH"
  | "FRAUD_BAD_OPTION";

/** A failure of the fraud-detection example: bad data, a bad artifact or a failed check. */
export class FraudPipelineError extends Error {
  /** Stable identifier of the failure, e.g. `FRAUD_CSV_HEADER`. */
  readonly code: FraudErrorCode;

  constructor(code: FraudErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FraudPipelineError";
    this.code = code;
  }
}
