/**
 * The fraud MLP's tuning experiment through `tune()`'s options: the same search as
 * `experiment.yaml` (learning rate on a log scale, hidden units, batch size, epochs; TPE
 * with median stopping), each trial a run of `./pipeline.ts`.
 *
 *   weft tune examples/fraud-detection/tuning/experiment.ts
 */
import { defineExperiment, discrete, double, int } from "weft";

export default defineExperiment({
  name: "fraud-mlp-ts",
  space: {
    lr: double(0.0001, 0.03, { log: true }),
    hidden: int(16, 256),
    batch: discrete([128, 256, 512, 1024]),
    epochs: int(2, 8),
  },
  objective: { metric: "validation_roc_auc", goal: "maximize" },
  additionalMetrics: ["test_roc_auc", "train_seconds"],
  algorithm: { name: "tpe", settings: { n_startup_trials: 5 }, seed: 7 },
  earlyStopping: { name: "medianstop", settings: { min_trials_required: 3, start_step: 2 } },
  parallel: 2,
  budget: { trials: 16, failedTrials: 3 },
  trial: {
    pipeline: "./pipeline.ts",
    parameters: { learning_rate: "lr", hidden_units: "hidden", batch_size: "batch", epochs: "epochs" },
    fixed: { rows: 100_000, seed: 42 },
  },
});
