/**
 * Tensors, requests and results between their in-memory forms (`../types.ts`) and the gRPC
 * messages of `service.proto`, as `@grpc/proto-loader` hands them over with `LOADER_OPTIONS`
 * (snake_case fields, 64-bit integers as decimal strings, oneofs named). Elements travel
 * either typed (`contents`, the repeated field of the tensor's datatype) or raw
 * (`raw_input_contents` / `raw_output_contents`: row-major little-endian bytes, BYTES as
 * 4-byte little-endian lengths each followed by its bytes, FP16 only this way). Pure: the
 * server and the client (`weft/serving-client`) both use it.
 */
import { ServingError } from "../errors.ts";
import {
  DATATYPES,
  type Datatype,
  type InferRequest,
  type InferResult,
  type Parameters,
  type RequestedOutput,
  type Tensor,
  type TensorData,
} from "../types.ts";
import { TYPED_ARRAY } from "../wire/dtypes.ts";

/** How the messages are decoded: both sides load the service with these. */
export const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
} as const;

/** An `InferParameter` or `ModelRepositoryParameter` as decoded. */
export interface WireParameter {
  parameter_choice?: string;
  bool_param?: boolean;
  int64_param?: string | number;
  string_param?: string;
  double_param?: number;
  uint64_param?: string | number;
  bytes_param?: Uint8Array;
}

/** `InferTensorContents`. */
export interface WireContents {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: (string | number)[];
  uint_contents?: number[];
  uint64_contents?: (string | number)[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Uint8Array[];
}

/** An input or output tensor message. */
export interface WireTensor {
  name?: string;
  datatype?: string;
  shape?: (string | number)[];
  parameters?: Record<string, WireParameter>;
  contents?: WireContents;
}

/** `ModelInferRequest`. */
export interface WireInferRequest {
  model_name?: string;
  model_version?: string;
  id?: string;
  parameters?: Record<string, WireParameter>;
  inputs?: WireTensor[];
  outputs?: { name?: string; parameters?: Record<string, WireParameter> }[];
  raw_input_contents?: Uint8Array[];
}

/** `ModelInferResponse`. */
export interface WireInferResponse {
  model_name?: string;
  model_version?: string;
  id?: string;
  parameters?: Record<string, WireParameter>;
  outputs?: WireTensor[];
  raw_output_contents?: Uint8Array[];
}

type ContentsField = keyof WireContents;

/** The `InferTensorContents` field that carries each datatype (FP16: none, raw only). */
const CONTENTS_FIELD: Record<Datatype, ContentsField | undefined> = {
  BOOL: "bool_contents",
  INT8: "int_contents",
  INT16: "int_contents",
  INT32: "int_contents",
  INT64: "int64_contents",
  UINT8: "uint_contents",
  UINT16: "uint_contents",
  UINT32: "uint_contents",
  UINT64: "uint64_contents",
  FP16: undefined,
  FP32: "fp32_contents",
  FP64: "fp64_contents",
  BYTES: "bytes_contents",
};

/** Bytes per element of the fixed-size datatypes. */
const ELEMENT_BYTES: Record<Exclude<Datatype, "BYTES">, number> = {
  BOOL: 1,
  INT8: 1,
  UINT8: 1,
  INT16: 2,
  UINT16: 2,
  FP16: 2,
  INT32: 4,
  UINT32: 4,
  FP32: 4,
  INT64: 8,
  UINT64: 8,
  FP64: 8,
};

/** Inclusive ranges of the integer datatypes that travel as `int_contents` / `uint_contents`. */
const INT_RANGE: Partial<Record<Datatype, [number, number]>> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
};

const DATATYPE_SET: ReadonlySet<string> = new Set(DATATYPES);

const invalid = (message: string): ServingError => new ServingError("INVALID_ARGUMENT", message);

/** The number of elements a shape holds. */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function decodeDatatype(value: string | undefined, what: string): Datatype {
  if (value !== undefined && DATATYPE_SET.has(value)) return value as Datatype;
  throw invalid(`${what} has datatype ${JSON.stringify(value ?? "")}: expected one of ${DATATYPES.join(", ")}`);
}

function decodeShape(value: (string | number)[] | undefined, what: string): number[] {
  const shape = new Array<number>(value?.length ?? 0);
  for (let i = 0; i < shape.length; i++) {
    const d = Number(value![i]);
    if (!Number.isSafeInteger(d) || d < 0) {
      throw invalid(`${what} has shape [${value!.join(", ")}]: every dimension must be a whole number >= 0`);
    }
    shape[i] = d;
  }
  return shape;
}

