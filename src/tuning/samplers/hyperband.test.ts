import { describe, expect, it } from "vitest";
import { drive } from "../../../test/tuning/multifidelity-sim.ts";
import { TuningError } from "../errors.ts";
import type { SearchSpace, TrialObservation } from "../types.ts";
import { createHyperbandSampler, hyperbandBrackets } from "./hyperband.ts";

const space: SearchSpace = {
  parameters: [
    { name: "lr", type: "double", min: 0.001, max: 0.1, distribution: "logUniform" },
    { name: "opt", type: "categorical", values: ["sgd", "adam"], distribution: "uniform" },
    { name: "epochs", type: "int", min: 1, max: 9, distribution: "uniform" },
  ],
};
const settings = { resource_name: "epochs", eta: "3", r_l: "9" };
/** Lower is better; more epochs help, the best learning rate is 0.01. */
const loss = (p: TrialObservation["params"]) =>
  Math.abs(Math.log(p.lr as number) - Math.log(0.01)) + 1 / (p.epochs as number);
const at = (t: TrialObservation) => `${t.meta?.bracket}/${t.meta?.rung}`;

describe("hyperband", () => {
  it("sizes brackets with Katib's formulas for eta=3, r_l=9", () => {
    // Katib: s_max = int(log(9)/log(3)) = 2; n = ceil((s_max+1) * eta^s / (s+1)); r = r_l * eta^-s;
    // rung i+1 runs the top ceil(ceil(n * eta^-i) / eta) with budget r * eta^(i+1)
    expect(hyperbandBrackets(3, 9)).toEqual([
      {
        s: 2,
        rungs: [
          { trials: 9, resource: 1 },
          { trials: 3, resource: 3 },
          { trials: 1, resource: 9 },
        ],
      },
      {
        s: 1,
        rungs: [
          { trials: 5, resource: 3 },
          { trials: 2, resource: 9 },
        ],
      },
      { s: 0, rungs: [{ trials: 3, resource: 9 }] },
    ]);
    // r_l = 81: s_max = 4, the first bracket starts 81 trials with budget 1
    const b81 = hyperbandBrackets(3, 81);
    expect(b81.map((b) => b.rungs.map((r) => r.trials))).toEqual([
      [81, 27, 9, 3, 1],
      [34, 12, 4, 2],
      [15, 5, 2],
      [8, 3],
      [5],
    ]);
    // log(1000) / log(10) is 2.9999999999999996 in floating point: still four brackets
    expect(hyperbandBrackets(10, 1000).map((b) => b.s)).toEqual([3, 2, 1, 0]);
    // eta 2, r_l 2 (Katib's example): two brackets
    expect(hyperbandBrackets(2, 2).map((b) => b.rungs.map((r) => [r.trials, r.resource]))).toEqual([
      [
        [2, 1],
        [1, 2],
      ],
      [[2, 2]],
    ]);
  });

  it("runs the brackets in order, promotes the best of each rung with a larger budget, then is done", () => {
    const sampler = createHyperbandSampler({ settings, space, directions: ["minimize"] });
    const run = drive(sampler, space, { max: 100, parallel: 9, objective: loss });
    expect(run.trials.map(at)).toEqual([
      ...Array(9).fill("2/0"),
      ...Array(3).fill("2/1"),
      "2/2",
      ...Array(5).fill("1/0"),
      ...Array(2).fill("1/1"),
      ...Array(3).fill("0/0"),
    ]);
    expect(run.trials.map((t) => t.params.epochs)).toEqual([
      ...Array(9).fill(1),
      ...Array(3).fill(3),
      9,
      ...Array(5).fill(3),
      9,
      9,
      9,
      9,
      9,
    ]);
    expect(run.end).toMatchObject({ kind: "done" });
    expect((run.end as { reason: string }).reason).toContain("3 brackets");
    // rung 1 of bracket 2 holds the 3 best of rung 0, best first, with their parameters
    const rung0 = run.trials.slice(0, 9).sort((a, b) => (a.values?.[0] as number) - (b.values?.[0] as number));
    const rung1 = run.trials.slice(9, 12);
    expect(rung1.map((t) => t.meta?.parent)).toEqual(rung0.slice(0, 3).map((t) => t.number));
    for (const t of rung1) {
      const parent = run.trials[t.meta?.parent as number] as TrialObservation;
      expect({ ...t.params, epochs: 1 }).toEqual(parent.params);
    }
    // a promotion waits until its rung's trials have finished
    expect(run.answers.filter((a) => a === "wait").length).toBeGreaterThan(0);
  });

  it("waits while a rung has unfinished trials", () => {
    const sampler = createHyperbandSampler({ settings, space, directions: ["minimize"] });
    const history: TrialObservation[] = [];
    for (let n = 0; n < 9; n++) {
      const s = sampler.suggest({ space, directions: ["minimize"], history, seed: 1, trialNumber: n, attempt: 0 });
      if (s.kind !== "trial") throw new Error(s.kind);
      history.push({
        number: n,
        params: s.params,
        meta: s.meta,
        intermediate: [],
        state: n === 4 ? "RUNNING" : "SUCCEEDED",
        values: [n],
      });
    }
    const ctx = { space, directions: ["minimize" as const], history, seed: 1, trialNumber: 9, attempt: 0 };
    expect(sampler.suggest(ctx)).toEqual({ kind: "wait" });
    history[4] = { ...(history[4] as TrialObservation), state: "SUCCEEDED", values: [-1] };
    expect(sampler.suggest(ctx)).toMatchObject({ kind: "trial", meta: { bracket: 2, rung: 1, parent: 4 } });
  });

  it("promotes the next best in place of one that broke a constraint", () => {
    const sampler = createHyperbandSampler({ settings, space, directions: ["minimize"] });
    const history: TrialObservation[] = [];
    for (let n = 0; n < 9; n++) {
      const s = sampler.suggest({ space, directions: ["minimize"], history, seed: 1, trialNumber: n, attempt: 0 });
      if (s.kind !== "trial") throw new Error(s.kind);
      history.push({
        number: n,
        params: s.params,
        meta: s.meta,
        intermediate: [],
        state: "SUCCEEDED",
        values: [9 - n],
      });
    }
    const ask = (attempt: number) =>
      sampler.suggest({ space, directions: ["minimize"], history, seed: 1, trialNumber: 9, attempt });
    expect(ask(0)).toMatchObject({ meta: { rung: 1, parent: 8 } });
    expect(ask(1)).toMatchObject({ meta: { rung: 1, parent: 7 } });
    expect(ask(2)).toMatchObject({ meta: { rung: 1, parent: 6 } });
    expect(ask(3)).toMatchObject({ meta: { rung: 1, parent: 5 } });
  });

  it("maximizes when asked, and never promotes a failed trial", () => {
    const sampler = createHyperbandSampler({ settings, space, directions: ["maximize"] });
    const run = drive(sampler, space, {
      max: 100,
      parallel: 3,
      objective: (p) => -loss(p),
      goal: "maximize",
      fail: [0, 1, 2, 3, 4, 5, 6],
    });
    // two of bracket 2's nine survive: rung 1 promotes both (not 3), rung 2 the better one
    expect(
      run.trials
        .filter((t) => at(t) === "2/1")
        .map((t) => t.meta?.parent)
        .sort(),
    ).toEqual([7, 8]);
    const best = (run.trials[7]?.values?.[0] as number) > (run.trials[8]?.values?.[0] as number) ? 7 : 8;
    const rung2 = run.trials.find((t) => at(t) === "2/2") as TrialObservation;
    expect(run.trials[rung2.meta?.parent as number]?.meta?.parent).toBe(best);
    expect(run.trials.length).toBe(9 + 2 + 1 + 5 + 2 + 3);
  });

  it("is deterministic for a seed and differs across seeds", () => {
    const mk = () => createHyperbandSampler({ settings, space, directions: ["minimize"] });
    const a = drive(mk(), space, { max: 100, parallel: 4, objective: loss, seed: 7 });
    const b = drive(mk(), space, { max: 100, parallel: 4, objective: loss, seed: 7 });
    const c = drive(mk(), space, { max: 100, parallel: 4, objective: loss, seed: 8 });
    expect(a.trials).toEqual(b.trials);
    expect(a.trials.map((t) => t.params)).not.toEqual(c.trials.map((t) => t.params));
    for (const t of a.trials) {
      expect(t.params.lr).toBeGreaterThanOrEqual(0.001);
      expect(t.params.lr).toBeLessThanOrEqual(0.1);
      expect(["sgd", "adam"]).toContain(t.params.opt);
    }
  });

  it("names the setting that is wrong", () => {
    const make =
      (s: Record<string, string>, directions: ("minimize" | "maximize")[] = ["minimize"]) =>
      () =>
        createHyperbandSampler({ settings: s, space, directions });
    expect(make({ eta: "3", r_l: "9" })).toThrow(/algorithmSettings\.resource_name/);
    expect(make({ ...settings, resource_name: "batch" })).toThrow(/"batch" is not a parameter .*lr, opt, epochs/);
    expect(make({ ...settings, resource_name: "opt" })).toThrow(/is categorical; make it int or double/);
    expect(make({ resource_name: "epochs" })).toThrow(/algorithmSettings\.r_l/);
    expect(make({ ...settings, eta: "1.5" })).toThrow(/algorithmSettings\.eta: hyperband needs an integer at least 2/);
    expect(make({ ...settings, r_l: "0" })).toThrow(/algorithmSettings\.r_l/);
    expect(make({ ...settings, budget: "3" })).toThrow(/algorithmSettings\.budget: hyperband has no setting/);
    expect(make(settings, ["minimize", "maximize"])).toThrow(/spec\.algorithm: .*nsga2, motpe/);
    expect(make({ eta: "3" })).toThrow(TuningError);
  });
});
