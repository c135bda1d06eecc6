/**
 * Errors of the API client. A server's KFP error body (`{error, code, message, details}`)
 * is kept on the error, so callers can branch on the HTTP status or the gRPC code.
 */
import { WeftError } from "../ir/index.ts";

/** Stable codes of {@link ClientError}. */
export type ClientErrorCode =
  | "CLIENT_HTTP_ERROR"
  | "CLIENT_NETWORK"
  | "CLIENT_TIMEOUT"
  | "CLIENT_BAD_RESPONSE"
  | "CLIENT_BAD_INPUT";

/** A failed API call: the server's answer, a network failure, or a wait that timed out. */
export class ClientError extends WeftError {
  declare readonly code: ClientErrorCode;
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** gRPC status code from the KFP error body, when present. */
  readonly grpcCode: number | undefined;
  /** The parsed error body, when the server sent one. */
  readonly body: unknown;

  constructor(
    code: ClientErrorCode,
    message: string,
    extra: { status?: number; grpcCode?: number; body?: unknown; cause?: unknown } = {},
  ) {
    super(code, message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.status = extra.status;
    this.grpcCode = extra.grpcCode;
    this.body = extra.body;
  }
}
