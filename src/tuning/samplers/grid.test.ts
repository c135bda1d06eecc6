import { describe, expect, it } from "vitest";
import { runLoop } from "../../../test/tuning/sampler-loop.ts";
import { TuningError } from "../errors.ts";
import type { SamplerContext, SearchSpace, TrialObservation } from "../types.ts";
import { createGridSampler } from "./grid.ts";

const space: SearchSpace = {
  parameters: [
    { name: "lr", type: "double", min: 0.01, max: 0.03, step: 0.01, distribution: "uniform" },
    { name: "opt", type: "categorical", values: ["sgd", "adam"], distribution: "uniform" },
    {
      name: "momentum",
      type: "discrete",
      values: [0.5, 0.9],
      distribution: "uniform",
      when: { parameter: "opt", values: ["sgd"] },
    },
  ],
};

const ask = (history: TrialObservation[], attempt = 0, s: SearchSpace = space) =>
  createGridSampler({ settings: {}, space: s, directions: ["minimize"] }).suggest({
    space: s,
    directions: ["minimize"],
    history,
    seed: 0,
    trialNumber: history.length,
    attempt,
  } satisfies SamplerContext);

describe("grid", () => {
  it("enumerates the product in order, the first parameter slowest, conditional ones only where active", () => {
    const history = runLoop(createGridSampler({ settings: {}, space, directions: ["minimize"] }), {
      space,
      directions: ["minimize"],
      objective: () => [0],
      trials: 100,
      seed: 0,
    });
    expect(history.map((t) => t.params)).toEqual([
      { lr: 0.01, opt: "sgd", momentum: 0.5 },
      { lr: 0.01, opt: "sgd", momentum: 0.9 },
      { lr: 0.01, opt: "adam" },
      { lr: 0.02, opt: "sgd", momentum: 0.5 },
      { lr: 0.02, opt: "sgd", momentum: 0.9 },
      { lr: 0.02, opt: "adam" },
      { lr: 0.03, opt: "sgd", momentum: 0.5 },
      { lr: 0.03, opt: "sgd", momentum: 0.9 },
      { lr: 0.03, opt: "adam" },
    ]);
    expect(ask(history)).toEqual({ kind: "done", reason: expect.stringMatching(/^grid exhausted/) });
  });

  it("skips points any trial has, failed and running ones too, and takes the next one for a new attempt", () => {
    const used = (number: number, params: TrialObservation["params"], state: TrialObservation["state"]) =>
      ({ number, params, state, intermediate: [] }) as TrialObservation;
    const history = [
      used(0, { lr: 0.01, opt: "sgd", momentum: 0.5 }, "FAILED"),
      used(1, { lr: 0.01, opt: "adam" }, "RUNNING"),
    ];
    expect(ask(history)).toEqual({ kind: "trial", params: { lr: 0.01, opt: "sgd", momentum: 0.9 } });
    expect(ask(history, 1)).toEqual({ kind: "trial", params: { lr: 0.02, opt: "sgd", momentum: 0.5 } });
  });

  it("passes over points that break a constraint", () => {
    const constrained: SearchSpace = { ...space, constraints: [{ name: "no-sgd", test: (p) => p.opt !== "sgd" }] };
    expect(ask([], 0, constrained)).toEqual({ kind: "trial", params: { lr: 0.01, opt: "adam" } });
  });

  it("refuses a parameter without finitely many values, naming it and asking for a step", () => {
    const s: SearchSpace = {
      parameters: [
        { name: "units", type: "int", min: 1, max: 4, distribution: "uniform" },
        { name: "lr", type: "double", min: 0.01, max: 0.1, distribution: "logUniform" },
      ],
    };
    expect(() => createGridSampler({ settings: {}, space: s, directions: ["minimize"] })).toThrow(TuningError);
    expect(() => createGridSampler({ settings: {}, space: s, directions: ["minimize"] })).toThrow(
      /spec\.parameters\[1\]\.feasibleSpace\.step: .* "lr" \(double from 0\.01 to 0\.1\) has no step; give feasibleSpace\.step/,
    );
  });

  it("enumerates int parameters without a step over every integer", () => {
    const s: SearchSpace = { parameters: [{ name: "k", type: "int", min: 2, max: 5, distribution: "uniform" }] };
    const history = runLoop(createGridSampler({ settings: {}, space: s, directions: ["minimize"] }), {
      space: s,
      directions: ["minimize"],
      objective: () => [0],
      trials: 10,
      seed: 0,
    });
    expect(history.map((t) => t.params.k)).toEqual([2, 3, 4, 5]);
  });
});
