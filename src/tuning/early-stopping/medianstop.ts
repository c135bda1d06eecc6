/**
 * Katib's median stopping rule (pkg/earlystopping/v1beta1/medianstop/service.py and the
 * metrics collector that applies its rule), on the intermediate values of the first
 * objective:
 *
 * - For every SUCCEEDED trial (Katib leaves out early-stopped ones), the average of its
 *   first `start_step` reported values.
 * - With at least `min_trials_required` such trials, the threshold is the mean of those
 *   averages (Katib's service names it the median, and computes `sum / len`).
 * - A running trial is judged once, when it reports its `start_step`-th value: its best
 *   value so far (least when minimizing, greatest when maximizing) worse than the
 *   threshold stops it (strictly: equal lets it run). Katib's collector counts down
 *   `start_step` reports and then compares once; so does this rule.
 *
 * Katib fixes the threshold when a trial is created; here it is computed from the trials
 * finished when the trial reaches `start_step`, which only uses more of what is known.
 * Settings: `min_trials_required` (an integer > 0, default 3), `start_step` (an integer
 * >= 1, default 4).
 */

import { TuningError } from "../errors.ts";
import type { EarlyStopper, EarlyStopperFactory, Goal, TrialObservation } from "../types.ts";

const SETTINGS = ["min_trials_required", "start_step"] as const;

export interface MedianStopSettings {
  readonly minTrialsRequired: number;
  readonly startStep: number;
}

/** Parses and checks Katib's settings, naming `earlyStopping.algorithmSettings.<name>` on error. */
export function medianStopSettings(settings: Readonly<Record<string, string>>): MedianStopSettings {
  for (const name of Object.keys(settings)) {
    if (!(SETTINGS as readonly string[]).includes(name)) {
      throw new TuningError(
        "TUNING_SETTING_INVALID",
        `earlyStopping.algorithmSettings.${name}: medianstop has no setting "${name}"; its settings are ${SETTINGS.join(", ")}`,
      );
    }
  }
  const int = (name: string, fallback: number, min: number, what: string): number => {
    const raw = settings[name];
    if (raw === undefined) return fallback;
    const value = /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min) {
      throw new TuningError(
        "TUNING_SETTING_INVALID",
        `earlyStopping.algorithmSettings.${name}: "${raw}" is not ${what}; give an integer such as "${fallback}" (the default)`,
      );
    }
    return value;
  };
  return {
    minTrialsRequired: int("min_trials_required", 3, 1, "an integer greater than zero"),
    startStep: int("start_step", 4, 1, "an integer of at least one"),
  };
}

/** Four significant digits, for messages. */
function show(x: number): string {
  return String(Number(x.toPrecision(4)));
}

/** The rule for settings already checked (see {@link medianStopSettings}). */
export function medianStop({ minTrialsRequired, startStep }: MedianStopSettings): EarlyStopper {
  return {
    name: "medianstop",
    shouldStop(trial: TrialObservation, history: readonly TrialObservation[], directions: readonly Goal[]) {
      if (trial.intermediate.length !== startStep) return undefined;
      const averages: number[] = [];
      for (const t of history) {
        if (t.number === trial.number || t.state !== "SUCCEEDED" || t.intermediate.length === 0) continue;
        const first = t.intermediate.slice(0, startStep);
        averages.push(first.reduce((sum, o) => sum + o.value, 0) / first.length);
      }
      if (averages.length < minTrialsRequired) return undefined;
      const threshold = averages.reduce((sum, v) => sum + v, 0) / averages.length;
      const maximize = directions[0] === "maximize";
      const values = trial.intermediate.map((o) => o.value);
      const best = maximize ? Math.max(...values) : Math.min(...values);
      const worse = maximize ? best < threshold : best > threshold;
      if (!worse) return undefined;
      const step = trial.intermediate[startStep - 1]?.step;
      return (
        `at step ${step} the best value ${show(best)} is ${maximize ? "below" : "above"} the median ${show(threshold)} ` +
        `of ${averages.length} succeeded trials' averages over their first ${startStep} steps ` +
        `(Katib's median rule: the mean of those averages)`
      );
    },
  };
}

export const createMedianStopper: EarlyStopperFactory = (settings) => medianStop(medianStopSettings(settings));
