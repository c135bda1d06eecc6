import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import type { Assignment, SearchSpace, TrialObservation } from "../types.ts";
import { density, optimisationHistory, parameterImportance } from "./index.ts";

const SPACE: SearchSpace = {
  parameters: [
    { name: "lr", type: "double", min: 1e-4, max: 1e-1, distribution: "logUniform" },
    { name: "units", type: "int", min: 8, max: 256, distribution: "uniform" },
    { name: "opt", type: "categorical", values: ["sgd", "adam", "rmsprop"], distribution: "uniform" },
    { name: "noise", type: "double", min: 0, max: 1, distribution: "uniform" },
  ],
};

function trial(number: number, params: Assignment, values?: number[], state = "SUCCEEDED"): TrialObservation {
  return { number, params, state: state as TrialObservation["state"], values, intermediate: [] };
}

/** 200 random trials whose loss depends on lr only (the rest is noise-free decoration). */
function lrDriven(n = 200): TrialObservation[] {
  const rng = new Rng(7);
  const out: TrialObservation[] = [];
  for (let i = 0; i < n; i++) {
    const lr = 10 ** (-4 + 3 * rng.next());
    const params = {
      lr,
      units: 8 + Math.floor(rng.next() * 249),
      opt: rng.pick(["sgd", "adam", "rmsprop"]),
      noise: rng.next(),
    };
    out.push(trial(i, params, [(Math.log10(lr) + 2.5) ** 2]));
  }
  return out;
}

