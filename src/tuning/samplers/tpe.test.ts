import { describe, expect, it } from "vitest";
import { bestValue, runLoop } from "../../../test/tuning/sampler-loop.ts";
import { Rng } from "../rng.ts";
import type { Assignment, SamplerContext, SearchSpace, TrialObservation } from "../types.ts";
import { defaultWeights, fitParzen, logPdfParzen, sampleParzen } from "./parzen.ts";
import { createRandomSampler } from "./random.ts";
import { createMultivariateTpeSampler, createTpeSampler, gamma, parameterGroups } from "./tpe.ts";

const oneD: SearchSpace = { parameters: [{ name: "x", type: "double", min: -5, max: 5, distribution: "uniform" }] };
const twoD: SearchSpace = {
  parameters: [
    { name: "x", type: "double", min: -5, max: 5, distribution: "uniform" },
    { name: "y", type: "double", min: -5, max: 5, distribution: "uniform" },
  ],
};
const quadratic = (p: Assignment) => [((p.x as number) - 1.3) ** 2];
const bowl = (p: Assignment) => [((p.x as number) - 1.3) ** 2 + ((p.y as number) + 0.7) ** 2];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function bests(make: () => ReturnType<typeof createTpeSampler>, space: SearchSpace, f: typeof bowl, trials: number) {
  return [0, 1, 2, 3, 4].map((seed) =>
    bestValue(runLoop(make(), { space, directions: ["minimize"], objective: f, trials, seed })),
  );
}

const observed = (number: number, params: Assignment, value: number): TrialObservation => ({
  number,
  params,
  state: "SUCCEEDED",
  values: [value],
  intermediate: [],
});

