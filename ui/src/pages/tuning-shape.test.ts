import { describe, expect, it } from "vitest";
import type { TuningTrial } from "../api/index.ts";
import { cellValue, countsPhrase, parallelAxes, sortTrials, trialColumns } from "./tuning-shape.ts";

const t = (
  number: number,
  params: TuningTrial["params"],
  metrics: TuningTrial["metrics"],
  state = "SUCCEEDED",
): TuningTrial => ({
  name: `e-${number}`,
  number,
  state,
  params,
  metrics,
});

const TRIALS = [
  t(0, { lr: 0.1, opt: "sgd" }, { loss: 0.5 }),
  t(1, { lr: 0.01, opt: "adam" }, { loss: 0.2 }),
  t(2, { lr: 0.001, opt: "adam" }, {}, "FAILED"),
  t(3, { lr: 0.05 }, { loss: 0.2 }),
];

describe("trials table", () => {
  it("has a column per parameter and metric after number and state", () => {
    const exp = {
      objectives: [{ name: "loss", goal: "minimize" as const }],
      spec: {
        parameters: [
          { name: "lr", type: "double" as const, distribution: "logUniform" },
          { name: "opt", type: "categorical" as const, distribution: "uniform", values: ["sgd", "adam"] },
        ],
        additional_metric_names: ["acc"],
      },
    } as Parameters<typeof trialColumns>[0];
    expect(trialColumns(exp, [t(0, {}, { loss: 1, extra: 2 })])).toEqual([
      "number",
      "state",
      "param:lr",
      "param:opt",
      "metric:loss",
      "metric:acc",
      "metric:extra",
    ]);
  });

  it("sorts numbers numerically, text alphabetically, missing values last, ties by number", () => {
    expect(sortTrials(TRIALS, "param:lr", false).map((x) => x.number)).toEqual([2, 1, 3, 0]);
    expect(sortTrials(TRIALS, "metric:loss", false).map((x) => x.number)).toEqual([1, 3, 0, 2]);
    expect(sortTrials(TRIALS, "metric:loss", true).map((x) => x.number)).toEqual([0, 1, 3, 2]);
    expect(sortTrials(TRIALS, "param:opt", false).map((x) => x.number)).toEqual([1, 2, 0, 3]);
    expect(sortTrials(TRIALS, "state", false).map((x) => x.number)).toEqual([2, 0, 1, 3]);
    expect(sortTrials(TRIALS, "number", true).map((x) => x.number)).toEqual([3, 2, 1, 0]);
    expect(cellValue(TRIALS[3] as TuningTrial, "param:opt")).toBeUndefined();
  });

  it("says the counts in the given order of states", () => {
    expect(countsPhrase({ FAILED: 1, SUCCEEDED: 3, EARLY_STOPPED: 2 }, ["SUCCEEDED", "FAILED", "EARLY_STOPPED"])).toBe(
      "3 succeeded · 1 failed · 2 early stopped",
    );
    expect(countsPhrase({}, ["SUCCEEDED"])).toBe("no trials");
  });
});

describe("parallel-coordinates axes", () => {
  it("puts categories in slots, log parameters on the log scale, and objectives last", () => {
    const axes = parallelAxes(
      [
        { name: "lr", type: "double", distribution: "logUniform" },
        { name: "opt", type: "categorical", distribution: "uniform", values: ["sgd", "adam", "rms"] },
      ],
      ["loss"],
      TRIALS,
      String,
    );
    expect(axes.map((a) => [a.name, a.kind])).toEqual([
      ["lr", "param"],
      ["opt", "param"],
      ["loss", "objective"],
    ]);
    const [lr, opt, loss] = axes;
    expect(lr?.position(0.001)).toBe(0);
    expect(lr?.position(0.1)).toBe(1);
    expect(lr?.position(0.01)).toBeCloseTo(0.5, 12);
    expect(opt?.ticks.map((x) => x.label)).toEqual(["sgd", "adam", "rms"]);
    expect(opt?.position("adam")).toBe(0.5);
    expect(opt?.position(undefined)).toBeUndefined();
    expect(loss?.position(0.2)).toBe(0);
    expect(loss?.position(0.5)).toBe(1);
  });
});
