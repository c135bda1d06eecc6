/**
 * `train_mlp`: the fraud MLP with its tuned hyperparameters (learning rate, hidden units,
 * batch size, epochs). Each epoch's validation ROC-AUC is a step metric (what median
 * stopping compares while trials run); the best epoch's validation and test ROC-AUC go to
 * a Metrics artifact (what the experiment's objective reads).
 */
import { artifact, component, param } from "weft";
import { readSplit } from "../lib/dataset-io.ts";
import { rocAuc } from "../lib/metrics.ts";
import { trainModel } from "../lib/train.ts";

export const trainMlp = component({
  name: "train_mlp",
  description:
    "Trains the fraud MLP with the given hyperparameters; validation ROC-AUC per epoch and at the best epoch.",
  packages: ["@tensorflow/tfjs@4.22.0", "@tensorflow/tfjs-backend-wasm@4.22.0"],
  inputs: {
    train: artifact.Dataset,
    validation: artifact.Dataset,
    test: artifact.Dataset,
    learning_rate: param.float({ default: 0.001 }),
    hidden_units: param.int({ default: 128, description: "first hidden layer; the second has half as many" }),
    batch_size: param.int({ default: 512 }),
    epochs: param.int({ default: 5 }),
    seed: param.int({ default: 42 }),
  },
  outputs: { metrics: artifact.Metrics, validation_roc_auc: param.float(), test_roc_auc: param.float() },
  async run(inputs, { metrics }, ctx) {
    const trainSplit = readSplit(inputs.train.path);
    const validation = readSplit(inputs.validation.path);
    const test = readSplit(inputs.test.path);
    const trained = await trainModel(trainSplit, validation, {
      kind: "mlp",
      learningRate: inputs.learning_rate,
      hiddenUnits: inputs.hidden_units,
      batchSize: inputs.batch_size,
      epochs: inputs.epochs,
      seed: inputs.seed,
      onEpoch(epoch, auc, loss) {
        ctx.log.metrics({ validation_roc_auc: auc, loss }, { step: epoch });
        console.log(`epoch ${epoch}: validation_roc_auc=${auc.toFixed(4)} loss=${loss.toFixed(4)}`);
      },
    });
    const validationRocAuc = rocAuc(trained.predict(validation), validation.labels);
    const testRocAuc = rocAuc(trained.predict(test), test.labels);
    trained.dispose();
    console.log(`best epoch: validation_roc_auc=${validationRocAuc} test_roc_auc=${testRocAuc}`);
    metrics.logMetric("validation_roc_auc", validationRocAuc);
    metrics.logMetric("test_roc_auc", testRocAuc);
    metrics.logMetric("train_seconds", trained.model.training.seconds);
    return { validation_roc_auc: validationRocAuc, test_roc_auc: testRocAuc };
  },
});
