/**
 * What Hyperband and ASHA share: reading their numeric settings, finding the budget parameter
 * (Katib's `resource_name`), ranking a rung's finished trials and reading the bracket and
 * rung a trial was suggested for from its `meta`.
 */

import { OBSERVED_TRIAL_STATES } from "../../ir/states.ts";
import { TuningError } from "../errors.ts";
import type { Goal, ParameterSpec, SearchSpace, TrialObservation } from "../types.ts";

/** A setting parsed as a number in [min, max] (an integer when `integer`), or `fallback` when unset. */
export function numberSetting(
  algorithm: string,
  settings: Readonly<Record<string, string>>,
  name: string,
  opts: { min: number; integer?: boolean; fallback?: number; exclusiveMin?: boolean },
): number | undefined {
  const raw = settings[name];
  if (raw === undefined || raw.trim() === "") return opts.fallback;
  const value = Number(raw);
  const kind = opts.integer ? "an integer" : "a number";
  const bound = opts.exclusiveMin ? `greater than ${opts.min}` : `at least ${opts.min}`;
  if (
    !Number.isFinite(value) ||
    (opts.integer && !Number.isInteger(value)) ||
    (opts.exclusiveMin ? value <= opts.min : value < opts.min)
  ) {
    throw new TuningError(
      "TUNING_SETTING_INVALID",
      `algorithmSettings.${name}: ${algorithm} needs ${kind} ${bound}, got "${raw}"`,
    );
  }
  return value;
}

/**
 * The budget parameter named by `resource_name`: a numeric (int or double), unconditional
 * parameter of the space.
 */
export function resourceParameter(
  algorithm: string,
  settings: Readonly<Record<string, string>>,
  space: SearchSpace,
): ParameterSpec {
  const name = settings.resource_name;
  if (name === undefined || name === "") {
    throw new TuningError(
      "TUNING_SETTING_INVALID",
      `algorithmSettings.resource_name: ${algorithm} needs the name of the search-space parameter that holds each trial's budget (epochs, steps, samples)`,
    );
  }
  const p = space.parameters.find((q) => q.name === name);
  if (!p) {
    const names = space.parameters.map((q) => q.name).join(", ");
    throw new TuningError(
      "TUNING_SETTING_INVALID",
      `algorithmSettings.resource_name: "${name}" is not a parameter of the search space (${names}); add a parameter "${name}" of type int or double`,
    );
  }
  if (p.type !== "int" && p.type !== "double") {
    throw new TuningError(
      "TUNING_SETTING_INVALID",
      `algorithmSettings.resource_name: the budget parameter "${name}" is ${p.type}; make it int or double`,
    );
  }
  if (p.when) {
    throw new TuningError(
      "TUNING_SETTING_INVALID",
      `algorithmSettings.resource_name: the budget parameter "${name}" is conditional; every trial needs a budget, so drop its condition`,
    );
  }
  return p;
}

/** Throws for a multi-objective experiment: Hyperband and ASHA rank trials by one value. */
export function requireSingleObjective(algorithm: string, directions: readonly Goal[]): void {
  if (directions.length !== 1) {
    throw new TuningError(
      "TUNING_SPEC_INVALID",
      `spec.algorithm: ${algorithm} ranks trials by one objective, and this experiment has ${directions.length}; use nsga2, motpe, random, grid or sobol for several objectives`,
    );
  }
}

/** A trial's meta field as a number, or undefined. */
export function metaNumber(t: TrialObservation, key: string): number | undefined {
  const v = t.meta?.[key];
  return typeof v === "number" ? v : undefined;
}

/** True when a trial's objective value can rank it (SUCCEEDED or EARLY_STOPPED, with a value). */
export function isRanked(t: TrialObservation): boolean {
  return (OBSERVED_TRIAL_STATES as readonly string[]).includes(t.state) && typeof t.values?.[0] === "number";
}

/** `trials` that can be ranked, best first (ties: the earlier trial first). */
export function rankBest(trials: readonly TrialObservation[], goal: Goal): TrialObservation[] {
  const sign = goal === "maximize" ? -1 : 1;
  return trials
    .filter(isRanked)
    .sort((a, b) => sign * ((a.values?.[0] as number) - (b.values?.[0] as number)) || a.number - b.number);
}

/** The budget value as a parameter of `p`'s type: an int parameter takes the floor, as Katib does. */
export function resourceValue(p: ParameterSpec, r: number): number {
  // the products of powers of eta are exact for integers; the epsilon guards the divisions
  return p.type === "int" ? Math.floor(r + 1e-9) : Number(r.toPrecision(12));
}
