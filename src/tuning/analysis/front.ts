/**
 * The Pareto front of a multi-objective experiment's observed trials: those no other
 * observed trial dominates (at least as good on every objective, better on one).
 */

import { OBSERVED_TRIAL_STATES } from "../../ir/states.ts";
import type { Goal, TrialObservation } from "../types.ts";

/** The numbers of the non-dominated observed trials, ascending. */
export function paretoFrontNumbers(directions: readonly Goal[], trials: readonly TrialObservation[]): number[] {
  const pts = trials
    .filter(
      (t) =>
        (OBSERVED_TRIAL_STATES as readonly string[]).includes(t.state) &&
        t.values !== undefined &&
        directions.every((_, i) => Number.isFinite(t.values?.[i])),
    )
    .map((t) => ({
      number: t.number,
      loss: directions.map((g, i) => (g === "maximize" ? -1 : 1) * (t.values?.[i] as number)),
    }));
  const dominates = (a: readonly number[], b: readonly number[]): boolean => {
    let better = false;
    for (let i = 0; i < a.length; i++) {
      if ((a[i] as number) > (b[i] as number)) return false;
      if ((a[i] as number) < (b[i] as number)) better = true;
    }
    return better;
  };
  return pts
    .filter((p) => !pts.some((q) => q !== p && dominates(q.loss, p.loss)))
    .map((p) => p.number)
    .sort((a, b) => a - b);
}