describe("tpe", () => {
  it("uses Optuna's gamma and weights", () => {
    expect([1, 9, 10, 11, 100, 250, 1000].map((n) => gamma(n))).toEqual([1, 1, 1, 2, 10, 25, 25]);
    // Katib's tpe (Hyperopt): ceil(gamma * sqrt(n)), at most 25
    expect([1, 16, 100, 10_000, 100_000].map((n) => gamma(n, 0.25))).toEqual([1, 1, 3, 25, 25]);
    expect(defaultWeights(3)).toEqual([1, 1, 1]);
    const w = defaultWeights(30);
    expect(w).toHaveLength(30);
    expect(w[0]).toBeCloseTo(1 / 30);
    expect(w.slice(5)).toEqual(new Array(25).fill(1));
    expect(w[1]! > w[0]! && w[4]! > w[3]!).toBe(true);
  });

  it("fits Parzen estimators whose density integrates to 1 over the range", () => {
    const pz = fitParzen([{ kind: "numeric", lo: 0, hi: 1 }], [[0.1], [0.15], [0.8]], [1, 1, 1], {
      priorWeight: 1,
      considerEndpoints: false,
      magicClip: true,
      multivariate: false,
    });
    let total = 0;
    const k = 2000;
    for (let i = 0; i < k; i++) total += Math.exp(logPdfParzen(pz, [(i + 0.5) / k])) / k;
    expect(total).toBeCloseTo(1, 2);
    // more mass near the two close observations than far from all
    expect(logPdfParzen(pz, [0.12])).toBeGreaterThan(logPdfParzen(pz, [0.5]));
  });

  it("spreads a categorical estimator's prior as Optuna does", () => {
    // one observation of choice 0 of 3: its row is (1 + 1/2, 1/2, 1/2) / 2.5 (prior_weight /
    // (n + 1) on every choice), the prior's (1/3, 1/3, 1/3), the two components weigh 1/2 each
    const pz = fitParzen([{ kind: "categorical", choices: 3 }], [[0]], [1], {
      priorWeight: 1,
      considerEndpoints: false,
      magicClip: true,
      multivariate: false,
    });
    expect(Math.exp(logPdfParzen(pz, [0]))).toBeCloseTo((0.6 + 1 / 3) / 2, 10);
    expect(Math.exp(logPdfParzen(pz, [1]))).toBeCloseTo((0.2 + 1 / 3) / 2, 10);
  });

  it("gives a grid of values (int, step) the mass of each value's cell, summing to 1", () => {
    // three values at 0, 0.5 and 1, each owning a cell of width 0.5
    const pz = fitParzen([{ kind: "numeric", lo: -0.25, hi: 1.25, step: 0.5, gridStart: 0 }], [[0], [0.5]], [1, 1], {
      priorWeight: 1,
      considerEndpoints: false,
      magicClip: true,
      multivariate: false,
    });
    const masses = [0, 0.5, 1].map((x) => Math.exp(logPdfParzen(pz, [x])));
    expect(masses.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(masses[2]!).toBeLessThan(masses[0]!);
    const draws = sampleParzen(pz, new Rng(1), 200);
    expect(new Set(draws.map((d) => d[0]))).toEqual(new Set([0, 0.5, 1]));
  });

  it("beats random search on a 1-D and a 2-D quadratic at fixed seeds", () => {
    const random = () => createRandomSampler({ settings: {}, space: oneD, directions: ["minimize"] });
    const tpe1 = () => createTpeSampler({ settings: {}, space: oneD, directions: ["minimize"] });
    const r1 = bests(random, oneD, quadratic, 40);
    const t1 = bests(tpe1, oneD, quadratic, 40);
    expect(median(t1)).toBeLessThan(median(r1));
    expect(median(t1)).toBeLessThan(0.01);

    for (const make of [createTpeSampler, createMultivariateTpeSampler]) {
      const r2 = bests(
        () => createRandomSampler({ settings: {}, space: twoD, directions: ["minimize"] }),
        twoD,
        bowl,
        60,
      );
      const t2 = bests(() => make({ settings: {}, space: twoD, directions: ["minimize"] }), twoD, bowl, 60);
      expect(median(t2)).toBeLessThan(median(r2) / 3);
      expect(median(t2)).toBeLessThan(0.1);
    }
  });

  it("concentrates its later suggestions near the optimum", () => {
    const history = runLoop(createTpeSampler({ settings: {}, space: twoD, directions: ["minimize"] }), {
      space: twoD,
      directions: ["minimize"],
      objective: bowl,
      trials: 80,
      seed: 21,
    });
    const late = history.slice(60).map((t) => bowl(t.params)[0]!);
    const early = history.slice(0, 10).map((t) => bowl(t.params)[0]!);
    expect(median(late)).toBeLessThan(median(early) / 10);
  });

  it("maximises when asked to", () => {
    const neg = (p: Assignment) => [-bowl(p)[0]!];
    const runs = [0, 1, 2].map((seed) =>
      runLoop(createTpeSampler({ settings: {}, space: twoD, directions: ["maximize"] }), {
        space: twoD,
        directions: ["maximize"],
        objective: neg,
        trials: 50,
        seed,
      }),
    );
    for (const h of runs) expect(Math.max(...h.map((t) => t.values![0]!))).toBeGreaterThan(-0.3);
  });

  it("draws from the prior until n_startup_trials trials are observed, then learns from their values", () => {
    const history = Array.from({ length: 5 }, (_, i) => observed(i, { x: i - 2 }, i));
    const flipped = history.map((t) => ({ ...t, values: [-t.values![0]!] }));
    const ctx = (h: TrialObservation[]): SamplerContext => ({
      space: oneD,
      directions: ["minimize"],
      history: h,
      seed: 1,
      trialNumber: 5,
      attempt: 0,
    });
    const late = createTpeSampler({ settings: { n_startup_trials: "6" }, space: oneD, directions: ["minimize"] });
    expect(late.suggest(ctx(history))).toEqual(late.suggest(ctx(flipped)));
    const early = createTpeSampler({ settings: { n_startup_trials: "5" }, space: oneD, directions: ["minimize"] });
    expect(early.suggest(ctx(history))).not.toEqual(early.suggest(ctx(flipped)));
  });

  it("splits by Hyperopt's gamma when the gamma setting is given", () => {
    const history = Array.from({ length: 40 }, (_, i) =>
      observed(i, { x: -5 + i * 0.25 }, Math.abs(-5 + i * 0.25 - 1)),
    );
    const ask = (settings: Record<string, string>) =>
      createTpeSampler({ settings, space: oneD, directions: ["minimize"] }).suggest({
        space: oneD,
        directions: ["minimize"],
        history,
        seed: 2,
        trialNumber: 40,
        attempt: 0,
      });
    // 4 trials below by default, 1 with gamma 0.1 (ceil(0.1 * sqrt(40)) = 1), 6 with 0.9
    expect(ask({ gamma: "0.1" })).not.toEqual(ask({}));
    expect(ask({ gamma: "0.9" })).not.toEqual(ask({ gamma: "0.1" }));
  });

  it("treats running trials as pending with the worst value, so parallel suggestions differ", () => {
    const history = Array.from({ length: 20 }, (_, i) => observed(i, { x: -5 + i * 0.5 }, Math.abs(-5 + i * 0.5 - 1)));
    const sampler = createTpeSampler({ settings: {}, space: oneD, directions: ["minimize"] });
    const ask = (h: TrialObservation[], trialNumber: number) =>
      sampler.suggest({ space: oneD, directions: ["minimize"], history: h, seed: 4, trialNumber, attempt: 0 });
    const first = ask(history, 20);
    if (first.kind !== "trial") throw new Error("no trial");
    const running: TrialObservation = { number: 20, params: first.params, state: "RUNNING", intermediate: [] };
    const withPending = ask([...history, running], 21);
    const withoutPending = ask(history, 21);
    expect(withPending).not.toEqual(withoutPending);
    const liarOff = createTpeSampler({ settings: { constant_liar: "false" }, space: oneD, directions: ["minimize"] });
    expect(
      liarOff.suggest({
        space: oneD,
        directions: ["minimize"],
        history: [...history, running],
        seed: 4,
        trialNumber: 21,
        attempt: 0,
      }),
    ).toEqual(
      liarOff.suggest({ space: oneD, directions: ["minimize"], history, seed: 4, trialNumber: 21, attempt: 0 }),
    );
    // many parallel trials still find the optimum
    const parallel = runLoop(sampler, {
      space: oneD,
      directions: ["minimize"],
      objective: quadratic,
      trials: 60,
      seed: 2,
      parallel: 4,
    });
    expect(new Set(parallel.map((t) => t.params.x)).size).toBe(60);
    expect(bestValue(parallel)).toBeLessThan(0.01);
  });

  it("models a conditional parameter on the trials where it is active", () => {
    const space: SearchSpace = {
      parameters: [
        { name: "kind", type: "categorical", values: ["a", "b"], distribution: "uniform" },
        {
          name: "u",
          type: "double",
          min: 0,
          max: 10,
          distribution: "uniform",
          when: { parameter: "kind", values: ["a"] },
        },
        {
          name: "v",
          type: "int",
          min: 0,
          max: 10,
          distribution: "uniform",
          when: { parameter: "kind", values: ["b"] },
        },
        {
          name: "w",
          type: "double",
          min: 0,
          max: 10,
          distribution: "uniform",
          when: { parameter: "kind", values: ["b"] },
        },
      ],
    };
    // best: kind b with v = 7 and w = 2 (value 0); kind a is never below 10, kind b never above 6
    const f = (p: Assignment) => [
      p.kind === "a" ? 10 + ((p.u as number) - 5) ** 2 : (((p.v as number) - 7) ** 2 + ((p.w as number) - 2) ** 2) / 20,
    ];
    expect(parameterGroups(space, true).map((g) => g.map((p) => p.name))).toEqual([["kind"], ["u"], ["v", "w"]]);
    for (const make of [createTpeSampler, createMultivariateTpeSampler]) {
      const history = runLoop(make({ settings: {}, space, directions: ["minimize"] }), {
        space,
        directions: ["minimize"],
        objective: f,
        trials: 60,
        seed: 8,
      });
      for (const t of history)
        expect(Object.keys(t.params).sort()).toEqual(t.params.kind === "a" ? ["kind", "u"] : ["kind", "v", "w"]);
      const late = history.slice(40);
      expect(late.filter((t) => t.params.kind === "b").length).toBeGreaterThan(14);
      expect(bestValue(history)).toBeLessThan(0.05);
    }
  });

  it("keeps steps, integers, discrete values and the log scale", () => {
    const space: SearchSpace = {
      parameters: [
        { name: "lr", type: "double", min: 1e-5, max: 1, distribution: "logUniform" },
        { name: "k", type: "int", min: 1, max: 3, distribution: "uniform" },
        { name: "s", type: "double", min: 0, max: 1, step: 0.25, distribution: "uniform" },
        { name: "d", type: "discrete", values: [1, 2, 8, 64], distribution: "uniform" },
      ],
    };
    // best at lr = 1e-3, k = 3, s = 0.25, d = 8
    const f = (p: Assignment) => [
      (Math.log10(p.lr as number) + 3) ** 2 +
        (3 - (p.k as number)) +
        Math.abs((p.s as number) - 0.25) +
        Math.abs(Math.log2(p.d as number) - 3),
    ];
    const history = runLoop(createTpeSampler({ settings: {}, space, directions: ["minimize"] }), {
      space,
      directions: ["minimize"],
      objective: f,
      trials: 80,
      seed: 3,
    });
    const late = history.slice(50);
    const share = (pred: (t: TrialObservation) => boolean) => late.filter(pred).length / late.length;
    expect(share((t) => t.params.k === 3)).toBeGreaterThan(0.5);
    expect(share((t) => t.params.d === 8)).toBeGreaterThan(0.4);
    expect(share((t) => Math.abs(Math.log10(t.params.lr as number) + 3) < 1)).toBeGreaterThan(0.5);
    expect(bestValue(history)).toBeLessThan(0.3);
    // every int value is drawn, the ends included
    expect(new Set(history.map((t) => t.params.k))).toEqual(new Set([1, 2, 3]));
  });
});
