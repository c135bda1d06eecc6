/**
 * Training with TensorFlow.js on the WebAssembly backend: the MLP (128-64-1, ReLU,
 * dropout, sigmoid) and the logistic-regression baseline, both with Adam, binary
 * cross-entropy and class weighting. The epoch with the best validation ROC-AUC is kept.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as TF from "@tensorflow/tfjs";
import { type FeatureSplit, scale } from "./dataset-io.ts";
import { FraudPipelineError } from "./errors.ts";
import { rocAuc } from "./metrics.ts";
import type { DenseLayer, ModelArtifact, ModelKind } from "./model.ts";
import { Rng } from "./random.ts";

// tfjs is loaded on first use, so importing this module (e.g. to compile the pipeline) stays cheap.
let tf: typeof TF;
let ready: Promise<void> | undefined;

/** The directory of the tfjs WASM binaries, resolved the way this module's imports are. */
function wasmDir(): string {
  const pkg = "@tensorflow/tfjs-backend-wasm";
  try {
    return dirname(fileURLToPath(import.meta.resolve(pkg)));
  } catch {
    try {
      return dirname(createRequire(import.meta.url).resolve(pkg));
    } catch {
      return dirname(createRequire(join(process.cwd(), "package.json")).resolve(pkg));
    }
  }
}

/** Switches tfjs to the WASM backend (once per process); falls back to the CPU backend if WASM fails. */
export function initTf(): Promise<void> {
  ready ??= (async () => {
    tf = await import("@tensorflow/tfjs");
    const { setWasmPaths } = await import("@tensorflow/tfjs-backend-wasm");
    setWasmPaths(`${wasmDir()}/`);
    if (!(await tf.setBackend("wasm"))) await tf.setBackend("cpu");
    await tf.ready();
  })();
  return ready;
}

/** The tfjs backend in use ("wasm" normally). */
export function tfBackend(): string {
  return tf ? tf.getBackend() : "none";
}

/** Hyperparameters of {@link trainModel}. */
export interface TrainOptions {
  kind: ModelKind;
  learningRate: number;
  batchSize: number;
  epochs: number;
  seed: number;
  /** Weight of the fraud class; 0 means sqrt(legit / fraud) of the training split. */
  classWeight?: number;
  /** MLP only: units of the first hidden layer (the second has half as many); default 128. */
  hiddenUnits?: number;
  /** Called after each epoch with its validation ROC-AUC and training loss (step metrics, early stopping). */
  onEpoch?: (epoch: number, validationRocAuc: number, loss: number) => void;
}

/** A trained model: the portable artifact plus tfjs predictions for any split. */
export interface Trained {
  model: ModelArtifact;
  /** Predicts with the trained tfjs model (raw features in, probabilities out). */
  predict(split: FeatureSplit): Float32Array;
  /** Frees the tfjs tensors. */
  dispose(): void;
}

function build(kind: ModelKind, width: number, seed: number, hidden: number): TF.Sequential {
  const model = tf.sequential();
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed + k });
  if (kind === "mlp") {
    model.add(tf.layers.dense({ inputShape: [width], units: hidden, activation: "relu", kernelInitializer: init(1) }));
    model.add(tf.layers.dropout({ rate: 0.3, seed: seed + 2 }));
    model.add(
      tf.layers.dense({ units: Math.max(1, Math.floor(hidden / 2)), activation: "relu", kernelInitializer: init(3) }),
    );
    model.add(tf.layers.dropout({ rate: 0.3, seed: seed + 4 }));
    model.add(tf.layers.dense({ units: 1, activation: "sigmoid", kernelInitializer: init(5) }));
  } else {
    model.add(tf.layers.dense({ inputShape: [width], units: 1, activation: "sigmoid", kernelInitializer: init(1) }));
  }
  return model;
}

function denseLayers(model: TF.Sequential): DenseLayer[] {
  const out: DenseLayer[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() !== "Dense") continue;
    const [kernel, bias] = layer.getWeights();
    const activation = (layer.getConfig().activation as string) === "relu" ? "relu" : "sigmoid";
    out.push({
      weights: kernel!.arraySync() as number[][],
      bias: bias!.arraySync() as number[],
      activation,
    });
  }
  return out;
}

