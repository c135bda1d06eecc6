/**
 * Hyperband, ASHA and median stopping under the real runner (function trials, memory
 * journal): Hyperband's waits and `done` end the experiment with Katib's 23 trials for
 * eta=3, r_l=9; ASHA promotes while trials run in parallel; medianstop stops trials whose
 * early values are worse than the finished trials' averages.
 */
import { describe, expect, it } from "vitest";
import { createMemoryJournal, runExperiment } from "../runner/index.ts";
import type { ExperimentSpec, SearchSpace, TrialFunction } from "../types.ts";

const space: SearchSpace = {
  parameters: [
    { name: "x", type: "double", min: 0, max: 1, distribution: "uniform" },
    { name: "epochs", type: "int", min: 1, max: 9, distribution: "uniform" },
  ],
};

/** Reports one value per epoch, (x - 0.3)^2 + 1/epoch, and returns the last. */
const trial: TrialFunction = async (params, ctx) => {
  const x = params.x as number;
  const epochs = params.epochs as number;
  let loss = 0;
  for (let e = 1; e <= epochs; e++) {
    loss = (x - 0.3) ** 2 + 1 / e;
    ctx.report("loss", loss, e - 1);
    await new Promise((r) => setImmediate(r));
    if (ctx.signal.aborted) break;
  }
  return { loss };
};

function experiment(over: Partial<ExperimentSpec>): ExperimentSpec {
  return {
    name: "mf",
    space,
    objective: {
      metrics: [{ name: "loss", goal: "minimize" }],
      additionalMetricNames: [],
      strategies: { loss: "latest" },
    },
    algorithm: { name: "random", settings: {}, seed: 2 },
    parallelTrialCount: 3,
    resumePolicy: "Never",
    metricsCollector: { kind: "Function" },
    trial: { kind: "function", run: trial },
    ...over,
  };
}

describe("multi-fidelity samplers in the runner", () => {
  it("hyperband runs Katib's brackets to their end", async () => {
    const result = await runExperiment(
      experiment({ algorithm: { name: "hyperband", settings: { resource_name: "epochs", r_l: "9" }, seed: 2 } }),
      { journal: createMemoryJournal() },
    );
    expect(result.state).toBe("SUCCEEDED");
    expect(result.reason).toBe("SuggestionEndReached");
    expect(result.trials.map((t) => `${t.meta?.bracket}/${t.meta?.rung}@${t.params.epochs}`)).toEqual([
      ...Array(9).fill("2/0@1"),
      ...Array(3).fill("2/1@3"),
      "2/2@9",
      ...Array(5).fill("1/0@3"),
      ...Array(2).fill("1/1@9"),
      ...Array(3).fill("0/0@9"),
    ]);
    expect(result.trials.every((t) => t.state === "SUCCEEDED")).toBe(true);
  });

  it("asha promotes with trials running in parallel, up to maxTrialCount", async () => {
    const result = await runExperiment(
      experiment({
        algorithm: { name: "asha", settings: { resource_name: "epochs" }, seed: 2 },
        maxTrialCount: 30,
      }),
      { journal: createMemoryJournal() },
    );
    expect(result.reason).toBe("MaxTrialsReached");
    expect(result.trials).toHaveLength(30);
    const rungs = result.trials.map((t) => t.meta?.rung);
    expect(rungs).toContain(1);
    expect(rungs).toContain(2);
    for (const t of result.trials) {
      if (t.meta?.parent === undefined) continue;
      const parent = result.trials[t.meta.parent as number];
      expect(parent?.params.x).toBe(t.params.x);
      expect(parent?.meta?.rung).toBe((t.meta.rung as number) - 1);
    }
  });

  it("medianstop stops trials worse than the succeeded trials' averages at start_step", async () => {
    const result = await runExperiment(
      experiment({
        space: { parameters: [space.parameters[0]!, { ...space.parameters[1]!, min: 6, max: 6 }] },
        earlyStopping: { name: "medianstop", settings: { min_trials_required: "2", start_step: "3" } },
        parallelTrialCount: 1,
        maxTrialCount: 16,
      }),
      { journal: createMemoryJournal() },
    );
    expect(result.trials).toHaveLength(16);
    const stopped = result.trials.filter((t) => t.state === "EARLY_STOPPED");
    expect(stopped.length).toBeGreaterThan(0);
    for (const t of stopped) {
      expect(t.intermediate).toHaveLength(3);
      expect(t.message ?? t.reason ?? "").toMatch(/at step 2 the best value .* is above the median/);
    }
    // the best trial ran all its epochs
    expect(result.best?.state).toBe("SUCCEEDED");
  });
});
