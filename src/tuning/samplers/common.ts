/**
 * What the samplers share: checking `algorithmSettings`, the observed and the pending
 * trials of a history, objective values turned to minimisation, and the key of an
 * assignment (to tell points already used).
 */

import { OBSERVED_TRIAL_STATES, TERMINAL_TRIAL_STATES } from "../../ir/states.ts";
import { TuningError } from "../errors.ts";
import type { AlgorithmName, Assignment, Goal, SearchSpace, TrialObservation } from "../types.ts";

/** Labels of the samplers' random streams (`new Rng(seed, trialNumber, attempt, label)`). */
export const STREAM = {
  random: 1,
  grid: 2,
  sobol: 3,
  tpe: 4,
  nsga2: 5,
} as const;

/**
 * Throws TUNING_SETTING_INVALID for a setting `algorithm` does not know, naming it and
 * listing the known ones.
 */
export function checkSettingNames(
  algorithm: AlgorithmName,
  settings: Readonly<Record<string, string>>,
  known: readonly string[],
): void {
  for (const name of Object.keys(settings)) {
    if (!known.includes(name)) {
      const allowed = known.length > 0 ? `the settings it takes are ${known.join(", ")}` : "it takes no settings";
      throw new TuningError(
        "TUNING_SETTING_INVALID",
        `algorithmSettings.${name}: ${algorithm} has no setting "${name}"; ${allowed}. Remove or rename it.`,
      );
    }
  }
}

/** An integer setting within [min, max], or `fallback` when absent. */
export function intSetting(
  settings: Readonly<Record<string, string>>,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = settings[name];
  if (raw === undefined) return fallback;
  const v = Number(raw.trim());
  if (raw.trim() === "" || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new TuningError(
      "TUNING_SETTING_INVALID",
      `algorithmSettings.${name}: "${raw}" is not an integer ${range}; give one, e.g. "${fallback}".`,
    );
  }
  return v;
}

/** A number setting within [min, max], or `fallback` when absent. */
export function numberSetting(
  settings: Readonly<Record<string, string>>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = settings[name];
  if (raw === undefined) return fallback;
  const v = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(v) || v < min || v > max) {
    throw new TuningError(
      "TUNING_SETTING_INVALID",
      `algorithmSettings.${name}: "${raw}" is not a number from ${min} to ${max}; give one, e.g. "${fallback}".`,
    );
  }
  return v;
}

/** A boolean setting ("true" or "false"), or `fallback` when absent. */
export function boolSetting(settings: Readonly<Record<string, string>>, name: string, fallback: boolean): boolean {
  const raw = settings[name];
  if (raw === undefined) return fallback;
  const v = raw.trim().toLowerCase();
  if (v === "true") return true;
  if (v === "false") return false;
  throw new TuningError(
    "TUNING_SETTING_INVALID",
    `algorithmSettings.${name}: "${raw}" is not a boolean; give "true" or "false".`,
  );
}

/** One of `choices`, or `fallback` when absent. */
export function choiceSetting<T extends string>(
  settings: Readonly<Record<string, string>>,
  name: string,
  fallback: T,
  choices: readonly T[],
): T {
  const raw = settings[name];
  if (raw === undefined) return fallback;
  const v = raw.trim() as T;
  if (choices.includes(v)) return v;
  throw new TuningError(
    "TUNING_SETTING_INVALID",
    `algorithmSettings.${name}: "${raw}" is not one of ${choices.join(", ")}; give one of them.`,
  );
}

/** True for a trial whose values samplers learn from (SUCCEEDED or EARLY_STOPPED, with values). */
export function isObserved(t: TrialObservation, objectives: number): boolean {
  return (
    (OBSERVED_TRIAL_STATES as readonly string[]).includes(t.state) &&
    t.values !== undefined &&
    t.values.length >= objectives &&
    t.values.slice(0, objectives).every(Number.isFinite)
  );
}

/** True for a trial not yet ended (pending or running): its point is taken but has no value. */
export function isPending(t: TrialObservation): boolean {
  return !(TERMINAL_TRIAL_STATES as readonly string[]).includes(t.state);
}

/** A trial's objective values turned to minimisation (maximised ones negated). */
export function minimised(t: TrialObservation, directions: readonly Goal[]): number[] {
  const values = t.values as readonly number[];
  return directions.map((d, i) => (d === "maximize" ? -(values[i] as number) : (values[i] as number)));
}

/** A canonical key of an assignment (parameters in the space's order). */
export function assignmentKey(space: SearchSpace, params: Assignment): string {
  const parts: string[] = [];
  for (const p of space.parameters) {
    const v = params[p.name];
    if (v !== undefined) parts.push(`${JSON.stringify(p.name)}:${JSON.stringify(v)}`);
  }
  return parts.join(",");
}
