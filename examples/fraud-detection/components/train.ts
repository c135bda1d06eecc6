/** `train`: one model configuration (MLP or logistic regression) with tfjs on WASM. */
import { artifact, component, param } from "weft";
import { readSplit, writePredictions } from "../lib/dataset-io.ts";
import { FraudPipelineError } from "../lib/errors.ts";
import { rocAuc } from "../lib/metrics.ts";
import { writeModel } from "../lib/model.ts";
import { tfBackend, trainModel } from "../lib/train.ts";

/** Rows of the test split whose tfjs predictions are kept in the model for the ONNX check. */
export const REFERENCE_ROWS = 512;

/** Trains one model kind and writes the portable model plus its validation and test scores. */
export const train = component({
  name: "train",
  description: "Trains an MLP (128-64-1) or a logistic-regression baseline with @tensorflow/tfjs on the WASM backend.",
  packages: ["@tensorflow/tfjs@4.22.0", "@tensorflow/tfjs-backend-wasm@4.22.0"],
  inputs: {
    train: artifact.Dataset,
    validation: artifact.Dataset,
    test: artifact.Dataset,
    kind: param.string({ description: '"mlp" or "logreg"' }),
    learning_rate: param.float({ default: 0.001 }),
    batch_size: param.int({ default: 512 }),
    epochs: param.int({ default: 5 }),
    seed: param.int({ default: 42 }),
  },
  outputs: { model: artifact.Model, predictions: artifact.Dataset, validation_roc_auc: param.float() },
  async run(inputs, { model, predictions }) {
    const { kind } = inputs;
    if (kind !== "mlp" && kind !== "logreg") {
      throw new FraudPipelineError("FRAUD_BAD_OPTION", `train: kind is "${kind}"; use "mlp" or "logreg".`);
    }
    const trainSplit = readSplit(inputs.train.path);
    const validation = readSplit(inputs.validation.path);
    const test = readSplit(inputs.test.path);
    const trained = await trainModel(trainSplit, validation, {
      kind,
      learningRate: inputs.learning_rate,
      batchSize: inputs.batch_size,
      epochs: inputs.epochs,
      seed: inputs.seed,
    });
    const scores = { validation: trained.predict(validation), test: trained.predict(test) };
    trained.dispose();
    const artifactJson = trained.model;
    artifactJson.reference = { split: "test", predictions: Array.from(scores.test.subarray(0, REFERENCE_ROWS)) };
    writeModel(model.path, artifactJson);
    writePredictions(predictions.path, scores);
    model.framework = "tensorflow.js";
    Object.assign(model.metadata, { kind, backend: tfBackend(), ...artifactJson.training });
    console.log(
      `train ${kind}: ${artifactJson.training.trainRows} rows, ${inputs.epochs} epochs on ${tfBackend()} in ` +
        `${artifactJson.training.seconds.toFixed(1)} s, loss ${artifactJson.training.finalLoss.toFixed(4)}`,
    );
    return { validation_roc_auc: rocAuc(scores.validation, validation.labels) };
  },
});
