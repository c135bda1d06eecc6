/** Experiment specs for the runner's tests. */
import type { ExperimentSpec, TrialFunction, TrialTemplate } from "../../src/tuning/types.ts";

/** A one-objective experiment over x in [0, 1] (and an optional categorical), random search. */
export function testSpec(trial: TrialFunction | TrialTemplate, over: Partial<ExperimentSpec> = {}): ExperimentSpec {
  const template: TrialTemplate = typeof trial === "function" ? { kind: "function", run: trial } : trial;
  return {
    name: "exp",
    space: {
      parameters: [{ name: "x", type: "double", min: 0, max: 1, distribution: "uniform" }],
    },
    objective: {
      metrics: [{ name: "loss", goal: "minimize" }],
      additionalMetricNames: [],
      strategies: { loss: "min" },
    },
    algorithm: { name: "random", settings: {}, seed: 7 },
    parallelTrialCount: 2,
    maxTrialCount: 6,
    resumePolicy: "Never",
    metricsCollector: {
      kind: typeof trial === "function" ? "Function" : "StdOut",
      filters: [],
    } as ExperimentSpec["metricsCollector"],
    trial: template,
    ...over,
  };
}
