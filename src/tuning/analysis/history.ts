/**
 * Optimisation history: for each objective, the value of every observed trial in order of
 * trial number and the best value found so far (least for minimize, greatest for
 * maximize). Trials without a value of that objective (pending, running, failed,
 * canceled) are left out; their numbers are simply absent from the series.
 */

import { OBSERVED_TRIAL_STATES } from "../../ir/states.ts";
import type { Goal, TrialObservation } from "../types.ts";

export interface HistoryPoint {
  /** The trial's number. */
  readonly number: number;
  readonly value: number;
  /** The best value among this trial and every observed trial numbered before it. */
  readonly best: number;
  /** True when this trial set a new best. */
  readonly improved: boolean;
}

export interface ObjectiveHistory {
  readonly objective: number;
  readonly goal: Goal;
  readonly points: readonly HistoryPoint[];
}

/** The history of each objective (one entry per direction). */
export function optimisationHistory(
  directions: readonly Goal[],
  trials: readonly TrialObservation[],
): ObjectiveHistory[] {
  const observed = trials
    .filter((t) => (OBSERVED_TRIAL_STATES as readonly string[]).includes(t.state) && t.values !== undefined)
    .sort((a, b) => a.number - b.number);
  return directions.map((goal, objective) => {
    const points: HistoryPoint[] = [];
    let best: number | undefined;
    for (const t of observed) {
      const value = t.values?.[objective];
      if (value === undefined || !Number.isFinite(value)) continue;
      const improved = best === undefined || (goal === "maximize" ? value > best : value < best);
      if (improved) best = value;
      points.push({ number: t.number, value, best: best as number, improved });
    }
    return { objective, goal, points };
  });
}
