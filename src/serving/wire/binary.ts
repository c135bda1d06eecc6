/**
 * Whole inference requests and results on the REST wire, JSON or with the binary tensor data
 * extension: a JSON header of `Inference-Header-Content-Length` bytes, then the raw bytes of
 * each tensor whose `parameters.binary_data_size` says how many, in the order the header lists
 * them (little-endian; BOOL one byte each; BYTES elements each a 4-byte little-endian length
 * and the bytes). Outputs come back binary when the request asks, per output
 * (`outputs[].parameters.binary_data`) or for all (`parameters.binary_data_output`). Decoding
 * serves the server (requests) and the client (results); encoding the other way round.
 */
import type { InferRequest, InferResult, Parameters, RequestedOutput, Tensor, TensorData } from "../types.ts";
import { tensorFromJson, tensorHeader, tensorJsonText } from "./json.ts";
import { elementCount, elementSize, fromBytes, invalid, toBytes } from "./tensors.ts";

/** The HTTP header that carries the JSON header's length in bytes. */
export const HEADER_LENGTH_HEADER = "inference-header-content-length";

/** A request or result on the wire: JSON text, or a JSON header followed by binary data. */
export interface EncodedBody {
  body: string | Uint8Array;
  /** Present when `body` carries binary data: the JSON header's length in bytes. */
  headerLength?: number;
  contentType: "application/json" | "application/octet-stream";
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** The bytes a tensor's data takes in binary form. */
export function binarySize(tensor: Tensor): number {
  if (tensor.datatype !== "BYTES") return elementCount(tensor.shape) * elementSize(tensor.datatype);
  let n = 0;
  for (const b of tensor.data as Uint8Array[]) n += 4 + b.length;
  return n;
}

function writeBinary(tensor: Tensor, out: Uint8Array, offset: number): number {
  if (tensor.datatype !== "BYTES") {
    const bytes = toBytes(tensor.data as Exclude<TensorData, Uint8Array[]>);
    out.set(bytes, offset);
    return offset + bytes.length;
  }
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (const b of tensor.data as Uint8Array[]) {
    view.setUint32(offset, b.length, true);
    out.set(b, offset + 4);
    offset += 4 + b.length;
  }
  return offset;
}

function readBytesElements(bytes: Uint8Array, count: number, where: string): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) {
      throw invalid(`${where}: BYTES element ${out.length} has a truncated 4-byte length prefix`);
    }
    const len = view.getUint32(offset, true);
    if (offset + 4 + len > bytes.length) {
      throw invalid(
        `${where}: BYTES element ${out.length} says ${len} bytes but only ${bytes.length - offset - 4} remain in its binary_data_size`,
      );
    }
    // a copy, as a plain Uint8Array (a Buffer's own slice is a view into the body)
    out.push(Uint8Array.prototype.slice.call(bytes, offset + 4, offset + 4 + len));
    offset += 4 + len;
  }
  if (out.length !== count) {
    throw invalid(`${where}: its shape holds ${count} elements but its binary data has ${out.length}`);
  }
  return out;
}