function predictWith(model: TF.Sequential, split: FeatureSplit, scaler: FeatureSplit["header"]["scaler"]) {
  const width = split.header.featureNames.length;
  return tf.tidy(() => {
    const x = tf.tensor2d(scale(split.features, scaler), [split.header.rows, width]);
    return model.predict(x, { batchSize: 8192 }) as TF.Tensor;
  });
}

/**
 * Trains one model on `train`, keeping the epoch with the best ROC-AUC on `validation`.
 *
 * @example
 * await initTf();
 * const trained = await trainModel(train, validation, { kind: "mlp", learningRate: 1e-3, batchSize: 512, epochs: 5, seed: 1 });
 */
export async function trainModel(
  train: FeatureSplit,
  validation: FeatureSplit,
  options: TrainOptions,
): Promise<Trained> {
  await initTf();
  const { header } = train;
  const width = header.featureNames.length;
  const rows = header.rows;
  let frauds = 0;
  for (const y of train.labels) frauds += y;
  if (frauds === 0 || frauds === rows) {
    throw new FraudPipelineError(
      "FRAUD_DATA_INVALID",
      `train: the training split has ${frauds} fraud rows out of ${rows}; both classes are needed. ` +
        "Use more rows or a longer time range.",
    );
  }
  const classWeight =
    options.classWeight && options.classWeight > 0 ? options.classWeight : Math.sqrt((rows - frauds) / frauds);
  const hidden = options.hiddenUnits ?? 128;
  if (!Number.isInteger(hidden) || hidden < 2) {
    throw new FraudPipelineError(
      "FRAUD_BAD_OPTION",
      `train: hidden units is ${hidden}; use an integer of at least 2 (the second layer has half as many).`,
    );
  }
  const model = build(options.kind, width, options.seed, hidden);
  model.compile({ optimizer: tf.train.adam(options.learningRate), loss: "binaryCrossentropy" });
  const scaled = scale(train.features, header.scaler);
  const rng = new Rng(options.seed);
  const started = Date.now();
  let best = { auc: -1, layers: denseLayers(model), loss: Number.NaN };
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    // Shuffle with our own seeded generator so runs are reproducible.
    const perm = new Uint32Array(rows);
    for (let i = 0; i < rows; i++) perm[i] = i;
    for (let i = rows - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    const xs = new Float32Array(rows * width);
    const ys = new Float32Array(rows);
    perm.forEach((src, dst) => {
      xs.set(scaled.subarray(src * width, src * width + width), dst * width);
      ys[dst] = train.labels[src] as number;
    });
    const x = tf.tensor2d(xs, [rows, width]);
    const y = tf.tensor2d(ys, [rows, 1]);
    const history = await model.fit(x, y, {
      epochs: 1,
      batchSize: options.batchSize,
      shuffle: false,
      classWeight: { 0: 1, 1: classWeight },
      verbose: 0,
    });
    x.dispose();
    y.dispose();
    const loss = Number(history.history.loss?.[0] ?? Number.NaN);
    const p = predictWith(model, validation, header.scaler);
    const auc = rocAuc(p.dataSync(), validation.labels);
    p.dispose();
    options.onEpoch?.(epoch, auc, loss);
    if (!(auc <= best.auc)) best = { auc, layers: denseLayers(model), loss };
  }
  // Restore the best epoch into the tfjs model so its predictions match the artifact.
  let k = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== "Dense") continue;
    const l = best.layers[k++]!;
    layer.setWeights([tf.tensor2d(l.weights), tf.tensor1d(l.bias)]);
  }
  const artifact: ModelArtifact = {
    format: "weft-fraud-model/1",
    kind: options.kind,
    featureNames: header.featureNames,
    scaler: header.scaler,
    layers: best.layers,
    hyperparameters: {
      learning_rate: options.learningRate,
      batch_size: options.batchSize,
      epochs: options.epochs,
      seed: options.seed,
      architecture:
        options.kind === "mlp"
          ? `${hidden}-${Math.max(1, Math.floor(hidden / 2))}-1 relu, dropout 0.3, sigmoid`
          : "logistic regression",
    },
    training: {
      trainRows: rows,
      epochs: options.epochs,
      seconds: (Date.now() - started) / 1000,
      finalLoss: best.loss,
      classWeight,
    },
  };
  return {
    model: artifact,
    predict(split) {
      const p = predictWith(model, split, header.scaler);
      const out = new Float32Array(p.dataSync());
      p.dispose();
      return out;
    },
    dispose() {
      model.dispose();
    },
  };
}
