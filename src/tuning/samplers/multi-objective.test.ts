import { describe, expect, it } from "vitest";
import { runLoop } from "../../../test/tuning/sampler-loop.ts";
import { hypervolume, paretoFront } from "../pareto.ts";
import type { Assignment, Goal, Sampler, SearchSpace, TrialObservation } from "../types.ts";
import { createMotpeSampler } from "./motpe.ts";
import { createNsga2Sampler, eliteSelect } from "./nsga2.ts";
import { createRandomSampler } from "./random.ts";

/** ZDT1 with 4 variables: the front is f2 = 1 - sqrt(f1) where x1..x3 = 0. */
const zdt: SearchSpace = {
  parameters: [0, 1, 2, 3].map((i) => ({
    name: `x${i}`,
    type: "double" as const,
    min: 0,
    max: 1,
    distribution: "uniform" as const,
  })),
};
const zdt1 = (p: Assignment): number[] => {
  const x = [0, 1, 2, 3].map((i) => p[`x${i}`] as number);
  const f1 = x[0]!;
  const g = 1 + (9 * (x[1]! + x[2]! + x[3]!)) / 3;
  return [f1, g * (1 - Math.sqrt(f1 / g))];
};
const directions: Goal[] = ["minimize", "minimize"];
const REF = [1.1, 11];

function frontVolume(history: readonly TrialObservation[]): number {
  return hypervolume(
    paretoFront(history, directions).map((t) => t.values as number[]),
    REF,
  );
}

function volumes(make: () => Sampler, trials: number): number[] {
  return [0, 1, 2].map((seed) =>
    frontVolume(runLoop(make(), { space: zdt, directions, objective: zdt1, trials, seed })),
  );
}

describe("multi-objective samplers", () => {
  it("NSGA-II's front improves over generations and beats random search on ZDT1", () => {
    const nsga = () => createNsga2Sampler({ settings: { population_size: "20" }, space: zdt, directions });
    const random = () => createRandomSampler({ settings: {}, space: zdt, directions });
    const early = volumes(nsga, 20);
    const late = volumes(nsga, 200);
    const rand = volumes(random, 200);
    for (let s = 0; s < 3; s++) {
      expect(late[s]!).toBeGreaterThan(early[s]!);
      expect(late[s]!).toBeGreaterThan(rand[s]!);
    }
  });

  it("NSGA-II with simulated binary crossover beats random search too", () => {
    const sbx = () =>
      createNsga2Sampler({ settings: { population_size: "20", crossover: "sbx" }, space: zdt, directions });
    const random = () => createRandomSampler({ settings: {}, space: zdt, directions });
    const a = volumes(sbx, 200);
    const r = volumes(random, 200);
    for (let s = 0; s < 3; s++) expect(a[s]!).toBeGreaterThan(r[s]!);
  });

  it("MOTPE's front beats random search on ZDT1", () => {
    const motpe = () => createMotpeSampler({ settings: {}, space: zdt, directions });
    const random = () => createRandomSampler({ settings: {}, space: zdt, directions });
    const m = volumes(motpe, 100);
    const r = volumes(random, 100);
    for (let s = 0; s < 3; s++) expect(m[s]!).toBeGreaterThan(r[s]!);
  });

  it("NSGA-II's elite keeps whole fronts and cuts the last by crowding distance", () => {
    const t = (number: number, values: number[]): TrialObservation => ({
      number,
      params: {},
      state: "SUCCEEDED",
      values,
      intermediate: [],
    });
    const pool = [t(0, [0, 4]), t(1, [1, 3]), t(2, [1.1, 2.9]), t(3, [4, 0]), t(4, [5, 5]), t(5, [2, 3.5])];
    const elite = eliteSelect(pool, 3, directions);
    // front {0,1,2,3}: the extremes 0 and 3 first, then 2, whose neighbours are 1 and 3
    // (crowding 3/4 + 3/4), not 1, whose neighbours are 0 and 2 (1.1/4 + 1.1/4)
    expect(elite.map((m) => m.trial.number).sort()).toEqual([0, 2, 3]);
    expect(eliteSelect(pool, 5, directions).map((m) => m.trial.number)).toEqual([0, 1, 2, 3, 5]);
  });

  it("NSGA-II counts generations by trial number and records them", () => {
    const sampler = createNsga2Sampler({ settings: { population_size: "4" }, space: zdt, directions });
    const history = runLoop(sampler, { space: zdt, directions, objective: zdt1, trials: 12, seed: 1 });
    const ask = (n: number) =>
      sampler.suggest({ space: zdt, directions, history: history.slice(0, n), seed: 1, trialNumber: n, attempt: 0 });
    const s = ask(9);
    expect(s.kind === "trial" && s.meta).toEqual({ generation: 2 });
  });
});