/** Decodes a `map<string, InferParameter>` (or `ModelRepositoryParameter`); 64-bit integers become numbers. */
export function decodeParameters(map: Record<string, WireParameter> | undefined): Parameters | undefined {
  if (map === undefined) return undefined;
  const out: Parameters = {};
  let any = false;
  for (const key of Object.keys(map)) {
    const p = map[key]!;
    const choice = p.parameter_choice;
    let value: string | number | boolean;
    if (choice === "bool_param") value = p.bool_param ?? false;
    else if (choice === "int64_param") value = Number(p.int64_param ?? 0);
    else if (choice === "uint64_param") value = Number(p.uint64_param ?? 0);
    else if (choice === "double_param") value = p.double_param ?? 0;
    else if (choice === "bytes_param") value = Buffer.from(p.bytes_param ?? []).toString("utf8");
    else value = p.string_param ?? "";
    out[key] = value;
    any = true;
  }
  return any ? out : undefined;
}

/** Encodes parameters as `map<string, InferParameter>`: whole numbers as int64, others as double. */
export function encodeParameters(parameters: Parameters | undefined): Record<string, WireParameter> | undefined {
  if (parameters === undefined) return undefined;
  const out: Record<string, WireParameter> = {};
  for (const key of Object.keys(parameters)) {
    const v = parameters[key];
    if (typeof v === "boolean") out[key] = { bool_param: v };
    else if (typeof v === "number") out[key] = Number.isSafeInteger(v) ? { int64_param: v } : { double_param: v };
    else if (v !== undefined) out[key] = { string_param: String(v) };
  }
  return out;
}

/** Reads one raw tensor's bytes as the datatype's elements, checking they fill the shape exactly. */
export function decodeRaw(raw: Uint8Array, datatype: Datatype, shape: number[], what: string): TensorData {
  const count = elementCount(shape);
  if (datatype === "BYTES") {
    const items: Uint8Array[] = [];
    let at = 0;
    while (at < raw.byteLength) {
      if (at + 4 > raw.byteLength) {
        throw invalid(`${what}: raw BYTES contents end inside the 4-byte length of element ${items.length}`);
      }
      const length = (raw[at]! | (raw[at + 1]! << 8) | (raw[at + 2]! << 16)) + raw[at + 3]! * 0x1000000;
      at += 4;
      if (at + length > raw.byteLength) {
        throw invalid(
          `${what}: raw BYTES element ${items.length} says ${length} bytes but only ${raw.byteLength - at} remain`,
        );
      }
      items.push(raw.subarray(at, at + length));
      at += length;
    }
    if (items.length !== count) {
      throw invalid(
        `${what} has ${items.length} BYTES elements in its raw contents; its shape [${shape}] needs ${count}`,
      );
    }
    return items;
  }
  const size = ELEMENT_BYTES[datatype];
  if (raw.byteLength !== count * size) {
    throw invalid(
      `${what} has ${raw.byteLength} bytes of raw contents; ${datatype} with shape [${shape}] needs ${count * size} (${count} x ${size})`,
    );
  }
  const Array_ = TYPED_ARRAY[datatype];
  // typed arrays need their element alignment: copy (to offset 0 of a new buffer) when the message's is off
  const bytes = raw.byteOffset % size === 0 ? raw : new Uint8Array(raw);
  return new Array_(bytes.buffer as ArrayBuffer, bytes.byteOffset, count);
}

