/** `select_best`: fan-in over the training branches, best model by ROC-AUC, gate decision in the summary. */
import { copyFileSync, writeFileSync } from "node:fs";
import { artifact, component, param } from "weft";
import { readModel } from "../lib/model.ts";
import { selectBest, summaryMarkdown } from "../lib/select.ts";

/** Picks the best scored model and writes the run summary (which says whether export runs). */
export const selectBestModel = component({
  name: "select_best",
  description: "Picks the best model of the parallel branches by test ROC-AUC and applies the quality gate.",
  inputs: {
    candidates: artifact.Model.list(),
    min_roc_auc: param.float({ default: 0.9 }),
    min_f1: param.float({ default: 0.2 }),
    oracle_roc_auc: param.float({ default: -1 }),
  },
  outputs: {
    best_model: artifact.Model,
    summary: artifact.Markdown,
    metrics: artifact.Metrics,
    best_kind: param.string(),
    roc_auc: param.float(),
    pr_auc: param.float(),
    f1: param.float(),
    gate_passed: param.bool(),
  },
  async run({ candidates, min_roc_auc, min_f1, oracle_roc_auc }, { best_model, summary, metrics }) {
    const models = candidates.map((c) => readModel(c.path));
    const gate = { minRocAuc: min_roc_auc, minF1: min_f1 };
    const selection = selectBest(models, gate);
    copyFileSync(candidates[selection.index]!.path, best_model.path);
    const e = selection.best.evaluation!;
    best_model.framework = "tensorflow.js";
    Object.assign(best_model.metadata, {
      kind: selection.best.kind,
      ...e,
      oracle_roc_auc: oracle_roc_auc,
      gate_passed: selection.gatePassed,
    });
    metrics.logMetric("roc_auc", e.rocAuc);
    metrics.logMetric("pr_auc", e.prAuc);
    metrics.logMetric("f1", e.f1);
    metrics.logMetric("precision", e.precision);
    metrics.logMetric("recall", e.recall);
    if (oracle_roc_auc >= 0) metrics.logMetric("oracle_roc_auc", oracle_roc_auc);
    metrics.logMetric("gate_passed", selection.gatePassed ? 1 : 0);
    const text = summaryMarkdown(models, selection, gate, oracle_roc_auc);
    writeFileSync(summary.path, text);
    console.log(text);
    return {
      best_kind: selection.best.kind,
      roc_auc: e.rocAuc,
      pr_auc: e.prAuc,
      f1: e.f1,
      gate_passed: selection.gatePassed,
    };
  },
});
