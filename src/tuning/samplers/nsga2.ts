/**
 * NSGA-II (Deb et al. 2002), as Optuna's NSGAIISampler: trials in order of their numbers
 * form generations of `population_size`; the first generation is drawn from the priors.
 * The parents of generation g are the elite of the parents of generation g-1 together
 * with the observed trials of generation g-1: whole non-dominated fronts while they fit,
 * the last one cut by crowding distance. A child takes two parents chosen by binary
 * tournament (lower rank, then greater crowding distance), crosses them with probability
 * `crossover_prob` (uniform crossover, or simulated binary crossover `sbx` for numeric
 * parameters), then redraws each parameter from its prior with probability
 * `mutation_prob` (default 1 / the number of parameters). A conditional parameter that a
 * parent lacks is drawn from its prior. Everything is a function of the history and the
 * seed, so a resumed experiment suggests the same children.
 */

import { crowdingDistance, nonDominatedSort } from "../pareto.ts";
import { Rng } from "../rng.ts";
import { fromUnit, isActive, sampleAssignment, sampleValue, toUnit, valueIndex } from "../space.ts";
import type { Goal, ParamValue, SamplerFactory, SearchSpace, TrialObservation } from "../types.ts";
import {
  checkSettingNames,
  choiceSetting,
  intSetting,
  isObserved,
  minimised,
  numberSetting,
  STREAM,
} from "./common.ts";

interface Member {
  readonly trial: TrialObservation;
  readonly rank: number;
  readonly crowding: number;
}

/**
 * The elite of `candidates` (distinct trials): `size` of them by non-dominated rank, the
 * last front that does not fit cut by crowding distance (ties to the lower trial number).
 */
export function eliteSelect(
  candidates: readonly TrialObservation[],
  size: number,
  directions: readonly Goal[],
): Member[] {
  const points = candidates.map((t) => minimised(t, directions));
  const out: Member[] = [];
  nonDominatedSort(points).forEach((front, rank) => {
    if (out.length >= size) return;
    const distance = crowdingDistance(front.map((i) => points[i]!));
    const members = front.map((i, j) => ({ trial: candidates[i]!, rank, crowding: distance[j]! }));
    if (members.length > size - out.length) {
      members.sort((a, b) => b.crowding - a.crowding || a.trial.number - b.trial.number);
    }
    out.push(...members.slice(0, size - out.length));
  });
  return out;
}

/** The parents of generation `generation` (empty for the first). */
export function parentPopulation(
  history: readonly TrialObservation[],
  directions: readonly Goal[],
  populationSize: number,
  generation: number,
): Member[] {
  const observed = history.filter((t) => isObserved(t, directions.length));
  let parents: Member[] = [];
  for (let g = 1; g <= generation; g++) {
    const offspring = observed.filter((t) => Math.floor(t.number / populationSize) === g - 1);
    const pool = [...parents.map((m) => m.trial), ...offspring];
    parents = eliteSelect(pool, populationSize, directions);
  }
  return parents;
}

function tournament(parents: readonly Member[], rng: Rng): Member {
  const a = parents[rng.int(parents.length)]!;
  if (parents.length === 1) return a;
  const b = parents[rng.int(parents.length)]!;
  if (a.rank !== b.rank) return a.rank < b.rank ? a : b;
  if (a.crowding !== b.crowding) return a.crowding > b.crowding ? a : b;
  return a.trial.number <= b.trial.number ? a : b;
}

/** Simulated binary crossover of two unit coordinates (one child). */
function sbx(x1: number, x2: number, eta: number, rng: Rng): number {
  const u = rng.next();
  const beta = u <= 0.5 ? (2 * u) ** (1 / (eta + 1)) : (1 / (2 * (1 - u))) ** (1 / (eta + 1));
  const c1 = 0.5 * (x1 + x2 - beta * Math.abs(x2 - x1));
  const c2 = 0.5 * (x1 + x2 + beta * Math.abs(x2 - x1));
  return rng.next() < 0.5 ? c1 : c2;
}

function legal(space: SearchSpace, name: string, value: ParamValue | undefined): boolean {
  const p = space.parameters.find((q) => q.name === name);
  if (!p || value === undefined) return false;
  if (p.values) return valueIndex(p, value) >= 0;
  return typeof value === "number" && value >= (p.min as number) && value <= (p.max as number);
}

export const createNsga2Sampler: SamplerFactory = ({ settings, space }) => {
  checkSettingNames("nsga2", settings, [
    "population_size",
    "crossover",
    "crossover_prob",
    "swapping_prob",
    "mutation_prob",
    "sbx_eta",
    "random_state",
  ]);
  const populationSize = intSetting(settings, "population_size", 50, 2);
  const crossover = choiceSetting(settings, "crossover", "uniform", ["uniform", "sbx"] as const);
  const crossoverProb = numberSetting(settings, "crossover_prob", 0.9, 0, 1);
  const swappingProb = numberSetting(settings, "swapping_prob", 0.5, 0, 1);
  const mutationProb = numberSetting(settings, "mutation_prob", 1 / Math.max(1, space.parameters.length), 0, 1);
  const eta = numberSetting(settings, "sbx_eta", 20, 0, 1000);
  return {
    name: "nsga2",
    suggest(ctx) {
      const rng = new Rng(ctx.seed, ctx.trialNumber, ctx.attempt, STREAM.nsga2);
      const generation = Math.floor(ctx.trialNumber / populationSize);
      const parents = generation === 0 ? [] : parentPopulation(ctx.history, ctx.directions, populationSize, generation);
      if (parents.length === 0) {
        return { kind: "trial", params: sampleAssignment(ctx.space, rng), meta: { generation } };
      }
      const first = tournament(parents, rng).trial.params;
      const second = tournament(parents, rng).trial.params;
      const cross = rng.next() < crossoverProb;
      const child: Record<string, ParamValue> = {};
      for (const p of space.parameters) {
        if (!isActive(p, child)) continue;
        const a = first[p.name];
        const b = second[p.name];
        let value: ParamValue | undefined = a;
        if (cross) {
          if (crossover === "sbx" && p.type !== "categorical" && typeof a === "number" && typeof b === "number") {
            value = rng.next() < 0.5 ? fromUnit(p, sbx(toUnit(p, a), toUnit(p, b), eta, rng)) : a;
          } else if (rng.next() < swappingProb) {
            value = b;
          }
        }
        if (!legal(space, p.name, value) || rng.next() < mutationProb) value = sampleValue(p, rng);
        child[p.name] = value as ParamValue;
      }
      return { kind: "trial", params: child, meta: { generation } };
    },
  };
};
