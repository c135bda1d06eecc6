/**
 * Typed inputs and outputs: tensors from plain arrays (or typed arrays) by datatype, checked
 * against their shape, and the values of a result's outputs back as numbers or strings.
 */
import type { Datatype, InferRequest, InferResult, Parameters, RequestedOutput, Tensor, TensorData } from "../types.ts";
import { dataFromJson, elementCount, halfToFloat } from "../wire/index.ts";
import { ServingClientError } from "./errors.ts";

/** Elements of a tensor as the caller has them: a typed array of the datatype, or a plain array. */
export type TensorValues = TensorData | ReadonlyArray<number | bigint | boolean | string>;

/** One input as the caller writes it: `{ datatype, shape, data }`. */
export interface TensorInput {
  datatype: Datatype;
  shape: number[];
  data: TensorValues;
  parameters?: Parameters;
}

/** The inputs of a call: by name, or as protocol tensors. */
export type InferInputs = Record<string, TensorInput> | Tensor[];

/** Whether the values are already the typed array (or byte strings) the datatype keeps in memory. */
function isTensorData(datatype: Datatype, data: TensorValues): data is TensorData {
  switch (datatype) {
    case "BOOL":
    case "UINT8":
      return data instanceof Uint8Array;
    case "INT8":
      return data instanceof Int8Array;
    case "UINT16":
    case "FP16":
      return data instanceof Uint16Array;
    case "INT16":
      return data instanceof Int16Array;
    case "UINT32":
      return data instanceof Uint32Array;
    case "INT32":
      return data instanceof Int32Array;
    case "UINT64":
      return data instanceof BigUint64Array;
    case "INT64":
      return data instanceof BigInt64Array;
    case "FP32":
      return data instanceof Float32Array;
    case "FP64":
      return data instanceof Float64Array;
    case "BYTES":
      return Array.isArray(data) && data.every((b) => b instanceof Uint8Array);
  }
}

/**
 * A protocol tensor named `name` from its datatype, shape and values: a typed array of the
 * datatype is used as it is, a plain array (numbers, bigints, booleans; strings for BYTES,
 * numbers for FP16) is converted. Values that do not fit the datatype, or a count that does
 * not match the shape, are a `SERVING_BAD_INPUT` naming the input.
 */
export function tensor(
  name: string,
  datatype: Datatype,
  shape: number[],
  data: TensorValues,
  parameters?: Parameters,
): Tensor {
  const where = `input "${name}"`;
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ServingClientError(
      "SERVING_BAD_INPUT",
      `${where} has shape [${shape}]: dimensions are whole numbers >= 0`,
    );
  }
  let values: TensorData;
  if (isTensorData(datatype, data)) {
    values = data;
  } else if (Array.isArray(data)) {
    try {
      values = dataFromJson(
        (data as unknown[]).map((v) => (typeof v === "bigint" ? v.toString() : v)),
        datatype,
        where,
      );
    } catch (cause) {
      throw new ServingClientError("SERVING_BAD_INPUT", (cause as Error).message, { cause });
    }
  } else {
    throw new ServingClientError(
      "SERVING_BAD_INPUT",
      `${where} is ${datatype} but its data is a ${(data as object).constructor.name}: give a plain array or the typed array of ${datatype}`,
    );
  }
  const expected = elementCount(shape);
  if (values.length !== expected) {
    throw new ServingClientError(
      "SERVING_BAD_INPUT",
      `${where} has ${values.length} elements but shape [${shape}] holds ${expected}: give data of ${expected} elements, row-major`,
    );
  }
  const out: Tensor = { name, datatype, shape, data: values };
  if (parameters !== undefined) out.parameters = parameters;
  return out;
}

/** An inference request from the call's inputs and the outputs it asks for. */
export function toInferRequest(
  inputs: InferInputs,
  options: { outputs?: ReadonlyArray<string | RequestedOutput>; id?: string; parameters?: Parameters } = {},
): InferRequest {
  const tensors = Array.isArray(inputs)
    ? inputs.map((t) => tensor(t.name, t.datatype, t.shape, t.data, t.parameters))
    : Object.entries(inputs).map(([name, t]) => tensor(name, t.datatype, t.shape, t.data, t.parameters));
  if (tensors.length === 0) {
    throw new ServingClientError("SERVING_BAD_INPUT", "an inference call needs at least one input tensor");
  }
  const request: InferRequest = { inputs: tensors };
  if (options.outputs !== undefined) {
    request.outputs = options.outputs.map((o) => (typeof o === "string" ? { name: o } : o));
  }
  if (options.id !== undefined) request.id = options.id;
  if (options.parameters !== undefined) request.parameters = options.parameters;
  return request;
}

/** The output named `name` of a result; a `SERVING_BAD_RESPONSE` naming the outputs there are when it is missing. */
export function output(result: InferResult, name: string): Tensor {
  const t = result.outputs.find((o) => o.name === name);
  if (!t) {
    throw new ServingClientError(
      "SERVING_BAD_RESPONSE",
      `the result of model "${result.modelName}" has no output "${name}" (it has ${result.outputs.map((o) => `"${o.name}"`).join(", ") || "none"})`,
    );
  }
  return t;
}

/** A tensor's elements as numbers (FP16 decoded, BOOL 0/1, 64-bit integers rounded to the nearest double). */
export function toNumbers(t: Tensor): number[] {
  if (t.datatype === "BYTES") {
    throw new ServingClientError("SERVING_BAD_INPUT", `"${t.name}" is BYTES: read it with toStrings`);
  }
  const data = t.data as Exclude<TensorData, Uint8Array[]>;
  const out = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number | bigint;
    out[i] = t.datatype === "FP16" ? halfToFloat(v as number) : Number(v);
  }
  return out;
}

/** A BYTES tensor's elements as UTF-8 strings. */
export function toStrings(t: Tensor): string[] {
  if (t.datatype !== "BYTES") {
    throw new ServingClientError(
      "SERVING_BAD_INPUT",
      `"${t.name}" is ${t.datatype}, not BYTES: read it with toNumbers`,
    );
  }
  const decoder = new TextDecoder();
  return (t.data as Uint8Array[]).map((b) => decoder.decode(b));
}
