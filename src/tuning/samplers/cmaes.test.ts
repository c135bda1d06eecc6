import { describe, expect, it } from "vitest";
import { TuningError } from "../errors.ts";
import { bounds, finiteValues, isActive } from "../space.ts";
import type { Goal, SamplerContext, SearchSpace, Suggestion, TrialObservation } from "../types.ts";
import { identity, symmetricEigen } from "./cmaes/eigen.ts";
import { CMAES_META, createCmaesSampler } from "./cmaes.ts";
import { normalCdf, normalQuantile } from "./normal.ts";

const square: SearchSpace = {
  parameters: [
    { name: "x", type: "double", min: -5, max: 5, distribution: "uniform" },
    { name: "y", type: "double", min: -5, max: 5, distribution: "uniform" },
  ],
};

const sphere = (p: Record<string, unknown>) => (p.x as number) ** 2 + (p.y as number) ** 2;
const rosenbrock = (p: Record<string, unknown>) =>
  100 * ((p.y as number) - (p.x as number) ** 2) ** 2 + (1 - (p.x as number)) ** 2;

function trialOf(s: Suggestion): Extract<Suggestion, { kind: "trial" }> {
  if (s.kind !== "trial") throw new Error(`expected a trial, got ${s.kind}`);
  return s;
}

/** Runs `trials` trials one after the other and returns the history. */
function drive(
  space: SearchSpace,
  f: (p: Record<string, unknown>) => number,
  trials: number,
  opts: { seed?: number; settings?: Record<string, string>; goal?: Goal } = {},
): TrialObservation[] {
  const directions: Goal[] = [opts.goal ?? "minimize"];
  const sampler = createCmaesSampler({ settings: opts.settings ?? {}, space, directions });
  const history: TrialObservation[] = [];
  for (let i = 0; i < trials; i++) {
    const s = trialOf(
      sampler.suggest({ space, directions, history, seed: opts.seed ?? 7, trialNumber: i, attempt: 0 }),
    );
    history.push({
      number: i,
      params: s.params,
      state: "SUCCEEDED",
      values: [f(s.params)],
      intermediate: [],
      ...(s.meta ? { meta: s.meta } : {}),
    });
  }
  return history;
}

const best = (h: readonly TrialObservation[]) => Math.min(...h.map((t) => (t.values as number[])[0] as number));

describe("cmaes eigen-decomposition", () => {
  it("rebuilds a symmetric matrix from its eigenvalues and orthonormal eigenvectors", () => {
    const a = [
      [4, 1, 0.5],
      [1, 3, -0.2],
      [0.5, -0.2, 1],
    ];
    const { values, vectors } = symmetricEigen(a);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let rebuilt = 0;
        let dot = 0;
        for (let k = 0; k < 3; k++) {
          rebuilt += vectors[i]![k]! * values[k]! * vectors[j]![k]!;
          dot += vectors[k]![i]! * vectors[k]![j]!;
        }
        expect(rebuilt).toBeCloseTo(a[i]![j]!, 10);
        expect(dot).toBeCloseTo(identity(3)[i]![j]!, 10);
      }
    }
  });
});

describe("cmaes normal distribution", () => {
  it("has Φ and its inverse to the precision the margin needs", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 7);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 7);
    expect(normalQuantile(1e-4)).toBeCloseTo(-3.719016485, 6);
    for (const p of [1e-6, 0.01, 0.3, 0.5, 0.8, 0.999]) expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 5);
  });
});

