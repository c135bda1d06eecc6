/**
 * Tensor helpers the codecs share: element counts, byte sizes, typed arrays by datatype and
 * IEEE half-precision conversion. Pure.
 */
import { ServingError } from "../errors.ts";
import { DATATYPES, type Datatype, type TensorData } from "../types.ts";

const DATATYPE_SET: ReadonlySet<string> = new Set(DATATYPES);

/** Whether `value` is one of the protocol's datatypes. */
export function isDatatype(value: unknown): value is Datatype {
  return typeof value === "string" && DATATYPE_SET.has(value);
}

/** Bytes per element of a fixed-size datatype; 0 for BYTES (variable length). */
export function elementSize(datatype: Datatype): number {
  switch (datatype) {
    case "BOOL":
    case "UINT8":
    case "INT8":
      return 1;
    case "UINT16":
    case "INT16":
    case "FP16":
      return 2;
    case "UINT32":
    case "INT32":
    case "FP32":
      return 4;
    case "UINT64":
    case "INT64":
    case "FP64":
      return 8;
    case "BYTES":
      return 0;
  }
}

/** The number of elements a shape holds (1 for a scalar's empty shape). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A zeroed typed array (or an array of empty byte strings) of `n` elements of `datatype`. */
export function allocate(datatype: Datatype, n: number): TensorData {
  switch (datatype) {
    case "BOOL":
    case "UINT8":
      return new Uint8Array(n);
    case "INT8":
      return new Int8Array(n);
    case "UINT16":
    case "FP16":
      return new Uint16Array(n);
    case "INT16":
      return new Int16Array(n);
    case "UINT32":
      return new Uint32Array(n);
    case "INT32":
      return new Int32Array(n);
    case "UINT64":
      return new BigUint64Array(n);
    case "INT64":
      return new BigInt64Array(n);
    case "FP32":
      return new Float32Array(n);
    case "FP64":
      return new Float64Array(n);
    case "BYTES":
      return Array.from({ length: n }, () => new Uint8Array(0));
  }
}

/**
 * A fresh typed array of `datatype` copied from little-endian bytes (`bytes.length` must be a
 * multiple of the element size). Always a copy: views into a request buffer would pin it, and a
 * runtime may transfer the array's buffer to a worker thread.
 */
export function fromBytes(datatype: Exclude<Datatype, "BYTES">, bytes: Uint8Array): TensorData {
  const size = elementSize(datatype);
  const n = bytes.length / size;
  const out = allocate(datatype, n) as Exclude<TensorData, Uint8Array[]>;
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
  return out;
}

/** The little-endian bytes of fixed-size tensor data (a view, not a copy). */
export function toBytes(data: Exclude<TensorData, Uint8Array[]>): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The IEEE half-precision bit pattern nearest to `value` (round to nearest even). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf or NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow to Inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow to zero
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | Math.min(half, 0x7c00);
}

/** The number an IEEE half-precision bit pattern holds. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** An INVALID_ARGUMENT error about one input or output. */
export function invalid(message: string): ServingError {
  return new ServingError("INVALID_ARGUMENT", message);
}
