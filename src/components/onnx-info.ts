/**
 * The inputs and outputs of an ONNX model, read from its protobuf bytes without a runtime
 * or a protobuf library (the `deployModel` task bundle stays free of dependencies): the
 * graph's `input` and `output` value infos (name, element type, dims), less the inputs that
 * are initializers (weights, which older exporters list as inputs too).
 */
import { ComponentError } from "./errors.ts";

/** A tensor of the model: its name, Triton `data_type` and dims (`-1` for a symbolic or unknown one). */
export interface OnnxTensorInfo {
  name: string;
  /** Triton's datatype name, e.g. `TYPE_FP32`. */
  dataType: string;
  dims: number[];
}

/** What {@link readOnnxInfo} finds. */
export interface OnnxInfo {
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
}

/** ONNX `TensorProto.DataType` numbers to Triton's `data_type` names. */
const TRITON_TYPES: Record<number, string> = {
  1: "TYPE_FP32",
  2: "TYPE_UINT8",
  3: "TYPE_INT8",
  4: "TYPE_UINT16",
  5: "TYPE_INT16",
  6: "TYPE_INT32",
  7: "TYPE_INT64",
  8: "TYPE_STRING",
  9: "TYPE_BOOL",
  10: "TYPE_FP16",
  11: "TYPE_FP64",
  12: "TYPE_UINT32",
  13: "TYPE_UINT64",
};

interface Field {
  no: number;
  /** Varint value (wire type 0). */
  int?: number;
  /** Length-delimited bytes (wire type 2). */
  bytes?: Uint8Array;
}

class Malformed extends Error {}

/** The top-level fields of one protobuf message. */
function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new Malformed("truncated varint");
      const b = buf[pos++] as number;
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return value;
    }
    throw new Malformed("varint longer than 10 bytes");
  };
  while (pos < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) out.push({ no, int: varint() });
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const len = varint();
      if (pos + len > buf.length) throw new Malformed("length past the end");
      out.push({ no, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else throw new Malformed(`wire type ${wire}`);
  }
  if (pos !== buf.length) throw new Malformed("a field runs past the end");
  return out;
}

const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : "");

/** A `ValueInfoProto`: name (1), type (2) → tensor_type (1) → elem_type (1), shape (2) → dim (1) → dim_value (1). */
function valueInfo(buf: Uint8Array, file: string): OnnxTensorInfo {
  const f = fields(buf);
  const name = text(f.find((x) => x.no === 1)?.bytes);
  const type = f.find((x) => x.no === 2)?.bytes;
  const tensor = type ? fields(type).find((x) => x.no === 1)?.bytes : undefined;
  if (!tensor) {
    throw new ComponentError(
      "DEPLOY_INVALID_INPUT",
      `deployModel: ${file}: graph tensor "${name}" is not a tensor (sequence or map types cannot be served); export the model with tensor inputs and outputs`,
    );
  }
  const tf = fields(tensor);
  const elem = tf.find((x) => x.no === 1)?.int ?? 0;
  const dataType = TRITON_TYPES[elem];
  if (!dataType) {
    throw new ComponentError(
      "DEPLOY_INVALID_INPUT",
      `deployModel: ${file}: graph tensor "${name}" has ONNX element type ${elem}, which Triton cannot serve; use a numeric, bool or string type`,
    );
  }
  const shape = tf.find((x) => x.no === 2)?.bytes;
  const dims = shape
    ? fields(shape)
        .filter((x) => x.no === 1 && x.bytes)
        .map((d) => fields(d.bytes as Uint8Array).find((x) => x.no === 1)?.int ?? -1)
    : [];
  return { name, dataType, dims };
}

/**
 * Reads an ONNX model's graph inputs and outputs.
 *
 * @throws ComponentError `DEPLOY_INVALID_INPUT` naming the file when it is not an ONNX model.
 */
export function readOnnxInfo(bytes: Uint8Array, file: string): OnnxInfo {
  try {
    const graph = fields(bytes).find((x) => x.no === 7)?.bytes;
    if (!graph) throw new Malformed("no graph");
    const g = fields(graph);
    const initializers = new Set(
      g
        .filter((x) => x.no === 5 && x.bytes)
        .map((x) => text(fields(x.bytes as Uint8Array).find((y) => y.no === 8)?.bytes)),
    );
    const inputs = g
      .filter((x) => x.no === 11 && x.bytes)
      .map((x) => valueInfo(x.bytes as Uint8Array, file))
      .filter((t) => !initializers.has(t.name));
    const outputs = g.filter((x) => x.no === 12 && x.bytes).map((x) => valueInfo(x.bytes as Uint8Array, file));
    if (inputs.length === 0 || outputs.length === 0) throw new Malformed("no inputs or outputs");
    return { inputs, outputs };
  } catch (err) {
    if (!(err instanceof Malformed)) throw err;
    throw new ComponentError(
      "DEPLOY_INVALID_INPUT",
      `deployModel: ${file} is not an ONNX model (${err.message}); pass the ONNX file the export step wrote`,
      { cause: err },
    );
  }
}
