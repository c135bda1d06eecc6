/**
 * The tree-structured Parzen estimator (TPE), as Optuna's TPESampler: after
 * `n_startup_trials` observed trials drawn from the priors, the observed trials are split
 * into the best `gamma(n) = min(ceil(0.1 n), 25)` ("below") and the rest ("above"); a
 * Parzen estimator is fitted to each (parzen.ts), `n_ei_candidates` points are drawn from
 * the "below" estimator l, and the one with the greatest l(x)/g(x) is suggested.
 *
 * - Univariate (`tpe`): each parameter is modelled and chosen on its own, from the trials
 *   where it is active; bandwidths from the neighbours, clipped (Optuna's magic clip).
 * - Multivariate (`multivariate-tpe`, Optuna's `multivariate=True, group=True`): the
 *   parameters that exist under the same condition form a group, modelled jointly (a
 *   product kernel per observation, Scott's bandwidth) on the trials where the group is
 *   active; groups are chosen in declaration order, a conditional group only when its
 *   condition holds for the values chosen before it.
 * - Several objectives (`motpe`, motpe.ts): the split goes by non-dominated rank, the last
 *   rank cut by hypervolume contribution, and "below" observations are weighted by their
 *   hypervolume contribution.
 *
 * Trials still pending or running count as observed with the worst value (a constant
 * liar), so parallel suggestions differ. Old observations weigh less once there are more
 * than 25 (Optuna's default weights). Coordinates are unit values (space.ts's toUnit,
 * which takes the log scale), widened by half a cell for int, step and discrete (unit.ts);
 * a chosen coordinate goes back through fromUnit, so steps and bounds always hold.
 */

import { TuningError } from "../errors.ts";
import { hypervolume, nonDominatedSort } from "../pareto.ts";
import { Rng } from "../rng.ts";
import { bounds, fromUnit, isActive, isLog, sampleAssignment, toUnit, valueIndex } from "../space.ts";
import type {
  AlgorithmName,
  Goal,
  ParameterSpec,
  ParamValue,
  Sampler,
  SamplerContext,
  SamplerFactory,
  SearchSpace,
  Suggestion,
  TrialObservation,
} from "../types.ts";
import {
  boolSetting,
  checkSettingNames,
  intSetting,
  isObserved,
  isPending,
  minimised,
  numberSetting,
  STREAM,
} from "./common.ts";
import { defaultWeights, fitParzen, logPdfParzen, type ParzenDim, type ParzenOptions, sampleParzen } from "./parzen.ts";
import { unitRange } from "./unit.ts";

/**
 * The settings TPE takes: Katib's for its Optuna-based `multivariate-tpe`
 * (`n_startup_trials`, `n_ei_candidates`, `random_state`) and its Hyperopt-based `tpe`
 * (`n_EI_candidates`, `gamma`, `prior_weight`, `random_state`), both accepted by either
 * algorithm, and Optuna's `consider_endpoints` and `constant_liar`.
 */
export const TPE_SETTINGS = [
  "n_startup_trials",
  "n_ei_candidates",
  "n_EI_candidates",
  "gamma",
  "random_state",
  "prior_weight",
  "consider_endpoints",
  "constant_liar",
] as const;

export interface TpeConfig {
  readonly algorithm: AlgorithmName;
  readonly multivariate: boolean;
  readonly multiObjective: boolean;
  readonly nStartupTrials: number;
  readonly nEiCandidates: number;
  readonly priorWeight: number;
  readonly considerEndpoints: boolean;
  readonly constantLiar: boolean;
  /** Hyperopt's gamma where the `gamma` setting is given: ceil(gamma * sqrt(n)) below, at most 25. */
  readonly gamma?: number;
}

