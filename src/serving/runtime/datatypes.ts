/**
 * Datatypes between the protocol and the runtimes: the protocol's names (`FP32`) against
 * the dtype names ONNX Runtime, TensorFlow.js and the registry's signature reader use
 * (`float32`), typed-array allocation per datatype, and the concatenation and slicing of
 * tensors along their first dimension that the batcher needs.
 */
import type { Datatype, TensorData, TensorSpec } from "../types.ts";

/** ONNX Runtime's tensor type of each datatype (BYTES is ONNX's `string`). */
export const ORT_TYPE: Record<Datatype, string> = {
  BOOL: "bool",
  UINT8: "uint8",
  UINT16: "uint16",
  UINT32: "uint32",
  UINT64: "uint64",
  INT8: "int8",
  INT16: "int16",
  INT32: "int32",
  INT64: "int64",
  FP16: "float16",
  FP32: "float32",
  FP64: "float64",
  BYTES: "string",
};

const FROM_DTYPE: Record<string, Datatype> = Object.fromEntries(
  Object.entries(ORT_TYPE).map(([datatype, dtype]) => [dtype, datatype as Datatype]),
);

/** The datatype of a dtype name (`float32` → `FP32`); undefined for those the protocol has none of. */
export function datatypeOf(dtype: string): Datatype | undefined {
  return FROM_DTYPE[dtype];
}

/** A dimension as specs write it: a symbolic or unknown one is `-1`. */
export function specDim(dim: number | string): number {
  return typeof dim === "number" && dim >= 0 ? dim : -1;
}

type TypedArrayConstructor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | BigUint64ArrayConstructor
  | BigInt64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

/** The typed array holding each datatype's elements (BYTES has none: an array of byte strings). */
export const TYPED_ARRAY: Record<Exclude<Datatype, "BYTES">, TypedArrayConstructor> = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  FP16: Uint16Array,
  FP32: Float32Array,
  FP64: Float64Array,
};

/** Elements of a shape. */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Concatenates same-datatype tensor data (row-major, so along the first dimension). */
export function concatData(datatype: Datatype, parts: TensorData[]): TensorData {
  if (parts.length === 1) return parts[0]!;
  if (datatype === "BYTES") return (parts as Uint8Array[][]).flat();
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new TYPED_ARRAY[datatype](total);
  let at = 0;
  for (const p of parts) {
    (out as Uint8Array).set(p as Uint8Array, at);
    at += p.length;
  }
  return out;
}

/** Elements `[start, end)` of tensor data, sharing the typed array's memory. */
export function sliceData(data: TensorData, start: number, end: number): TensorData {
  if (start === 0 && end === data.length) return data;
  return Array.isArray(data) ? data.slice(start, end) : (data as Uint8Array).subarray(start, end);
}

/** Whether `shape` fits a spec's shape (`-1` matches any size). */
export function shapeFits(shape: readonly number[], spec: readonly number[]): boolean {
  if (shape.length !== spec.length) return false;
  for (let i = 0; i < shape.length; i++) if (spec[i] !== -1 && spec[i] !== shape[i]) return false;
  return true;
}

/** `name FP32 [-1, 4]`, for messages. */
export function describeSpec(spec: TensorSpec): string {
  return `${spec.name} ${spec.datatype} [${spec.shape.join(", ")}]`;
}
