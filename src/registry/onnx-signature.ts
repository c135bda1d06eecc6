/**
 * A model's input/output signature read from the model file itself: an ONNX `ModelProto`'s
 * graph inputs and outputs (names, element types as dtype names, shapes with `dim_value` or
 * `dim_param`), or a TensorFlow.js layers `model.json`'s input and output layers.
 *
 * The ONNX reader is a small protobuf wire-format walker over the file: it descends only
 * into `ModelProto.graph` and the graph's `input`, `output` and `initializer` names, and
 * skips every other field by its length, so the weights are never read into memory.
 * Field numbers are those of `onnx/onnx.proto` (ModelProto.graph = 7; GraphProto.node = 1,
 * initializer = 5, input = 11, output = 12; ValueInfoProto.name = 1, type = 2;
 * TypeProto.tensor_type = 1; TypeProto.Tensor.elem_type = 1, shape = 2;
 * TensorShapeProto.dim = 1; Dimension.dim_value = 1, dim_param = 2; TensorProto.name = 8).
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { WeftError } from "../ir/weft-error.ts";

/** One input or output: its name, dtype (numpy's names: `float32`, `int64`, ...) and shape (-1: unknown size). */
export interface TensorSignature {
  name: string;
  dtype: string;
  shape: (number | string)[];
}

/** A model's signature. */
export interface ModelSignature {
  inputs: TensorSignature[];
  outputs: TensorSignature[];
}

/** A model file that cannot be read as the format it claims. */
export class SignatureError extends WeftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("REGISTRY_SIGNATURE_UNREADABLE", message, options);
  }
}

/** `TensorProto.DataType` → dtype name. */
const ONNX_DTYPES: Record<number, string> = {
  0: "undefined",
  1: "float32",
  2: "uint8",
  3: "int8",
  4: "uint16",
  5: "int16",
  6: "int32",
  7: "int64",
  8: "string",
  9: "bool",
  10: "float16",
  11: "float64",
  12: "uint32",
  13: "uint64",
  14: "complex64",
  15: "complex128",
  16: "bfloat16",
  17: "float8e4m3fn",
  18: "float8e4m3fnuz",
  19: "float8e5m2",
  20: "float8e5m2fnuz",
  21: "uint4",
  22: "int4",
  23: "float4e2m1",
};

/** Reads bytes of a file at positions, through one window (the file is never read whole). */
class FileBytes {
  private window = Buffer.alloc(0);
  private windowStart = 0;
  readonly size: number;

  constructor(
    private readonly fd: number,
    readonly path: string,
  ) {
    this.size = fstatSync(fd).size;
  }

  /** `length` bytes at `pos` (a copy for long reads, a view of the window otherwise). */
  bytes(pos: number, length: number): Buffer {
    if (pos < 0 || pos + length > this.size) throw truncated(this.path, pos);
    if (pos >= this.windowStart && pos + length <= this.windowStart + this.window.length) {
      return this.window.subarray(pos - this.windowStart, pos - this.windowStart + length);
    }
    const size = Math.min(Math.max(length, 64 * 1024), this.size - pos);
    const buf = Buffer.alloc(size);
    let done = 0;
    while (done < size) {
      const n = readSync(this.fd, buf, done, size - done, pos + done);
      if (n === 0) throw truncated(this.path, pos + done);
      done += n;
    }
    this.window = buf;
    this.windowStart = pos;
    return buf.subarray(0, length);
  }

  byte(pos: number): number {
    return this.bytes(pos, 1)[0]!;
  }
}

function truncated(path: string, pos: number): SignatureError {
  return new SignatureError(
    `${path}: the ONNX file ends inside a field at byte ${pos}; the file is truncated or not an ONNX ModelProto. ` +
      "Write the model again (onnx.save) and register that file.",
  );
}

/** One field of a message: its number, wire type and, for a varint, its value; for bytes, where they lie. */
interface Field {
  number: number;
  wireType: number;
  varint?: bigint;
  start: number;
  length: number;
}

/** The fields of the message that lies in `[start, end)` of `src`, in order. */
function* fields(src: FileBytes, start: number, end: number): Generator<Field> {
  let pos = start;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (pos >= end || shift > 63n) throw truncated(src.path, pos);
      const b = src.byte(pos++);
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
  };
  while (pos < end) {
    const key = varint();
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (wireType === 0) {
      const at = pos;
      yield { number, wireType, varint: varint(), start: at, length: 0 };
    } else if (wireType === 1 || wireType === 5) {
      const length = wireType === 1 ? 8 : 4;
      if (pos + length > end) throw truncated(src.path, pos);
      yield { number, wireType, start: pos, length };
      pos += length;
    } else if (wireType === 2) {
      const length = Number(varint());
      if (pos + length > end) throw truncated(src.path, pos);
      yield { number, wireType, start: pos, length };
      pos += length;
    } else {
      throw new SignatureError(
        `${src.path}: byte ${pos} holds protobuf wire type ${wireType}, which an ONNX ModelProto never uses; ` +
          "the file is not an ONNX model. Register the .onnx file the exporter wrote.",
      );
    }
  }
}