/** Reads and checks TPE's settings. */
export function tpeConfig(
  algorithm: AlgorithmName,
  settings: Readonly<Record<string, string>>,
  shape: { multivariate: boolean; multiObjective: boolean },
): TpeConfig {
  checkSettingNames(algorithm, settings, TPE_SETTINGS);
  if (
    settings.n_ei_candidates !== undefined &&
    settings.n_EI_candidates !== undefined &&
    settings.n_ei_candidates.trim() !== settings.n_EI_candidates.trim()
  ) {
    throw new TuningError(
      "TUNING_SETTING_INVALID",
      `algorithmSettings.n_EI_candidates: "${settings.n_EI_candidates}" differs from algorithmSettings.n_ei_candidates "${settings.n_ei_candidates}"; they are one setting, give one of them.`,
    );
  }
  const candidates = settings.n_EI_candidates !== undefined ? "n_EI_candidates" : "n_ei_candidates";
  const gammaFraction = settings.gamma === undefined ? undefined : numberSetting(settings, "gamma", 0.25, 0, 1);
  if (gammaFraction === 0 || gammaFraction === 1) {
    throw new TuningError(
      "TUNING_SETTING_INVALID",
      `algorithmSettings.gamma: "${settings.gamma}" must lie strictly between 0 and 1, as Katib's; give e.g. "0.25".`,
    );
  }
  return {
    algorithm,
    ...shape,
    nStartupTrials: intSetting(settings, "n_startup_trials", 10, 0),
    nEiCandidates: intSetting(settings, candidates, 24, 1, 10_000),
    priorWeight: numberSetting(settings, "prior_weight", 1, 1e-6, 1e6),
    considerEndpoints: boolSetting(settings, "consider_endpoints", false),
    constantLiar: boolSetting(settings, "constant_liar", true),
    ...(gammaFraction === undefined ? {} : { gamma: gammaFraction }),
  };
}

/**
 * How many of n trials are "below": Optuna's default min(ceil(0.1 n), 25), or with a
 * `gamma` setting Hyperopt's (Katib's `tpe`) min(ceil(gamma * sqrt(n)), 25).
 */
