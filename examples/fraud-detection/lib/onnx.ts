/**
 * ONNX export of a dense model built with `onnx-proto` (opset 13): the scaler as Sub/Div,
 * then Gemm/Relu layers and a final Sigmoid. Models run with `onnxruntime-node`, and the
 * export is laid out as a Triton model repository.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FraudPipelineError } from "./errors.ts";
import type { ModelArtifact } from "./model.ts";

// onnx-proto and onnxruntime-node are loaded on first use, so importing this module stays cheap.
type OnnxNamespace = typeof import("onnx-proto").onnx;

async function loadOnnxProto(): Promise<OnnxNamespace> {
  const mod = (await import("onnx-proto")) as { onnx?: OnnxNamespace; default?: { onnx: OnnxNamespace } };
  const ns = mod.onnx ?? mod.default?.onnx;
  if (!ns)
    throw new FraudPipelineError("FRAUD_MODEL_FORMAT", "onnx-proto did not load; reinstall the onnx-proto package");
  return ns;
}

/** Name of the ONNX input (float32 [batch, features]). */
export const ONNX_INPUT = "features";
/** Name of the ONNX output (float32 [batch, 1]). */
export const ONNX_OUTPUT = "fraud_probability";
/** Name of the model in the Triton repository. */
export const TRITON_MODEL_NAME = "fraud_detection";

function tensor(onnx: OnnxNamespace, name: string, dims: number[], values: ArrayLike<number>) {
  const data = Float32Array.from(values as ArrayLike<number>);
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  });
}

function valueInfo(onnx: OnnxNamespace, name: string, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })),
        }),
      }),
    }),
  });
}

/** Builds the serialized ONNX model (bytes) for a dense model artifact. */
export async function buildOnnxModel(model: ModelArtifact): Promise<Uint8Array> {
  const onnx = await loadOnnxProto();
  const width = model.featureNames.length;
  const initializer = [
    tensor(onnx, "scaler_mean", [width], model.scaler.mean),
    tensor(onnx, "scaler_std", [width], model.scaler.std),
  ];
  const node = [
    onnx.NodeProto.create({ opType: "Sub", input: [ONNX_INPUT, "scaler_mean"], output: ["centered"], name: "center" }),
    onnx.NodeProto.create({ opType: "Div", input: ["centered", "scaler_std"], output: ["h0"], name: "scale" }),
  ];
  let inWidth = width;
  model.layers.forEach((layer, k) => {
    const outWidth = layer.bias.length;
    initializer.push(tensor(onnx, `W${k}`, [inWidth, outWidth], layer.weights.flat()));
    initializer.push(tensor(onnx, `b${k}`, [outWidth], layer.bias));
    node.push(
      onnx.NodeProto.create({
        opType: "Gemm",
        input: [`h${k}`, `W${k}`, `b${k}`],
        output: [`z${k}`],
        name: `dense${k}`,
      }),
    );
    const out = k === model.layers.length - 1 ? ONNX_OUTPUT : `h${k + 1}`;
    const op = layer.activation === "relu" ? "Relu" : "Sigmoid";
    node.push(onnx.NodeProto.create({ opType: op, input: [`z${k}`], output: [out], name: `${op.toLowerCase()}${k}` }));
    inWidth = outWidth;
  });
  const graph = onnx.GraphProto.create({
    name: `fraud_${model.kind}`,
    node,
    initializer,
    input: [valueInfo(onnx, ONNX_INPUT, ["batch", width])],
    output: [valueInfo(onnx, ONNX_OUTPUT, ["batch", 1])],
  });
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 13 }],
    producerName: "weft-fraud-detection",
    producerVersion: "1",
    docString: `Fraud probability from ${width} raw features: ${model.featureNames.join(", ")}`,
    graph,
    metadataProps: [
      { key: "feature_names", value: JSON.stringify(model.featureNames) },
      { key: "model_kind", value: model.kind },
    ],
  });
  return onnx.ModelProto.encode(proto).finish();
}