/** A tensor's elements as raw bytes (a view where possible, no copy). */
export function encodeRaw(datatype: Datatype, data: TensorData): Uint8Array {
  if (datatype === "BYTES") {
    const items = data as Uint8Array[];
    let total = 0;
    for (const item of items) total += 4 + item.byteLength;
    const out = Buffer.allocUnsafe(total);
    let at = 0;
    for (const item of items) {
      out.writeUInt32LE(item.byteLength, at);
      out.set(item, at + 4);
      at += 4 + item.byteLength;
    }
    return out;
  }
  const view = data as Exclude<TensorData, Uint8Array[]>;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** Reads a tensor's typed `contents`, checking the field matches the datatype and fills the shape. */
export function decodeContents(
  contents: WireContents | undefined,
  datatype: Datatype,
  shape: number[],
  what: string,
): TensorData {
  const count = elementCount(shape);
  const field = CONTENTS_FIELD[datatype];
  if (field === undefined) {
    throw invalid(`${what} is FP16, which has no typed contents: send its elements in raw_input_contents`);
  }
  const values = (contents?.[field] ?? []) as unknown[];
  if (contents !== undefined) {
    for (const other of Object.keys(contents) as ContentsField[]) {
      if (other !== field && (contents[other]?.length ?? 0) > 0) {
        throw invalid(`${what} is ${datatype}, whose elements go in contents.${field}, not contents.${other}`);
      }
    }
  }
  if (values.length !== count) {
    throw invalid(`${what} has ${values.length} elements in contents.${field}; its shape [${shape}] needs ${count}`);
  }
  switch (datatype) {
    case "BYTES":
      return (values as Uint8Array[]).map((b) => (b instanceof Uint8Array ? b : new Uint8Array(b)));
    case "BOOL":
      return Uint8Array.from(values as boolean[], (b) => (b ? 1 : 0));
    case "INT64":
      return BigInt64Array.from(values as (string | number)[], (v) => BigInt(v));
    case "UINT64":
      return BigUint64Array.from(values as (string | number)[], (v) => BigInt(v));
    case "FP32":
      return Float32Array.from(values as number[]);
    case "FP64":
      return Float64Array.from(values as number[]);
    default: {
      const [min, max] = INT_RANGE[datatype]!;
      const nums = values as number[];
      for (let i = 0; i < nums.length; i++) {
        const v = nums[i]!;
        if (v < min || v > max)
          throw invalid(`${what} element ${i} is ${v}, outside ${datatype}'s range ${min}..${max}`);
      }
      return (TYPED_ARRAY[datatype] as Int32ArrayConstructor).from(nums);
    }
  }
}

/** A tensor's elements as typed `contents`; FP16 has none (callers send it raw). */
export function encodeContents(datatype: Datatype, data: TensorData): WireContents {
  const field = CONTENTS_FIELD[datatype];
  if (field === undefined) throw new ServingError("INTERNAL", "FP16 tensors travel only as raw contents");
  switch (datatype) {
    case "BYTES":
      return { bytes_contents: data as Uint8Array[] };
    case "BOOL":
      return { bool_contents: Array.from(data as Uint8Array, (v) => v !== 0) };
    case "INT64":
    case "UINT64":
      return { [field]: Array.from(data as BigInt64Array, (v) => v.toString()) };
    default:
      return { [field]: Array.from(data as Float32Array) };
  }
}

function decodeTensors(
  wire: WireTensor[] | undefined,
  raw: Uint8Array[] | undefined,
  kind: "input" | "output",
  rawField: string,
): Tensor[] {
  const tensors = wire ?? [];
  const useRaw = raw !== undefined && raw.length > 0;
  if (useRaw && raw.length !== tensors.length) {
    throw invalid(
      `${rawField} has ${raw.length} entries for ${tensors.length} ${kind}s: give one per ${kind}, in order`,
    );
  }
  const out = new Array<Tensor>(tensors.length);
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i]!;
    const name = t.name ?? "";
    const what = `${kind} ${JSON.stringify(name)}`;
    const datatype = decodeDatatype(t.datatype, what);
    const shape = decodeShape(t.shape, what);
    let data: TensorData;
    if (useRaw) {
      if (t.contents !== undefined && Object.values(t.contents).some((v) => (v as unknown[]).length > 0)) {
        throw invalid(`${what} has typed contents while ${rawField} is given: use one or the other for every ${kind}`);
      }
      data = decodeRaw(raw[i]!, datatype, shape, what);
    } else {
      data = decodeContents(t.contents, datatype, shape, what);
    }
    const tensor: Tensor = { name, datatype, shape, data };
    const parameters = decodeParameters(t.parameters);
    if (parameters !== undefined) tensor.parameters = parameters;
    out[i] = tensor;
  }
  return out;
}