const text = (src: FileBytes, f: Field): string => src.bytes(f.start, f.length).toString("utf8");

/** Two's complement int64 from a varint. */
const int64 = (v: bigint): number => Number(BigInt.asIntN(64, v));

function readDim(src: FileBytes, f: Field): number | string {
  let dim: number | string = -1;
  for (const d of fields(src, f.start, f.start + f.length)) {
    if (d.number === 1 && d.varint !== undefined) dim = int64(d.varint);
    else if (d.number === 2 && d.wireType === 2) dim = text(src, d);
  }
  return dim;
}

function readTensorType(src: FileBytes, f: Field): { dtype: string; shape: (number | string)[] } {
  let dtype = "undefined";
  let shape: (number | string)[] = [];
  for (const t of fields(src, f.start, f.start + f.length)) {
    if (t.number === 1 && t.varint !== undefined) {
      const code = Number(t.varint);
      dtype = ONNX_DTYPES[code] ?? `onnx_type_${code}`;
    } else if (t.number === 2 && t.wireType === 2) {
      shape = [];
      for (const d of fields(src, t.start, t.start + t.length)) {
        if (d.number === 1 && d.wireType === 2) shape.push(readDim(src, d));
      }
    }
  }
  return { dtype, shape };
}

function readValueInfo(src: FileBytes, f: Field): TensorSignature {
  let name = "";
  let dtype = "undefined";
  let shape: (number | string)[] = [];
  for (const v of fields(src, f.start, f.start + f.length)) {
    if (v.number === 1 && v.wireType === 2) name = text(src, v);
    else if (v.number === 2 && v.wireType === 2) {
      for (const t of fields(src, v.start, v.start + v.length)) {
        // tensor_type = 1, sparse_tensor_type = 8 (the same Tensor message layout)
        if ((t.number === 1 || t.number === 8) && t.wireType === 2) ({ dtype, shape } = readTensorType(src, t));
        else if (t.number === 4 && t.wireType === 2) dtype = "sequence";
        else if (t.number === 5 && t.wireType === 2) dtype = "map";
        else if (t.number === 9 && t.wireType === 2) dtype = "optional";
      }
    }
  }
  return { name, dtype, shape };
}

function readInitializerName(src: FileBytes, f: Field): string | undefined {
  for (const t of fields(src, f.start, f.start + f.length)) {
    if (t.number === 8 && t.wireType === 2) return text(src, t);
  }
  return undefined;
}

/**
 * The signature of the ONNX model at `path`. Graph inputs that are initializers (older
 * exporters list the weights as inputs too) are left out. Throws {@link SignatureError}
 * naming the file when it is not an ONNX ModelProto.
 */
