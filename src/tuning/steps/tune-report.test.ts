import { describe, expect, it } from "vitest";
import type { ExperimentSpec } from "../types.ts";
import { type TunedTrial, trialsCsv, tuneSummary } from "./tune-report.ts";

const spec: ExperimentSpec = {
  name: "lr-search",
  space: {
    parameters: [
      { name: "lr", type: "double", min: 0.001, max: 0.1, distribution: "logUniform" },
      { name: "opt", type: "categorical", values: ["sgd", "adam, w"], distribution: "uniform" },
    ],
  },
  objective: {
    metrics: [{ name: "loss", goal: "minimize" }],
    additionalMetricNames: ["acc"],
    strategies: { loss: "min", acc: "latest" },
  },
  algorithm: { name: "hyperband", settings: {}, seed: 4 },
  parallelTrialCount: 2,
  resumePolicy: "Never",
  metricsCollector: { kind: "StdOut", filters: [] },
  trial: { kind: "command", command: ["true"], env: {}, trialParameters: [] },
};

const trials: TunedTrial[] = [
  {
    number: 1,
    name: "lr-search-1",
    params: { lr: 0.01, opt: "adam, w" },
    state: "SUCCEEDED",
    values: [0.2],
    metrics: { loss: 0.2, acc: 0.9 },
    meta: { bracket: 1, rung: 0 },
  },
  {
    number: 0,
    name: "lr-search-0",
    params: { lr: 0.05, opt: "sgd" },
    state: "SUCCEEDED",
    values: [0.5],
    metrics: { loss: 0.5 },
    meta: { bracket: 1, rung: 0 },
  },
  {
    number: 2,
    name: "lr-search-2",
    params: { lr: 0.002, opt: "sgd" },
    state: "FAILED",
    reason: "METRICS_UNAVAILABLE",
    message: 'stdout had 3 lines, none matched "loss"',
    metrics: {},
  },
];

describe("tune reports", () => {
  it("writes one CSV row per trial by number, with parameters, bracket and rung, and metrics", () => {
    expect(trialsCsv(spec, trials)).toBe(
      [
        "trial,number,state,reason,lr,opt,bracket,rung,loss,acc",
        "lr-search-0,0,SUCCEEDED,,0.05,sgd,1,0,0.5,",
        'lr-search-1,1,SUCCEEDED,,0.01,"adam, w",1,0,0.2,0.9',
        "lr-search-2,2,FAILED,METRICS_UNAVAILABLE,0.002,sgd,,,,",
        "",
      ].join("\n"),
    );
  });

  it("summarises the outcome, the best trial, the ranking and the failures", () => {
    const md = tuneSummary(spec, {
      name: "lr-search",
      state: "SUCCEEDED",
      reason: "MaxTrialsReached",
      best: trials[0],
      trials,
    });
    expect(md).toContain("# Tuning: lr-search");
    expect(md).toContain("- Outcome: SUCCEEDED (MaxTrialsReached)");
    expect(md).toContain("- Algorithm: hyperband (seed 4)");
    expect(md).toContain("- Trials: 3 (2 succeeded, 1 failed)");
    expect(md).toContain(
      "## Best trial: lr-search-1\n\n| lr | opt | loss | acc |\n|---|---|---|---|\n| 0.01 | adam, w | 0.2 | 0.9 |",
    );
    expect(md.indexOf("| lr-search-1 | SUCCEEDED")).toBeLessThan(md.indexOf("| lr-search-0 | SUCCEEDED"));
    expect(md).toContain('First: lr-search-2 (METRICS_UNAVAILABLE): stdout had 3 lines, none matched "loss"');
    expect(
      tuneSummary(spec, { name: "lr-search", state: "FAILED", reason: "MaxFailedTrialsReached", trials: [] }),
    ).toContain("No trial reported a value of the objective.");
  });
});