/** A loaded ONNX model that predicts fraud probabilities for row-major raw features. */
export interface OnnxScorer {
  width: number;
  predict(features: Float32Array): Promise<Float32Array>;
}

/** Loads serialized ONNX bytes into an onnxruntime-node session. */
export async function loadOnnx(bytes: Uint8Array, width: number): Promise<OnnxScorer> {
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  return {
    width,
    async predict(features) {
      const rows = features.length / width;
      const result = await session.run({ [ONNX_INPUT]: new ort.Tensor("float32", features, [rows, width]) });
      const out = result[ONNX_OUTPUT];
      if (!out) throw new FraudPipelineError("FRAUD_MODEL_FORMAT", `the ONNX model has no ${ONNX_OUTPUT} output`);
      return Float32Array.from(out.data as Float32Array);
    },
  };
}

/** Largest absolute difference between two prediction vectors of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new FraudPipelineError("FRAUD_ONNX_MISMATCH", `prediction lengths differ: ${a.length} vs ${b.length}`);
  }
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

/** The Triton `config.pbtxt` for the exported model. */
export function tritonConfig(width: number, maxBatchSize = 1024): string {
  return [
    `name: "${TRITON_MODEL_NAME}"`,
    `platform: "onnxruntime_onnx"`,
    `max_batch_size: ${maxBatchSize}`,
    `input [`,
    `  {`,
    `    name: "${ONNX_INPUT}"`,
    `    data_type: TYPE_FP32`,
    `    dims: [ ${width} ]`,
    `  }`,
    `]`,
    `output [`,
    `  {`,
    `    name: "${ONNX_OUTPUT}"`,
    `    data_type: TYPE_FP32`,
    `    dims: [ 1 ]`,
    `  }`,
    `]`,
    `instance_group [ { count: 1, kind: KIND_CPU } ]`,
    `dynamic_batching { }`,
    ``,
  ].join("\n");
}

/** Writes `<dir>/fraud_detection/config.pbtxt` and `<dir>/fraud_detection/1/model.onnx`. */
export function writeTritonRepository(dir: string, bytes: Uint8Array, width: number): string[] {
  const modelDir = join(dir, TRITON_MODEL_NAME);
  mkdirSync(join(modelDir, "1"), { recursive: true });
  const config = join(modelDir, "config.pbtxt");
  const onnxPath = join(modelDir, "1", "model.onnx");
  writeFileSync(config, tritonConfig(width));
  writeFileSync(onnxPath, bytes);
  return [config, onnxPath];
}

/**
 * Runs the ONNX model on the first test rows and compares it with the training framework's
 * predictions stored in the model (`reference`). Returns the maximum absolute difference;
 * throws when it exceeds `tolerance`.
 */
export async function checkOnnxAgainstReference(
  model: ModelArtifact,
  bytes: Uint8Array,
  testFeatures: Float32Array,
  tolerance = 1e-5,
): Promise<number> {
  const reference = model.reference?.predictions;
  const width = model.featureNames.length;
  if (!reference || reference.length === 0) {
    throw new FraudPipelineError(
      "FRAUD_MODEL_FORMAT",
      "export: the model has no reference predictions; train it with the train component, which stores them.",
    );
  }
  const rows = Math.min(reference.length, testFeatures.length / width);
  const scorer = await loadOnnx(bytes, width);
  const onnxScores = await scorer.predict(testFeatures.slice(0, rows * width));
  const diff = maxAbsDiff(onnxScores, reference.slice(0, rows));
  if (!(diff <= tolerance)) {
    throw new FraudPipelineError(
      "FRAUD_ONNX_MISMATCH",
      `export: ONNX and tfjs predictions differ by up to ${diff.toExponential(3)} on ${rows} test rows ` +
        `(allowed ${tolerance}); the exported graph does not match the trained ${model.kind} model.`,
    );
  }
  return diff;
}
