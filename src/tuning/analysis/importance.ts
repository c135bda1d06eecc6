/**
 * Parameter importance by PED-ANOVA (Watanabe et al. 2023, "PED-ANOVA: efficiently
 * quantifying hyperparameter importance in arbitrary subspaces"; Optuna's
 * `PedAnovaImportanceEvaluator`). For each objective, the trials in the top quantile
 * (`topQuantile`, default 10%, at least two trials) are compared with all observed trials:
 * for each parameter, a one-dimensional Parzen estimator of the top trials and one of all
 * trials are evaluated on a grid of the parameter's unit interval (`toUnit` of
 * `space.ts`: the log scale and the steps mean what they mean to the samplers), and the
 * importance is the Pearson divergence `Σ p_all · (p_top / p_all − 1)²`. A parameter whose
 * good values look like all its values (it did not matter) scores near 0; one whose good
 * values sit in a narrow part of the range scores high.
 *
 * PED-ANOVA rather than fANOVA on a random forest: it needs no model fitting (linear in the
 * trials, deterministic, no random source), its answer is a closed form that the tests can
 * check, and it is what Optuna's dashboard uses for the same reason. Importances are
 * reported raw and as shares of their sum (Optuna's `normalize=True`).
 *
 * A conditional parameter is judged on the trials where it is active (among the top ones
 * and among all); with fewer than two active top trials its importance is 0, as is that of
 * a parameter that took one value in every trial.
 */

import { OBSERVED_TRIAL_STATES } from "../../ir/states.ts";
import { finiteValues, isNumeric, toUnit } from "../space.ts";
import type { Goal, ParameterSpec, ParamValue, SearchSpace, TrialObservation } from "../types.ts";

/** One parameter's importance for one objective. */
export interface ParameterImportance {
  readonly parameter: string;
  /** The Pearson divergence between the top trials' density and all trials'. */
  readonly importance: number;
  /** `importance` over the sum of all parameters' (0 when every one is 0). */
  readonly share: number;
}

/** The importances for one objective, most important first. */
export interface ObjectiveImportance {
  /** Index into the experiment's objectives. */
  readonly objective: number;
  /** How many observed trials were used, and how many of them were the top ones. */
  readonly trials: number;
  readonly topTrials: number;
  /** Empty with a `note` when there were too few trials to say anything. */
  readonly parameters: readonly ParameterImportance[];
  readonly note?: string;
}

export interface ImportanceOptions {
  /** The share of observed trials that count as top (PED-ANOVA's γ'); default 0.1. */
  readonly topQuantile?: number;
  /** Grid points of a continuous parameter's unit interval; default 50. */
  readonly gridSize?: number;
}

/** The fewest top trials PED-ANOVA compares (Optuna's `min_n_top_trials`). */
export const MIN_TOP_TRIALS = 2;

const EPS = 1e-12;

/** PED-ANOVA importances of every parameter, one entry per objective. */
export function parameterImportance(
  space: SearchSpace,
  directions: readonly Goal[],
  trials: readonly TrialObservation[],
  options: ImportanceOptions = {},
): ObjectiveImportance[] {
  const quantile = options.topQuantile ?? 0.1;
  const gridSize = options.gridSize ?? 50;
  const observed = trials.filter(
    (t) => (OBSERVED_TRIAL_STATES as readonly string[]).includes(t.state) && t.values !== undefined,
  );
  return directions.map((goal, objective) => {
    const scored = observed
      .filter((t) => Number.isFinite(t.values?.[objective]))
      .map((t) => ({ t, loss: (goal === "maximize" ? -1 : 1) * (t.values?.[objective] as number) }))
      .sort((a, b) => a.loss - b.loss || a.t.number - b.t.number);
    const nTop = Math.max(MIN_TOP_TRIALS, Math.ceil(scored.length * quantile));
    if (scored.length <= nTop) {
      return {
        objective,
        trials: scored.length,
        topTrials: 0,
        parameters: [],
        note: `importance needs more than ${nTop} observed trials; there ${scored.length === 1 ? "is" : "are"} ${scored.length}`,
      };
    }
    const all = scored.map((s) => s.t);
    const top = all.slice(0, nTop);
    const raw = space.parameters.map((p) => ({ parameter: p.name, importance: divergence(p, top, all, gridSize) }));
    const total = raw.reduce((s, r) => s + r.importance, 0);
    const parameters = raw
      .map((r) => ({ ...r, share: total > 0 ? r.importance / total : 0 }))
      .sort((a, b) => b.importance - a.importance || a.parameter.localeCompare(b.parameter));
    return { objective, trials: all.length, topTrials: nTop, parameters };
  });
}