function withoutBinarySize(parameters: Parameters | undefined): Parameters | undefined {
  if (parameters === undefined || !("binary_data_size" in parameters)) return parameters;
  const { binary_data_size: _, ...rest } = parameters;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** Decodes the tensors of a request's `inputs` or a result's `outputs`, reading binary data where the header says. */
function decodeTensors(list: unknown, role: "input" | "output", binary: Uint8Array | undefined): Tensor[] {
  if (!Array.isArray(list)) throw invalid(`"${role}s" must be an array of tensors`);
  const tensors: Tensor[] = new Array(list.length);
  let offset = 0;
  for (let i = 0; i < list.length; i++) {
    const size = (list[i] as { parameters?: Parameters } | null)?.parameters?.binary_data_size;
    if (size === undefined) {
      tensors[i] = tensorFromJson(list[i], role, i);
      continue;
    }
    const h = tensorHeader(list[i], role, i);
    const where = `${role} "${h.name}"`;
    if (typeof size !== "number" || !Number.isInteger(size) || size < 0) {
      throw invalid(
        `${where}: parameters.binary_data_size must be a non-negative integer, got ${JSON.stringify(size)}`,
      );
    }
    if (binary === undefined) {
      throw invalid(
        `${where}: parameters.binary_data_size is set but the request has no binary data: send the Inference-Header-Content-Length header with the JSON header's length`,
      );
    }
    if (offset + size > binary.length) {
      throw invalid(
        `${where}: binary_data_size ${size} runs past the end of the body (${binary.length - offset} bytes of binary data left)`,
      );
    }
    const bytes = binary.subarray(offset, offset + size);
    offset += size;
    const count = elementCount(h.shape);
    let data: TensorData;
    if (h.datatype === "BYTES") {
      data = readBytesElements(bytes, count, where);
    } else {
      const expected = count * elementSize(h.datatype);
      if (size !== expected) {
        throw invalid(
          `${where}: shape ${JSON.stringify(h.shape)} of ${h.datatype} takes ${expected} bytes but binary_data_size is ${size}`,
        );
      }
      data = fromBytes(h.datatype, bytes);
    }
    const tensor: Tensor = { name: h.name, datatype: h.datatype, shape: h.shape, data };
    const parameters = withoutBinarySize(h.parameters);
    if (parameters !== undefined) tensor.parameters = parameters;
    tensors[i] = tensor;
  }
  if (binary !== undefined && offset !== binary.length) {
    throw invalid(
      `the body has ${binary.length - offset} bytes of binary data after the last tensor's: each binary ${role} needs parameters.binary_data_size, and Inference-Header-Content-Length must be the JSON header's length`,
    );
  }
  return tensors;
}

/** Splits a body into its parsed JSON header and its binary data. */
function parseBody(body: Uint8Array | string, headerLength: number | undefined): [unknown, Uint8Array | undefined] {
  let text: string;
  let binary: Uint8Array | undefined;
  if (headerLength === undefined) {
    text = typeof body === "string" ? body : textDecoder.decode(body);
  } else {
    const bytes = typeof body === "string" ? textEncoder.encode(body) : body;
    if (!Number.isInteger(headerLength) || headerLength < 0 || headerLength > bytes.length) {
      throw invalid(
        `Inference-Header-Content-Length is ${headerLength} but the body has ${bytes.length} bytes: it must be the length of the JSON header at the start of the body`,
      );
    }
    text = textDecoder.decode(bytes.subarray(0, headerLength));
    binary = bytes.subarray(headerLength);
  }
  try {
    return [JSON.parse(text), binary];
  } catch (error) {
    const what = headerLength === undefined ? "the body" : `the JSON header (the first ${headerLength} bytes)`;
    throw invalid(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

function parameters(value: unknown, where: string): Parameters | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid(`${where}: "parameters" must be an object`);
  }
  return value as Parameters;
}

/** An inference request from its JSON form (already parsed) and the binary data after its header, if any. */
export function inferRequestFromJson(json: unknown, binary?: Uint8Array): InferRequest {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw invalid(
      `an inference request must be a JSON object with "inputs", got ${JSON.stringify(json)?.slice(0, 40)}`,
    );
  }
  const j = json as Record<string, unknown>;
  if (j.inputs === undefined) throw invalid(`an inference request needs "inputs": an array of tensors`);
  const request: InferRequest = { inputs: decodeTensors(j.inputs, "input", binary) };
  if (j.id !== undefined) {
    if (typeof j.id !== "string") throw invalid(`"id" must be a string, got ${JSON.stringify(j.id)}`);
    request.id = j.id;
  }
  const params = parameters(j.parameters, "the request");
  if (params !== undefined) request.parameters = params;
  if (j.outputs !== undefined) {
    if (!Array.isArray(j.outputs)) throw invalid(`"outputs" must be an array of {"name": ...} objects`);
    request.outputs = j.outputs.map((o: unknown, i): RequestedOutput => {
      const name = (o as { name?: unknown } | null)?.name;
      if (typeof name !== "string" || name === "")
        throw invalid(`requested output ${i}: "name" must be a non-empty string`);
      const p = parameters((o as { parameters?: unknown }).parameters, `requested output "${name}"`);
      return p === undefined ? { name } : { name, parameters: p };
    });
  }
  return request;
}

/**
 * Decodes an inference request body: JSON, or, when `headerLength` (the
 * `Inference-Header-Content-Length` header) is given, a JSON header and binary tensor data.
 */
export function decodeInferRequest(body: Uint8Array | string, headerLength?: number): InferRequest {
  const [json, binary] = parseBody(body, headerLength);
  return inferRequestFromJson(json, binary);
}

/** An inference result from its JSON form (already parsed) and the binary data after its header, if any. */
export function inferResultFromJson(json: unknown, binary?: Uint8Array): InferResult {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw invalid(`an inference response must be a JSON object with "outputs"`);
  }
  const j = json as Record<string, unknown>;
  if (typeof j.model_name !== "string") throw invalid(`an inference response needs "model_name"`);
  const result: InferResult = {
    modelName: j.model_name,
    modelVersion: typeof j.model_version === "string" ? j.model_version : "",
    outputs: decodeTensors(j.outputs ?? [], "output", binary),
  };
  if (typeof j.id === "string") result.id = j.id;
  const params = parameters(j.parameters, "the response");
  if (params !== undefined) result.parameters = params;
  return result;
}

