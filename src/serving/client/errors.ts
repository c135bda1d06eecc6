/**
 * Errors of the serving client. A failed call says why: the server could not be reached,
 * it did not answer in time, it answered with an error (its status and message kept), or
 * its answer could not be read. `retryable` tells the retry loop which failures are safe
 * to try again (never a 4xx: the same request would fail the same way).
 */
import { WeftError } from "../../ir/weft-error.ts";
import type { ServingErrorCode } from "../errors.ts";

/** Stable codes of {@link ServingClientError}. */
export type ServingClientErrorCode =
  /** No connection: refused, reset before an answer, unknown host, gRPC UNAVAILABLE without a server message. */
  | "SERVING_UNREACHABLE"
  /** The server did not answer within the call's timeout. */
  | "SERVING_TIMEOUT"
  /** The server answered with an error (`status`, `grpcCode`, `remoteCode` and its message). */
  | "SERVING_REMOTE"
  /** The server's answer is not a protocol answer (bad JSON, bad binary header, missing fields). */
  | "SERVING_BAD_RESPONSE"
  /** The call's arguments are wrong (a tensor's data does not match its shape or datatype, a bad URL). */
  | "SERVING_BAD_INPUT"
  /** The call was aborted by the caller's signal. */
  | "SERVING_ABORTED"
  /** The remote call failed and so did the local fallback model. */
  | "SERVING_FALLBACK_FAILED";

/** The protocol's error code for an HTTP status. */
export function servingCodeOfHttpStatus(status: number): ServingErrorCode {
  if (status === 404) return "NOT_FOUND";
  if (status === 413) return "PAYLOAD_TOO_LARGE";
  if (status === 503) return "UNAVAILABLE";
  if (status >= 400 && status < 500) return "INVALID_ARGUMENT";
  return "INTERNAL";
}

/** The protocol's error code for a gRPC status code. */
export function servingCodeOfGrpcStatus(grpcCode: number): ServingErrorCode {
  switch (grpcCode) {
    case 3:
      return "INVALID_ARGUMENT";
    case 5:
      return "NOT_FOUND";
    case 8:
      return "PAYLOAD_TOO_LARGE";
    case 9:
      return "MODEL_INVALID";
    case 14:
      return "UNAVAILABLE";
    default:
      return "INTERNAL";
  }
}

/** A failed serving call. */
export class ServingClientError extends WeftError {
  declare readonly code: ServingClientErrorCode;
  /** HTTP status, when a REST server answered. */
  readonly status: number | undefined;
  /** gRPC status code, when a gRPC server answered. */
  readonly grpcCode: number | undefined;
  /** The protocol's error code of the server's answer (`UNAVAILABLE` for a 503, ...). */
  readonly remoteCode: ServingErrorCode | undefined;
  /** Tries made before the call gave up (set by the retry loop). */
  attempts: number | undefined;

  constructor(
    code: ServingClientErrorCode,
    message: string,
    extra: { status?: number; grpcCode?: number; remoteCode?: ServingErrorCode; cause?: unknown } = {},
  ) {
    super(code, message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.status = extra.status;
    this.grpcCode = extra.grpcCode;
    this.remoteCode =
      extra.remoteCode ??
      (extra.status !== undefined
        ? servingCodeOfHttpStatus(extra.status)
        : extra.grpcCode !== undefined
          ? servingCodeOfGrpcStatus(extra.grpcCode)
          : undefined);
  }

  /**
   * Whether trying the same call again may succeed: no connection, no answer in time, or
   * the server saying it is unavailable (503, gRPC UNAVAILABLE). Never a 4xx.
   */
  get retryable(): boolean {
    if (this.code === "SERVING_UNREACHABLE" || this.code === "SERVING_TIMEOUT") return true;
    return this.code === "SERVING_REMOTE" && this.remoteCode === "UNAVAILABLE";
  }
}
