/**
 * The Open Inference Protocol's tensor codec, pure (no server, no runtime): JSON tensors of
 * every datatype, the binary tensor data extension both ways, and the check of a request
 * against a model's configuration. The REST server, the gRPC server, the model service and
 * `weft/serving-client` share it.
 */
export {
  binarySize,
  decodeInferRequest,
  decodeInferResult,
  type EncodedBody,
  encodeInferRequest,
  encodeInferResult,
  HEADER_LENGTH_HEADER,
  inferRequestFromJson,
  inferResultFromJson,
} from "./binary.ts";
export {
  dataFromJson,
  dataJsonText,
  dataToJsonValues,
  tensorFromJson,
  tensorJsonText,
  type WireTensor,
} from "./json.ts";
export {
  allocate,
  elementCount,
  elementSize,
  floatToHalf,
  fromBytes,
  halfToFloat,
  invalid,
  isDatatype,
  toBytes,
} from "./tensors.ts";
export { expectedShape, validateInferRequest } from "./validate.ts";
