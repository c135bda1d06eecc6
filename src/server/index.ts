/**
 * The Weft API server: Kubeflow Pipelines v2beta1 REST API, Weft's extension endpoints
 * (`/apis/weft/v1`), `/docs`, a run queue executing runs through the engine, and the
 * recurring-run scheduler.
 */
export { createServer, engineExecutor, type WeftServer } from "./app.ts";
export type { ServerContext, ServerOptions } from "./context.ts";
export { openApiDocument } from "./docs.ts";
export { ApiError, type ApiErrorCode, GrpcCode, type RpcStatus, toApiError, toRpcStatus } from "./errors.ts";
export {
  EXPERIMENT_FIELDS,
  PIPELINE_FIELDS,
  RECURRING_RUN_FIELDS,
  RUN_FIELDS,
  VERSION_FIELDS,
} from "./kfp-json.ts";
export {
  buildListQuery,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  parseFilter,
  parsePageSize,
  parseSortBy,
  type ResourceFields,
} from "./query.ts";
export {
  assertSafeBind,
  type HostName,
  isLoopbackName,
  parseHostHeader,
  type RequestGuardOptions,
  registerRequestGuard,
} from "./request-guard.ts";
export { WEFT_API } from "./routes-weft.ts";
export { type RunExecutor, RunQueue, type RunQueueOptions } from "./run-queue.ts";
export { CONTENT_TYPES, defaultUiDir, isApiPath, registerStaticUi } from "./static-ui.ts";
export { type TaskAttemptJson, type TaskDetailJson, type TaskErrorJson, taskDetailJson } from "./task-detail.ts";
