/**
 * CMA-ES with margin (Hamano et al., GECCO 2022; the `cmaes` library's CMAwM, Optuna's
 * `with_margin`): for a dimension with finitely many values, a sample is encoded to the
 * value whose cell (between the midpoints of neighbouring values) it falls in, after a
 * per-dimension scaling `a` around the mean; after each update the mean and `a` are
 * corrected so that the probability of leaving the mean's cell stays at least `margin`
 * on each side, so the search cannot fix such a parameter for good too early.
 * The distribution is told the raw samples, not the encoded values.
 */

import type { Rng } from "../../rng.ts";
import { normalCdf, normalQuantile } from "../normal.ts";
import { type CmaState, type Solution, tell } from "./optimizer.ts";

const MAX_RESAMPLING = 100;

/** The dimensions with finitely many values: their index and their values on the unit interval, ascending. */
export interface Grid {
  readonly index: number;
  readonly values: readonly number[];
  /** Midpoints of neighbouring values. */
  readonly limits: readonly number[];
}

export function grid(index: number, values: readonly number[]): Grid {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  return { index, values: sorted, limits: sorted.slice(1).map((v, i) => (v + (sorted[i] as number)) / 2) };
}

/** CMA-ES state with the scaling of the dimensions with a grid (1 elsewhere). */
export interface MarginState {
  readonly cma: CmaState;
  readonly a: readonly number[];
}

export function withMargin(cma: CmaState): MarginState {
  return { cma, a: Array(cma.k.n).fill(1) };
}

/** Optuna's margin: 1 / (n * popsize). */
export function defaultMargin(cma: CmaState): number {
  return 1 / (cma.k.n * cma.k.popsize);
}

/** Number of `limits` below `x` (numpy's searchsorted, side left). */
function cell(limits: readonly number[], x: number): number {
  let i = 0;
  while (i < limits.length && (limits[i] as number) < x) i++;
  return i;
}

/**
 * One sample: `raw` for telling, `encoded` for the trial (grid dimensions on their values,
 * the others resampled into [0, 1], then clipped).
 */
export function askWithMargin(s: MarginState, grids: readonly Grid[], rng: Rng): { raw: number[]; encoded: number[] } {
  const gridded = new Set(grids.map((g) => g.index));
  const feasible = (x: number[]) => x.every((v, i) => gridded.has(i) || (v >= 0 && v <= 1));
  let raw = sampleRaw(s.cma, rng);
  for (let attempt = 1; attempt < MAX_RESAMPLING && !feasible(raw); attempt++) raw = sampleRaw(s.cma, rng);
  if (!feasible(raw)) raw = raw.map((v, i) => (gridded.has(i) ? v : Math.min(1, Math.max(0, v))));
  const encoded = [...raw];
  for (const g of grids) {
    const m = s.cma.mean[g.index] as number;
    const x = ((raw[g.index] as number) - m) * (s.a[g.index] as number) + m;
    encoded[g.index] = g.values[cell(g.limits, x)] as number;
  }
  return { raw, encoded };
}

function sampleRaw(s: CmaState, rng: Rng): number[] {
  const { n } = s.k;
  const z = Array.from({ length: n }, (_, i) => (s.d[i] as number) * rng.normal());
  return s.mean.map((m, i) => {
    let y = 0;
    for (let j = 0; j < n; j++) y += (s.b[i]![j] as number) * (z[j] as number);
    return m + s.sigma * y;
  });
}

/** The state after one generation told with raw samples, the margin corrected on every grid dimension. */
export function tellWithMargin(
  s: MarginState,
  grids: readonly Grid[],
  solutions: readonly Solution[],
  margin: number,
): MarginState {
  const cma = tell(s.cma, solutions);
  const mean = [...cma.mean];
  const a = [...s.a];
  const sigma = cma.sigma;
  for (const g of grids) {
    const L = g.limits.length;
    if (L === 0) continue;
    const i = g.index;
    const m = mean[i] as number;
    const pos = cell(g.limits, m);
    const low = g.limits[Math.min(Math.max(pos - 1, 0), L - 1)] as number;
    const up = g.limits[Math.min(pos, L - 1)] as number;
    const sd = Math.sqrt(cma.cov[i]![i] as number);
    const scale = sigma * (a[i] as number) * sd;
    const lowCdf = normalCdf((low - m) / scale);
    const upCdf = 1 - normalCdf((up - m) / scale);
    const midCdf = 1 - (lowCdf + upCdf);
    if (Math.max(lowCdf, upCdf) > 0.5) {
      // the mean sits in an end cell (or the distribution is far off centre): keep `margin` beyond the nearest limit
      if (Math.min(lowCdf, upCdf) < margin) {
        const dist = sigma * (a[i] as number) * sd * -normalQuantile(margin);
        mean[i] = up + Math.sign(m - up) * dist;
      }
      continue;
    }
    const lc = Math.max(lowCdf, margin / 2);
    const uc = Math.max(upCdf, margin / 2);
    const excess = 1 - lc - uc - midCdf;
    const denom = lc + midCdf + uc - (3 * margin) / 2;
    const clip = (p: number) => Math.min(0.5 - 1e-10, Math.max(1e-10, p));
    const modLow = clip(lc + (excess * (lc - margin / 2)) / denom);
    const modUp = clip(uc + (excess * (uc - margin / 2)) / denom);
    const chiLow = -normalQuantile(modLow);
    const chiUp = -normalQuantile(modUp);
    a[i] = (up - low) / ((chiLow + chiUp) * sigma * sd);
    mean[i] = (low * chiUp + up * chiLow) / (chiLow + chiUp);
  }
  return { cma: { ...cma, mean }, a };
}
