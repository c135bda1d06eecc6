// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialParameters.x} placeholders are literal text here
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { pipeline } from "../sdk/pipeline.ts";
import { TuningError } from "./errors.ts";
import { substituteCommand } from "./katib/index.ts";
import { categorical, discrete, double, int, type Space, type TuneOptions, toExperimentSpec } from "./sdk.ts";

const space = {
  lr: double(1e-4, 1e-1, { log: true }),
  units: int(16, 256, { step: 16 }),
  batch: discrete([128, 32, 64]),
  optimizer: categorical(["adam", "sgd"]),
  momentum: double(0.5, 0.99).when("optimizer", ["sgd"]),
};

function errorOf<S extends Space>(options: TuneOptions<S>): TuningError {
  try {
    toExperimentSpec(options, "/exp/tune.ts");
  } catch (err) {
    expect(err).toBeInstanceOf(TuningError);
    return err as TuningError;
  }
  throw new Error("no error");
}

describe("toExperimentSpec", () => {
  it("builds the space, objective, algorithm and a function trial", () => {
    const run = () => ({ accuracy: 1 });
    const e = toExperimentSpec(
      {
        name: "mlp",
        space,
        objective: { metric: "accuracy", goal: "maximize" },
        additionalMetrics: ["loss"],
        trial: run,
        algorithm: { name: "tpe", settings: { n_startup_trials: 5 }, seed: 7 },
        earlyStopping: { name: "medianstop", settings: { start_step: 2 } },
        parallel: 2,
        budget: { trials: 20, failedTrials: 3 },
        constraints: { smallBatchLowLr: (p) => p.batch !== 32 || p.lr < 0.01 },
      },
      "/exp/tune.ts",
    );
    expect(e.space.parameters).toEqual([
      { name: "lr", type: "double", min: 1e-4, max: 0.1, distribution: "logUniform" },
      { name: "units", type: "int", min: 16, max: 256, step: 16, distribution: "uniform" },
      { name: "batch", type: "discrete", values: [32, 64, 128], distribution: "uniform" },
      { name: "optimizer", type: "categorical", values: ["adam", "sgd"], distribution: "uniform" },
      {
        name: "momentum",
        type: "double",
        min: 0.5,
        max: 0.99,
        distribution: "uniform",
        when: { parameter: "optimizer", values: ["sgd"] },
      },
    ]);
    expect(e.space.constraints?.[0]?.name).toBe("smallBatchLowLr");
    expect(e.space.constraints?.[0]?.test({ batch: 32, lr: 0.05 })).toBe(false);
    expect(e.objective).toEqual({
      metrics: [{ name: "accuracy", goal: "maximize" }],
      additionalMetricNames: ["loss"],
      strategies: { accuracy: "max", loss: "max" },
    });
    expect(e.algorithm).toEqual({ name: "tpe", settings: { n_startup_trials: "5" }, seed: 7 });
    expect(e.earlyStopping).toEqual({ name: "medianstop", settings: { start_step: "2" } });
    expect([e.parallelTrialCount, e.maxTrialCount, e.maxFailedTrialCount, e.resumePolicy]).toEqual([2, 20, 3, "Never"]);
    expect(e.trial).toEqual({ kind: "function", run });
    expect(e.metricsCollector).toEqual({ kind: "Function" });
    expect(e.file).toBe("/exp/tune.ts");
  });

  it("defaults: tpe, nsga2 for several objectives, parallel 3, best rule", () => {
    const one = toExperimentSpec({
      name: "a",
      space,
      objective: { metric: "acc", goal: "maximize" },
      trial: () => ({}),
    });
    expect([one.algorithm.name, one.parallelTrialCount]).toEqual(["tpe", 3]);
    const two = toExperimentSpec({
      name: "b",
      space,
      objective: [
        { metric: "acc", goal: "maximize" },
        { metric: "seconds", goal: "minimize" },
      ],
      best: { rule: "weighted", weights: { acc: 1, seconds: 0.2 } },
      trial: () => ({}),
    });
    expect(two.algorithm.name).toBe("nsga2");
    expect(two.objective.strategies).toEqual({ acc: "max", seconds: "min" });
    expect(two.objective.best).toEqual({ rule: "weighted", weights: { acc: 1, seconds: 0.2 } });
  });

  it("makes a command trial whose placeholders name space parameters", () => {
    const e = toExperimentSpec(
      {
        name: "cmd",
        space,
        objective: { metric: "loss", goal: "minimize" },
        trial: {
          command: ["node", "train.js", "--lr=${trialParameters.lr}", "--momentum=${trialParameters.momentum}"],
          workingDir: "trainer",
          metrics: { kind: "File", path: "m.json", format: "JSON" },
        },
      },
      "/exp/tune.ts",
    );
    expect(e.metricsCollector).toEqual({ kind: "File", path: "m.json", format: "JSON", filters: [] });
    if (e.trial.kind !== "command") throw new Error("command expected");
    expect(e.trial.workingDir).toBe("/exp/trainer");
    expect(
      substituteCommand(e.trial, { lr: 0.01, units: 16, batch: 32, optimizer: "adam" }, { name: "cmd-0" }).command,
    ).toEqual(["node", "train.js", "--lr=0.01"]);
  });

  it("makes pipeline trials from a file, an SDK pipeline or a PipelineSpec", () => {
    const fromFile = toExperimentSpec(
      {
        name: "p",
        space,
        objective: { metric: "auc", goal: "maximize" },
        trial: { pipeline: "train.ts", parameters: { learning_rate: "lr" }, fixed: { epochs: 3 } },
      },
      "/exp/tune.ts",
    );
    expect(fromFile.trial).toEqual({
      kind: "pipeline",
      source: resolve("/exp/train.ts"),
      parameters: { learning_rate: "lr" },
      fixed: { epochs: 3 },
    });
    const p = pipeline({ name: "train-mlp" }, () => {});
    const inMemory = toExperimentSpec({
      name: "p",
      space,
      objective: { metric: "auc", goal: "maximize" },
      trial: { pipeline: p, parameters: {} },
    });
    expect(inMemory.trial).toMatchObject({ kind: "pipeline", pipeline: p });
    expect(inMemory.metricsCollector).toEqual({ kind: "Pipeline" });
  });
});

