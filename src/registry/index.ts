/**
 * The `registry` module: Weft's model registry over the store's `models` repository.
 * MLflow's search grammar, model URIs and the framework-free HTTP route tables.
 */

export {
  decodePageToken,
  encodePageToken,
  type FilterClause,
  type FilterComparator,
  maxResultsLimits,
  type OrderTerm,
  parseModelFilter,
  parseOrderBy,
  parseVersionFilter,
  REGISTRY_MAX_RESULTS,
  type RegistryEntity,
} from "./filter.ts";
export {
  checkContentType,
  errorBody,
  MAX_BODY_BYTES,
  MLFLOW_API,
  registryRoutes,
  serveRegistryRoutes,
  toMlflowError,
} from "./http/dispatch.ts";
export {
  MLFLOW_HTTP_STATUS,
  MlflowError,
  type MlflowErrorCode,
  type RegistryRoute,
  type RouteContext,
  type RouteRequest,
} from "./http/route.ts";
export { type WeftModel, type WeftVersion, weftVersionJson } from "./http/weft-routes.ts";
export { type ModelUri, parseModelUri, resolveModelUri } from "./model-uri.ts";
export { type ModelSignature, readOnnxSignature, readTfjsSignature } from "./onnx-signature.ts";
export { fromStoredSignature, type RegisterVersionInput, registerModelVersion } from "./register.ts";
export { startTaskService, type TaskService } from "./task-service.ts";