export function readOnnxSignature(path: string): ModelSignature {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (cause) {
    throw new SignatureError(`${path}: cannot open the ONNX file (${(cause as Error).message}).`, { cause });
  }
  try {
    const src = new FileBytes(fd, path);
    let graph: Field | undefined;
    let sawIrVersion = false;
    for (const f of fields(src, 0, src.size)) {
      if (f.number === 1 && f.wireType === 0) sawIrVersion = true;
      if (f.number === 7 && f.wireType === 2) graph = f;
    }
    if (!graph) {
      throw new SignatureError(
        `${path}: no graph in the file${sawIrVersion ? "" : " (and no ir_version)"}; it is not an ONNX ModelProto. ` +
          "Register the .onnx file the exporter wrote.",
      );
    }
    const inputs: TensorSignature[] = [];
    const outputs: TensorSignature[] = [];
    const initializers = new Set<string>();
    for (const f of fields(src, graph.start, graph.start + graph.length)) {
      if (f.wireType !== 2) continue;
      if (f.number === 11) inputs.push(readValueInfo(src, f));
      else if (f.number === 12) outputs.push(readValueInfo(src, f));
      else if (f.number === 5) {
        const name = readInitializerName(src, f);
        if (name !== undefined) initializers.add(name);
      }
    }
    return { inputs: inputs.filter((i) => !initializers.has(i.name)), outputs };
  } finally {
    closeSync(fd);
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const obj = (v: Json | undefined): Record<string, Json> | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? v : undefined;

/** `[null, 10]` → `[-1, 10]`. */
function tfjsShape(v: Json | undefined): (number | string)[] {
  if (!Array.isArray(v)) return [];
  return v.map((d) => (typeof d === "number" ? d : -1));
}

/**
 * The signature of a TensorFlow.js layers model (`model.json`): the input layers' names,
 * dtypes and batch input shapes, and the output layers' names. Keras' snake_case and
 * tfjs' camelCase keys are both read. Throws {@link SignatureError} naming the file when it
 * is not a tfjs layers model.
 */
export function readTfjsSignature(path: string): ModelSignature {
  let doc: Json;
  try {
    doc = JSON.parse(readFileSync(path, "utf8")) as Json;
  } catch (cause) {
    throw new SignatureError(`${path}: not a readable JSON model.json (${(cause as Error).message}).`, { cause });
  }
  const topology = obj(obj(doc)?.modelTopology);
  const model = obj(topology?.model_config) ?? topology;
  const config = obj(model?.config);
  const layersOf = (c: Record<string, Json> | undefined): Record<string, Json>[] =>
    (Array.isArray(c?.layers) ? c.layers : Array.isArray(model?.config) ? model.config : [])
      .map((l) => obj(l))
      .filter((l): l is Record<string, Json> => l !== undefined);
  const layers = layersOf(config);
  if (!model || layers.length === 0) {
    throw new SignatureError(
      `${path}: no modelTopology with layers; it is not a TensorFlow.js layers model.json. ` +
        "Register the model.json that model.save() wrote.",
    );
  }
  const layerName = (l: Record<string, Json>): string => {
    const name = obj(l.config)?.name ?? l.name;
    return typeof name === "string" ? name : "";
  };
  const spec = (l: Record<string, Json>): TensorSignature => {
    const c = obj(l.config) ?? {};
    const dtype = typeof c.dtype === "string" ? c.dtype : "float32";
    return { name: layerName(l), dtype, shape: tfjsShape(c.batch_input_shape ?? c.batchInputShape) };
  };
  const refNames = (v: Json | undefined): string[] =>
    Array.isArray(v) ? v.map((r) => (Array.isArray(r) && typeof r[0] === "string" ? r[0] : "")).filter(Boolean) : [];
  const byName = new Map(layers.map((l) => [layerName(l), l]));
  const inputNames = refNames(config?.input_layers ?? config?.inputLayers);
  const outputNames = refNames(config?.output_layers ?? config?.outputLayers);
  // A Sequential model names no input or output layers: its first layer takes the input, its last gives the output.
  const inputs = inputNames.length > 0 ? inputNames.map((n) => byName.get(n) ?? { name: n }) : [layers[0]!];
  const last = layers[layers.length - 1]!;
  const outputs: TensorSignature[] = (outputNames.length > 0 ? outputNames : [layerName(last)]).map((name) => ({
    name,
    dtype: "float32",
    shape: [],
  }));
  return { inputs: inputs.map(spec), outputs };
}

/** TensorFlow's `DT_*` names → dtype names. */
const TF_DTYPES: Record<string, string> = {
  DT_FLOAT: "float32",
  DT_DOUBLE: "float64",
  DT_HALF: "float16",
  DT_BFLOAT16: "bfloat16",
  DT_INT8: "int8",
  DT_INT16: "int16",
  DT_INT32: "int32",
  DT_INT64: "int64",
  DT_UINT8: "uint8",
  DT_UINT16: "uint16",
  DT_UINT32: "uint32",
  DT_UINT64: "uint64",
  DT_BOOL: "bool",
  DT_STRING: "string",
  DT_COMPLEX64: "complex64",
  DT_COMPLEX128: "complex128",
};

/** A graph model's `signature.inputs` / `outputs` map: `{key: {name, dtype: "DT_FLOAT", tensorShape: {dim: [{size: "-1"}]}}}`. */
function graphTensors(v: Json | undefined): TensorSignature[] {
  const map = obj(v);
  if (!map) return [];
  return Object.entries(map).map(([key, t]) => {
    const info = obj(t) ?? {};
    const dims = obj(info.tensorShape)?.dim;
    const dtype = typeof info.dtype === "string" ? (TF_DTYPES[info.dtype] ?? info.dtype.toLowerCase()) : "undefined";
    const shape = Array.isArray(dims)
      ? dims.map((d) => {
          const size = obj(d)?.size;
          return size === undefined || size === null ? -1 : Number(size);
        })
      : [];
    return { name: typeof info.name === "string" ? info.name : key, dtype, shape };
  });
}

/**
 * What a `model.json` is, read without failing: a TensorFlow.js layers model (its format
 * and signature, see {@link readTfjsSignature}), a graph model (`format: "graph-model"`,
 * its `signature` inputs and outputs when the converter wrote them), or `undefined` when it
 * is not a TensorFlow.js model at all. Throws {@link SignatureError} only for a layers
 * model whose topology cannot be read.
 */
export function readTfjsModel(
  path: string,
): { format: "tfjs-layers" | "tfjs-graph"; signature?: ModelSignature } | undefined {
  let doc: Record<string, Json> | undefined;
  try {
    doc = obj(JSON.parse(readFileSync(path, "utf8")) as Json);
  } catch {
    return undefined;
  }
  const topology = obj(doc?.modelTopology);
  if (!doc || !topology) return undefined;
  if (doc.format === "graph-model" || Array.isArray(topology.node)) {
    const sig = obj(doc.signature);
    return sig
      ? { format: "tfjs-graph", signature: { inputs: graphTensors(sig.inputs), outputs: graphTensors(sig.outputs) } }
      : { format: "tfjs-graph" };
  }
  return { format: "tfjs-layers", signature: readTfjsSignature(path) };
}
