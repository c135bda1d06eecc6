import { describe, expect, it } from "vitest";
import {
  averagePrecision,
  confusionOf,
  curveRows,
  isWholeCurve,
  prSeries,
  rocArea,
  rocSeries,
  withPrecision,
} from "./classification.ts";

/** Rows as KFP's confidenceMetrics with counts: 4 positives, 6 negatives. */
function countsRow(threshold: number, tp: number, fp: number) {
  return {
    confidenceThreshold: threshold,
    truePositiveCount: tp,
    falsePositiveCount: fp,
    trueNegativeCount: 6 - fp,
    falseNegativeCount: 4 - tp,
  };
}

// scores (label): .9 (1) .8 (0) .7 (1) .6 (1) .5 (0) .4 (0) .3 (1) .2 (0) .1 (0) .05 (0)
const whole = {
  confidenceMetrics: [
    countsRow(1, 0, 0),
    countsRow(0.9, 1, 0),
    countsRow(0.8, 1, 1),
    countsRow(0.7, 2, 1),
    countsRow(0.6, 3, 1),
    countsRow(0.5, 3, 2),
    countsRow(0.4, 3, 3),
    countsRow(0.3, 4, 3),
    countsRow(0.2, 4, 4),
    countsRow(0.1, 4, 5),
    countsRow(0.05, 4, 6),
  ].reverse(),
};

describe("classification metrics", () => {
  it("reads rows from confusion counts, in threshold order from high to low", () => {
    const rows = curveRows(whole);
    expect(rows.map((r) => r.threshold)).toEqual([1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]);
    expect(rows[0]).toEqual({ threshold: 1, fpr: 0, tpr: 0 });
    expect(rows[3]).toEqual({ threshold: 0.7, fpr: 1 / 6, tpr: 0.5, precision: 2 / 3 });
  });

  it("ROC-AUC over the whole curve equals the rank statistic", () => {
    // pairs (positive, negative) where the positive scores higher: .9 beats 6, .7 and .6 beat 5, .3 beats 3
    expect(rocArea(curveRows(whole))).toBeCloseTo((6 + 5 + 5 + 3) / 24, 12);
  });

  it("average precision over the whole curve is scikit-learn's", () => {
    // recall steps of 1/4 at precisions 1, 2/3, 3/4, 4/7
    expect(averagePrecision(curveRows(whole))).toBeCloseTo((1 + 2 / 3 + 3 / 4 + 4 / 7) / 4, 12);
  });

  it("shows no area for a partial curve", () => {
    const partial = { confidenceMetrics: whole.confidenceMetrics.filter((r) => r.confidenceThreshold >= 0.3) };
    const rows = curveRows(partial);
    expect(isWholeCurve(rows)).toBe(false);
    expect(rocArea(rows)).toBeUndefined();
    expect(averagePrecision(rows)).toBeUndefined();
    const top = { confidenceMetrics: whole.confidenceMetrics.filter((r) => r.confidenceThreshold <= 0.9) };
    expect(rocArea(curveRows(top))).toBeUndefined();
  });

  it("draws the PR curve from the rows, leaving out the row where nothing is positive", () => {
    const pr = prSeries("m", curveRows(whole), undefined);
    expect(pr?.points[0]).toEqual({ x: 0.25, y: 1, t: 0.9 });
    expect(pr?.points.at(-1)).toEqual({ x: 1, y: 0.4, t: 0.05 });
    expect(pr?.points).toHaveLength(10);
  });

  it("reads rates when no counts were logged, and derives precision from the class totals", () => {
    const rates = {
      confidenceMetrics: [
        { confidenceThreshold: 1, falsePositiveRate: 0, recall: 0 },
        { confidenceThreshold: 0.2, falsePositiveRate: 1, recall: 1 },
        { confidenceThreshold: 0.5, falsePositiveRate: 0.25, recall: 0.75 },
      ],
      confusionMatrix: {
        annotationSpecs: [{ displayName: "legit" }, { displayName: "fraud" }],
        rows: [{ row: [60, 20] }, { row: [5, 15] }],
      },
    };
    const rows = curveRows(rates);
    expect(rocSeries("m", rows).points.map((p) => [p.x, p.y])).toEqual([
      [0, 0],
      [0.25, 0.75],
      [1, 1],
    ]);
    expect(rocArea(rows)).toBeCloseTo(0.25 * 0.375 + 0.75 * 0.875, 12);
    const cm = confusionOf(rates);
    // P = 20 positives, N = 80 negatives; at tpr .75, fpr .25: 15 / (15 + 20)
    expect(prSeries("m", rows, cm)?.points.map((p) => [p.x, Number(p.y.toFixed(4))])).toEqual([
      [0.75, Number((15 / 35).toFixed(4))],
      [1, 0.2],
    ]);
    expect(averagePrecision(rows)).toBeUndefined();
    expect(averagePrecision(withPrecision(rows, cm))).toBeCloseTo(0.75 * (15 / 35) + 0.25 * 0.2, 12);
  });

  it("reads the confusion matrix with its categories", () => {
    expect(confusionOf(whole)).toBeUndefined();
    expect(confusionOf({ confusionMatrix: { annotationSpecs: [{ displayName: "a" }], rows: [{ row: [3] }] } })).toEqual(
      { categories: ["a"], rows: [[3]] },
    );
  });

  it("ignores malformed entries", () => {
    expect(curveRows({ confidenceMetrics: [null, { recall: "x" }, 3] } as never)).toEqual([]);
  });
});
