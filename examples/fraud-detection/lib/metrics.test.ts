import { describe, expect, it } from "vitest";
import { averagePrecision as areaAp, curveRows, rocArea } from "../../../ui/src/charts/classification.ts";
import { atThreshold, averagePrecision, bestF1Threshold, confidenceRows, rocAuc, rocCurve } from "./metrics.ts";
import { Rng } from "./random.ts";

/** The rows as the ClassificationMetrics artifact logs them, read back as the web UI reads them. */
function drawn(rows: ReturnType<typeof confidenceRows>) {
  return curveRows({
    confidenceMetrics: rows.map((r) => ({
      confidenceThreshold: r.threshold,
      truePositiveCount: r.tp,
      falsePositiveCount: r.fp,
      trueNegativeCount: r.tn,
      falseNegativeCount: r.fn,
    })),
  });
}

describe("metrics", () => {
  it("computes ROC-AUC with ties counted half", () => {
    expect(rocAuc([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBe(0.5);
    // Pairs (pos, neg): (0.8,0.6) win, (0.8,0.9) lose, (0.4,0.6) lose, (0.4,0.9) lose -> 1/4.
    expect(rocAuc([0.8, 0.4, 0.6, 0.9], [1, 1, 0, 0])).toBe(0.25);
    expect(rocAuc([0.3, 0.2], [0, 0])).toBeNaN();
  });

  it("computes average precision like scikit-learn", () => {
    // sklearn.metrics.average_precision_score([0,0,1,1],[0.1,0.4,0.35,0.8]) == 0.8333...
    expect(averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.833333, 5);
    expect(averagePrecision([0.9, 0.1], [1, 0])).toBe(1);
  });

  it("counts the confusion matrix at a threshold", () => {
    const m = atThreshold([0.9, 0.6, 0.4, 0.2], [1, 0, 1, 0], 0.5);
    expect(m).toMatchObject({ tp: 1, fp: 1, fn: 1, tn: 1, precision: 0.5, recall: 0.5, f1: 0.5 });
  });

  it("picks the F1-optimal threshold", () => {
    const scores = [0.95, 0.9, 0.7, 0.6, 0.3, 0.2];
    const labels = [1, 1, 0, 1, 0, 0];
    const t = bestF1Threshold(scores, labels);
    expect(t).toBe(0.6);
    expect(atThreshold(scores, labels, t).f1).toBeCloseTo(6 / 7, 10);
  });

  it("down-samples the ROC curve but keeps both ends", () => {
    const n = 1000;
    const scores = Array.from({ length: n }, (_, i) => i / n);
    const labels = scores.map((_, i) => (i % 3 === 0 ? 1 : 0));
    const roc = rocCurve(scores, labels, 21);
    expect(roc).toHaveLength(21);
    expect(roc[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(roc[20]).toMatchObject({ fpr: 1, tpr: 1 });
    for (let i = 1; i < roc.length; i++) expect(roc[i]!.fpr).toBeGreaterThanOrEqual(roc[i - 1]!.fpr);
  });

  it("logs curve rows whose areas are the ROC-AUC and average precision, from end to end", () => {
    const r = new Rng(7);
    const rng = () => r.next();
    for (const [n, fraud, maxRows, exact] of [
      [300, 0.05, 400, true], // every distinct score
      [20_000, 0.005, 400, true], // the corners of the staircase
      [20_000, 0.05, 400, false], // score quantiles
    ] as const) {
      const labels = Array.from({ length: n }, () => (rng() < fraud ? 1 : 0));
      // rounded scores make ties, which count half in the ROC-AUC
      const scores = labels.map((y) => Math.round((0.6 * rng() + 0.35 * y * rng()) * 1000) / 1000);
      const rows = confidenceRows(scores, labels, maxRows);
      expect(rows.length).toBeLessThanOrEqual(maxRows);
      expect(rows[0]).toMatchObject({ tp: 0, fp: 0 });
      expect(rows.at(-1)).toMatchObject({ tn: 0, fn: 0 });
      const auc = rocAuc(scores, labels);
      expect(Math.abs((rocArea(drawn(rows)) as number) - auc)).toBeLessThan(1e-3);
      if (exact) {
        expect(rocArea(drawn(rows))).toBeCloseTo(auc, 12);
        expect(areaAp(drawn(rows))).toBeCloseTo(averagePrecision(scores, labels), 12);
      }
    }
  });
});
