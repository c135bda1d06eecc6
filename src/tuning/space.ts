/**
 * The search space as samplers use it: which parameters are active for an assignment
 * (conditional parameters), the map of a numeric parameter to and from the unit interval
 * (through the log for the log distributions, snapped to the step, the integers or the
 * nearest discrete value on the way back), and a draw from a parameter's prior. Every
 * sampler goes through these, so `step`, `int`, the log scale and the clipping of normal
 * draws mean the same everywhere.
 */

import type { Rng } from "./rng.ts";
import type { Assignment, ParameterSpec, ParamValue, SearchSpace } from "./types.ts";

/** True for the numeric kinds (double, int, discrete), which have a unit-interval map. */
export function isNumeric(p: ParameterSpec): boolean {
  return p.type !== "categorical";
}

/** True when the parameter's distribution is on the log scale. */
export function isLog(p: ParameterSpec): boolean {
  return p.distribution === "logUniform" || p.distribution === "logNormal";
}

/** The bounds of a numeric parameter (a discrete one's are its least and greatest value). */
export function bounds(p: ParameterSpec): [number, number] {
  if (p.type === "discrete") {
    const v = p.values as readonly number[];
    return [v[0] as number, v[v.length - 1] as number];
  }
  return [p.min as number, p.max as number];
}

/** True when `p` exists for `params`: unconditional, or its parent is present with one of the values. */
export function isActive(p: ParameterSpec, params: Assignment): boolean {
  if (!p.when) return true;
  const parent = params[p.when.parameter];
  return parent !== undefined && p.when.values.includes(parent);
}

/** The parameters active for `params`, in declaration order. */
export function activeParameters(space: SearchSpace, params: Assignment): ParameterSpec[] {
  return space.parameters.filter((p) => isActive(p, params));
}

/** Maps a numeric value to [0, 1] (on the log scale for the log distributions). */
export function toUnit(p: ParameterSpec, value: number): number {
  const [lo, hi] = bounds(p);
  if (hi === lo) return 0.5;
  if (isLog(p)) return (Math.log(value) - Math.log(lo)) / (Math.log(hi) - Math.log(lo));
  return (value - lo) / (hi - lo);
}

/**
 * Maps u in [0, 1] (clipped) back to a legal value: the step grid from min, the integers
 * for int, the nearest listed value for discrete.
 */
export function fromUnit(p: ParameterSpec, u: number): number {
  const [lo, hi] = bounds(p);
  const t = Math.min(1, Math.max(0, u));
  let x = isLog(p) ? Math.exp(Math.log(lo) + t * (Math.log(hi) - Math.log(lo))) : lo + t * (hi - lo);
  if (p.type === "discrete") return nearest(p.values as readonly number[], x);
  const step = p.step ?? (p.type === "int" ? 1 : undefined);
  if (step !== undefined) {
    const k = Math.round((x - lo) / step);
    const kMax = Math.floor((hi - lo) / step + 1e-9);
    x = lo + Math.min(Math.max(k, 0), kMax) * step;
    if (p.type === "int") x = Math.round(x);
    else x = Number(x.toPrecision(15));
  }
  return Math.min(hi, Math.max(lo, x));
}

function nearest(values: readonly number[], x: number): number {
  let best = values[0] as number;
  for (const v of values) if (Math.abs(v - x) < Math.abs(best - x)) best = v;
  return best;
}

/**
 * The legal values of a parameter when there are finitely many (categorical, discrete,
 * int, a double with a step), else undefined. Used by grid search.
 */
export function finiteValues(p: ParameterSpec): ParamValue[] | undefined {
  if (p.values) return [...p.values];
  const step = p.step ?? (p.type === "int" ? 1 : undefined);
  if (step === undefined) return undefined;
  const [lo, hi] = bounds(p);
  const n = Math.floor((hi - lo) / step + 1e-9);
  const out: number[] = [];
  for (let k = 0; k <= n; k++)
    out.push(p.type === "int" ? Math.round(lo + k * step) : Number((lo + k * step).toPrecision(15)));
  return out;
}

/**
 * A draw from the parameter's prior: uniform (on the log scale for logUniform), normal
 * and logNormal centred in the range with the bounds at three standard deviations,
 * clipped; categorical uniformly.
 */
export function sampleValue(p: ParameterSpec, rng: Rng): ParamValue {
  // a discrete list drawn uniformly is uniform over its values, not over its span
  if (p.type === "categorical" || (p.type === "discrete" && p.distribution === "uniform")) {
    return rng.pick(p.values as readonly ParamValue[]);
  }
  if (p.distribution === "normal" || p.distribution === "logNormal") {
    return fromUnit(p, 0.5 + rng.normal() / 6);
  }
  return fromUnit(p, rng.next());
}

/** A draw from the prior of every parameter active for the values drawn before it. */
export function sampleAssignment(space: SearchSpace, rng: Rng): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const p of space.parameters) if (isActive(p, out)) out[p.name] = sampleValue(p, rng);
  return out;
}

/** The index of a categorical value (or a discrete one) in the parameter's list, or -1. */
export function valueIndex(p: ParameterSpec, value: ParamValue): number {
  return p.values ? p.values.indexOf(value) : -1;
}
