/**
 * Model serving's public face (for `weft serve` and the engine's deploy checks): model
 * sources (registry URIs, model files, Triton repositories), the runtimes, the model
 * service with its batchers, canary and shadow, the REST and gRPC servers, transformers,
 * Prometheus metrics and the request log. The client (`weft/serving-client`) has its own
 * face, `client/index.ts`, which imports nothing server-side.
 */

export { createScheduler } from "./batcher.ts";
export * from "./errors.ts";
export { startGrpcServer } from "./grpc/index.ts";
export { startRestServer } from "./http-server.ts";
export type { ServingMetrics } from "./metrics.ts";
export {
  BATCH_SIZE_BUCKETS,
  combineObservers,
  createServingMetrics,
  LATENCY_BUCKETS,
  metricsRoute,
} from "./metrics.ts";
export type { BatchingOverrides } from "./overrides.ts";
export { applyBatchingOverrides, withBatchingOverrides } from "./overrides.ts";
export * from "./repository.ts";
export type { RequestLog, RequestLogOptions } from "./request-log.ts";
export { checkSample, createRequestLog, formatRequestLine } from "./request-log.ts";
export { inspectModel, loadBackend } from "./runtime/index.ts";
export { createModelService } from "./service.ts";
export { checkTransformer, loadTransformer } from "./transformer.ts";
export * from "./types.ts";
