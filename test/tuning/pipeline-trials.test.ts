/**
 * Pipeline trials: each trial is an Engine run of a real TypeScript pipeline in a temp
 * home, tagged with the experiment and trial, in the KFP experiment named after the tuning
 * experiment; step metrics are the intermediate values, a Metrics artifact's value counts
 * as the series' last point.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.ts";
import { tune } from "../../src/tuning/tune.ts";
import type { Sampler } from "../../src/tuning/types.ts";
import { testSpec } from "./runner-spec.ts";

const SDK = JSON.stringify(resolve(import.meta.dirname, "../../src/index.ts"));
const SOURCE = `import { artifact, component, param, pipeline } from ${SDK};

export const train = component({
  name: "train",
  inputs: { lr: param.float(), epochs: param.int() },
  outputs: { metrics: artifact.Metrics },
  run: async ({ lr, epochs }, { metrics }, ctx) => {
    for (let step = 0; step < epochs; step++) ctx.log.metric("loss", lr + 1 / (step + 1), { step });
    await ctx.log.flush();
    metrics.logMetric("accuracy", 1 - lr);
    metrics.logMetric("loss", lr);
  },
});

export default pipeline({ name: "tuned", params: { lr: param.float(), epochs: param.int() } }, (p) => {
  train({ lr: p.lr, epochs: p.epochs });
});
`;

const home = mkdtempSync(join(tmpdir(), "weft-tune-pipeline-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("pipeline trials", () => {
  it("run one engine run per trial with the trial's parameters, its step metrics and Metrics artifact as the trial's metrics", async () => {
    const dir = join(home, "project");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    const file = join(dir, "pipeline.ts");
    writeFileSync(file, SOURCE);
    const values = [0.25, 0.5];
    const sampler: Sampler = {
      name: "random",
      suggest: (ctx) => ({ kind: "trial", params: { x: values[ctx.trialNumber] ?? 0 } }),
    };
    const spec = testSpec(
      { kind: "pipeline", source: file, parameters: { lr: "x" }, fixed: { epochs: 3 } },
      {
        name: "pipe",
        maxTrialCount: 2,
        parallelTrialCount: 1,
        metricsCollector: { kind: "Pipeline" },
        objective: {
          metrics: [{ name: "loss", goal: "minimize" }],
          additionalMetricNames: ["accuracy"],
          strategies: { loss: "min", accuracy: "latest" },
        },
      },
    );
    const { runExperiment } = await import("../../src/tuning/runner/index.ts");
    const { createStoreJournal } = await import("../../src/tuning/runner/store-journal.ts");
    const store = openStore(home);
    let result: Awaited<ReturnType<typeof runExperiment>>;
    try {
      result = await runExperiment(spec, { journal: createStoreJournal(store), home, sampler });
    } finally {
      store.close();
    }
    expect(result.state, JSON.stringify(result.trials.map((t) => t.message))).toBe("SUCCEEDED");
    const [t0, t1] = result.trials;
    // loss: steps lr+1, lr+1/2, lr+1/3, then the Metrics artifact's lr: the least is lr
    expect(t0).toMatchObject({ state: "SUCCEEDED", values: [0.25], metrics: { loss: 0.25, accuracy: 0.75 } });
    expect(t0?.intermediate.map((p) => p.step)).toEqual([0, 1, 2, 3]);
    expect(t1).toMatchObject({ values: [0.5], metrics: { accuracy: 0.5 } });
    expect(result.best?.number).toBe(0);

    const check = openStore(home);
    try {
      const run = check.runs.get(t0?.runId ?? "");
      expect(run).toMatchObject({
        displayName: "pipe-0",
        parameters: { lr: 0.25, epochs: 3 },
        tags: { "weft.tuning.experiment": "pipe", "weft.tuning.trial": "pipe-0" },
      });
      expect(check.experiments.get(run?.experimentId ?? "")?.name).toBe("pipe");
      const exp = check.tuning.getExperimentByName("pipe");
      expect(check.tuning.getTrial(exp?.id ?? "", 1)?.runId).toBe(t1?.runId);
      expect(check.tuning.listObservations(exp?.id ?? "", 0, "loss")).toHaveLength(4);
    } finally {
      check.close();
    }
  }, 180_000);

  it("fail a trial whose pipeline logs no objective, naming what the run reported", async () => {
    const file = join(home, "project", "pipeline.ts");
    const spec = testSpec(
      { kind: "pipeline", source: file, parameters: { lr: "x" }, fixed: { epochs: 1 } },
      {
        name: "pipe-missing",
        maxTrialCount: 1,
        metricsCollector: { kind: "Pipeline" },
        objective: {
          metrics: [{ name: "f1", goal: "maximize" }],
          additionalMetricNames: [],
          strategies: { f1: "max" },
        },
      },
    );
    const result = await tune(spec, { home, handleSigint: false });
    expect(result.trials[0]).toMatchObject({ state: "FAILED", reason: "METRICS_UNAVAILABLE" });
    expect(result.trials[0]?.message).toContain("step metrics were loss");
    expect(result.trials[0]?.message).toContain("Metrics artifacts held accuracy, loss");
  }, 180_000);
});
