/**
 * Small ONNX models for the serving tests, built with `onnx-proto` into a temporary folder
 * of this process (removed when it exits, or by `removeOnnxModels()`):
 *
 * - `identityModel(datatype)`: input `x` → output `y` (ONNX `Identity`), for every datatype
 *   ONNX Runtime takes (BYTES is ONNX's `string`, FP16 its `float16`); shape `[batch, 2]`
 *   unless `dims` says otherwise (a string is a symbolic dimension, `-1` in the specs).
 * - `denseModel()`: `x` FP32 `[batch, 4]` → `y` FP32 `[batch, 1]`, `sigmoid(x·W + b)` with
 *   the fixed `DENSE_WEIGHTS` and `DENSE_BIAS`; `denseReference(rows)` computes it in JS.
 * - `twoInputModel()`: `a`, `b` FP32 `[batch, 2]` → `sum` (a + b) and `diff` (a − b).
 *
 * Each returns the model file's path; the same call returns the same file. `*Config`
 * helpers give the matching `ModelConfig` (Triton's, batch dimension left out of the dims).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import type { Datatype, DynamicBatching, ModelConfig, TensorSpec } from "../../src/serving/types.ts";

// onnx-proto is CommonJS: its namespace is the default export's `onnx`
const { onnx } = onnxProto as unknown as typeof import("onnx-proto");

/** ONNX `TensorProto.DataType` of each protocol datatype. */
export const ONNX_ELEM_TYPE: Record<Datatype, number> = {
  FP32: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  BYTES: 8,
  BOOL: 9,
  FP16: 10,
  FP64: 11,
  UINT32: 12,
  UINT64: 13,
};

let root: string | undefined;
const built = new Map<string, string>();

/** The folder the models are written to (created on first use). */
export function onnxModelsDir(): string {
  if (!root) {
    root = mkdtempSync(join(tmpdir(), "weft-onnx-models-"));
    const dir = root;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return root;
}

/** Removes the folder and forgets the models written so far. */
export function removeOnnxModels(): void {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
  built.clear();
}

type Dim = number | string;

function valueInfo(name: string, elemType: number, dims: Dim[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })),
        }),
      }),
    }),
  });
}

function floatTensor(name: string, dims: number[], values: number[]) {
  const data = Float32Array.from(values);
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: ONNX_ELEM_TYPE.FP32,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  });
}

function write(key: string, graph: import("onnx-proto").onnx.IGraphProto): string {
  const known = built.get(key);
  if (known) return known;
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 16 }],
    producerName: "weft-serving-tests",
    graph: onnx.GraphProto.create(graph),
  });
  const dir = join(onnxModelsDir(), key);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "model.onnx");
  writeFileSync(file, onnx.ModelProto.encode(proto).finish());
  built.set(key, file);
  return file;
}

/** `x` → `y` unchanged, of `datatype`, shape `dims` (default `["batch", 2]`). */
export function identityModel(datatype: Datatype, options: { dims?: Dim[] } = {}): string {
  const dims = options.dims ?? ["batch", 2];
  const elem = ONNX_ELEM_TYPE[datatype];
  return write(`identity-${datatype.toLowerCase()}-${dims.join("x")}`, {
    name: `identity_${datatype.toLowerCase()}`,
    node: [onnx.NodeProto.create({ opType: "Identity", input: ["x"], output: ["y"], name: "identity" })],
    input: [valueInfo("x", elem, dims)],
    output: [valueInfo("y", elem, dims)],
  });
}

/** The dense model's weights, `[4][1]`. */
export const DENSE_WEIGHTS = [[0.5], [-0.25], [0.125], [1]];
/** The dense model's bias. */
export const DENSE_BIAS = [-0.5];