describe("cmaes sampler", () => {
  it("gives the same suggestion for the same context, from a fresh sampler or a warm one", () => {
    const history = drive(square, sphere, 25);
    const ctx: SamplerContext = {
      space: square,
      directions: ["minimize"],
      history,
      seed: 7,
      trialNumber: 25,
      attempt: 0,
    };
    const warm = createCmaesSampler({ settings: {}, space: square, directions: ["minimize"] });
    warm.suggest(ctx);
    const a = warm.suggest(ctx);
    const b = createCmaesSampler({ settings: {}, space: square, directions: ["minimize"] }).suggest(ctx);
    expect(a).toEqual(b);
    expect(drive(square, sphere, 25)).toEqual(history);
    const other = createCmaesSampler({ settings: {}, space: square, directions: ["minimize"] });
    expect(trialOf(other.suggest({ ...ctx, attempt: 1 })).params).not.toEqual(trialOf(a).params);
    expect(trialOf(other.suggest({ ...ctx, seed: 8 })).params).not.toEqual(trialOf(a).params);
  });

  it("draws the first trial from the prior, then records the restart and generation of each suggestion", () => {
    const h = drive(square, sphere, 20);
    expect(h[0]?.meta).toBeUndefined();
    // 2 dimensions: a population of 4 + floor(3 ln 2) = 6
    expect(h.slice(1, 7).map((t) => t.meta?.[CMAES_META.generation])).toEqual([0, 0, 0, 0, 0, 0]);
    expect(h.slice(7, 13).map((t) => t.meta?.[CMAES_META.generation])).toEqual([1, 1, 1, 1, 1, 1]);
    expect(h.every((t) => (t.meta?.[CMAES_META.restart] ?? 0) === 0)).toBe(true);
  });

  it("converges on the 2-D sphere and on Rosenbrock's function", () => {
    expect(best(drive(square, sphere, 150))).toBeLessThan(1e-4);
    const banana: SearchSpace = {
      parameters: [
        { name: "x", type: "double", min: -2, max: 2, distribution: "uniform" },
        { name: "y", type: "double", min: -1, max: 3, distribution: "uniform" },
      ],
    };
    const h = drive(banana, rosenbrock, 400);
    expect(best(h)).toBeLessThan(1e-3);
    const first = Math.min(...h.slice(0, 20).map((t) => (t.values as number[])[0] as number));
    expect(best(h)).toBeLessThan(first / 100);
  });

  it("maximises a maximised objective", () => {
    const h = drive(square, (p) => -sphere(p), 150, { goal: "maximize" });
    expect(Math.max(...h.map((t) => (t.values as number[])[0] as number))).toBeGreaterThan(-1e-4);
  });

  it("suggests legal values only, for every kind of parameter, conditional ones only when active", () => {
    const space: SearchSpace = {
      parameters: [
        { name: "lr", type: "double", min: 1e-5, max: 1e-1, distribution: "logUniform" },
        { name: "units", type: "int", min: 16, max: 256, step: 16, distribution: "uniform" },
        { name: "batch", type: "discrete", values: [16, 32, 64, 128], distribution: "uniform" },
        { name: "dropout", type: "double", min: 0, max: 0.5, step: 0.05, distribution: "uniform" },
        { name: "optimizer", type: "categorical", values: ["adam", "sgd"], distribution: "uniform" },
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
    const h = drive(
      space,
      (p) => Math.log10(p.lr as number) ** 2 + (p.units as number) / 256 + (p.optimizer === "sgd" ? 0 : 1),
      80,
    );
    for (const t of h) {
      for (const p of space.parameters) {
        const v = t.params[p.name];
        if (!isActive(p, t.params)) {
          expect(v).toBeUndefined();
          continue;
        }
        const legal = finiteValues(p);
        if (legal) expect(legal).toContain(v);
        else {
          const [lo, hi] = bounds(p);
          expect(v).toBeGreaterThanOrEqual(lo);
          expect(v).toBeLessThanOrEqual(hi);
        }
      }
    }
    expect(new Set(h.map((t) => t.params.optimizer))).toEqual(new Set(["adam", "sgd"]));
    expect(h.filter((t) => t.params.optimizer === "sgd").every((t) => typeof t.params.momentum === "number")).toBe(
      true,
    );
  });

  it("keeps integer parameters from being fixed too early (CMA-ES with margin), telling the raw samples", () => {
    const space: SearchSpace = {
      parameters: [
        ...[0, 1, 2, 3, 4, 5].map((i) => ({
          name: `b${i}`,
          type: "int" as const,
          min: 0,
          max: 1,
          distribution: "uniform" as const,
        })),
        { name: "x", type: "double", min: -5, max: 5, distribution: "uniform" },
        { name: "k", type: "int", min: -20, max: 20, distribution: "uniform" },
      ],
    };
    // each bit left at 0 costs 1: a best value below 1 has every bit set
    const f = (p: Record<string, unknown>) =>
      (p.x as number) ** 2 +
      ((p.k as number) - 7) ** 2 / 10 +
      [0, 1, 2, 3, 4, 5].reduce((a, i) => a + 1 - (p[`b${i}`] as number), 0);
    let solved = 0;
    for (let seed = 0; seed < 10; seed++) {
      const h = drive(space, f, 250, { seed });
      if (best(h) < 1) solved++;
      const raw = String(h[5]?.meta?.[CMAES_META.raw]).split(",").map(Number);
      expect(raw).toHaveLength(8);
      // trial 5 is in the first generation, where no scaling applies yet: a bit is its raw sample past 0.5
      expect(h[5]?.params.b0).toBe(raw[0]! > 0.5 ? 1 : 0);
    }
    expect(solved).toBeGreaterThanOrEqual(8);
    expect(drive(space, f, 40, { seed: 3 })).toEqual(drive(space, f, 40, { seed: 3 }));
  });

  it("draws from the prior when no parameter is numeric", () => {
    const space: SearchSpace = {
      parameters: [{ name: "act", type: "categorical", values: ["relu", "tanh", "gelu"], distribution: "uniform" }],
    };
    const h = drive(space, (p) => (p.act === "gelu" ? 0 : 1), 30);
    expect(new Set(h.map((t) => t.params.act))).toEqual(new Set(["relu", "tanh", "gelu"]));
    expect(h.every((t) => t.meta === undefined)).toBe(true);
  });

  it("treats running members of the current generation as pending, and does not tell failed trials", () => {
    const directions: Goal[] = ["minimize"];
    const sampler = createCmaesSampler({ settings: {}, space: square, directions });
    const history: TrialObservation[] = [
      { number: 0, params: { x: 1, y: 1 }, state: "SUCCEEDED", values: [2], intermediate: [] },
    ];
    // six trials of generation 0 at once (parallel 6): all pending, all different
    for (let i = 1; i <= 6; i++) {
      const s = trialOf(sampler.suggest({ space: square, directions, history, seed: 1, trialNumber: i, attempt: 0 }));
      expect(s.meta).toEqual({ [CMAES_META.restart]: 0, [CMAES_META.generation]: 0 });
      history.push({ number: i, params: s.params, state: "RUNNING", intermediate: [], meta: s.meta });
    }
    expect(new Set(history.map((t) => JSON.stringify(t.params))).size).toBe(7);
    // five succeed and one fails: the generation is incomplete, the next trial is another member of it
    const done = history.map((t) =>
      t.number === 0
        ? t
        : t.number === 3
          ? { ...t, state: "FAILED" as const }
          : { ...t, state: "SUCCEEDED" as const, values: [sphere(t.params)] },
    );
    const next = trialOf(
      sampler.suggest({ space: square, directions, history: done, seed: 1, trialNumber: 7, attempt: 0 }),
    );
    expect(next.meta?.[CMAES_META.generation]).toBe(0);
    // its success completes generation 0: the next suggestion belongs to generation 1
    done.push({
      number: 7,
      params: next.params,
      state: "SUCCEEDED",
      values: [sphere(next.params)],
      intermediate: [],
      meta: next.meta,
    });
    const after = trialOf(
      sampler.suggest({ space: square, directions, history: done, seed: 1, trialNumber: 8, attempt: 0 }),
    );
    expect(after.meta?.[CMAES_META.generation]).toBe(1);
  });

  it("restarts a degenerated run with a doubled population (ipop) or alternating populations (bipop)", () => {
    const tiny: SearchSpace = {
      parameters: [
        { name: "x", type: "int", min: 0, max: 3, distribution: "uniform" },
        { name: "y", type: "int", min: 0, max: 3, distribution: "uniform" },
      ],
    };
    // a flat objective: the flat-fitness test stops each run
    for (const strategy of ["ipop", "bipop"]) {
      const h = drive(tiny, () => 1, 400, { settings: { restart_strategy: strategy } });
      const restarts = Math.max(...h.map((t) => (t.meta?.[CMAES_META.restart] as number | undefined) ?? 0));
      expect(restarts).toBeGreaterThanOrEqual(1);
      const firstOfRestart1 = h.filter(
        (t) => t.meta?.[CMAES_META.restart] === 1 && t.meta?.[CMAES_META.generation] === 0,
      );
      // 6 at first; the first restart is a large one (12) for both strategies
      expect(firstOfRestart1.length).toBe(12);
    }
    const none = drive(tiny, () => 1, 200);
    expect(none.every((t) => (t.meta?.[CMAES_META.restart] ?? 0) === 0)).toBe(true);
  });

  it("rejects unknown and bad settings and several objectives, naming what to change", () => {
    const make =
      (settings: Record<string, string>, directions: Goal[] = ["minimize"]) =>
      () =>
        createCmaesSampler({ settings, space: square, directions });
    expect(make({ sigma: "0.3", restart_strategy: "None", random_state: "3" })).not.toThrow();
    expect(make({ popsize: "8" })).toThrow(/algorithmSettings\.popsize: .*random_state, sigma, restart_strategy/);
    expect(make({ sigma: "0" })).toThrow(/algorithmSettings\.sigma: "0"/);
    expect(make({ sigma: "abc" })).toThrow(TuningError);
    expect(make({ restart_strategy: "lpop" })).toThrow(
      /algorithmSettings\.restart_strategy: "lpop" .*None, ipop, bipop/,
    );
    expect(make({ random_state: "1.5" })).toThrow(/algorithmSettings\.random_state/);
    expect(make({}, ["minimize", "maximize"])).toThrow(/spec\.algorithm: .*nsga2 or motpe/);
  });
});