export function gamma(n: number, fraction?: number): number {
  if (fraction !== undefined) return Math.min(Math.ceil(fraction * Math.sqrt(n)), 25);
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** An observation of one side of the split, with its weight (undefined: Optuna's default weights). */
interface Entry {
  readonly trial: TrialObservation;
  readonly weight?: number;
}

/** The groups of parameters modelled jointly: one per parameter, or one per condition. */
export function parameterGroups(space: SearchSpace, multivariate: boolean): ParameterSpec[][] {
  if (!multivariate) return space.parameters.map((p) => [p]);
  const byCondition = new Map<string, ParameterSpec[]>();
  for (const p of space.parameters) {
    const key = p.when ? JSON.stringify([p.when.parameter, p.when.values]) : "";
    const group = byCondition.get(key);
    if (group) group.push(p);
    else byCondition.set(key, [p]);
  }
  return [...byCondition.values()];
}

function coordinate(p: ParameterSpec, value: ParamValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (p.type === "categorical") {
    const i = valueIndex(p, value);
    return i < 0 ? undefined : i;
  }
  if (typeof value !== "number") return undefined;
  const u = toUnit(p, value);
  return Number.isFinite(u) ? u : undefined;
}

function dimension(p: ParameterSpec): ParzenDim {
  if (p.type === "categorical") return { kind: "categorical", choices: p.values!.length };
  const [lo, hi] = unitRange(p);
  const step = p.type === "discrete" || isLog(p) ? undefined : (p.step ?? (p.type === "int" ? 1 : undefined));
  if (step === undefined) return { kind: "numeric", lo, hi };
  const [min, max] = bounds(p);
  return { kind: "numeric", lo, hi, step: step / (max - min), gridStart: 0 };
}

/** Splits single-objective observations: the best gamma(n) below, the rest and the pending above. */
function splitSingle(
  observed: readonly TrialObservation[],
  pending: readonly TrialObservation[],
  directions: readonly Goal[],
  fraction: number | undefined,
) {
  const sorted = observed
    .map((trial) => ({ trial, value: minimised(trial, directions)[0]! }))
    .sort((a, b) => a.value - b.value || a.trial.number - b.trial.number)
    .map((e) => e.trial);
  const nBelow = Math.min(gamma(observed.length + pending.length, fraction), sorted.length);
  const below: Entry[] = sorted.slice(0, nBelow).map((trial) => ({ trial }));
  const above: Entry[] = [...sorted.slice(nBelow), ...pending].map((trial) => ({ trial }));
  return { below, above };
}

const HV_EPS = 1e-12;

/** Optuna's reference point for a set of minimised points: a tenth beyond the worst of each objective. */
function referencePoint(points: readonly (readonly number[])[]): number[] {
  const m = points[0]!.length;
  const ref: number[] = [];
  for (let k = 0; k < m; k++) {
    const worst = Math.max(...points.map((p) => p[k]!));
    const r = Math.max(1.1 * worst, 0.9 * worst);
    ref.push(r === 0 ? HV_EPS : r);
  }
  return ref;
}

/** Greedy hypervolume subset selection: `k` of `points` that dominate the most together. */
function selectByHypervolume(points: readonly (readonly number[])[], k: number): number[] {
  const ref = referencePoint(points);
  const chosen: number[] = [];
  const left = points.map((_, i) => i);
  while (chosen.length < k && left.length > 0) {
    let best = 0;
    let bestVolume = Number.NEGATIVE_INFINITY;
    left.forEach((i, at) => {
      const v = hypervolume([...chosen.map((c) => points[c]!), points[i]!], ref);
      if (v > bestVolume) {
        bestVolume = v;
        best = at;
      }
    });
    chosen.push(left[best]!);
    left.splice(best, 1);
  }
  return chosen;
}

/** Splits multi-objective observations by non-dominated rank; "below" weighted by hypervolume contribution. */
function splitMulti(
  observed: readonly TrialObservation[],
  pending: readonly TrialObservation[],
  directions: readonly Goal[],
  fraction: number | undefined,
) {
  const points = observed.map((t) => minimised(t, directions));
  const nBelow = Math.min(gamma(observed.length + pending.length, fraction), observed.length);
  const belowIdx: number[] = [];
  for (const front of nonDominatedSort(points)) {
    if (belowIdx.length >= nBelow) break;
    const need = nBelow - belowIdx.length;
    if (front.length <= need) belowIdx.push(...front);
    else
      belowIdx.push(
        ...selectByHypervolume(
          front.map((i) => points[i]!),
          need,
        ).map((j) => front[j]!),
      );
  }
  const inBelow = new Set(belowIdx);
  const weights = belowWeights(belowIdx.map((i) => points[i]!));
  const below: Entry[] = belowIdx.map((i, j) => ({ trial: observed[i]!, weight: weights[j]! }));
  below.sort((a, b) => a.trial.number - b.trial.number);
  const above: Entry[] = [...observed.filter((_, i) => !inBelow.has(i)), ...pending].map((trial) => ({ trial }));
  return { below, above };
}

/** Weights of the "below" points: their hypervolume contribution, relative to the greatest. */
function belowWeights(points: readonly (readonly number[])[]): number[] {
  if (points.length <= 1) return points.map(() => 1);
  const ref = referencePoint(points);
  const total = hypervolume(points, ref);
  const contributions = points.map(
    (_, i) =>
      total -
      hypervolume(
        points.filter((__, j) => j !== i),
        ref,
      ),
  );
  const max = Math.max(...contributions);
  if (!(max > 0)) return points.map(() => 1);
  return contributions.map((c) => Math.min(1, Math.max(HV_EPS, c / max)));
}

/**
 * Every parameter's coordinate in a trial (NaN where absent or not a legal value), cached
 * by trial object: observations never change, so the cache never changes an answer.
 */
class Coordinates {
  private readonly cache = new WeakMap<TrialObservation, Float64Array>();
  private readonly index: Map<string, number>;
  constructor(private readonly space: SearchSpace) {
    this.index = new Map(space.parameters.map((p, i) => [p.name, i]));
  }
  of(trial: TrialObservation): Float64Array {
    let row = this.cache.get(trial);
    if (!row) {
      const params = this.space.parameters;
      row = new Float64Array(params.length);
      for (let i = 0; i < params.length; i++)
        row[i] = coordinate(params[i]!, trial.params[params[i]!.name]) ?? Number.NaN;
      this.cache.set(trial, row);
    }
    return row;
  }
  position(p: ParameterSpec): number {
    return this.index.get(p.name)!;
  }
}

/** Rows of coordinates and weights of the entries where every parameter of `group` is present. */
function rows(
  entries: readonly Entry[],
  group: readonly ParameterSpec[],
  coords: Coordinates,
): { points: number[][]; weights: number[] } {
  const at = group.map((p) => coords.position(p));
  const kept: { row: number[]; number: number; weight?: number }[] = [];
  for (const e of entries) {
    const all = coords.of(e.trial);
    const row: number[] = [];
    for (const i of at) {
      const c = all[i]!;
      if (Number.isNaN(c)) break;
      row.push(c);
    }
    if (row.length === at.length) kept.push({ row, number: e.trial.number, weight: e.weight });
  }
  kept.sort((a, b) => a.number - b.number);
  const defaults = defaultWeights(kept.length);
  return { points: kept.map((k) => k.row), weights: kept.map((k, i) => k.weight ?? defaults[i]!) };
}

/** A TPE sampler for `config`. */
export function createTpe(config: TpeConfig, space: SearchSpace): Sampler {
  const groups = parameterGroups(space, config.multivariate);
  const coords = new Coordinates(space);
  const options: ParzenOptions = {
    priorWeight: config.priorWeight,
    considerEndpoints: config.considerEndpoints,
    magicClip: true,
    multivariate: config.multivariate,
  };
  return {
    name: config.algorithm,
    suggest(ctx: SamplerContext): Suggestion {
      const objectives = ctx.directions.length;
      const rng = new Rng(ctx.seed, ctx.trialNumber, ctx.attempt, STREAM.tpe);
      const observed = ctx.history.filter((t) => isObserved(t, objectives));
      if (observed.length < config.nStartupTrials || observed.length === 0) {
        return { kind: "trial", params: sampleAssignment(ctx.space, rng) };
      }
      const pending = config.constantLiar
        ? ctx.history.filter((t) => isPending(t) && t.number !== ctx.trialNumber)
        : [];
      const { below, above } = config.multiObjective
        ? splitMulti(observed, pending, ctx.directions, config.gamma)
        : splitSingle(observed, pending, ctx.directions, config.gamma);
      const params: Record<string, ParamValue> = {};
      for (const group of groups) {
        const active = group.filter((p) => isActive(p, params));
        if (active.length === 0) continue;
        const dims = active.map(dimension);
        const l = rows(below, active, coords);
        const g = rows(above, active, coords);
        const lower = fitParzen(dims, l.points, l.weights, options);
        const upper = fitParzen(dims, g.points, g.weights, options);
        const candidates = sampleParzen(lower, rng, config.nEiCandidates);
        let best = candidates[0]!;
        let bestScore = Number.NEGATIVE_INFINITY;
        for (const x of candidates) {
          const score = logPdfParzen(lower, x) - logPdfParzen(upper, x);
          if (score > bestScore) {
            bestScore = score;
            best = x;
          }
        }
        active.forEach((p, d) => {
          params[p.name] = p.type === "categorical" ? p.values![best[d]!]! : fromUnit(p, best[d]!);
        });
      }
      return { kind: "trial", params };
    },
  };
}

/** Univariate TPE (`tpe`). */
export const createTpeSampler: SamplerFactory = ({ settings, space }) =>
  createTpe(tpeConfig("tpe", settings, { multivariate: false, multiObjective: false }), space);

/** Multivariate TPE (`multivariate-tpe`): conditional parameters grouped by their condition. */
export const createMultivariateTpeSampler: SamplerFactory = ({ settings, space }) =>
  createTpe(tpeConfig("multivariate-tpe", settings, { multivariate: true, multiObjective: false }), space);
