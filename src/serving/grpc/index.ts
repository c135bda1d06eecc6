/**
 * The Open Inference Protocol over gRPC (`inference.GRPCInferenceService`, as KServe defines
 * it, with Triton's repository calls): the server over a `ModelService`, and the codec and
 * service definition the client's gRPC transport shares.
 */
export {
  decodeInferRequest,
  decodeInferResponse,
  encodeInferRequest,
  encodeInferResponse,
  LOADER_OPTIONS,
} from "./codec.ts";
export { inferenceService, SERVICE_NAME, SERVING_CODE_METADATA } from "./proto.ts";
export { DEFAULT_MAX_MESSAGE_BYTES, type GrpcServer, type GrpcServerOptions, startGrpcServer } from "./server.ts";
