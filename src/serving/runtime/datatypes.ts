/**
 * Datatypes between the protocol and the runtimes: the protocol's names (`FP32`) against
 * the dtype names ONNX Runtime, TensorFlow.js and the registry's signature reader use
 * (`float32`), typed-array allocation per datatype, and the concatenation and slicing of
 * tensors along their first dimension that the batcher needs.
 */
import type { Datatype, TensorData, TensorSpec } from "../types.ts";
import { TYPED_ARRAY } from "../wire/dtypes.ts";

export { datatypeOf, ORT_TYPE, TYPED_ARRAY } from "../wire/dtypes.ts";
export { elementCount } from "../wire/tensors.ts";

/** A dimension as specs write it: a symbolic or unknown one is `-1`. */
export function specDim(dim: number | string): number {
  return typeof dim === "number" && dim >= 0 ? dim : -1;
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
