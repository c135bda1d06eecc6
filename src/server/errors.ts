/**
 * Errors of the API server and their KFP wire form. Every error response carries
 * `googleRpcStatus` as grpc-gateway writes it: `{error, code, message, details}`, where
 * `code` is the gRPC status code and `details` holds one `weft.ErrorInfo` with the stable
 * Weft error code.
 */
import { WeftError } from "../ir/index.ts";

/** gRPC status codes the API uses. */
export const GrpcCode = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
} as const;

/** The gRPC code of an API error. */
export type GrpcCodeValue = (typeof GrpcCode)[keyof typeof GrpcCode];

const HTTP_STATUS: Record<GrpcCodeValue, number> = {
  3: 400,
  5: 404,
  6: 409,
  7: 403,
  // grpc-gateway answers 429; an over-size request is answered 413 (Payload Too Large).
  8: 413,
  9: 400,
  12: 501,
  13: 500,
};

/** Stable codes of {@link ApiError}. */
export type ApiErrorCode =
  | "API_BAD_JSON"
  | "API_UNKNOWN_FIELD"
  | "API_INVALID_ARGUMENT"
  | "API_BAD_FILTER"
  | "API_BAD_PAGE_TOKEN"
  | "API_NOT_FOUND"
  | "API_ALREADY_EXISTS"
  | "API_FORBIDDEN_HOST"
  | "API_FORBIDDEN_ORIGIN"
  | "API_FAILED_PRECONDITION"
  | "API_TOO_LARGE"
  | "API_UNIMPLEMENTED"
  | "API_INTERNAL";

/** An error the API answers with a KFP error body; `status` is the HTTP status. */
export class ApiError extends WeftError {
  declare readonly code: ApiErrorCode;
  readonly grpcCode: GrpcCodeValue;

  constructor(code: ApiErrorCode, grpcCode: GrpcCodeValue, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.grpcCode = grpcCode;
  }

  /** The HTTP status this error is answered with. */
  get status(): number {
    return HTTP_STATUS[this.grpcCode];
  }
}

/** A 400 for a request field: the message names the field and says what to send. */
export function badRequest(message: string, code: ApiErrorCode = "API_INVALID_ARGUMENT"): ApiError {
  return new ApiError(code, GrpcCode.INVALID_ARGUMENT, message);
}

/** A 404 naming the kind of entity and the id that was not found. */
export function notFound(entity: string, id: string, field = "id"): ApiError {
  return new ApiError(
    "API_NOT_FOUND",
    GrpcCode.NOT_FOUND,
    `${entity} with ${field} '${id}' was not found; list the ${entity}s to see which exist.`,
  );
}

/** The KFP error body (`googleRpcStatus`). */
export interface RpcStatus {
  error: string;
  code: number;
  message: string;
  details: { "@type": string; reason: string }[];
}

/** Builds the KFP error body for an {@link ApiError}. */
export function toRpcStatus(err: ApiError, reason: string = err.code): RpcStatus {
  return {
    error: err.message,
    code: err.grpcCode,
    message: err.message,
    details: [{ "@type": "type.googleapis.com/weft.ErrorInfo", reason }],
  };
}

const CLIENT_ERROR_CODES: Record<string, GrpcCodeValue> = {
  NOT_FOUND: GrpcCode.NOT_FOUND,
  RUN_NOT_FOUND: GrpcCode.NOT_FOUND,
  ALREADY_EXISTS: GrpcCode.ALREADY_EXISTS,
  INTEGRITY: GrpcCode.FAILED_PRECONDITION,
  INVALID_QUERY: GrpcCode.INVALID_ARGUMENT,
  INVALID_INPUT: GrpcCode.INVALID_ARGUMENT,
  PARAMETER_INVALID: GrpcCode.INVALID_ARGUMENT,
  PLAN_INVALID: GrpcCode.INVALID_ARGUMENT,
  CONDITION_INVALID: GrpcCode.INVALID_ARGUMENT,
  RESOURCES_UNSATISFIABLE: GrpcCode.INVALID_ARGUMENT,
  RUN_NOT_RESUMABLE: GrpcCode.FAILED_PRECONDITION,
  ARTIFACT_NOT_FOUND: GrpcCode.NOT_FOUND,
};

/** Code prefixes of other modules whose errors are always the caller's mistake. */
const CLIENT_ERROR_PREFIXES = ["IR_", "SCHEDULE_", "ARTIFACT_"];

/**
 * Maps any error raised while serving a request to an {@link ApiError} plus the reason code
 * to report. Errors of other modules are matched by their stable `code`, so a client's
 * mistake (bad IR, bad parameter, bad query, unknown id) never becomes a 5xx.
 */
export function toApiError(err: unknown): { error: ApiError; reason: string } {
  if (err instanceof ApiError) return { error: err, reason: err.code };
  const errCode = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  if (err instanceof Error && typeof errCode === "string") {
    const grpc =
      (Object.hasOwn(CLIENT_ERROR_CODES, errCode) ? CLIENT_ERROR_CODES[errCode] : undefined) ??
      (CLIENT_ERROR_PREFIXES.some((p) => errCode.startsWith(p)) ? GrpcCode.INVALID_ARGUMENT : undefined);
    if (grpc !== undefined) {
      const code: ApiErrorCode =
        grpc === GrpcCode.NOT_FOUND
          ? "API_NOT_FOUND"
          : grpc === GrpcCode.ALREADY_EXISTS
            ? "API_ALREADY_EXISTS"
            : grpc === GrpcCode.FAILED_PRECONDITION
              ? "API_FAILED_PRECONDITION"
              : "API_INVALID_ARGUMENT";
      return { error: new ApiError(code, grpc, err.message, { cause: err }), reason: errCode };
    }
  }
  const fastifyStatus = (err as { statusCode?: unknown } | null)?.statusCode;
  if (fastifyStatus === 413) {
    const message = err instanceof Error ? err.message : String(err);
    const fastifyCode = (err as { code?: unknown }).code;
    return {
      error: new ApiError(
        "API_TOO_LARGE",
        GrpcCode.RESOURCE_EXHAUSTED,
        `request rejected: ${message}; send a smaller request (the size limits are listed at /docs).`,
        { cause: err },
      ),
      reason: typeof fastifyCode === "string" ? fastifyCode : "API_TOO_LARGE",
    };
  }
  if (typeof fastifyStatus === "number" && fastifyStatus >= 400 && fastifyStatus < 500) {
    const message = err instanceof Error ? err.message : String(err);
    const code = fastifyStatus === 404 ? GrpcCode.NOT_FOUND : GrpcCode.INVALID_ARGUMENT;
    const fastifyCode = (err as { code?: unknown }).code;
    const reason = typeof fastifyCode === "string" ? fastifyCode : "API_INVALID_ARGUMENT";
    const apiCode: ApiErrorCode = reason.includes("JSON") ? "API_BAD_JSON" : "API_INVALID_ARGUMENT";
    return {
      error: new ApiError(apiCode, code, `request rejected: ${message}`, { cause: err }),
      reason,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    error: new ApiError("API_INTERNAL", GrpcCode.INTERNAL, `internal error: ${message}`, { cause: err }),
    reason: "API_INTERNAL",
  };
}
