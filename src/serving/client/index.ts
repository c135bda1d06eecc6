/**
 * `weft/serving-client`: typed inference calls to a model server speaking the Open
 * Inference Protocol (Weft's `weft serve`, Triton, KServe), over REST or gRPC, with
 * timeouts, retries with backoff and an optional local fallback model run in-process,
 * each answer saying which path gave it. Imports nothing server-side; onnxruntime-node
 * (the fallback) and grpc-js (the gRPC transport) load on first use.
 */

export type {
  Datatype,
  InferRequest,
  InferResult,
  ModelMetadata,
  Parameters,
  RequestedOutput,
  Tensor,
  TensorData,
  TensorSpec,
} from "../types.ts";
export {
  type AnsweredBy,
  createServingClient,
  fallsBack,
  type ServingCallOptions,
  type ServingClient,
  type ServingClientOptions,
  type ServingInferResult,
} from "./client.ts";
export {
  ServingClientError,
  type ServingClientErrorCode,
  servingCodeOfGrpcStatus,
  servingCodeOfHttpStatus,
} from "./errors.ts";
export { type FallbackOptions, type FallbackWhen, type LocalModel, loadLocalOnnxModel, runLocal } from "./fallback.ts";
export { metadataFromJson, type RestTransport, type RestTransportOptions, restTransport } from "./rest.ts";
export { backoffDelay, DEFAULT_RETRIES, type Retried, type RetryOptions, retryPolicy, withRetries } from "./retry.ts";
export {
  type InferInputs,
  output,
  type TensorInput,
  type TensorValues,
  tensor,
  toInferRequest,
  toNumbers,
  toStrings,
} from "./tensors.ts";
export {
  type InferTransport,
  ROUTING_KEY_HEADER,
  type ServingProtocol,
  type TransportCallOptions,
} from "./transport.ts";