/** `x` FP32 `[batch, 4]` → `y` FP32 `[batch, 1]` = sigmoid(x·W + b). */
export function denseModel(): string {
  return write("dense", {
    name: "dense",
    node: [
      onnx.NodeProto.create({ opType: "Gemm", input: ["x", "W", "b"], output: ["z"], name: "gemm" }),
      onnx.NodeProto.create({ opType: "Sigmoid", input: ["z"], output: ["y"], name: "sigmoid" }),
    ],
    initializer: [floatTensor("W", [4, 1], DENSE_WEIGHTS.flat()), floatTensor("b", [1], DENSE_BIAS)],
    input: [valueInfo("x", ONNX_ELEM_TYPE.FP32, ["batch", 4])],
    output: [valueInfo("y", ONNX_ELEM_TYPE.FP32, ["batch", 1])],
  });
}

/** The dense model's outputs for row-major rows of 4, computed in double precision. */
export function denseReference(rows: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let r = 0; r * 4 < rows.length; r++) {
    let z = DENSE_BIAS[0]!;
    for (let k = 0; k < 4; k++) z += rows[r * 4 + k]! * DENSE_WEIGHTS[k]![0]!;
    out.push(1 / (1 + Math.exp(-z)));
  }
  return out;
}

/** `a`, `b` FP32 `[batch, 2]` → `sum` = a + b and `diff` = a − b. */
export function twoInputModel(): string {
  const f = ONNX_ELEM_TYPE.FP32;
  return write("two-input", {
    name: "two_input",
    node: [
      onnx.NodeProto.create({ opType: "Add", input: ["a", "b"], output: ["sum"], name: "add" }),
      onnx.NodeProto.create({ opType: "Sub", input: ["a", "b"], output: ["diff"], name: "sub" }),
    ],
    input: [valueInfo("a", f, ["batch", 2]), valueInfo("b", f, ["batch", 2])],
    output: [valueInfo("sum", f, ["batch", 2]), valueInfo("diff", f, ["batch", 2])],
  });
}

/** A file named `model.onnx` that is not an ONNX model. */
export function invalidModel(): string {
  const dir = join(onnxModelsDir(), "invalid");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "model.onnx");
  writeFileSync(file, "id,amount\n1,2\n");
  return file;
}

interface ConfigOptions {
  name?: string;
  /** Default 8; 0 keeps the batch dimension in the dims and never merges requests. */
  maxBatchSize?: number;
  dynamicBatching?: DynamicBatching;
}

function config(name: string, inputs: TensorSpec[], outputs: TensorSpec[], options: ConfigOptions): ModelConfig {
  const maxBatchSize = options.maxBatchSize ?? 8;
  const dims = (spec: TensorSpec): TensorSpec => (maxBatchSize > 0 ? { ...spec, shape: spec.shape.slice(1) } : spec);
  return {
    name: options.name ?? name,
    platform: "onnxruntime_onnx",
    maxBatchSize,
    inputs: inputs.map(dims),
    outputs: outputs.map(dims),
    ...(options.dynamicBatching ? { dynamicBatching: options.dynamicBatching } : {}),
    versionPolicy: { kind: "latest", numVersions: 1 },
  };
}

/** The config of `identityModel(datatype)` (default dims). */
export function identityConfig(datatype: Datatype, options: ConfigOptions = {}): ModelConfig {
  const spec = (name: string): TensorSpec => ({ name, datatype, shape: [-1, 2] });
  return config(`identity_${datatype.toLowerCase()}`, [spec("x")], [spec("y")], options);
}

/** The config of `denseModel()`. */
export function denseConfig(options: ConfigOptions = {}): ModelConfig {
  return config(
    "dense",
    [{ name: "x", datatype: "FP32", shape: [-1, 4] }],
    [{ name: "y", datatype: "FP32", shape: [-1, 1] }],
    options,
  );
}

/** The config of `twoInputModel()`. */
export function twoInputConfig(options: ConfigOptions = {}): ModelConfig {
  const spec = (name: string): TensorSpec => ({ name, datatype: "FP32", shape: [-1, 2] });
  return config("two_input", [spec("a"), spec("b")], [spec("sum"), spec("diff")], options);
}
