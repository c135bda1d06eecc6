/**
 * The fraud-detection reference pipeline: load (or generate) TabFormer transactions,
 * validate, preprocess, train an MLP and a logistic-regression baseline in parallel,
 * evaluate both, select the best, and - when it clears the quality gate - export it to
 * ONNX and a Triton repository, explain it with Shapley values, and register it in the
 * model registry as `fraud-detector` (a new version, `challenger`; `champion` when the
 * registry policy passes). A new champion gets a Triton model repository and a KServe
 * manifest (`deploy-model`), and, when `serve_url` names a running `weft serve`, is
 * loaded there and smoke-tested on test rows (rolled back when it answers otherwise).
 *
 * Run it: `weft run examples/fraud-detection/pipeline.ts --param rows=200000`.
 */
import { collected, deployModel, type Policy, parallelFor, param, pipeline, registerModel, when } from "weft";
import {
  evaluate,
  explain,
  exportModel,
  loadData,
  preprocess,
  selectBestModel,
  smokeSample,
  train,
  validateData,
} from "./components.ts";

/** The model configurations compared by the training loop. */
export const MODEL_CONFIGS = [{ kind: "mlp" }, { kind: "logreg" }];

/**
 * The registry's promotion policy: a floor on ROC-AUC, and champion only when at least as
 * good as the current champion.
 */
export const REGISTRY_POLICY: Policy = {
  thresholds: ["roc_auc >= 0.8"],
  compare: { metric: "roc_auc", minDelta: 0 },
};

/** The pipeline; its outputs are the selected model's metrics and the gate decision. */
export const fraudDetection = pipeline(
  {
    name: "fraud-detection",
    description: "Card-fraud detection on TabFormer-schema transactions: MLP vs logistic regression, ONNX export.",
    params: {
      rows: param.int({ default: 200_000 }),
      seed: param.int({ default: 42 }),
      data_path: param.string({ default: "" }),
      max_rows: param.int({ default: 0 }),
      fraud_ratio: param.float({ default: 0 }),
      learning_rate: param.float({ default: 0.001 }),
      batch_size: param.int({ default: 512 }),
      epochs: param.int({ default: 5 }),
      min_roc_auc: param.float({ default: 0.9 }),
      min_f1: param.float({ default: 0.2 }),
      model_name: param.string({ default: "fraud-detector" }),
      registry_policy: param.object<Policy>({ default: REGISTRY_POLICY }),
      serve_url: param.string({ default: "" }),
    },
  },
  (p) => {
    const data = loadData({ rows: p.rows, seed: p.seed, data_path: p.data_path, max_rows: p.max_rows });
    const checked = validateData({ transactions: data.outputs.transactions });
    const prep = preprocess({
      transactions: data.outputs.transactions,
      truth: data.outputs.truth,
      fraud_ratio: p.fraud_ratio,
      seed: p.seed,
    }).after(checked);
    const scored = parallelFor(MODEL_CONFIGS, (cfg) => {
      const trained = train({
        train: prep.outputs.train,
        validation: prep.outputs.validation,
        test: prep.outputs.test,
        kind: cfg.field("kind"),
        learning_rate: p.learning_rate,
        batch_size: p.batch_size,
        epochs: p.epochs,
        seed: p.seed,
      });
      return evaluate({
        model: trained.outputs.model,
        predictions: trained.outputs.predictions,
        validation: prep.outputs.validation,
        test: prep.outputs.test,
      });
    });
    const best = selectBestModel({
      candidates: collected(scored.outputs.scored_model),
      min_roc_auc: p.min_roc_auc,
      min_f1: p.min_f1,
      oracle_roc_auc: prep.outputs.oracle_roc_auc,
    });
    when(best.outputs.roc_auc.gte(p.min_roc_auc), () => {
      when(best.outputs.f1.gte(p.min_f1), () => {
        const exported = exportModel({ best_model: best.outputs.best_model, test: prep.outputs.test });
        explain({ onnx_model: exported.outputs.onnx_model, test: prep.outputs.test, seed: p.seed });
        const registered = registerModel({
          model: exported.outputs.onnx_model,
          metrics: best.outputs.metrics,
          model_name: p.model_name,
          policy: p.registry_policy,
          description: "Card-fraud detector from the fraud-detection pipeline (ONNX).",
          tags: { pipeline: "fraud-detection" },
        });
        when(registered.outputs.promoted.eq(true), () => {
          const sample = smokeSample({ best_model: best.outputs.best_model, test: prep.outputs.test });
          deployModel({
            model: exported.outputs.onnx_model,
            model_uri: registered.outputs.model_uri,
            server_url: p.serve_url,
            smoke_test: sample.outputs.smoke_test,
          });
        });
      });
    });
    return {
      roc_auc: best.outputs.roc_auc,
      pr_auc: best.outputs.pr_auc,
      f1: best.outputs.f1,
      gate_passed: best.outputs.gate_passed,
      best_kind: best.outputs.best_kind,
      oracle_roc_auc: prep.outputs.oracle_roc_auc,
      summary: best.outputs.summary,
      best_model: best.outputs.best_model,
    };
  },
);