/** Pearson divergence of the top trials' density of `p` from all trials' (0 when it cannot be told). */
function divergence(
  p: ParameterSpec,
  top: readonly TrialObservation[],
  all: readonly TrialObservation[],
  gridSize: number,
): number {
  const topValues = valuesOf(p, top);
  const allValues = valuesOf(p, all);
  if (topValues.length < MIN_TOP_TRIALS || allValues.length <= topValues.length) return 0;
  // a parameter that never varied cannot have made a difference (the estimators would
  // differ only by their prior's weight)
  if (allValues.every((v) => v === allValues[0])) return 0;
  const pTop = density(p, topValues, gridSize);
  const pAll = density(p, allValues, gridSize);
  let d = 0;
  for (let i = 0; i < pTop.length; i++) {
    const a = (pAll[i] as number) + EPS;
    const r = ((pTop[i] as number) + EPS) / a - 1;
    d += a * r * r;
  }
  return d;
}

function valuesOf(p: ParameterSpec, trials: readonly TrialObservation[]): ParamValue[] {
  const out: ParamValue[] = [];
  for (const t of trials) {
    const v = t.params[p.name];
    if (v !== undefined) out.push(v);
  }
  return out;
}

/**
 * A Parzen estimator of `values` as probabilities over the parameter's grid: the listed
 * values of a categorical or discrete parameter (and of an int or stepped double with at
 * most `gridSize` values), else `gridSize` evenly spaced points of the unit interval.
 * Numeric values get Gaussian kernels of Scott's bandwidth in unit space; categorical
 * values their frequencies. A prior (one pseudo-observation spread evenly) keeps every
 * point's probability above zero, as Optuna's estimator does.
 */
export function density(p: ParameterSpec, values: readonly ParamValue[], gridSize = 50): number[] {
  if (!isNumeric(p)) {
    const cats = (p.values ?? []) as readonly ParamValue[];
    const w = cats.map((c) => values.filter((v) => v === c).length + 1 / cats.length);
    return normalise(w);
  }
  const finite = finiteValues(p);
  const grid =
    finite && finite.length <= gridSize
      ? finite.map((v) => toUnit(p, v as number))
      : Array.from({ length: gridSize }, (_, i) => (i + 0.5) / gridSize);
  const us = values.map((v) => toUnit(p, v as number));
  const n = us.length;
  const mean = us.reduce((s, u) => s + u, 0) / n;
  const sd = Math.sqrt(us.reduce((s, u) => s + (u - mean) ** 2, 0) / Math.max(1, n - 1));
  // Scott's rule, floored at one grid cell so that repeated values do not become spikes
  // narrower than the grid can show
  const h = Math.max(1.059 * sd * n ** -0.2, 1 / grid.length);
  const w = grid.map((g) => {
    let s = 0;
    for (const u of us) s += Math.exp(-0.5 * ((g - u) / h) ** 2);
    return s / n;
  });
  const kernelMass = normalise(w);
  // the prior: one observation's worth of uniform mass among n + 1
  return kernelMass.map((k) => (k * n + 1 / grid.length) / (n + 1));
}

function normalise(w: readonly number[]): number[] {
  const s = w.reduce((a, b) => a + b, 0);
  return s > 0 ? w.map((x) => x / s) : w.map(() => 1 / w.length);
}