describe("parameterImportance (PED-ANOVA)", () => {
  it("gives the parameter that determines the objective most of the importance", () => {
    const [imp] = parameterImportance(SPACE, ["minimize"], lrDriven());
    expect(imp?.trials).toBe(200);
    expect(imp?.topTrials).toBe(20);
    expect(imp?.parameters[0]?.parameter).toBe("lr");
    expect(imp?.parameters[0]?.share).toBeGreaterThan(0.8);
    const shares = imp?.parameters.map((p) => p.share) ?? [];
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it("finds a categorical parameter that decides the objective", () => {
    const trials = lrDriven().map((t) =>
      trial(t.number, t.params, [t.params.opt === "adam" ? 0 : 1 + (t.params.noise as number)]),
    );
    const [imp] = parameterImportance(SPACE, ["minimize"], trials);
    expect(imp?.parameters[0]?.parameter).toBe("opt");
  });

  it("turns a maximised objective around: the top trials are the greatest", () => {
    // units near 256 are good when maximising units; lr does not matter
    const trials = lrDriven().map((t) => trial(t.number, t.params, [t.params.units as number]));
    const [max] = parameterImportance(SPACE, ["maximize"], trials);
    expect(max?.parameters[0]?.parameter).toBe("units");
  });

  it("gives one entry per objective of a multi-objective experiment", () => {
    const trials = lrDriven().map((t) =>
      trial(t.number, t.params, [t.values?.[0] as number, t.params.noise as number]),
    );
    const imps = parameterImportance(SPACE, ["minimize", "minimize"], trials);
    expect(imps.map((i) => i.parameters[0]?.parameter)).toEqual(["lr", "noise"]);
  });

  it("leaves out failed and running trials, and says when there are too few observed", () => {
    const trials = [
      trial(0, { lr: 0.01, units: 8, opt: "sgd", noise: 0.1 }, [1]),
      trial(1, { lr: 0.02, units: 9, opt: "sgd", noise: 0.2 }, [2]),
      trial(2, { lr: 0.03, units: 10, opt: "sgd", noise: 0.3 }, undefined, "FAILED"),
      trial(3, { lr: 0.04, units: 11, opt: "sgd", noise: 0.4 }, undefined, "RUNNING"),
    ];
    const [imp] = parameterImportance(SPACE, ["minimize"], trials);
    expect(imp?.parameters).toEqual([]);
    expect(imp?.note).toBe("importance needs more than 2 observed trials; there are 2");
  });

  it("scores a parameter that never varies at 0 and is deterministic", () => {
    const trials = lrDriven().map((t) => trial(t.number, { ...t.params, noise: 0.5 }, t.values as number[]));
    const a = parameterImportance(SPACE, ["minimize"], trials);
    const b = parameterImportance(SPACE, ["minimize"], [...trials].reverse());
    expect(a).toEqual(b);
    expect(a[0]?.parameters.find((p) => p.parameter === "noise")?.importance).toBeCloseTo(0, 9);
  });

  it("judges a conditional parameter on the trials where it is active", () => {
    const space: SearchSpace = {
      parameters: [
        { name: "opt", type: "categorical", values: ["sgd", "adam"], distribution: "uniform" },
        {
          name: "momentum",
          type: "double",
          min: 0,
          max: 1,
          distribution: "uniform",
          when: { parameter: "opt", values: ["sgd"] },
        },
      ],
    };
    const rng = new Rng(3);
    const trials: TrialObservation[] = [];
    for (let i = 0; i < 100; i++) {
      const m = rng.next();
      trials.push(trial(i, { opt: "sgd", momentum: m }, [Math.abs(m - 0.9)]));
    }
    for (let i = 100; i < 140; i++) trials.push(trial(i, { opt: "adam" }, [0.5 + rng.next()]));
    const [imp] = parameterImportance(space, ["minimize"], trials);
    expect(imp?.parameters.map((p) => p.parameter)).toContain("momentum");
    expect(imp?.parameters.find((p) => p.parameter === "momentum")?.importance).toBeGreaterThan(1);
  });
});

describe("density", () => {
  it("is a probability over the grid, with prior mass everywhere", () => {
    const p = SPACE.parameters[3] as (typeof SPACE.parameters)[number];
    const d = density(p, [0.5, 0.5, 0.5]);
    expect(d).toHaveLength(50);
    expect(d.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(Math.min(...d)).toBeGreaterThan(0);
    expect(d.indexOf(Math.max(...d))).toBeGreaterThanOrEqual(24);
    expect(d.indexOf(Math.max(...d))).toBeLessThanOrEqual(25);
  });

  it("uses a small int's values as its grid, and categories' frequencies", () => {
    const small = { name: "k", type: "int", min: 1, max: 5, distribution: "uniform" } as const;
    expect(density(small, [1, 2])).toHaveLength(5);
    const cat = SPACE.parameters[2] as (typeof SPACE.parameters)[number];
    // counts 2, 0, 0 plus one pseudo-observation spread over three: (2 + 1/3) / 3, (1/3) / 3
    expect(density(cat, ["sgd", "sgd"])).toEqual([7 / 9, 1 / 9, 1 / 9].map((x) => expect.closeTo(x, 12)));
  });
});

describe("optimisationHistory", () => {
  it("gives each observed trial's value and the best so far, per objective", () => {
    const p = { lr: 0.01 };
    const trials = [
      trial(3, p, [0.5, 10]),
      trial(0, p, [0.9, 5]),
      trial(1, p, undefined, "FAILED"),
      trial(2, p, [0.7, 20], "EARLY_STOPPED"),
      trial(4, p, [0.8, 30]),
      trial(5, p, undefined, "RUNNING"),
    ];
    const [loss, acc] = optimisationHistory(["minimize", "maximize"], trials);
    expect(loss?.points).toEqual([
      { number: 0, value: 0.9, best: 0.9, improved: true },
      { number: 2, value: 0.7, best: 0.7, improved: true },
      { number: 3, value: 0.5, best: 0.5, improved: true },
      { number: 4, value: 0.8, best: 0.5, improved: false },
    ]);
    expect(acc?.goal).toBe("maximize");
    expect(acc?.points.map((x) => x.best)).toEqual([5, 20, 20, 30]);
  });
});
