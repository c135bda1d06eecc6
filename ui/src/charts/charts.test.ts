import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ConfusionMatrix } from "./confusion-matrix.tsx";
import { CurveChart } from "./curve-chart.tsx";

describe("chart components", () => {
  it("draws one polyline per series on the unit square, with a diagonal and a legend", () => {
    const html = renderToStaticMarkup(
      createElement(CurveChart, {
        title: "ROC curve",
        xLabel: "False positive rate",
        yLabel: "True positive rate",
        diagonal: "up",
        series: [
          {
            name: "a",
            points: [
              { x: 0, y: 0 },
              { x: 0.5, y: 0.9 },
              { x: 1, y: 1 },
            ],
          },
          {
            name: "b",
            points: [
              { x: 0, y: 0 },
              { x: 1, y: 1 },
            ],
          },
        ],
        legendValue: (s) => `n=${s.points.length}`,
      }),
    );
    const lines = [...html.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1]);
    // x 0..1 maps to 44..348, y 1..0 maps to 12..260
    expect(lines).toEqual(["44.0,260.0 196.0,36.8 348.0,12.0", "44.0,260.0 348.0,12.0"]);
    expect(html).toContain('class="chart-diagonal"');
    expect(html).toContain("<title>ROC curve</title>");
    expect(html).toMatch(/a<span class="muted" data-testid="legend-value"> n=3<\/span>/);
  });

  it("shades a confusion matrix by count and labels actual and predicted classes", () => {
    const html = renderToStaticMarkup(
      createElement(ConfusionMatrix, {
        data: {
          categories: ["legit", "fraud"],
          rows: [
            [90, 10],
            [5, 45],
          ],
        },
      }),
    );
    const opacities = [...html.matchAll(/fill-opacity="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(opacities).toEqual([0.88, 0.08 + (10 / 90) * 0.8, 0.08 + (5 / 90) * 0.8, 0.08 + (45 / 90) * 0.8]);
    expect(html).toContain("actual fraud, predicted legit: 5");
    expect(html).toContain("150 examples");
  });
});
