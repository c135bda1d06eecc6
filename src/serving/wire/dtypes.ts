/**
 * The protocol's datatypes against the runtimes' dtype names (ONNX Runtime and
 * TensorFlow.js write `float32` where the protocol writes `FP32`) and the typed array that
 * holds each datatype's elements. Pure: the server, the runtimes, the gRPC codec and the
 * client's local fallback all read it.
 */
import type { Datatype } from "../types.ts";

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

export type TypedArrayConstructor =
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

/** The part of onnxruntime-node's Tensor that {@link keepFloat16AsUint16} needs. */
interface OrtTensorClass {
  Tensor: new (type: "float32", data: Float32Array, dims: number[]) => unknown;
}

/**
 * onnxruntime-node (1.x) hands a `float16` tensor's data to its native binding as a
 * `Float16Array` where the platform has one (Node 24), and the binding cannot read one
 * ("not enough space: expected 8, got 0"). ONNX Runtime picks its array types once, at the
 * first tensor made in the process: this makes that first tensor while `Float16Array` is
 * hidden, so FP16 data stays a `Uint16Array` of half-precision bits, as the protocol holds
 * it. No effect without a `Float16Array`, or once a tensor was made before.
 */
export function keepFloat16AsUint16(ort: OrtTensorClass): void {
  const scope = globalThis as Record<string, unknown>;
  const saved = Object.getOwnPropertyDescriptor(scope, "Float16Array");
  if (!saved) return;
  Object.defineProperty(scope, "Float16Array", { value: undefined, configurable: true, writable: true });
  try {
    new ort.Tensor("float32", new Float32Array(1), [1]);
  } finally {
    Object.defineProperty(scope, "Float16Array", saved);
  }
}
