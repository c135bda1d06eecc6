/**
 * Parzen estimators of the tree-structured Parzen estimator (TPE), after Optuna's: a
 * weighted mixture with one component per observation plus a prior component. A numeric
 * dimension's components are normal distributions truncated to the dimension's range (in
 * unit coordinates, see unit.ts); a categorical dimension's are distributions over the
 * choices that put most mass on the observed choice. Univariate estimators set each
 * component's bandwidth from the distances to its neighbours and clip it ("magic clip");
 * the multivariate estimator uses Scott's rule, one bandwidth per dimension.
 */

import type { Rng } from "../rng.ts";
import { normalCdf } from "./normal.ts";

/** One dimension of an estimator: numeric over [lo, hi], or categorical with `choices` values. */
export type ParzenDim =
  | {
      readonly kind: "numeric";
      readonly lo: number;
      readonly hi: number;
      /**
       * The width of a value's cell where the values are a grid of cells centred on
       * `gridStart + k * step` (int, a step): draws snap to the centres and the density
       * of a centre is its cell's mass, as Optuna's discretised estimators.
       */
      readonly step?: number;
      readonly gridStart?: number;
    }
  | { readonly kind: "categorical"; readonly choices: number };

export interface ParzenOptions {
  readonly priorWeight: number;
  readonly considerEndpoints: boolean;
  readonly magicClip: boolean;
  readonly multivariate: boolean;
}

/** A fitted mixture. Component c of dimension d: mean/sd (numeric) or probabilities (categorical). */
export interface Parzen {
  readonly dims: readonly ParzenDim[];
  /** Mixture weights, summing to 1 (the prior component last). */
  readonly weights: Float64Array;
  readonly logWeights: Float64Array;
  readonly mus: (Float64Array | undefined)[];
  readonly sigmas: (Float64Array | undefined)[];
  /** log of the mass each truncated component has inside [lo, hi] (numeric dims). */
  readonly logMass: (Float64Array | undefined)[];
  /** log-probabilities by component, choices flattened (categorical dims). */
  readonly logProbs: (Float64Array | undefined)[];
  /** 1 / sigma, and the log of each truncated component's normalising factor (numeric dims). */
  readonly invSigmas: (Float64Array | undefined)[];
  readonly logNorms: (Float64Array | undefined)[];
  /** Work space of logPdfParzen. */
  readonly scratch: Float64Array;
}

const EPS = 1e-12;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** Optuna's default weights of observations in trial order: old ones ramp down once there are more than 25. */
export function defaultWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  const out: number[] = [];
  for (let i = 0; i < ramp; i++) out.push(ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1));
  for (let i = 0; i < 25; i++) out.push(1);
  return out;
}

/**
 * Fits an estimator to `points` (one row per observation; numeric coordinates in the
 * dimension's range, categorical ones as the choice's index) with observation weights.
 */
export function fitParzen(
  dims: readonly ParzenDim[],
  points: readonly (readonly number[])[],
  obsWeights: readonly number[],
  opts: ParzenOptions,
): Parzen {
  const n = points.length;
  const m = n + 1;
  const weights = new Float64Array(m);
  let total = 0;
  for (let i = 0; i < n; i++) {
    weights[i] = obsWeights[i]!;
    total += obsWeights[i]!;
  }
  weights[n] = opts.priorWeight;
  total += opts.priorWeight;
  const logWeights = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    weights[i]! /= total;
    logWeights[i] = Math.log(Math.max(weights[i]!, EPS));
  }
  const mus: (Float64Array | undefined)[] = [];
  const sigmas: (Float64Array | undefined)[] = [];
  const logMass: (Float64Array | undefined)[] = [];
  const logProbs: (Float64Array | undefined)[] = [];
  const invSigmas: (Float64Array | undefined)[] = [];
  const logNorms: (Float64Array | undefined)[] = [];
  dims.forEach((dim, d) => {
    if (dim.kind === "categorical") {
      const k = dim.choices;
      const probs = new Float64Array(m * k);
      // as Optuna's: each observation's row spreads prior_weight / (n + 1) over the choices
      // and adds 1 to the observed one
      const base = opts.priorWeight / (n + 1);
      for (let i = 0; i < n; i++) {
        const c = points[i]![d]!;
        for (let j = 0; j < k; j++) probs[i * k + j] = Math.log((base + (j === c ? 1 : 0)) / (base * k + 1));
      }
      for (let j = 0; j < k; j++) probs[n * k + j] = Math.log(1 / k);
      mus.push(undefined);
      sigmas.push(undefined);
      logMass.push(undefined);
      logProbs.push(probs);
      invSigmas.push(undefined);
      logNorms.push(undefined);
      return;
    }
    const { lo, hi } = dim;
    const range = hi - lo;
    const mu = new Float64Array(m);
    for (let i = 0; i < n; i++) mu[i] = points[i]![d]!;
    mu[n] = lo + range / 2;
    const sigma = new Float64Array(m);
    if (opts.multivariate) {
      const s = 0.2 * Math.max(n, 1) ** (-1 / (dims.length + 4)) * range;
      sigma.fill(s);
    } else {
      // the distances to the neighbours among the means (the prior's included)
      const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => mu[a]! - mu[b]! || a - b);
      for (let r = 0; r < m; r++) {
        const here = mu[order[r]!]!;
        const left = here - (r === 0 ? lo : mu[order[r - 1]!]!);
        const right = (r === m - 1 ? hi : mu[order[r + 1]!]!) - here;
        let s = Math.max(left, right);
        if (!opts.considerEndpoints && m > 1) {
          if (r === 0) s = right;
          else if (r === m - 1) s = left;
        }
        sigma[order[r]!] = s;
      }
    }
    const maxSigma = range;
    const minSigma = opts.magicClip ? range / Math.min(100, 1 + m) : EPS;
    for (let i = 0; i < m; i++) sigma[i] = Math.min(maxSigma, Math.max(minSigma, sigma[i]!));
    sigma[n] = range;
    const mass = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const p = normalCdf((hi - mu[i]!) / sigma[i]!) - normalCdf((lo - mu[i]!) / sigma[i]!);
      mass[i] = Math.log(Math.max(p, EPS));
    }
    const inv = new Float64Array(m);
    const norm = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      inv[i] = 1 / sigma[i]!;
      norm[i] = -Math.log(sigma[i]!) - LOG_SQRT_2PI - mass[i]!;
    }
    invSigmas.push(inv);
    logNorms.push(norm);
    mus.push(mu);
    sigmas.push(sigma);
    logMass.push(mass);
    logProbs.push(undefined);
  });
  return {
    dims,
    weights,
    logWeights,
    mus,
    sigmas,
    logMass,
    logProbs,
    invSigmas,
    logNorms,
    scratch: new Float64Array(m),
  };
}

