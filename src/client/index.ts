/**
 * `weft/client`: a typed client for the Kubeflow Pipelines v2beta1 REST API that works
 * against Weft's server and a Kubeflow Pipelines endpoint alike, plus Weft's extension
 * calls (run graph, live logs, artifacts).
 */
export {
  type CreateRecurringRunOptions,
  type CreateRunOptions,
  type PipelineRef,
  resolvePipelineSource,
  WeftClient,
} from "./client.ts";
export { ClientError, type ClientErrorCode } from "./errors.ts";
export { type ConnectionOptions, encodeFilter, Http, listQuery } from "./http.ts";
export {
  type ApiAliasMove,
  type ApiArtifactContentInfo,
  type ApiDirectoryEntry,
  type ApiModelDataset,
  type ApiModelVersionDetail,
  type ApiTensorSpec,
  isNotFound,
  type MlflowModelVersion,
  type MlflowPage,
  type MlflowRegisteredModel,
  type MlflowSearchOptions,
  type MlflowTag,
  ModelArtifacts,
  ModelRegistryClient,
} from "./models.ts";
export { remoteHost } from "./remote-host.ts";
export {
  type ApiArtifact,
  type ApiExperiment,
  type ApiPipeline,
  type ApiPipelineVersion,
  type ApiRecurringRun,
  type ApiRun,
  type ApiRunMetric,
  type ApiRuntimeState,
  type ApiStatus,
  type ApiTaskDetail,
  type ApiTaskMetric,
  FINAL_RUN_STATES,
  type FilterOp,
  type FilterPredicate,
  type ListOptions,
  type Page,
  type PipelineFunction,
  type PipelineSource,
} from "./types.ts";
export { type GraphNode, type LogEvent, type RunGraph, WeftExtensions } from "./weft-extensions.ts";
