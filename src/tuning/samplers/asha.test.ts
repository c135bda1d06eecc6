import { describe, expect, it } from "vitest";
import { drive } from "../../../test/tuning/multifidelity-sim.ts";
import type { SamplerContext, SearchSpace, TrialObservation } from "../types.ts";
import { ashaRungs, createAshaSampler } from "./asha.ts";

const space: SearchSpace = {
  parameters: [
    { name: "x", type: "double", min: 0, max: 1, distribution: "uniform" },
    { name: "epochs", type: "int", min: 1, max: 9, distribution: "uniform" },
  ],
};
const settings = { resource_name: "epochs" };

function trial(number: number, rung: number, value: number | undefined, parent?: number): TrialObservation {
  return {
    number,
    params: { x: number / 100, epochs: 3 ** rung },
    state: value === undefined ? "RUNNING" : "SUCCEEDED",
    ...(value === undefined ? {} : { values: [value] }),
    intermediate: [],
    meta: parent === undefined ? { bracket: 0, rung } : { bracket: 0, rung, parent },
  };
}

function ask(history: TrialObservation[], directions: SamplerContext["directions"] = ["minimize"]) {
  const sampler = createAshaSampler({ settings, space, directions });
  return sampler.suggest({ space, directions, history, seed: 3, trialNumber: history.length, attempt: 0 });
}

