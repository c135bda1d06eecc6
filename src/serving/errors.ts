/**
 * Serving errors: a stable code, a message that names the model, version, input or
 * setting at fault and what to do, and the status each protocol answers with (REST
 * `{"error": message}` with the HTTP status, gRPC with the status code).
 */
import { WeftError } from "../ir/weft-error.ts";

/** Stable codes of serving errors. */
export type ServingErrorCode =
  /** A request is malformed or does not fit the model (shape, datatype, names, binary header). */
  | "INVALID_ARGUMENT"
  /** The model or version is not in the repository, or not loaded. */
  | "NOT_FOUND"
  /** The request body is larger than the server's limit. */
  | "PAYLOAD_TOO_LARGE"
  /** The model is loading, unloading or draining, or the server is shutting down. */
  | "UNAVAILABLE"
  /** The model file or repository cannot be served (format, config, runtime missing). */
  | "MODEL_INVALID"
  /** The runtime failed while running a request. */
  | "INTERNAL";

/** HTTP status of each code. */
export const SERVING_HTTP_STATUS: Record<ServingErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
  MODEL_INVALID: 400,
  INTERNAL: 500,
};

/** gRPC status code of each code (`@grpc/grpc-js`'s `status` numbers). */
export const SERVING_GRPC_STATUS: Record<ServingErrorCode, number> = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PAYLOAD_TOO_LARGE: 8,
  UNAVAILABLE: 14,
  MODEL_INVALID: 9,
  INTERNAL: 13,
};

/** An error of model serving. */
export class ServingError extends WeftError {
  declare readonly code: ServingErrorCode;
  constructor(code: ServingErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
  /** The HTTP status a REST adapter answers with. */
  get httpStatus(): number {
    return SERVING_HTTP_STATUS[this.code];
  }
  /** The gRPC status code a gRPC adapter answers with. */
  get grpcStatus(): number {
    return SERVING_GRPC_STATUS[this.code];
  }
}
