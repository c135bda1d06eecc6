import { describe, expect, it } from "vitest";
import { confusionOf, prSeries, rocPoints, rocSeries } from "./classification.ts";
import { trapezoidArea } from "./curve-chart.tsx";

const metadata = {
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

describe("classification metrics", () => {
  it("reads ROC points sorted by false positive rate, and their AUC", () => {
    const pts = rocPoints(metadata);
    expect(pts.map((p) => [p.fpr, p.tpr])).toEqual([
      [0, 0],
      [0.25, 0.75],
      [1, 1],
    ]);
    expect(trapezoidArea(rocSeries("m", pts).points)).toBeCloseTo(0.25 * 0.375 + 0.75 * 0.875, 10);
  });

  it("reads the confusion matrix with its categories", () => {
    expect(confusionOf(metadata)).toEqual({
      categories: ["legit", "fraud"],
      rows: [
        [60, 20],
        [5, 15],
      ],
    });
    expect(confusionOf({})).toBeUndefined();
  });

  it("derives precision from TPR, FPR and the class totals when none was logged", () => {
    const pr = prSeries("m", rocPoints(metadata), confusionOf(metadata));
    // P = 20 positives, N = 80 negatives; at tpr .75, fpr .25: 15 / (15 + 20)
    expect(pr?.points.map((p) => [p.x, Number(p.y.toFixed(4))])).toEqual([
      [0.75, Number((15 / 35).toFixed(4))],
      [1, 0.2],
    ]);
  });

  it("uses logged precision when every point has it", () => {
    const logged = {
      confidenceMetrics: [{ falsePositiveRate: 0.1, recall: 0.5, precision: 0.9, confidenceThreshold: 0.7 }],
    };
    expect(prSeries("m", rocPoints(logged), undefined)?.points).toEqual([{ x: 0.5, y: 0.9, t: 0.7 }]);
  });

  it("ignores malformed entries", () => {
    expect(rocPoints({ confidenceMetrics: [null, { recall: "x" }, 3] } as never)).toEqual([]);
  });
});
