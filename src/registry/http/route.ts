/**
 * The registry's HTTP routes, independent of any server framework: the MLflow 2.x REST API
 * (`/api/2.0/mlflow/...`) and Weft's model extensions (`/apis/weft/v1/models/...`). The API
 * server mounts them on fastify, and the engine's task service (a loopback server that
 * tasks reach through `MLFLOW_TRACKING_URI`) serves the same table, so a task logs and
 * registers the same way locally and against `weft server`.
 */
import { WeftError } from "../../ir/weft-error.ts";
import type { Store } from "../../store/index.ts";

/** Error codes of MLflow's `databricks.ErrorCode` that the routes answer with. */
export type MlflowErrorCode =
  | "INVALID_PARAMETER_VALUE"
  | "RESOURCE_DOES_NOT_EXIST"
  | "RESOURCE_ALREADY_EXISTS"
  | "BAD_REQUEST"
  | "ENDPOINT_NOT_FOUND"
  | "INVALID_STATE"
  | "PERMISSION_DENIED"
  | "INTERNAL_ERROR";

/** The HTTP status MLflow's server answers each error code with. */
export const MLFLOW_HTTP_STATUS: Record<MlflowErrorCode, number> = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  INVALID_STATE: 500,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  RESOURCE_ALREADY_EXISTS: 400,
  PERMISSION_DENIED: 403,
  INTERNAL_ERROR: 500,
};

/**
 * An error a route answers with: on the wire `{"error_code": "...", "message": "..."}`
 * with the status of {@link MLFLOW_HTTP_STATUS}, as MLflow's server writes it.
 */
export class MlflowError extends WeftError {
  readonly errorCode: MlflowErrorCode;
  readonly status: number;

  constructor(errorCode: MlflowErrorCode, message: string, status = MLFLOW_HTTP_STATUS[errorCode]) {
    super(`MLFLOW_${errorCode}`, message);
    this.errorCode = errorCode;
    this.status = status;
  }
}

/** What a route handler is given. */
export interface RouteRequest {
  /**
   * The request's parameters: the query string for GET (a repeated key becomes an
   * array), the JSON body otherwise (DELETE included, as MLflow's clients send it).
   */
  params: Record<string, unknown>;
  /** Path parameters of a Weft extension route (`:name` segments). */
  pathParams: Record<string, string>;
  /** Who is asking, when known (the API's user, else undefined). */
  user?: string;
  /** The request body as it came, for a route that reads a binary body ({@link RegistryRoute.binaryBody}). */
  raw?: Uint8Array;
}

/** What every route can use. */
export interface RouteContext {
  store: Store;
}

/** One route: method and full path (`/api/2.0/mlflow/registered-models/get`, `/apis/weft/v1/models/:name`). */
export interface RegistryRoute {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  /**
   * The content type of the binary body this route reads (given as `raw`, with `params`
   * empty); a request with another content type is refused with 415.
   */
  binaryBody?: string;
  /** Returns the JSON response body (status 200); throws {@link MlflowError} for an error. */
  handle(req: RouteRequest, ctx: RouteContext): unknown | Promise<unknown>;
}
