/** `preprocess`: features, a time-based split, optional under-sampling and the fitted scaler. */
import { readFileSync } from "node:fs";
import { artifact, component, param } from "weft";
import { readTransactions } from "../lib/csv.ts";
import { writeSplit } from "../lib/dataset-io.ts";
import { buildSplits, TransactionColumns } from "../lib/features.ts";
import { rocAuc } from "../lib/metrics.ts";

/**
 * Turns raw transactions into train / validation / test feature splits (in time order),
 * each carrying the scaler and encoders fitted on the training split. On synthetic data it
 * also reports the oracle ROC-AUC of the test split.
 */
export const preprocess = component({
  name: "preprocess",
  description: "Feature engineering, time-based train/validation/test split, under-sampling and scaler fitting.",
  inputs: {
    transactions: artifact.Dataset,
    truth: artifact.Dataset,
    fraud_ratio: param.float({
      default: 0,
      description: "Fraud share of the training split after under-sampling; 0 keeps all.",
    }),
    validation_fraction: param.float({ default: 0.15 }),
    test_fraction: param.float({ default: 0.15 }),
    seed: param.int({ default: 42 }),
  },
  outputs: {
    train: artifact.Dataset,
    validation: artifact.Dataset,
    test: artifact.Dataset,
    oracle_roc_auc: param.float(),
    train_rows: param.int(),
  },
  async run({ transactions, truth, fraud_ratio, validation_fraction, test_fraction, seed }, outputs) {
    const started = Date.now();
    const cols = new TransactionColumns();
    for await (const tx of readTransactions(transactions.path)) cols.add(tx);
    const raw = readFileSync(truth.path);
    const probabilities =
      raw.length === cols.rows * 4 && raw.length > 0
        ? new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length))
        : undefined;
    const splits = buildSplits(cols, {
      validationFraction: validation_fraction,
      testFraction: test_fraction,
      fraudRatio: fraud_ratio,
      seed,
      truth: probabilities,
    });
    for (const name of ["train", "validation", "test"] as const) {
      const split = splits[name];
      writeSplit(outputs[name].path, split);
      let frauds = 0;
      for (const y of split.labels) frauds += y;
      Object.assign(outputs[name].metadata, {
        rows: split.header.rows,
        frauds,
        features: split.header.featureNames.length,
        from: split.header.from,
        to: split.header.to,
      });
    }
    const oracle = probabilities ? rocAuc(splits.test.truth, splits.test.labels) : -1;
    console.log(
      `preprocess: ${cols.rows} rows -> train ${splits.train.header.rows} (of ${splits.trainRowsBeforeSampling}), ` +
        `validation ${splits.validation.header.rows}, test ${splits.test.header.rows}; ` +
        `oracle test ROC-AUC ${oracle.toFixed(4)}; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return { oracle_roc_auc: Number.isNaN(oracle) ? -1 : oracle, train_rows: splits.train.header.rows };
  },
});
