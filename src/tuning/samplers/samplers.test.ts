import { describe, expect, it } from "vitest";
import { runLoop } from "../../../test/tuning/sampler-loop.ts";
import { TuningError } from "../errors.ts";
import { isActive } from "../space.ts";
import type { AlgorithmName, Assignment, Goal, SamplerContext, SearchSpace } from "../types.ts";
import { createSampler, SAMPLERS } from "./index.ts";

/** Every kind of parameter, both log distributions, the normal ones, and two conditional parameters. */
const space: SearchSpace = {
  parameters: [
    { name: "lr", type: "double", min: 1e-5, max: 1e-1, distribution: "logUniform" },
    { name: "dropout", type: "double", min: 0, max: 0.5, step: 0.05, distribution: "uniform" },
    { name: "units", type: "int", min: 16, max: 512, step: 16, distribution: "uniform" },
    { name: "layers", type: "int", min: 1, max: 4, distribution: "normal" },
    { name: "decay", type: "double", min: 1e-6, max: 1e-2, distribution: "logNormal" },
    { name: "batch", type: "discrete", values: [16, 32, 64, 128, 256], distribution: "uniform" },
    { name: "optimizer", type: "categorical", values: ["sgd", "adam", "rmsprop"], distribution: "uniform" },
    {
      name: "momentum",
      type: "double",
      min: 0.5,
      max: 0.99,
      distribution: "uniform",
      when: { parameter: "optimizer", values: ["sgd"] },
    },
    {
      name: "nesterov",
      type: "categorical",
      values: ["yes", "no"],
      distribution: "uniform",
      when: { parameter: "optimizer", values: ["sgd"] },
    },
    {
      name: "beta2",
      type: "discrete",
      values: [0.99, 0.999, 0.9999],
      distribution: "uniform",
      when: { parameter: "optimizer", values: ["adam"] },
    },
  ],
};

const objective = (p: Assignment): number[] => {
  const lr = Math.log10(p.lr as number) + 3;
  const opt = p.optimizer === "adam" ? 0 : p.optimizer === "sgd" ? 0.3 - (p.momentum as number) * 0.2 : 0.5;
  return [lr * lr + ((p.dropout as number) - 0.2) ** 2 + opt + (p.units as number) / 5000, (p.units as number) / 512];
};

function checkLegal(params: Assignment): void {
  for (const p of space.parameters) {
    const v = params[p.name];
    if (!isActive(p, params)) {
      expect(v, `${p.name} is inactive`).toBeUndefined();
      continue;
    }
    expect(v, `${p.name} is active`).toBeDefined();
    if (p.values) {
      expect(p.values).toContain(v);
      continue;
    }
    expect(typeof v).toBe("number");
    const x = v as number;
    expect(x).toBeGreaterThanOrEqual(p.min!);
    expect(x).toBeLessThanOrEqual(p.max!);
    if (p.type === "int") expect(Number.isInteger(x)).toBe(true);
    if (p.step !== undefined) {
      const k = (x - p.min!) / p.step;
      expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-9);
    }
  }
  for (const name of Object.keys(params)) expect(space.parameters.map((p) => p.name)).toContain(name);
}

const small: Partial<Record<AlgorithmName, Record<string, string>>> = {
  nsga2: { population_size: "8" },
  tpe: { n_startup_trials: "5" },
  "multivariate-tpe": { n_startup_trials: "5" },
  motpe: { n_startup_trials: "5" },
};

// grid (grid.test.ts) and the multi-fidelity samplers (a budget parameter, their own tests) aside
const names = (Object.keys(SAMPLERS) as AlgorithmName[]).filter((n) => !["grid", "hyperband", "asha"].includes(n));

