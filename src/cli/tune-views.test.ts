import { describe, expect, it } from "vitest";
import { colorsFor } from "./format.ts";
import { TunePlainView } from "./progress/tune-view.ts";
import {
  bestOf,
  bestSingle,
  type ExperimentView,
  parseTrialSort,
  renderBest,
  renderStatus,
  renderTrialsTable,
  sortTrials,
  statusJson,
  type TrialView,
} from "./tune-views.ts";

const c = colorsFor({ isTTY: false });

const exp: ExperimentView = {
  name: "mlp",
  state: "RUNNING",
  objective: {
    metrics: [{ name: "auc", goal: "maximize" }],
    additionalMetricNames: ["seconds"],
    strategies: { auc: "max", seconds: "latest" },
  },
  algorithm: "tpe",
  earlyStopping: "medianstop",
  parameters: ["lr", "units"],
  maxTrialCount: 6,
  parallelTrialCount: 2,
};

const trial = (number: number, state: TrialView["state"], lr: number, auc?: number, extra = {}): TrialView => ({
  number,
  name: `mlp-${number}`,
  state,
  params: { lr, units: 16 * (number + 1) },
  ...(auc === undefined ? {} : { values: [auc] }),
  metrics: auc === undefined ? {} : { auc, seconds: number + 1 },
  ...extra,
});

const trials = [
  trial(0, "SUCCEEDED", 0.01, 0.9),
  trial(1, "EARLY_STOPPED", 0.1, 0.7, { reason: "EarlyStopped", message: "below the median 0.85 at step 2" }),
  trial(2, "SUCCEEDED", 0.001, 0.95),
  trial(3, "FAILED", 0.3, undefined, { reason: "METRICS_UNAVAILABLE", message: "no line matched\nsecond line" }),
  trial(4, "RUNNING", 0.02),
];

describe("tune views", () => {
  it("pick the best observed trial by the objective's direction", () => {
    expect(bestSingle(exp, trials)?.number).toBe(2);
    const min = { ...exp, objective: { ...exp.objective, metrics: [{ name: "auc", goal: "minimize" as const }] } };
    expect(bestSingle(min, trials)?.number).toBe(1);
    expect(bestSingle(exp, [trials[3] as TrialView])).toBeUndefined();
  });

  it("sort trials best first on a maximised objective, ascending on a parameter, missing values last", () => {
    const byAuc = sortTrials(exp, trials, parseTrialSort("auc", exp, trials)).map((t) => t.number);
    expect(byAuc).toEqual([2, 0, 1, 3, 4]);
    const byLr = sortTrials(exp, trials, parseTrialSort("lr", exp, trials)).map((t) => t.number);
    expect(byLr).toEqual([2, 0, 4, 1, 3]);
    const byLrDesc = sortTrials(exp, trials, parseTrialSort("lr desc", exp, trials)).map((t) => t.number);
    expect(byLrDesc).toEqual([3, 1, 4, 0, 2]);
  });

  it("refuse an unknown sort column, naming the columns there are", () => {
    expect(() => parseTrialSort("accuracy", exp, trials)).toThrow(
      /--sort "accuracy": no column "accuracy"; use one of number, state, duration, lr, units, auc, seconds/,
    );
  });

  it("show parameters, metrics and each trial's reason in the table", () => {
    const text = renderTrialsTable(exp, trials, c, { best: trials[2] });
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^trial\s+state\s+lr\s+units\s+auc\s+seconds\s+duration\s+note$/);
    expect(lines[3]).toMatch(/^2 \*\s+SUCCEEDED\s+0\.001\s+48\s+0\.95\s+3\s+-$/);
    expect(lines[2]).toContain("EarlyStopped: below the median 0.85 at step 2");
    expect(lines[4]).toContain("METRICS_UNAVAILABLE: no line matched");
    expect(lines[4]).not.toContain("second line");
  });

  it("summarise the status with counts by state and the best trial", () => {
    const text = renderStatus(exp, trials, { best: trials[2] }, c);
    expect(text).toContain("Experiment mlp RUNNING");
    expect(text).toContain("objective   maximize auc");
    expect(text).toContain("algorithm   tpe, early stopping medianstop");
    expect(text).toContain("5 trials of 6: 1 running, 2 succeeded, 1 failed, 1 early_stopped (2 in parallel)");
    expect(text).toContain("best        trial 2: auc=0.95");
    expect(text).toContain("lr=0.001 units=48");
    expect(statusJson(exp, trials, { best: trials[2] })).toMatchObject({
      counts: { RUNNING: 1, SUCCEEDED: 2, FAILED: 1, EARLY_STOPPED: 1 },
      best: { number: 2, params: { lr: 0.001, units: 48 } },
    });
  });

  it("print one plain line per trial state change", () => {
    let out = "";
    const view = new TunePlainView({ write: (s: string) => (out += s) }, c, () => 0);
    view.update(exp, [trial(0, "RUNNING", 0.01)], {});
    view.update(exp, [trial(0, "RUNNING", 0.01)], {});
    view.update(exp, [trials[0] as TrialView], { best: trials[0] });
    const lines = out
      .trim()
      .split("\n")
      .map((l) => l.replace(/^\d\d:\d\d:\d\d /, ""));
    expect(lines).toEqual([
      "experiment mlp RUNNING (tpe)",
      "trial mlp-0 RUNNING lr=0.01 units=16",
      "trial mlp-0 SUCCEEDED auc=0.9 (best so far)",
    ]);
  });
});

describe("the best of a multi-objective experiment", () => {
  const multi: ExperimentView = {
    ...exp,
    objective: {
      metrics: [
        { name: "auc", goal: "maximize" },
        { name: "seconds", goal: "minimize" },
      ],
      additionalMetricNames: [],
      strategies: { auc: "max", seconds: "min" },
      best: { rule: "weighted", weights: { auc: 1, seconds: 0.1 } },
    },
  };
  const t = (number: number, auc: number, seconds: number): TrialView => ({
    number,
    name: `mlp-${number}`,
    state: "SUCCEEDED",
    params: { lr: 0.01, units: 16 },
    values: [auc, seconds],
    metrics: { auc, seconds },
  });
  const all = [t(0, 0.9, 10), t(1, 0.95, 30), t(2, 0.85, 40), t(3, 0.92, 12)];

  it("is the Pareto front and the trial the declared rule picks", () => {
    const best = bestOf(multi, all);
    expect(best.front?.map((x) => x.number)).toEqual([0, 1, 3]);
    expect(best.best?.number).toBe(1);
    const first = bestOf({ ...multi, objective: { ...multi.objective, best: { rule: "first" } } }, all);
    expect(first.best?.number).toBe(1);
    const text = renderBest(multi, best, c);
    expect(text).toContain("Best of mlp: trial 1 (mlp-1)  auc=0.95 seconds=30");
    expect(text).toContain("Pareto front (3 trials; the best chosen by weighted auc=1,seconds=0.1, marked *):");
  });
});
