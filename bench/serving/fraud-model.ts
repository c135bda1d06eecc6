/**
 * The fraud-detection model of the serving benchmark: the example's dense network
 * (scaler, 32 and 16 ReLU units, a sigmoid) over the example's feature width, with fixed
 * pseudo-random weights, exported to ONNX by the example's own exporter
 * (`examples/fraud-detection/lib/onnx.ts`), as the pipeline's export step writes it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FEATURE_NAMES } from "../../examples/fraud-detection/lib/features.ts";
import type { ModelArtifact } from "../../examples/fraud-detection/lib/model.ts";
import { buildOnnxModel, ONNX_INPUT, ONNX_OUTPUT } from "../../examples/fraud-detection/lib/onnx.ts";

export { ONNX_INPUT, ONNX_OUTPUT };

/** Number of features the model takes. */
export const WIDTH = FEATURE_NAMES.length;

/** A small deterministic generator (mulberry32), so every run builds the same model. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function layer(rand: () => number, inWidth: number, outWidth: number, activation: "relu" | "sigmoid") {
  const scale = Math.sqrt(2 / inWidth);
  return {
    weights: Array.from({ length: inWidth }, () => Array.from({ length: outWidth }, () => (rand() * 2 - 1) * scale)),
    bias: Array.from({ length: outWidth }, () => (rand() - 0.5) * 0.1),
    activation,
  };
}

/** Writes the model to `dir/fraud.onnx` and returns the path. */
export async function writeFraudModel(dir: string): Promise<string> {
  const rand = random(14);
  const model = {
    format: "weft-fraud-model/1",
    kind: "mlp",
    featureNames: [...FEATURE_NAMES],
    scaler: {
      mean: FEATURE_NAMES.map(() => rand()),
      std: FEATURE_NAMES.map(() => 0.5 + rand()),
    },
    layers: [layer(rand, WIDTH, 32, "relu"), layer(rand, 32, 16, "relu"), layer(rand, 16, 1, "sigmoid")],
    hyperparameters: {},
    training: { trainRows: 0, epochs: 0, seconds: 0, finalLoss: 0, classWeight: 1 },
  } as unknown as ModelArtifact;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "fraud.onnx");
  writeFileSync(file, await buildOnnxModel(model));
  return file;
}

/** `rows` feature rows drawn from the fixed generator, row-major. */
export function featureRows(rows: number, seed = 7): Float32Array {
  const rand = random(seed);
  return Float32Array.from({ length: rows * WIDTH }, () => rand() * 2 - 0.5);
}
