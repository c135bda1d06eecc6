import { describe, expect, it } from "vitest";
import { TuningError } from "../errors.ts";
import { isActive } from "../space.ts";
import type { Assignment, Goal, SearchSpace, Suggestion, TrialObservation } from "../types.ts";
import { createGpSampler } from "./gp.ts";

const quadratic: SearchSpace = {
  parameters: [
    { name: "x", type: "double", min: -2, max: 3, distribution: "uniform" },
    { name: "y", type: "double", min: 0, max: 4, distribution: "uniform" },
  ],
};
// least value 0 at (1.2, 0.7)
const bowl = (p: Assignment) => ((p.x as number) - 1.2) ** 2 + 0.5 * ((p.y as number) - 0.7) ** 2;

function params(s: Suggestion): Assignment {
  if (s.kind !== "trial") throw new Error(`expected a trial, got ${s.kind}`);
  return s.params;
}

/** Runs `trials` sequential trials of `f` and returns the history. */
function optimise(
  space: SearchSpace,
  f: (p: Assignment) => number,
  trials: number,
  seed: number,
  settings: Record<string, string> = {},
  directions: Goal[] = ["minimize"],
): TrialObservation[] {
  const sampler = createGpSampler({ settings, space, directions });
  const history: TrialObservation[] = [];
  for (let t = 0; t < trials; t++) {
    const s = sampler.suggest({ space, directions, history, seed, trialNumber: t, attempt: 0 });
    const p = params(s);
    history.push({
      number: t,
      params: p,
      state: "SUCCEEDED",
      values: [f(p)],
      intermediate: [],
      ...(s.kind === "trial" && s.meta ? { meta: s.meta } : {}),
    });
  }
  return history;
}