/** Decodes an inference response body (the client's side). */
export function decodeInferResult(body: Uint8Array | string, headerLength?: number): InferResult {
  const [json, binary] = parseBody(body, headerLength);
  return inferResultFromJson(json, binary);
}

function assemble(header: string, tensors: Tensor[], sizes: number[]): EncodedBody {
  const head = textEncoder.encode(header);
  let total = head.length;
  for (const s of sizes) total += s;
  const out = new Uint8Array(total);
  out.set(head, 0);
  let offset = head.length;
  for (const t of tensors) offset = writeBinary(t, out, offset);
  return { body: out, headerLength: head.length, contentType: "application/octet-stream" };
}

/**
 * Encodes an inference request (the client's side): JSON, or with `binary` every input's bytes
 * after the header; `binaryOutputs` asks for every output in binary.
 */
export function encodeInferRequest(
  request: InferRequest,
  options: { binary?: boolean; binaryOutputs?: boolean } = {},
): EncodedBody {
  const binary = options.binary === true;
  const sizes: number[] = [];
  let s = "{";
  if (request.id !== undefined) s += `"id":${JSON.stringify(request.id)},`;
  const params =
    options.binaryOutputs === true ? { ...request.parameters, binary_data_output: true } : request.parameters;
  if (params !== undefined) s += `"parameters":${JSON.stringify(params)},`;
  s += `"inputs":[`;
  for (let i = 0; i < request.inputs.length; i++) {
    const t = request.inputs[i]!;
    if (i > 0) s += ",";
    if (binary) {
      const size = binarySize(t);
      sizes.push(size);
      s += tensorJsonText(t, size);
    } else {
      s += tensorJsonText(t);
    }
  }
  s += "]";
  if (request.outputs !== undefined) s += `,"outputs":${JSON.stringify(request.outputs)}`;
  s += "}";
  if (!binary) return { body: s, contentType: "application/json" };
  return assemble(s, request.inputs, sizes);
}

/** Which outputs of a result go binary, as the request asked (per output, else `binary_data_output`). */
function binaryOutputs(result: InferResult, request: InferRequest | undefined): boolean[] | undefined {
  if (request === undefined) return undefined;
  const all = request.parameters?.binary_data_output === true;
  let any = false;
  const flags = result.outputs.map((t) => {
    const asked = request.outputs?.find((o) => o.name === t.name)?.parameters?.binary_data;
    const b = typeof asked === "boolean" ? asked : all;
    any ||= b;
    return b;
  });
  return any ? flags : undefined;
}

/**
 * Encodes an inference result (the server's side) as the request asked: JSON, or with the
 * outputs it asked for in binary after the JSON header.
 */
export function encodeInferResult(result: InferResult, request?: InferRequest): EncodedBody {
  const flags = binaryOutputs(result, request);
  const sizes: number[] = [];
  const binaryTensors: Tensor[] = [];
  let s = `{"model_name":${JSON.stringify(result.modelName)},"model_version":${JSON.stringify(result.modelVersion)}`;
  if (result.id !== undefined) s += `,"id":${JSON.stringify(result.id)}`;
  if (result.parameters !== undefined) s += `,"parameters":${JSON.stringify(result.parameters)}`;
  s += `,"outputs":[`;
  for (let i = 0; i < result.outputs.length; i++) {
    const t = result.outputs[i]!;
    if (i > 0) s += ",";
    if (flags?.[i]) {
      const size = binarySize(t);
      sizes.push(size);
      binaryTensors.push(t);
      s += tensorJsonText(t, size);
    } else {
      s += tensorJsonText(t);
    }
  }
  s += "]}";
  if (flags === undefined) return { body: s, contentType: "application/json" };
  return assemble(s, binaryTensors, sizes);
}