describe("asha", () => {
  it("has rungs min * eta^k up to max", () => {
    expect(ashaRungs(1, 9, 3)).toEqual([1, 3, 9]);
    expect(ashaRungs(1, 10, 3)).toEqual([1, 3, 9]);
    expect(ashaRungs(2, 100, 4)).toEqual([2, 8, 32]);
    expect(ashaRungs(5, 5, 3)).toEqual([5]);
  });

  it("promotes the best 1/eta of a rung not yet promoted, else starts a new configuration at rung 0", () => {
    // rung 0: six finished trials; the best two (3 with 1, 5 with 2) may go up; 3 already has
    const history = [
      trial(0, 0, 5),
      trial(1, 0, 3),
      trial(2, 0, 4),
      trial(3, 0, 1),
      trial(4, 0, 6),
      trial(5, 0, 2),
      trial(6, 1, undefined, 3),
    ];
    expect(ask(history)).toEqual({
      kind: "trial",
      params: { x: 0.05, epochs: 3 },
      meta: { bracket: 0, rung: 1, parent: 5 },
    });
    history.push(trial(7, 1, undefined, 5));
    // both promoted, a running trial does not count: a new configuration at the smallest budget
    history.push(trial(8, 0, undefined));
    const fresh = ask(history);
    expect(fresh).toMatchObject({ kind: "trial", params: { epochs: 1 }, meta: { bracket: 0, rung: 0 } });
    // maximizing, the best two are 4 (6) and 0 (5), neither promoted yet
    expect(ask(history.slice(0, 6), ["maximize"])).toMatchObject({ meta: { rung: 1, parent: 4 } });
  });

  it("looks at the highest rung first", () => {
    const history = [
      ...[9, 8, 7, 6, 5, 4, 3, 2, 1].map((v, i) => trial(i, 0, v)),
      trial(9, 1, 0.5, 8),
      trial(10, 1, 0.8, 7),
      trial(11, 1, 0.3, 6),
    ];
    // rung 0's best three (8, 7, 6) are all up; rung 1's best (11) goes to the top rung
    expect(ask(history)).toEqual({
      kind: "trial",
      params: { x: 0.11, epochs: 9 },
      meta: { bracket: 0, rung: 2, parent: 11 },
    });
    history.push(trial(12, 2, undefined, 11));
    // nothing more to promote: a new configuration
    expect(ask(history)).toMatchObject({ meta: { rung: 0 } });
    // three more finish at rung 0: twelve, so the best four may go up, and 13 is new among them
    history.push(trial(13, 0, 0.5), trial(14, 0, 10), trial(15, 0, 11));
    expect(ask(history)).toMatchObject({ meta: { rung: 1, parent: 13 } });
    // the top rung is never promoted from
    history.push(trial(16, 1, 9, 13));
    history[12] = { ...(history[12] as TrialObservation), state: "SUCCEEDED", values: [0.2] };
    expect(ask(history)).toMatchObject({ meta: { rung: 0 } });
  });

  it("never waits, promotes each configuration at most once per rung, and is deterministic", () => {
    const objective = (p: TrialObservation["params"]) => (p.x as number) + 1 / (p.epochs as number);
    const mk = () => createAshaSampler({ settings, space, directions: ["minimize"] });
    const a = drive(mk(), space, { max: 60, parallel: 4, objective, seed: 11 });
    expect(a.answers.every((k) => k === "trial")).toBe(true);
    const parents = a.trials.filter((t) => t.meta?.parent !== undefined).map((t) => t.meta?.parent);
    expect(new Set(parents).size).toBe(parents.length);
    for (const t of a.trials) {
      expect([1, 3, 9]).toContain(t.params.epochs);
      if (t.meta?.parent === undefined) continue;
      const parent = a.trials[t.meta.parent as number] as TrialObservation;
      expect(parent.meta?.rung).toBe((t.meta.rung as number) - 1);
      expect(parent.params.x).toBe(t.params.x);
    }
    expect(a.trials.filter((t) => t.meta?.rung === 2).length).toBeGreaterThan(0);
    expect(drive(mk(), space, { max: 60, parallel: 4, objective, seed: 11 }).trials).toEqual(a.trials);
    expect(drive(mk(), space, { max: 60, parallel: 4, objective, seed: 12 }).trials).not.toEqual(a.trials);
  });

  it("draws new configurations with TPE from the rung-0 trials when base_algorithm is tpe", () => {
    const objective = (p: TrialObservation["params"]) => ((p.x as number) - 0.3) ** 2 + 1 / (p.epochs as number);
    const mk = () =>
      createAshaSampler({ settings: { ...settings, base_algorithm: "tpe" }, space, directions: ["minimize"] });
    const a = drive(mk(), space, { max: 80, parallel: 2, objective, seed: 5 });
    expect(drive(mk(), space, { max: 80, parallel: 2, objective, seed: 5 }).trials).toEqual(a.trials);
    const fresh = a.trials.filter((t) => t.meta?.rung === 0);
    expect(fresh.every((t) => t.params.epochs === 1)).toBe(true);
    // TPE concentrates the later configurations near x = 0.3
    const late = fresh.slice(-15).map((t) => Math.abs((t.params.x as number) - 0.3));
    const early = fresh.slice(0, 10).map((t) => Math.abs((t.params.x as number) - 0.3));
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    expect(mean(late)).toBeLessThan(mean(early));
  });

  it("takes its budgets from the settings or the parameter's bounds, and names a bad setting", () => {
    const dspace: SearchSpace = {
      parameters: [{ name: "fraction", type: "double", min: 0, max: 1, distribution: "uniform" }],
    };
    const make =
      (s: Record<string, string>, sp: SearchSpace = space) =>
      () =>
        createAshaSampler({ settings: s, space: sp, directions: ["minimize"] });
    const s = make({ resource_name: "fraction", min_resource: "0.1", reduction_factor: "2" }, dspace)();
    const first = s.suggest({
      space: dspace,
      directions: ["minimize"],
      history: [],
      seed: 0,
      trialNumber: 0,
      attempt: 0,
    });
    expect(first).toMatchObject({ params: { fraction: 0.1 } });
    expect(make({ resource_name: "fraction" }, dspace)).toThrow(/algorithmSettings\.min_resource: .*set min_resource/);
    expect(make({ ...settings, min_resource: "20" })).toThrow(
      /algorithmSettings\.min_resource: 20 is outside .*\[1, 9\]/,
    );
    expect(make({ ...settings, max_resource: "12" })).toThrow(/algorithmSettings\.max_resource/);
    expect(make({ ...settings, reduction_factor: "1" })).toThrow(/algorithmSettings\.reduction_factor/);
    expect(make({ ...settings, base_algorithm: "cmaes" })).toThrow(/algorithmSettings\.base_algorithm/);
    expect(make({ ...settings, random_state: "4" })).not.toThrow();
    expect(make({ ...settings, eta: "3" })).toThrow(/algorithmSettings\.eta: asha has no setting/);
  });
});