describe("bayesianoptimization (Gaussian process)", () => {
  it("gives the same suggestions for the same seed and history, in a new sampler too", () => {
    const a = optimise(quadratic, bowl, 16, 42);
    const b = optimise(quadratic, bowl, 16, 42);
    expect(b.map((t) => t.params)).toEqual(a.map((t) => t.params));
    const c = optimise(quadratic, bowl, 16, 43);
    expect(c.map((t) => t.params)).not.toEqual(a.map((t) => t.params));
    // a sampler that has already answered later trials answers an earlier context the same
    const sampler = createGpSampler({ settings: {}, space: quadratic, directions: ["minimize"] });
    const ctx = { space: quadratic, directions: ["minimize"] as Goal[], seed: 42, attempt: 0 };
    const late = sampler.suggest({ ...ctx, history: a.slice(0, 15), trialNumber: 15 });
    sampler.suggest({ ...ctx, history: a.slice(0, 12), trialNumber: 12 });
    expect(sampler.suggest({ ...ctx, history: a.slice(0, 15), trialNumber: 15 })).toEqual(late);
    expect(params(late)).toEqual(a[15]!.params);
  });

  it("finds the least value of a smooth 2-D function within 0.02 in 25 trials", () => {
    for (const seed of [0, 1, 2]) {
      const history = optimise(quadratic, bowl, 25, seed);
      const best = Math.min(...history.map((t) => t.values![0]!));
      expect(best).toBeLessThan(0.02);
    }
  });

  it("maximises when the objective's goal is maximize", () => {
    const history = optimise(quadratic, (p) => 10 - bowl(p), 25, 3, { acq_func: "EI" }, ["maximize"]);
    expect(Math.max(...history.map((t) => t.values![0]!))).toBeGreaterThan(9.98);
  });

  it("suggests only legal values: steps, integers, discrete and log scales, categories and conditions", () => {
    const space: SearchSpace = {
      parameters: [
        { name: "lr", type: "double", min: 1e-4, max: 1e-1, distribution: "logUniform" },
        { name: "units", type: "int", min: 8, max: 256, distribution: "uniform" },
        { name: "dropout", type: "double", min: 0, max: 0.5, step: 0.1, distribution: "uniform" },
        { name: "batch", type: "discrete", values: [16, 32, 64, 128], distribution: "uniform" },
        { name: "optimizer", type: "categorical", values: ["adam", "sgd", "rmsprop"], distribution: "uniform" },
        {
          name: "momentum",
          type: "double",
          min: 0.5,
          max: 0.99,
          distribution: "uniform",
          when: { parameter: "optimizer", values: ["sgd"] },
        },
      ],
    };
    const f = (p: Assignment) =>
      (Math.log10(p.lr as number) + 2.5) ** 2 +
      ((p.units as number) - 100) ** 2 / 1e4 +
      (p.optimizer === "sgd" ? (1 - (p.momentum as number)) * 2 : p.optimizer === "adam" ? 0.1 : 0.5) +
      (p.dropout as number) +
      Math.abs((p.batch as number) - 64) / 64;
    const variants: Record<string, string>[] = [{}, { acq_func: "LCB" }, { acq_func: "PI", acq_optimizer: "sampling" }];
    for (const settings of variants) {
      const history = optimise(space, f, 24, 5, { n_initial_points: "6", ...settings });
      for (const t of history) {
        const p = t.params;
        for (const spec of space.parameters) expect(p[spec.name] !== undefined).toBe(isActive(spec, p));
        expect(p.lr).toBeGreaterThanOrEqual(1e-4);
        expect(p.lr).toBeLessThanOrEqual(1e-1);
        expect(Number.isInteger(p.units)).toBe(true);
        expect(p.units).toBeGreaterThanOrEqual(8);
        expect(p.units).toBeLessThanOrEqual(256);
        expect([0, 0.1, 0.2, 0.3, 0.4, 0.5]).toContain(p.dropout);
        expect([16, 32, 64, 128]).toContain(p.batch);
        expect(["adam", "sgd", "rmsprop"]).toContain(p.optimizer);
        if (p.momentum !== undefined) {
          expect(p.momentum).toBeGreaterThanOrEqual(0.5);
          expect(p.momentum).toBeLessThanOrEqual(0.99);
        }
      }
      const keys = new Set(history.map((t) => JSON.stringify(t.params)));
      expect(keys.size).toBe(history.length);
    }
  });

  it("starts with a Latin hypercube of n_initial_points trials", () => {
    const history = optimise(quadratic, bowl, 8, 9, { n_initial_points: "8" });
    // one point in each eighth of each coordinate's range
    const xs = history.map((t) => Math.floor((((t.params.x as number) + 2) / 5) * 8)).sort();
    const ys = history.map((t) => Math.floor(((t.params.y as number) / 4) * 8)).sort();
    expect(xs).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(ys).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("gives parallel suggestions that differ: running trials are pending points", () => {
    const history = optimise(quadratic, bowl, 12, 4, { acq_func: "EI" });
    const sampler = createGpSampler({ settings: { acq_func: "EI" }, space: quadratic, directions: ["minimize"] });
    const ctx = { space: quadratic, directions: ["minimize"] as Goal[], seed: 4, attempt: 0 };
    const first = params(sampler.suggest({ ...ctx, history, trialNumber: 12 }));
    const running: TrialObservation = { number: 12, params: first, state: "RUNNING", intermediate: [] };
    const second = params(sampler.suggest({ ...ctx, history: [...history, running], trialNumber: 13 }));
    const distance = Math.hypot((first.x as number) - (second.x as number), (first.y as number) - (second.y as number));
    expect(distance).toBeGreaterThan(0.01);
    // failed trials are left out of the model
    const failed: TrialObservation = { number: 12, params: first, state: "FAILED", intermediate: [] };
    expect(params(sampler.suggest({ ...ctx, history: [...history, failed], trialNumber: 13 }))).toEqual(
      params(sampler.suggest({ ...ctx, history, trialNumber: 13 })),
    );
  });

  it("records the acquisition gp_hedge chose", () => {
    const history = optimise(quadratic, bowl, 16, 6, { acq_func: "gp_hedge" });
    const chosen = history.slice(10).map((t) => t.meta?.acquisition);
    for (const c of chosen) expect(["EI", "PI", "LCB"]).toContain(c);
  });

  it("checks Katib's settings and names the one at fault", () => {
    const make =
      (settings: Record<string, string>, directions: Goal[] = ["minimize"]) =>
      () =>
        createGpSampler({ settings, space: quadratic, directions });
    expect(
      make({ base_estimator: "GP", n_initial_points: "5", acq_func: "EI", acq_optimizer: "lbfgs", random_state: "3" }),
    ).not.toThrow();
    const cases: [Record<string, string>, RegExp][] = [
      [{ base_estimator: "RF" }, /algorithmSettings\.base_estimator: RF is a tree model.*use GP/],
      [{ n_initial_points: "-1" }, /algorithmSettings\.n_initial_points: "-1" is not a whole number/],
      [{ n_initial_points: "2.5" }, /algorithmSettings\.n_initial_points/],
      [
        { acq_func: "EIps" },
        /algorithmSettings\.acq_func: "EIps" is not supported \(the per-second.*gp_hedge, EI, PI, LCB/,
      ],
      [
        { acq_optimizer: "adam" },
        /algorithmSettings\.acq_optimizer: "adam" is not supported; use one of auto, sampling, lbfgs/,
      ],
      [{ random_state: "x" }, /algorithmSettings\.random_state/],
      [
        { kappa: "2" },
        /algorithmSettings\.kappa: is not a setting of bayesianoptimization; the settings are base_estimator/,
      ],
    ];
    for (const [settings, message] of cases) {
      expect(make(settings)).toThrow(TuningError);
      expect(make(settings)).toThrow(message);
    }
    expect(make({}, ["minimize", "maximize"])).toThrow(
      /spec\.algorithm: bayesianoptimization optimises one objective.*nsga2, motpe/,
    );
  });
});
