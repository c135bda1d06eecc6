import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { StepSeries } from "../api/models.ts";
import { StepCharts } from "./step-curves.tsx";
import { chartsAcrossRuns, chartsOfRun, mergeStepSeries, niceTicks, stepAxes, thin, tickLabel } from "./step-series.ts";

const pts = (...steps: Array<[number, number]>): StepSeries["points"] =>
  steps.map(([step, value]) => ({ step, value, timestamp: 1000 + step }));

describe("merging step metrics as a live run logs them", () => {
  it("appends new points to their series, adds new series, and keeps each series in step order", () => {
    const first: StepSeries[] = [{ taskId: "t1", taskName: "train", key: "loss", points: pts([0, 1], [1, 0.8]) }];
    const next = mergeStepSeries(first, [
      { taskId: "t1", taskName: "train", key: "loss", points: pts([3, 0.5], [2, 0.6]) },
      { taskId: "t1", taskName: "train", key: "val_loss", points: pts([1, 0.9]) },
    ]);
    expect(next.map((s) => [s.key, s.points.map((p) => p.step)])).toEqual([
      ["loss", [0, 1, 2, 3]],
      ["val_loss", [1]],
    ]);
    // the earlier answer is not changed
    expect(first[0]?.points).toHaveLength(2);
  });

  it("an answer with nothing new leaves the same array (nothing to draw again)", () => {
    const prev: StepSeries[] = [{ taskId: "t1", taskName: "train", key: "loss", points: pts([0, 1]) }];
    expect(mergeStepSeries(prev, [])).toBe(prev);
    expect(mergeStepSeries(prev, [{ taskId: "t1", taskName: "train", key: "loss", points: [] }])).toBe(prev);
  });

  it("the same key from two tasks stays two series", () => {
    const s = mergeStepSeries(
      [],
      [
        { taskId: "a", taskName: "train-a", key: "loss", points: pts([0, 1]) },
        { taskId: "b", taskName: "train-b", key: "loss", points: pts([0, 2]) },
      ],
    );
    expect(s).toHaveLength(2);
    expect(chartsOfRun(s)).toEqual([
      {
        title: "loss",
        key: "loss",
        series: [
          { name: "train-a", points: [{ x: 0, y: 1 }] },
          { name: "train-b", points: [{ x: 0, y: 2 }] },
        ],
      },
    ]);
  });
});

describe("charts across runs", () => {
  it("one chart per key, one line per run, named by the run (and the task where a run logged the key twice)", () => {
    const charts = chartsAcrossRuns([
      {
        name: "seed 1",
        series: [
          { taskId: "x1", taskName: "train", key: "loss", points: pts([0, 1], [1, 0.5]) },
          { taskId: "x1", taskName: "train", key: "acc", points: pts([1, 0.7]) },
        ],
      },
      {
        name: "seed 2",
        series: [
          { taskId: "y1", taskName: "train", key: "loss", points: pts([0, 1.2]) },
          { taskId: "y2", taskName: "finetune", key: "loss", points: pts([0, 0.4]) },
        ],
      },
      { name: "seed 1", series: [{ taskId: "z", taskName: "train", key: "loss", points: pts([0, 3]) }] },
    ]);
    expect(charts.map((c) => [c.key, c.series.map((s) => s.name)])).toEqual([
      ["acc", ["seed 1"]],
      ["loss", ["seed 1", "seed 2 · train", "seed 2 · finetune", "seed 1 (2)"]],
    ]);
  });

  it("leaves out values that are not finite (a NaN loss) instead of drawing them", () => {
    const [c] = chartsOfRun([
      { taskId: "t", taskName: "train", key: "loss", points: pts([0, 1], [1, Number.NaN], [2, 0.5]) },
    ]);
    expect(c?.series[0]?.points.map((p) => p.x)).toEqual([0, 2]);
  });
});

describe("axes and thinning", () => {
  it("round ticks covering the range", () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0.13, 0.97, 4)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(5, 5)).toEqual([5]);
    expect(tickLabel(15000)).toBe("15k");
    expect(tickLabel(0.25)).toBe("0.25");
    expect(tickLabel(0.00003)).toBe("3e-5");
  });

  it("steps from the first to the last, values with room, and a flat line gets a band", () => {
    const a = stepAxes([
      {
        name: "a",
        points: [
          { x: 0, y: 2 },
          { x: 50, y: 0 },
        ],
      },
    ]);
    expect([a.x.min, a.x.max]).toEqual([0, 50]);
    expect(a.y.min).toBeCloseTo(-0.1);
    expect(a.y.max).toBeCloseTo(2.1);
    expect(a.x.ticks.every(Number.isInteger)).toBe(true);
    const flat = stepAxes([{ name: "f", points: [{ x: 3, y: 0.5 }] }]);
    expect([flat.x.min, flat.x.max]).toEqual([2, 4]);
    expect(flat.y.min).toBeLessThan(0.5);
    expect(flat.y.max).toBeGreaterThan(0.5);
  });

  it("a long history is drawn with at most about the limit of points, keeping spikes and the last point", () => {
    const points = Array.from({ length: 100_000 }, (_, i) => ({ x: i, y: i === 54_321 ? 99 : 1 / (i + 1) }));
    const t = thin(points, 2000);
    expect(t.length).toBeLessThanOrEqual(2001);
    expect(t.some((p) => p.y === 99)).toBe(true);
    expect(t[t.length - 1]).toBe(points[points.length - 1]);
    expect(t.map((p) => p.x)).toEqual([...t.map((p) => p.x)].sort((a, b) => a - b));
  });
});

describe("StepCharts", () => {
  it("draws a chart per key with step axes, one polyline per series, and the last value in the legend", () => {
    const html = renderToStaticMarkup(
      createElement(StepCharts, {
        charts: chartsOfRun([{ taskId: "t", taskName: "train", key: "loss", points: pts([0, 1], [10, 0.5]) }]),
      }),
    );
    expect(html).toContain('data-step-chart="loss"');
    expect(html).toContain("<title>loss</title>");
    expect([...html.matchAll(/<polyline points="([^"]+)"/g)]).toHaveLength(1);
    expect(html).toContain("0.5 at step 10");
    expect(html).toContain(">Step<");
  });
});
