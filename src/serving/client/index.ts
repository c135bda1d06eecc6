/**
 * `weft/serving-client`: typed inference calls to a model server speaking the Open
 * Inference Protocol (Weft's `weft serve`, Triton, KServe), over REST or gRPC, with
 * timeouts, retries and an optional local fallback model. Imports nothing server-side.
 */
export {
  ServingClientError,
  type ServingClientErrorCode,
  servingCodeOfGrpcStatus,
  servingCodeOfHttpStatus,
} from "./errors.ts";
export {
  type InferTransport,
  ROUTING_KEY_HEADER,
  type ServingProtocol,
  type TransportCallOptions,
} from "./transport.ts";