/** Draws one component index by the mixture weights. */
function pickComponent(pz: Parzen, rng: Rng): number {
  let u = rng.next();
  const w = pz.weights;
  for (let i = 0; i < w.length; i++) {
    u -= w[i]!;
    if (u < 0) return i;
  }
  return w.length - 1;
}

function truncatedNormal(mu: number, sigma: number, lo: number, hi: number, rng: Rng): number {
  for (let tries = 0; tries < 64; tries++) {
    const x = mu + sigma * rng.normal();
    if (x >= lo && x <= hi) return x;
  }
  // far in a tail: the nearer bound
  return Math.min(hi, Math.max(lo, mu));
}

/** The centre of the grid cell `x` falls in (within [lo, hi]). */
function snap(dim: { lo: number; hi: number; step?: number; gridStart?: number }, x: number): number {
  const step = dim.step as number;
  const start = dim.gridStart ?? 0;
  const kMax = Math.floor((dim.hi - step / 2 - start) / step + 1e-9);
  const k = Math.min(kMax, Math.max(0, Math.round((x - start) / step)));
  return start + k * step;
}

/** `count` draws from the mixture (each a row of coordinates). */
export function sampleParzen(pz: Parzen, rng: Rng, count: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < count; s++) {
    const c = pickComponent(pz, rng);
    const row: number[] = [];
    pz.dims.forEach((dim, d) => {
      if (dim.kind === "categorical") {
        const k = dim.choices;
        const lp = pz.logProbs[d]!;
        let u = rng.next();
        let pick = k - 1;
        for (let j = 0; j < k; j++) {
          u -= Math.exp(lp[c * k + j]!);
          if (u < 0) {
            pick = j;
            break;
          }
        }
        row.push(pick);
      } else {
        const x = truncatedNormal(pz.mus[d]![c]!, pz.sigmas[d]![c]!, dim.lo, dim.hi, rng);
        row.push(dim.step === undefined ? x : snap(dim, x));
      }
    });
    out.push(row);
  }
  return out;
}

/** log density of the mixture at `x`. */
export function logPdfParzen(pz: Parzen, x: readonly number[]): number {
  const m = pz.weights.length;
  const terms = pz.scratch;
  terms.set(pz.logWeights);
  for (let d = 0; d < pz.dims.length; d++) {
    const dim = pz.dims[d]!;
    if (dim.kind === "categorical") {
      const k = dim.choices;
      const lp = pz.logProbs[d]!;
      const c = x[d]!;
      for (let i = 0; i < m; i++) terms[i]! += lp[i * k + c]!;
      continue;
    }
    const mu = pz.mus[d]!;
    const inv = pz.invSigmas[d]!;
    const norm = pz.logNorms[d]!;
    const v = x[d]!;
    if (dim.step !== undefined) {
      // the mass of v's cell
      const half = dim.step / 2;
      const mass = pz.logMass[d]!;
      for (let i = 0; i < m; i++) {
        const p = normalCdf((v + half - mu[i]!) * inv[i]!) - normalCdf((v - half - mu[i]!) * inv[i]!);
        terms[i]! += Math.log(Math.max(p, EPS)) - mass[i]!;
      }
      continue;
    }
    for (let i = 0; i < m; i++) {
      const z = (v - mu[i]!) * inv[i]!;
      terms[i]! += norm[i]! - 0.5 * z * z;
    }
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < m; i++) if (terms[i]! > max) max = terms[i]!;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (let i = 0; i < m; i++) sum += Math.exp(terms[i]! - max);
  return max + Math.log(sum);
}
