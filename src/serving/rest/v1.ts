/**
 * KServe's v1 protocol: `:predict` bodies to inference requests and results to
 * `predictions`. A body is `{"instances": [row, ...]}` or `{"inputs": [row, ...]}` (rows), or
 * `{"inputs": {"name": [rows...]}}` (columns, as TensorFlow Serving's columnar form). A row is
 * the one input's value (nested arrays, or a scalar) for a model with one input, or an object
 * with a value per input. Rows stack along a new first (batch) dimension and take each
 * input's datatype from the model's configuration; a BYTES value is a string or, for raw
 * bytes, `{"b64": "..."}`. `predictions` has a row per batch row: the
 * output's value when the model has one output, else an object with a value per output.
 */
import type { InferRequest, InferResult, ModelConfig, Tensor, TensorSpec } from "../types.ts";
import { dataFromJson, dataToJsonValues, elementCount, invalid } from "../wire/index.ts";

const textEncoder = new TextEncoder();

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The shape of a nested array value (`[]` for a scalar), following first elements. */
function shapeOf(value: unknown): number[] {
  const shape: number[] = [];
  let v = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** BYTES values: strings (UTF-8) or KServe's `{"b64": "..."}` for raw bytes. */
function bytesValues(values: unknown[], where: string): Uint8Array[] {
  return values.map((v, i) => {
    if (typeof v === "string") return textEncoder.encode(v);
    if (isObject(v) && typeof v.b64 === "string") return new Uint8Array(Buffer.from(v.b64, "base64"));
    throw invalid(`${where}: element ${i} is ${JSON.stringify(v)}, expected a string or {"b64": "..."} (BYTES)`);
  });
}

/** Stacks the rows of one input into a tensor `[rows, ...row shape]`. */
function stack(spec: TensorSpec, rows: unknown[], model: string): Tensor {
  const where = `input "${spec.name}"`;
  const rowShape = shapeOf(rows[0]);
  const flat: unknown[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const s = i === 0 ? rowShape : shapeOf(row);
    if (!sameShape(s, rowShape)) {
      throw invalid(
        `${where} of model "${model}": instance ${i} has shape [${s.join(",")}] but instance 0 has [${rowShape.join(",")}]; every instance needs the same shape`,
      );
    }
    const values = Array.isArray(row) ? (row.flat(Number.POSITIVE_INFINITY) as unknown[]) : [row];
    if (values.length !== elementCount(s)) {
      throw invalid(`${where} of model "${model}": instance ${i} is a ragged array; every row needs the same length`);
    }
    for (const v of values) flat.push(v);
  }
  return {
    name: spec.name,
    datatype: spec.datatype,
    shape: [rows.length, ...rowShape],
    data: spec.datatype === "BYTES" ? bytesValues(flat, where) : dataFromJson(flat, spec.datatype, where),
  };
}

/** An inference request from a v1 `:predict` body, typed by the model's configuration. */
export function predictRequest(body: unknown, config: ModelConfig): InferRequest {
  const model = config.name;
  if (!isObject(body)) {
    throw invalid(`a :predict body must be a JSON object with "instances" (an array of rows) or "inputs"`);
  }
  const payload = body.instances ?? body.inputs;
  if (isObject(payload)) {
    // columnar: {"inputs": {"x": [rows...]}}
    const inputs = Object.entries(payload).map(([name, rows]) => {
      const spec = config.inputs.find((s) => s.name === name);
      if (spec === undefined) {
        throw invalid(
          `"inputs" names "${name}", which is not an input of model "${model}": its inputs are ${config.inputs.map((s) => `"${s.name}"`).join(", ")}`,
        );
      }
      if (!Array.isArray(rows) || rows.length === 0) {
        throw invalid(`"inputs"."${name}" must be a non-empty array of rows`);
      }
      return stack(spec, rows, model);
    });
    return { inputs };
  }
  if (!Array.isArray(payload) || payload.length === 0) {
    throw invalid(`a :predict body needs "instances": a non-empty array of rows for model "${model}"`);
  }
  const named = isObject(payload[0]);
  if (!named && config.inputs.length !== 1) {
    throw invalid(
      `model "${model}" has ${config.inputs.length} inputs, so each instance must be an object with a value for each of ${config.inputs.map((s) => `"${s.name}"`).join(", ")}`,
    );
  }
  const inputs = config.inputs.map((spec) => {
    const rows = payload.map((instance, i) => {
      if (!named) return instance;
      if (!isObject(instance) || !(spec.name in instance)) {
        throw invalid(`instance ${i} has no value for input "${spec.name}" of model "${model}"`);
      }
      return instance[spec.name];
    });
    return stack(spec, rows, model);
  });
  if (named) {
    for (const [i, instance] of payload.entries()) {
      for (const key of Object.keys(instance as object)) {
        if (!config.inputs.some((s) => s.name === key)) {
          throw invalid(`instance ${i} names "${key}", which is not an input of model "${model}"`);
        }
      }
    }
  }
  return { inputs };
}

/** Nests flat values by `shape` (a scalar for `[]`). */
function nest(values: unknown[], shape: number[], offset: number, dim: number): unknown {
  if (dim === shape.length) return values[offset];
  const n = shape[dim]!;
  const stride = elementCount(shape.slice(dim + 1));
  const out: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = nest(values, shape, offset + i * stride, dim + 1);
  return out;
}

/** The rows of one output along its first dimension. */
function rowsOf(tensor: Tensor): unknown[] {
  const values = dataToJsonValues(tensor.datatype, tensor.data);
  if (tensor.shape.length === 0) return [values[0]];
  const rows = tensor.shape[0]!;
  const rowShape = tensor.shape.slice(1);
  const stride = elementCount(rowShape);
  const out: unknown[] = new Array(rows);
  for (let r = 0; r < rows; r++) out[r] = nest(values, rowShape, r * stride, 0);
  return out;
}

/** A v1 `:predict` answer from a result: `{"predictions": [...]}`. */
export function predictions(result: InferResult): { predictions: unknown[] } {
  if (result.outputs.length === 1) return { predictions: rowsOf(result.outputs[0]!) };
  const columns = result.outputs.map((t) => [t.name, rowsOf(t)] as const);
  const n = Math.max(0, ...columns.map(([, rows]) => rows.length));
  const rows: Record<string, unknown>[] = [];
  for (let r = 0; r < n; r++) {
    const row: Record<string, unknown> = {};
    for (const [name, values] of columns) row[name] = values[r];
    rows.push(row);
  }
  return { predictions: rows };
}