describe("samplers", () => {
  for (const name of names) {
    const directions: Goal[] = ["nsga2", "motpe"].includes(name) ? ["minimize", "minimize"] : ["minimize"];
    const make = (seed = 0) => createSampler({ name, settings: small[name] ?? {}, seed }, space, directions);

    it(`${name}: suggests legal values only, with conditional parameters absent when inactive`, () => {
      const history = runLoop(make(), { space, directions, objective, trials: 60, seed: 11, parallel: 3 });
      expect(history).toHaveLength(60);
      const optimizers = new Set<string>();
      for (const t of history) {
        checkLegal(t.params);
        optimizers.add(t.params.optimizer as string);
      }
      expect(optimizers.size).toBe(3);
    });

    it(`${name}: gives the same suggestion for the same context and another for another seed or attempt`, () => {
      const history = runLoop(make(), { space, directions, objective, trials: 30, seed: 5, parallel: 2 });
      const ctx: SamplerContext = { space, directions, history, seed: 5, trialNumber: 30, attempt: 0 };
      const first = make().suggest(ctx);
      expect(make().suggest(ctx)).toEqual(first);
      expect(make().suggest({ ...ctx })).toEqual(make().suggest(ctx));
      expect(make().suggest({ ...ctx, seed: 6 })).not.toEqual(first);
      expect(make().suggest({ ...ctx, attempt: 1 })).not.toEqual(first);
      // a second run of the whole loop is the same
      const again = runLoop(make(), { space, directions, objective, trials: 30, seed: 5, parallel: 2 });
      expect(again.map((t) => t.params)).toEqual(history.map((t) => t.params));
    });
  }

  it("refuses several objectives for a single-objective algorithm, naming spec.algorithm", () => {
    const err = (() => {
      try {
        createSampler({ name: "tpe", settings: {}, seed: 0 }, space, ["minimize", "maximize"]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TuningError);
    expect((err as TuningError).code).toBe("TUNING_SPEC_INVALID");
    expect((err as TuningError).message).toMatch(/spec\.algorithm: tpe .* nsga2, motpe, random, grid, sobol/);
    expect(() =>
      createSampler({ name: "random", settings: {}, seed: 0 }, space, ["minimize", "maximize"]),
    ).not.toThrow();
  });

  it("refuses unknown and bad settings, naming algorithmSettings.<name>", () => {
    const make = (name: AlgorithmName, settings: Record<string, string>) => () =>
      createSampler({ name, settings, seed: 0 }, space, ["minimize"]);
    expect(make("tpe", { n_candidates: "3" })).toThrow(
      /algorithmSettings\.n_candidates: tpe has no setting "n_candidates"; the settings it takes are n_startup_trials, n_ei_candidates/,
    );
    expect(make("tpe", { n_startup_trials: "-1" })).toThrow(
      /algorithmSettings\.n_startup_trials: "-1" is not an integer/,
    );
    expect(make("tpe", { n_ei_candidates: "1.5" })).toThrow(/algorithmSettings\.n_ei_candidates/);
    expect(make("multivariate-tpe", { prior_weight: "x" })).toThrow(/algorithmSettings\.prior_weight/);
    expect(make("random", { seed: "1" })).toThrow(/algorithmSettings\.seed: random has no setting/);
    expect(make("sobol", { scramble: "maybe" })).toThrow(/algorithmSettings\.scramble: "maybe" is not a boolean/);
    expect(make("nsga2", { crossover: "blx" })).toThrow(
      /algorithmSettings\.crossover: "blx" is not one of uniform, sbx/,
    );
    expect(make("nsga2", { mutation_prob: "2" })).toThrow(/algorithmSettings\.mutation_prob/);
    expect(make("grid", { shuffle: "1" })).toThrow(
      /algorithmSettings\.shuffle: grid has no setting "shuffle"; the settings it takes are random_state/,
    );
    const finite: SearchSpace = { parameters: [{ name: "k", type: "int", min: 1, max: 3, distribution: "uniform" }] };
    expect(() =>
      createSampler({ name: "grid", settings: { random_state: "1" }, seed: 0 }, finite, ["minimize"]),
    ).not.toThrow();
    expect(make("tpe", { random_state: "7", n_startup_trials: "3", n_ei_candidates: "48" })).not.toThrow();
    // Katib's tpe runs Hyperopt, whose settings are gamma, prior_weight, n_EI_candidates, random_state
    expect(make("tpe", { gamma: "0.25", prior_weight: "1.5", n_EI_candidates: "30", random_state: "1" })).not.toThrow();
    expect(make("tpe", { gamma: "1" })).toThrow(/algorithmSettings\.gamma: "1" must lie strictly between 0 and 1/);
    expect(make("tpe", { gamma: "-0.5" })).toThrow(/algorithmSettings\.gamma/);
    expect(make("tpe", { n_EI_candidates: "30", n_ei_candidates: "24" })).toThrow(
      /algorithmSettings\.n_EI_candidates: "30" differs from algorithmSettings\.n_ei_candidates "24"/,
    );
    try {
      make("tpe", { n_candidates: "3" })();
    } catch (e) {
      expect((e as TuningError).code).toBe("TUNING_SETTING_INVALID");
    }
  });

  it("random draws from the normal prior: the middle of the range more often than the ends", () => {
    const s: SearchSpace = {
      parameters: [{ name: "x", type: "double", min: 0, max: 6, distribution: "normal" }],
    };
    const sampler = createSampler({ name: "random", settings: {}, seed: 0 }, s, ["minimize"]);
    const xs: number[] = [];
    for (let n = 0; n < 2000; n++) {
      const r = sampler.suggest({
        space: s,
        directions: ["minimize"],
        history: [],
        seed: 1,
        trialNumber: n,
        attempt: 0,
      });
      if (r.kind === "trial") xs.push(r.params.x as number);
    }
    const within1 = xs.filter((x) => Math.abs(x - 3) <= 1).length / xs.length;
    // one standard deviation is a sixth of the range: about 68% within it
    expect(within1).toBeGreaterThan(0.6);
    expect(within1).toBeLessThan(0.76);
  });
});
