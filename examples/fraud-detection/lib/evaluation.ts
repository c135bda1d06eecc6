/**
 * Evaluation of one model: the threshold is chosen on the validation split (best F1), and
 * every number is reported on the test split, next to the oracle (true-probability)
 * ROC-AUC when the data is synthetic. Also renders the HTML report.
 */
import {
  atThreshold,
  averagePrecision,
  bestF1Threshold,
  type CurveRow,
  confidenceRows,
  type Labels,
  rocAuc,
  type ThresholdMetrics,
} from "./metrics.ts";

/** What `evaluate` reports for one model. */
export interface Evaluation {
  kind: string;
  rocAuc: number;
  prAuc: number;
  f1: number;
  precision: number;
  recall: number;
  threshold: number;
  /** Test-split confusion counts at the threshold. */
  confusion: ThresholdMetrics;
  validationRocAuc: number;
  /** ROC-AUC of the true probabilities on the test split; NaN for real data. */
  oracleRocAuc: number;
  testRows: number;
  testFrauds: number;
  /**
   * Test-split confusion counts at the thresholds where the ROC and precision-recall curves
   * turn (KFP's `confidenceMetrics`); both curves and their areas are drawn from these.
   */
  curve: CurveRow[];
}

/** Evaluates test scores with a threshold picked on validation scores. */
export function evaluateScores(
  kind: string,
  validation: { scores: ArrayLike<number>; labels: Labels },
  test: { scores: ArrayLike<number>; labels: Labels; truth?: ArrayLike<number> },
): Evaluation {
  const threshold = bestF1Threshold(validation.scores, validation.labels);
  const confusion = atThreshold(test.scores, test.labels, threshold);
  let frauds = 0;
  for (let i = 0; i < test.labels.length; i++) frauds += (test.labels[i] as number) > 0.5 ? 1 : 0;
  const truth = test.truth;
  const known = truth !== undefined && truth.length > 0 && !Number.isNaN(truth[0] as number);
  return {
    kind,
    rocAuc: rocAuc(test.scores, test.labels),
    prAuc: averagePrecision(test.scores, test.labels),
    f1: confusion.f1,
    precision: confusion.precision,
    recall: confusion.recall,
    threshold,
    confusion,
    validationRocAuc: rocAuc(validation.scores, validation.labels),
    oracleRocAuc: known ? rocAuc(truth, test.labels) : Number.NaN,
    testRows: test.labels.length,
    testFrauds: frauds,
    curve: confidenceRows(test.scores, test.labels),
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);
}

function rocSvg(curve: CurveRow[]): string {
  const rate = (n: number, d: number) => (d === 0 ? 0 : n / d);
  const pts = curve
    .map((r) => {
      const fpr = rate(r.fp, r.fp + r.tn);
      const tpr = rate(r.tp, r.tp + r.fn);
      return `${(20 + fpr * 300).toFixed(1)},${(320 - tpr * 300).toFixed(1)}`;
    })
    .join(" ");
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" width="340" height="350" role="img" aria-label="ROC curve">',
    '<rect x="20" y="20" width="300" height="300" fill="none" stroke="#999"/>',
    '<line x1="20" y1="320" x2="320" y2="20" stroke="#ccc" stroke-dasharray="4"/>',
    `<polyline points="${pts}" fill="none" stroke="#2563eb" stroke-width="2"/>`,
    '<text x="170" y="342" text-anchor="middle" font-size="12">false positive rate</text>',
    '<text x="12" y="170" font-size="12" transform="rotate(-90 12 170)" text-anchor="middle">true positive rate</text>',
    "</svg>",
  ].join("");
}

const fmt = (v: number) => (Number.isNaN(v) ? "n/a" : v.toFixed(4));

/** A self-contained HTML page with the metrics, the ROC curve and the confusion matrix. */
export function evaluationHtml(e: Evaluation): string {
  const c = e.confusion;
  const rows: [string, string][] = [
    ["ROC-AUC (test)", fmt(e.rocAuc)],
    ["Oracle ROC-AUC (true probabilities)", fmt(e.oracleRocAuc)],
    ["PR-AUC (average precision)", fmt(e.prAuc)],
    ["F1", fmt(e.f1)],
    ["Precision", fmt(e.precision)],
    ["Recall", fmt(e.recall)],
    ["Threshold (best F1 on validation)", e.threshold.toPrecision(4)],
    ["ROC-AUC (validation)", fmt(e.validationRocAuc)],
    ["Test rows / frauds", `${e.testRows} / ${e.testFrauds}`],
  ];
  return [
    "<!doctype html>",
    `<html><head><meta charset="utf-8"><title>Fraud model: ${escapeHtml(e.kind)}</title>`,
    "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:900px}",
    "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ddd;padding:4px 10px;text-align:right}",
    "td:first-child,th:first-child{text-align:left}</style></head><body>",
    `<h1>Fraud detection: ${escapeHtml(e.kind)} model</h1>`,
    "<h2>Metrics</h2><table>",
    ...rows.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`),
    "</table>",
    "<h2>Confusion matrix (test, at the validation threshold)</h2>",
    "<table><tr><th></th><th>predicted legit</th><th>predicted fraud</th></tr>",
    `<tr><td>actual legit</td><td>${c.tn}</td><td>${c.fp}</td></tr>`,
    `<tr><td>actual fraud</td><td>${c.fn}</td><td>${c.tp}</td></tr></table>`,
    "<h2>ROC curve (test)</h2>",
    rocSvg(e.curve),
    "</body></html>",
    "",
  ].join("\n");
}
