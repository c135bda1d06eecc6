/**
 * JSON tensors of the Open Inference Protocol: every datatype, `data` flat or nested as the
 * shape, in both directions. Decoding checks what the wire can get wrong (names, datatypes,
 * shapes, element counts, values out of a datatype's range) and names the tensor at fault;
 * encoding writes JSON text directly (64-bit integers beyond 2^53 as decimal strings and
 * non-finite floats as "NaN", "Infinity", "-Infinity", which decoding accepts back, so
 * nothing is lost to a JSON parser's doubles).
 */
import type { Datatype, Parameters, Tensor, TensorData } from "../types.ts";
import { allocate, elementCount, floatToHalf, halfToFloat, invalid, isDatatype } from "./tensors.ts";

/** A tensor as the protocol's JSON carries it (`data` absent when its bytes travel in binary). */
export interface WireTensor {
  name: string;
  datatype: string;
  shape: number[];
  parameters?: Parameters;
  data?: unknown[];
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

const INT_RANGE: Partial<Record<Datatype, [number, number]>> = {
  UINT8: [0, 0xff],
  UINT16: [0, 0xffff],
  UINT32: [0, 0xffffffff],
  INT8: [-0x80, 0x7f],
  INT16: [-0x8000, 0x7fff],
  INT32: [-0x80000000, 0x7fffffff],
};

/** The header fields of a JSON tensor (name, datatype, shape, parameters), checked. */
export function tensorHeader(
  value: unknown,
  role: "input" | "output",
  index: number,
): { name: string; datatype: Datatype; shape: number[]; parameters?: Parameters; data: unknown } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid(`${role} ${index}: expected an object with name, datatype, shape and data`);
  }
  const v = value as Record<string, unknown>;
  if (typeof v.name !== "string" || v.name === "") {
    throw invalid(`${role} ${index}: "name" must be a non-empty string`);
  }
  const where = `${role} "${v.name}"`;
  if (!isDatatype(v.datatype)) {
    throw invalid(
      `${where}: datatype ${JSON.stringify(v.datatype)} is not one of BOOL, UINT8..UINT64, INT8..INT64, FP16, FP32, FP64, BYTES`,
    );
  }
  const shape = v.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw invalid(`${where}: "shape" must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  let parameters: Parameters | undefined;
  if (v.parameters !== undefined) {
    if (typeof v.parameters !== "object" || v.parameters === null || Array.isArray(v.parameters)) {
      throw invalid(`${where}: "parameters" must be an object`);
    }
    parameters = v.parameters as Parameters;
  }
  return { name: v.name, datatype: v.datatype, shape: shape as number[], parameters, data: v.data };
}

/** Flattens nested `data` (arrays of arrays following the shape) into one row-major array. */
function flatten(data: unknown[]): unknown[] {
  for (let i = 0; i < data.length; i++) {
    if (Array.isArray(data[i])) return data.flat(Number.POSITIVE_INFINITY);
  }
  return data;
}

function badValue(where: string, i: number, value: unknown, expected: string): never {
  throw invalid(`${where}: element ${i} is ${JSON.stringify(value) ?? String(value)}, expected ${expected}`);
}

function toFloat(where: string, i: number, v: unknown, datatype: Datatype): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return Number.NaN;
  if (v === "Infinity") return Number.POSITIVE_INFINITY;
  if (v === "-Infinity") return Number.NEGATIVE_INFINITY;
  return badValue(where, i, v, `a number (${datatype})`);
}

function toBigInt(where: string, i: number, v: unknown, datatype: "INT64" | "UINT64"): bigint {
  let b: bigint | undefined;
  if (typeof v === "number" && Number.isInteger(v)) b = BigInt(v);
  else if (typeof v === "string" && /^-?\d+$/.test(v)) b = BigInt(v);
  if (b === undefined) return badValue(where, i, v, `an integer (${datatype})`);
  const ok =
    datatype === "INT64" ? b >= -0x8000000000000000n && b <= 0x7fffffffffffffffn : b >= 0n && b <= 0xffffffffffffffffn;
  if (!ok) return badValue(where, i, v, `an integer in the range of ${datatype}`);
  return b;
}

/**
 * Typed tensor data from JSON values (already flat) of `datatype`; `where` names the tensor
 * in errors ("input \"x\"").
 */
export function dataFromJson(values: unknown[], datatype: Datatype, where: string): TensorData {
  const n = values.length;
  switch (datatype) {
    case "BOOL": {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === true || v === 1) out[i] = 1;
        else if (v !== false && v !== 0) badValue(where, i, v, "true or false (BOOL)");
      }
      return out;
    }
    case "FP32":
    case "FP64": {
      const out = datatype === "FP32" ? new Float32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        out[i] = typeof v === "number" ? v : toFloat(where, i, v, datatype);
      }
      return out;
    }
    case "FP16": {
      const out = new Uint16Array(n);
      for (let i = 0; i < n; i++) out[i] = floatToHalf(toFloat(where, i, values[i], datatype));
      return out;
    }
    case "INT64":
    case "UINT64": {
      const out = datatype === "INT64" ? new BigInt64Array(n) : new BigUint64Array(n);
      for (let i = 0; i < n; i++) out[i] = toBigInt(where, i, values[i], datatype);
      return out;
    }
    case "BYTES": {
      const out: Uint8Array[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== "string") badValue(where, i, v, "a string (BYTES)");
        out[i] = textEncoder.encode(v as string);
      }
      return out;
    }
    default: {
      const [min, max] = INT_RANGE[datatype]!;
      const out = allocate(datatype, n) as Exclude<TensorData, Uint8Array[] | BigInt64Array | BigUint64Array>;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
          badValue(where, i, v, `an integer from ${min} to ${max} (${datatype})`);
        }
        out[i] = v as number;
      }
      return out;
    }
  }
}

/** A tensor from its JSON form, `data` required (flat or nested), its element count checked against its shape. */
export function tensorFromJson(value: unknown, role: "input" | "output", index: number): Tensor {
  const h = tensorHeader(value, role, index);
  const where = `${role} "${h.name}"`;
  if (!Array.isArray(h.data)) {
    throw invalid(`${where}: "data" must be an array (or the tensor's bytes sent with the binary data extension)`);
  }
  const flat = flatten(h.data);
  const expected = elementCount(h.shape);
  if (flat.length !== expected) {
    throw invalid(
      `${where}: shape ${JSON.stringify(h.shape)} holds ${expected} elements but "data" has ${flat.length}`,
    );
  }
  const tensor: Tensor = {
    name: h.name,
    datatype: h.datatype,
    shape: h.shape,
    data: dataFromJson(flat, h.datatype, where),
  };
  if (h.parameters !== undefined) tensor.parameters = h.parameters;
  return tensor;
}

