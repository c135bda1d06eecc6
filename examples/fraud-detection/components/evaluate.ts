/** `evaluate`: test metrics at the validation-chosen threshold, ROC and PR curves, confusion matrix, HTML report. */
import { writeFileSync } from "node:fs";
import { artifact, component, param } from "weft";
import { readPredictions, readSplit } from "../lib/dataset-io.ts";
import { evaluateScores, evaluationHtml } from "../lib/evaluation.ts";
import { readModel, writeModel } from "../lib/model.ts";

/**
 * Scores one trained model. Writes Metrics, ClassificationMetrics (confusion counts at each
 * threshold, from which ROC and precision-recall curves are drawn, their areas, and the
 * confusion matrix), an HTML report, and the model again with its evaluation attached
 * (`scored_model`), which `select_best` compares.
 */
export const evaluate = component({
  name: "evaluate",
  description: "ROC-AUC, PR-AUC, F1, precision and recall at the validation-chosen threshold; ROC curve and report.",
  inputs: {
    model: artifact.Model,
    predictions: artifact.Dataset,
    validation: artifact.Dataset,
    test: artifact.Dataset,
  },
  outputs: {
    metrics: artifact.Metrics,
    classification: artifact.ClassificationMetrics,
    report: artifact.HTML,
    scored_model: artifact.Model,
    roc_auc: param.float(),
    pr_auc: param.float(),
    f1: param.float(),
  },
  async run(inputs, outputs) {
    const model = readModel(inputs.model.path);
    const scores = readPredictions(inputs.predictions.path);
    const validation = readSplit(inputs.validation.path);
    const test = readSplit(inputs.test.path);
    const e = evaluateScores(
      model.kind,
      { scores: scores.validation, labels: validation.labels },
      { scores: scores.test, labels: test.labels, truth: test.truth },
    );
    const m = outputs.metrics;
    m.logMetric("roc_auc", e.rocAuc);
    m.logMetric("pr_auc", e.prAuc);
    m.logMetric("f1", e.f1);
    m.logMetric("precision", e.precision);
    m.logMetric("recall", e.recall);
    m.logMetric("threshold", e.threshold);
    m.logMetric("validation_roc_auc", e.validationRocAuc);
    if (!Number.isNaN(e.oracleRocAuc)) m.logMetric("oracle_roc_auc", e.oracleRocAuc);
    const c = outputs.classification;
    // ROC and precision-recall curves are both drawn from these rows; the areas over the
    // whole curve are KFP's auRoc and auPrc (average precision)
    c.logConfidenceMetrics(e.curve);
    if (Number.isFinite(e.rocAuc)) c.metadata.auRoc = e.rocAuc;
    if (Number.isFinite(e.prAuc)) c.metadata.auPrc = e.prAuc;
    const k = e.confusion;
    c.logConfusionMatrix(
      ["legit", "fraud"],
      [
        [k.tn, k.fp],
        [k.fn, k.tp],
      ],
    );
    writeFileSync(outputs.report.path, evaluationHtml(e));
    outputs.report.metadata.kind = model.kind;
    model.evaluation = {
      rocAuc: e.rocAuc,
      prAuc: e.prAuc,
      f1: e.f1,
      precision: e.precision,
      recall: e.recall,
      threshold: e.threshold,
    };
    writeModel(outputs.scored_model.path, model);
    outputs.scored_model.framework = "tensorflow.js";
    Object.assign(outputs.scored_model.metadata, { kind: model.kind, ...model.evaluation });
    console.log(
      `evaluate ${model.kind}: ROC-AUC ${e.rocAuc.toFixed(4)} (oracle ${e.oracleRocAuc.toFixed(4)}), ` +
        `PR-AUC ${e.prAuc.toFixed(4)}, F1 ${e.f1.toFixed(4)} at threshold ${e.threshold.toPrecision(4)}`,
    );
    return { roc_auc: e.rocAuc, pr_auc: e.prAuc, f1: e.f1 };
  },
});
