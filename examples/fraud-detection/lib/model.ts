/**
 * The framework-neutral model artifact: a stack of dense layers with the scaler in front.
 * Both the MLP and the logistic-regression baseline are stored this way, which is what the
 * ONNX export and the plain forward pass below read.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Scaler } from "./dataset-io.ts";
import { FraudPipelineError } from "./errors.ts";

/** The two architectures the pipeline compares. */
export type ModelKind = "mlp" | "logreg";

/** One dense layer: `weights[i][j]` maps input i to output j. */
export interface DenseLayer {
  weights: number[][];
  bias: number[];
  activation: "relu" | "sigmoid";
}

/** A trained model plus what produced it. */
export interface ModelArtifact {
  format: "weft-fraud-model/1";
  kind: ModelKind;
  featureNames: string[];
  scaler: Scaler;
  layers: DenseLayer[];
  hyperparameters: Record<string, number | string>;
  training: { trainRows: number; epochs: number; seconds: number; finalLoss: number; classWeight: number };
  /** Predictions of the training framework (tfjs) for the first rows of the test split, for export checks. */
  reference?: { split: "test"; predictions: number[] };
  /** Test metrics, added by the evaluate step. */
  evaluation?: { rocAuc: number; prAuc: number; f1: number; precision: number; recall: number; threshold: number };
}

/** Writes a model artifact as JSON. */
export function writeModel(path: string, model: ModelArtifact): void {
  writeFileSync(path, JSON.stringify(model));
}

/** Reads and checks a model artifact written by {@link writeModel}. */
export function readModel(path: string): ModelArtifact {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new FraudPipelineError("FRAUD_MODEL_FORMAT", `${path}: cannot read the model JSON; pass a train output.`, {
      cause,
    });
  }
  const m = value as Partial<ModelArtifact>;
  if (m.format !== "weft-fraud-model/1" || !Array.isArray(m.layers) || !m.scaler || !Array.isArray(m.featureNames)) {
    throw new FraudPipelineError(
      "FRAUD_MODEL_FORMAT",
      `${path}: not a weft-fraud-model/1 artifact (format, layers, scaler, featureNames); pass a train output.`,
    );
  }
  let width = m.featureNames.length;
  m.layers.forEach((layer, k) => {
    if (layer.weights.length !== width || layer.weights.some((row) => row.length !== layer.bias.length)) {
      throw new FraudPipelineError(
        "FRAUD_MODEL_FORMAT",
        `${path}: layers[${k}] has weights of shape ${layer.weights.length}x${layer.weights[0]?.length ?? 0}, ` +
          `expected ${width}x${layer.bias.length}; the model file is corrupt.`,
      );
    }
    width = layer.bias.length;
  });
  return m as ModelArtifact;
}

/**
 * Predicts fraud probabilities with a plain float32 forward pass (row-major raw features
 * in, one probability per row out). Used for checks; training and evaluation use tfjs.
 */
export function predict(model: ModelArtifact, features: Float32Array): Float32Array {
  const inWidth = model.featureNames.length;
  const rows = features.length / inWidth;
  const out = new Float32Array(rows);
  let x = new Float32Array(inWidth);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < inWidth; j++) {
      x[j] = Math.fround(
        Math.fround((features[r * inWidth + j] as number) - (model.scaler.mean[j] as number)) /
          (model.scaler.std[j] as number),
      );
    }
    for (const layer of model.layers) {
      const y = new Float32Array(layer.bias.length);
      for (let o = 0; o < y.length; o++) {
        let s = layer.bias[o] as number;
        for (let i = 0; i < x.length; i++) s += (x[i] as number) * (layer.weights[i]![o] as number);
        y[o] = layer.activation === "relu" ? Math.max(0, s) : 1 / (1 + Math.exp(-s));
      }
      x = y;
    }
    out[r] = x[0] as number;
    x = new Float32Array(inWidth);
  }
  return out;
}