function encodeTensors(
  tensors: Tensor[],
  raw: boolean,
  kind: "input" | "output",
): { tensors: WireTensor[]; raw?: Uint8Array[] } {
  const wire = new Array<WireTensor>(tensors.length);
  const rawContents: Uint8Array[] | undefined = raw ? new Array<Uint8Array>(tensors.length) : undefined;
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i]!;
    const count = elementCount(t.shape);
    if (t.data?.length !== count) {
      throw invalid(
        `${kind} ${JSON.stringify(t.name)} has ${t.data?.length ?? "no"} elements; its shape [${t.shape}] needs ${count}`,
      );
    }
    const w: WireTensor = { name: t.name, datatype: t.datatype, shape: t.shape };
    const parameters = encodeParameters(t.parameters);
    if (parameters !== undefined) w.parameters = parameters;
    if (rawContents !== undefined) rawContents[i] = encodeRaw(t.datatype, t.data);
    else w.contents = encodeContents(t.datatype, t.data);
    wire[i] = w;
  }
  return rawContents === undefined ? { tensors: wire } : { tensors: wire, raw: rawContents };
}

/** Whether any tensor is FP16, which only raw contents can carry. */
const needsRaw = (tensors: Tensor[]): boolean => tensors.some((t) => t.datatype === "FP16");

/** A decoded `ModelInferRequest`: the model, the version asked for and the request. */
export interface DecodedInferRequest {
  model: string;
  version: string | undefined;
  request: InferRequest;
  /** Whether the inputs came raw (the server answers the same way). */
  raw: boolean;
}

/** Reads a `ModelInferRequest`; malformed tensors are INVALID_ARGUMENT errors naming the input. */
export function decodeInferRequest(message: WireInferRequest): DecodedInferRequest {
  const model = message.model_name ?? "";
  if (model === "") throw invalid("ModelInferRequest.model_name is empty: name the model to infer with");
  const request: InferRequest = {
    inputs: decodeTensors(message.inputs, message.raw_input_contents, "input", "raw_input_contents"),
  };
  if (message.id) request.id = message.id;
  const parameters = decodeParameters(message.parameters);
  if (parameters !== undefined) request.parameters = parameters;
  if (message.outputs !== undefined && message.outputs.length > 0) {
    request.outputs = message.outputs.map((o): RequestedOutput => {
      const out: RequestedOutput = { name: o.name ?? "" };
      const p = decodeParameters(o.parameters);
      if (p !== undefined) out.parameters = p;
      return out;
    });
  }
  return {
    model,
    version: message.model_version ? message.model_version : undefined,
    request,
    raw: (message.raw_input_contents?.length ?? 0) > 0,
  };
}

/** Writes a `ModelInferRequest`; raw by default (FP16 inputs always are). */
export function encodeInferRequest(
  model: string,
  version: string | undefined,
  request: InferRequest,
  options: { raw?: boolean } = {},
): WireInferRequest {
  const raw = options.raw !== false || needsRaw(request.inputs);
  const { tensors, raw: rawContents } = encodeTensors(request.inputs, raw, "input");
  const message: WireInferRequest = { model_name: model, inputs: tensors };
  if (version !== undefined) message.model_version = version;
  if (request.id !== undefined) message.id = request.id;
  if (request.parameters !== undefined) message.parameters = encodeParameters(request.parameters);
  if (request.outputs !== undefined) {
    message.outputs = request.outputs.map((o) =>
      o.parameters === undefined ? { name: o.name } : { name: o.name, parameters: encodeParameters(o.parameters) },
    );
  }
  if (rawContents !== undefined) message.raw_input_contents = rawContents;
  return message;
}

/**
 * Writes a `ModelInferResponse`: raw outputs when `raw` (the request came raw) or when an
 * output is FP16, typed `contents` otherwise.
 */
export function encodeInferResponse(result: InferResult, raw: boolean): WireInferResponse {
  const { tensors, raw: rawContents } = encodeTensors(result.outputs, raw || needsRaw(result.outputs), "output");
  const message: WireInferResponse = {
    model_name: result.modelName,
    model_version: result.modelVersion,
    outputs: tensors,
  };
  if (result.id !== undefined) message.id = result.id;
  if (result.parameters !== undefined) message.parameters = encodeParameters(result.parameters);
  if (rawContents !== undefined) message.raw_output_contents = rawContents;
  return message;
}

/** Reads a `ModelInferResponse`. */
export function decodeInferResponse(message: WireInferResponse): InferResult {
  const result: InferResult = {
    modelName: message.model_name ?? "",
    modelVersion: message.model_version ?? "",
    outputs: decodeTensors(message.outputs, message.raw_output_contents, "output", "raw_output_contents"),
  };
  if (message.id) result.id = message.id;
  const parameters = decodeParameters(message.parameters);
  if (parameters !== undefined) result.parameters = parameters;
  return result;
}
