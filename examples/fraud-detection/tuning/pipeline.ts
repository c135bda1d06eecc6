/**
 * The fraud MLP's training pipeline, as the tuning experiment runs it once per trial:
 * generate (or read) transactions, build the feature splits, train the MLP with the
 * trial's hyperparameters. The data steps are cached, so after the first trial each trial
 * runs only `train_mlp`.
 *
 * Run it alone: `weft run examples/fraud-detection/tuning/pipeline.ts --param hidden_units=64`.
 */
import { param, pipeline } from "weft";
import { loadData, preprocess } from "../components.ts";
import { trainMlp } from "./train-mlp.ts";

export const fraudTraining = pipeline(
  {
    name: "fraud-training",
    description: "The fraud MLP alone (data, features, training) for hyperparameter tuning.",
    params: {
      rows: param.int({ default: 50_000 }),
      seed: param.int({ default: 42 }),
      learning_rate: param.float({ default: 0.001 }),
      hidden_units: param.int({ default: 128 }),
      batch_size: param.int({ default: 512 }),
      epochs: param.int({ default: 5 }),
    },
  },
  (p) => {
    const data = loadData({ rows: p.rows, seed: p.seed });
    const prep = preprocess({ transactions: data.outputs.transactions, truth: data.outputs.truth, seed: p.seed });
    const trained = trainMlp({
      train: prep.outputs.train,
      validation: prep.outputs.validation,
      test: prep.outputs.test,
      learning_rate: p.learning_rate,
      hidden_units: p.hidden_units,
      batch_size: p.batch_size,
      epochs: p.epochs,
      seed: p.seed,
    });
    return {
      validation_roc_auc: trained.outputs.validation_roc_auc,
      test_roc_auc: trained.outputs.test_roc_auc,
    };
  },
);
