/**
 * Pareto utilities of multi-objective tuning: non-dominated sorting, crowding distance,
 * a history's Pareto front, the one best configuration of a front by a declared rule,
 * and hypervolume. Points are arrays of objective values to MINIMISE unless a function
 * takes the directions.
 */

import { OBSERVED_TRIAL_STATES } from "../ir/states.ts";
import { TuningError } from "./errors.ts";
import type { BestRule, Goal, ObjectiveMetric, TrialObservation } from "./types.ts";

/** True when a is no worse than b everywhere and better somewhere (minimisation). */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! > b[i]!) return false;
    if (a[i]! < b[i]!) better = true;
  }
  return better;
}

/**
 * The fronts of non-dominated sorting (Deb's fast sort): indices of `points`, the first
 * front being the non-dominated points; within a front, indices ascend.
 */
export function nonDominatedSort(points: readonly (readonly number[])[]): number[][] {
  const n = points.length;
  const dominatedBy = new Array<number>(n).fill(0);
  const dominating: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominates(points[i]!, points[j]!)) {
        dominating[i]!.push(j);
        dominatedBy[j]!++;
      } else if (dominates(points[j]!, points[i]!)) {
        dominating[j]!.push(i);
        dominatedBy[i]!++;
      }
    }
  }
  const fronts: number[][] = [];
  let current = [];
  for (let i = 0; i < n; i++) if (dominatedBy[i] === 0) current.push(i);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) {
      for (const j of dominating[i]!) {
        dominatedBy[j]!--;
        if (dominatedBy[j] === 0) next.push(j);
      }
    }
    next.sort((a, b) => a - b);
    current = next;
  }
  return fronts;
}

/**
 * The crowding distance of each point of one front (NSGA-II): the sum over objectives of
 * the normalised gap between its neighbours; the extremes of each objective get Infinity.
 */
export function crowdingDistance(points: readonly (readonly number[])[]): number[] {
  const n = points.length;
  const out = new Array<number>(n).fill(0);
  if (n === 0) return out;
  const m = points[0]!.length;
  for (let k = 0; k < m; k++) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => points[a]![k]! - points[b]![k]! || a - b);
    const lo = points[order[0]!]![k]!;
    const hi = points[order[n - 1]!]![k]!;
    out[order[0]!] = Number.POSITIVE_INFINITY;
    out[order[n - 1]!] = Number.POSITIVE_INFINITY;
    if (hi === lo) continue;
    for (let r = 1; r < n - 1; r++) {
      const i = order[r]!;
      out[i]! += (points[order[r + 1]!]![k]! - points[order[r - 1]!]![k]!) / (hi - lo);
    }
  }
  return out;
}

/** Objective values turned to minimisation. */
export function toMinimisation(values: readonly number[], directions: readonly Goal[]): number[] {
  return directions.map((d, i) => (d === "maximize" ? -values[i]! : values[i]!));
}

/**
 * The Pareto front of a history: the observed trials (SUCCEEDED, EARLY_STOPPED) with
 * values that no other such trial dominates, in trial order. Trials with equal values are
 * all kept.
 */
export function paretoFront(
  observations: readonly TrialObservation[],
  directions: readonly Goal[],
): TrialObservation[] {
  const observed = observations.filter(
    (t) =>
      (OBSERVED_TRIAL_STATES as readonly string[]).includes(t.state) &&
      t.values !== undefined &&
      t.values.length >= directions.length,
  );
  const points = observed.map((t) => toMinimisation(t.values!, directions));
  const front = nonDominatedSort(points)[0] ?? [];
  return front.map((i) => observed[i]!).sort((a, b) => a.number - b.number);
}

/**
 * The one best trial of a front (or of any set of observed trials) by `rule`:
 * `first`: best on the first objective; `weighted`: least weighted sum of the objectives,
 * each min-max normalised over the set and turned to minimisation (an objective without a
 * weight weighs 0); `lexicographic`: best on the first objective named, ties broken by the
 * next. Remaining ties go to the lowest trial number. Undefined for an empty set.
 */
export function chooseBest(
  front: readonly TrialObservation[],
  rule: BestRule,
  objectives: readonly ObjectiveMetric[],
): TrialObservation | undefined {
  const candidates = front.filter((t) => t.values !== undefined);
  if (candidates.length === 0) return undefined;
  const directions = objectives.map((o) => o.goal);
  const index = (name: string, field: string): number => {
    const i = objectives.findIndex((o) => o.name === name);
    if (i < 0) {
      throw new TuningError(
        "TUNING_SPEC_INVALID",
        `${field}: "${name}" is not an objective (the objectives are ${objectives.map((o) => o.name).join(", ")}); name one of them.`,
      );
    }
    return i;
  };
  const mins = candidates.map((t) => toMinimisation(t.values!, directions));
  if (rule.rule === "weighted") {
    const weights = objectives.map(() => 0);
    for (const [name, w] of Object.entries(rule.weights)) weights[index(name, `best.weights.${name}`)] = w;
    const lo = directions.map((_, k) => Math.min(...mins.map((v) => v[k]!)));
    const hi = directions.map((_, k) => Math.max(...mins.map((v) => v[k]!)));
    const score = mins.map((v) =>
      v.reduce((s, x, k) => s + weights[k]! * (hi[k]! > lo[k]! ? (x - lo[k]!) / (hi[k]! - lo[k]!) : 0), 0),
    );
    let best = 0;
    for (let i = 1; i < candidates.length; i++) {
      const better = score[i]! < score[best]!;
      if (better || (score[i] === score[best] && candidates[i]!.number < candidates[best]!.number)) best = i;
    }
    return candidates[best];
  }
  const keys = rule.rule === "first" ? [0] : rule.order.map((name, i) => index(name, `best.order[${i}]`));
  const sorted = candidates
    .map((_, i) => i)
    .sort((a, b) => {
      for (const k of keys) {
        const d = mins[a]![k]! - mins[b]![k]!;
        if (d !== 0) return d;
      }
      return candidates[a]!.number - candidates[b]!.number;
    });
  return candidates[sorted[0]!];
}

/**
 * The hypervolume dominated by `points` (minimisation) up to the reference point `ref`:
 * exact, by sweeping in 2-D and by slicing on the last objective above that (fine for the
 * small fronts of tests, the UI and MOTPE's split). Points not better than `ref` in every
 * objective add nothing.
 */
export function hypervolume(points: readonly (readonly number[])[], ref: readonly number[]): number {
  const inside = points.filter((p) => p.every((x, k) => x < ref[k]!));
  if (inside.length === 0) return 0;
  const m = ref.length;
  if (m === 1) return ref[0]! - Math.min(...inside.map((p) => p[0]!));
  if (m === 2) {
    const sorted = [...inside].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    let volume = 0;
    let yBound = ref[1]!;
    for (const p of sorted) {
      if (p[1]! < yBound) {
        volume += (ref[0]! - p[0]!) * (yBound - p[1]!);
        yBound = p[1]!;
      }
    }
    return volume;
  }
  const sorted = [...inside].sort((a, b) => a[m - 1]! - b[m - 1]!);
  let volume = 0;
  const subRef = ref.slice(0, m - 1);
  for (let i = 0; i < sorted.length; i++) {
    const top = i + 1 < sorted.length ? sorted[i + 1]![m - 1]! : ref[m - 1]!;
    const height = top - sorted[i]![m - 1]!;
    if (height <= 0) continue;
    volume +=
      height *
      hypervolume(
        sorted.slice(0, i + 1).map((p) => p.slice(0, m - 1)),
        subRef,
      );
  }
  return volume;
}