describe("toExperimentSpec errors name the option, as Katib YAML's name the field", () => {
  const ok = { name: "e", space, objective: { metric: "acc", goal: "maximize" as const }, trial: () => ({}) };
  const cases: [string, TuneOptions<Space>, RegExp][] = [
    ["bad name", { ...ok, name: "E_1" }, /^\/exp\/tune\.ts: name: "E_1" is not a valid name/],
    [
      "min >= max",
      { ...ok, space: { lr: double(0.1, 0.01) } },
      /space\.lr\.max: max 0\.01 is not greater than min 0\.1\. Make max greater than min/,
    ],
    ["int bounds", { ...ok, space: { n: int(1.5, 4) } }, /space\.n\.min: 1\.5 is not an integer/],
    [
      "log with min 0",
      { ...ok, space: { lr: double(0, 1, { log: true }) } },
      /space\.lr\.min: logUniform needs min > 0/,
    ],
    [
      "empty list",
      { ...ok, space: { o: categorical([]) } },
      /space\.o\.values: a categorical parameter needs a non-empty list/,
    ],
    ["duplicate value", { ...ok, space: { b: discrete([1, 1]) } }, /space\.b\.values\[1\]: 1 is listed twice/],
    [
      "condition on unknown",
      { ...ok, space: { m: double(0, 1).when("opt", ["sgd"]) } },
      /space\.m\.when: the condition names "opt", which is not a parameter declared before "m"/,
    ],
    [
      "condition value",
      { ...ok, space: { o: categorical(["a"]), m: double(0, 1).when("o", ["b"]) } },
      /space\.m\.when: "b" is not a value of "o"/,
    ],
    [
      "strategy of unknown metric",
      { ...ok, strategies: { loss: "min" } },
      /strategies: "loss" is not one of the experiment's metrics \(acc\)/,
    ],
    [
      "best with one objective",
      { ...ok, best: { rule: "lexicographic", order: ["acc"] } },
      /best: a rule choosing the best applies to two or more objectives/,
    ],
    ["unknown algorithm", { ...ok, algorithm: "hyperopt" as never }, /algorithm: "hyperopt" is not an algorithm/],
    [
      "parallel > trials",
      { ...ok, parallel: 5, budget: { trials: 2 } },
      /parallel: 5 is more than the maximum of 2 trials/,
    ],
    [
      "unknown placeholder",
      { ...ok, trial: { command: ["x", "${trialParameters.dropout}"] } },
      /trial\.command\[1\]: \$\{trialParameters\.dropout\} is not a parameter of the space/,
    ],
    [
      "bad filter",
      { ...ok, trial: { command: ["x"], metrics: { kind: "StdOut", filters: ["(a)"] } } },
      /trial\.metrics\.filters\[0\]: `\(a\)` has 1 group/,
    ],
  ];
  for (const [name, options, message] of cases) {
    it(name, () => {
      const err = errorOf(options);
      expect(err.code).toBe("TUNING_SPEC_INVALID");
      expect(err.message).toMatch(message);
    });
  }
});