function floatsText(data: Float32Array | Float64Array): string {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      let s = "";
      for (let j = 0; j < data.length; j++) {
        const v = data[j]!;
        if (j > 0) s += ",";
        s += Number.isFinite(v) ? String(v) : `"${v}"`;
      }
      return s;
    }
  }
  return data.join(",");
}

/** The JSON text of tensor data's elements, flat, without the brackets. */
export function dataJsonText(datatype: Datatype, data: TensorData): string {
  switch (datatype) {
    case "BOOL": {
      const d = data as Uint8Array;
      let s = "";
      for (let i = 0; i < d.length; i++) s += i > 0 ? (d[i] ? ",true" : ",false") : d[i] ? "true" : "false";
      return s;
    }
    case "FP32":
    case "FP64":
      return floatsText(data as Float32Array | Float64Array);
    case "FP16": {
      const d = data as Uint16Array;
      const f = new Float64Array(d.length);
      for (let i = 0; i < d.length; i++) f[i] = halfToFloat(d[i]!);
      return floatsText(f);
    }
    case "BYTES": {
      const d = data as Uint8Array[];
      let s = "";
      for (let i = 0; i < d.length; i++) s += (i > 0 ? "," : "") + JSON.stringify(textDecoder.decode(d[i]!));
      return s;
    }
    case "INT64":
    case "UINT64": {
      const d = data as BigInt64Array | BigUint64Array;
      let s = "";
      for (let i = 0; i < d.length; i++) {
        const b = d[i]!;
        const safe = b <= 9007199254740991n && b >= -9007199254740991n;
        s += (i > 0 ? "," : "") + (safe ? b.toString() : `"${b}"`);
      }
      return s;
    }
    default:
      return (data as Exclude<TensorData, Uint8Array[]>).join(",");
  }
}

/**
 * The JSON text of a tensor: with `data`, or, when its bytes travel in binary, with
 * `parameters.binary_data_size` instead.
 */
export function tensorJsonText(tensor: Tensor, binarySize?: number): string {
  let s = `{"name":${JSON.stringify(tensor.name)},"datatype":"${tensor.datatype}","shape":[${tensor.shape.join(",")}]`;
  if (binarySize !== undefined) {
    s += `,"parameters":${JSON.stringify({ ...tensor.parameters, binary_data_size: binarySize })}}`;
    return s;
  }
  if (tensor.parameters !== undefined && Object.keys(tensor.parameters).length > 0) {
    s += `,"parameters":${JSON.stringify(tensor.parameters)}`;
  }
  return `${s},"data":[${dataJsonText(tensor.datatype, tensor.data)}]}`;
}

/** Plain JSON values of tensor data (numbers, booleans, strings; 64-bit integers as numbers when safe, else strings). */
export function dataToJsonValues(datatype: Datatype, data: TensorData): unknown[] {
  return JSON.parse(`[${dataJsonText(datatype, data)}]`) as unknown[];
}
