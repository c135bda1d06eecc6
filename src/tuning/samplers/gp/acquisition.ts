/**
 * Acquisition functions on the posterior (values standardised, to be minimised) and their
 * maximisation over the search space.
 *
 *   EI   log expected improvement over the best value seen, log(σ h(z)), z = (best − μ)/σ
 *   PI   log probability of improvement, log Φ(z)
 *   LCB  the negated lower confidence bound, κσ − μ (κ = 1.96, scikit-optimize's default)
 *
 * The maximiser scores random points of the cube and perturbations of the best points seen
 * (all canonicalized: snapped to legal values), then climbs from the best few along the
 * gradient over the continuous coordinates. Buffers are allocated once per call.
 */

import type { Rng } from "../../rng.ts";
import type { SpaceEncoding } from "./encoding.ts";
import type { Posterior } from "./model.ts";
import { logH, logNormCdf } from "./normal.ts";

export const ACQUISITIONS = ["EI", "PI", "LCB"] as const;
export type AcquisitionKind = (typeof ACQUISITIONS)[number];

export const LCB_KAPPA = 1.96;

export class Acquisition {
  private readonly mv = new Float64Array(2);
  private readonly lh = new Float64Array(2);
  private readonly gMean: Float64Array;
  private readonly gVar: Float64Array;

  constructor(
    readonly posterior: Posterior,
    readonly kind: AcquisitionKind,
    /** The least standardised value observed. */
    readonly best: number,
  ) {
    this.gMean = new Float64Array(posterior.dim);
    this.gVar = new Float64Array(posterior.dim);
  }

  /** The acquisition at row `row` of `pts` (greater is better). */
  value(pts: Float64Array, row: number): number {
    this.posterior.predict(pts, row, this.mv);
    return this.fromMoments(this.mv[0]!, this.mv[1]!);
  }

  /**
   * The acquisition at row `row` of `pts` when it can exceed `threshold`, else −∞: the
   * variance (the costly part) is computed only when the value with the prior's variance,
   * an upper bound for EI and LCB (and for PI where the mean is above the best), exceeds it.
   */
  valueAbove(pts: Float64Array, row: number, threshold: number): number {
    const post = this.posterior;
    const mean = post.mean(pts, row);
    if (this.kind !== "PI" || mean >= this.best) {
      if (this.fromMoments(mean, post.kp.amplitude) <= threshold) return Number.NEGATIVE_INFINITY;
    }
    return this.fromMoments(mean, post.varianceAfterMean());
  }

  private fromMoments(mean: number, variance: number): number {
    const sd = Math.sqrt(variance);
    if (this.kind === "LCB") return LCB_KAPPA * sd - mean;
    const z = (this.best - mean) / sd;
    if (this.kind === "PI") {
      logNormCdf(z, this.lh);
      return this.lh[0]!;
    }
    logH(z, this.lh);
    return Math.log(sd) + this.lh[0]!;
  }

  /** The acquisition at row `row` of `pts` and its gradient along the coordinates into `grad`. */
  valueAndGradient(pts: Float64Array, row: number, grad: Float64Array): number {
    const { mv, gMean, gVar } = this;
    this.posterior.predictWithGradient(pts, row, mv, gMean, gVar);
    const mean = mv[0]!;
    const variance = mv[1]!;
    const value = this.fromMoments(mean, variance);
    const sd = Math.sqrt(variance);
    const dim = grad.length;
    if (this.kind === "LCB") {
      // ∂σ = ∂var / (2σ)
      for (let d = 0; d < dim; d++) grad[d] = (LCB_KAPPA * gVar[d]!) / (2 * sd) - gMean[d]!;
      return value;
    }
    const z = (this.best - mean) / sd;
    // ∂z = −(∂μ + z ∂σ)/σ;  the slope of log h or log Φ at z was left in lh[1] by fromMoments
    const slope = this.lh[1]!;
    const ei = this.kind === "EI";
    for (let d = 0; d < dim; d++) {
      const dsd = gVar[d]! / (2 * sd);
      const dz = -(gMean[d]! + z * dsd) / sd;
      grad[d] = slope * dz + (ei ? dsd / sd : 0);
    }
    return value;
  }
}

export interface MaximizeOptions {
  /** Uniform random points of the cube. */
  readonly randomCandidates: number;
  /** Perturbations of the anchor points. */
  readonly localCandidates: number;
  /** How many of the best candidates are refined along the gradient (0: none). */
  readonly refineStarts: number;
  readonly refineIterations: number;
}

/**
 * The point (a row of length `enc.dim`) with the greatest acquisition found. `anchors` holds
 * rows (`anchorCount` of them) to perturb: the best points observed.
 */
export function maximizeAcquisition(
  acq: Acquisition,
  enc: SpaceEncoding,
  rng: Rng,
  anchors: Float64Array,
  anchorCount: number,
  opts: MaximizeOptions,
): Float64Array {
  const dim = enc.dim;
  const total = opts.randomCandidates + (anchorCount > 0 ? opts.localCandidates : 0);
  const pts = new Float64Array(total * dim);
  const scores = new Float64Array(total);
  let row = 0;
  for (let c = 0; c < opts.randomCandidates; c++, row++) {
    const o = row * dim;
    for (let d = 0; d < dim; d++) pts[o + d] = rng.next();
    enc.canonicalize(pts, row);
  }
  if (anchorCount > 0) {
    const pMove = Math.min(1, Math.max(0.2, 3 / dim));
    for (let c = 0; c < opts.localCandidates; c++, row++) {
      const o = row * dim;
      const a = (c % anchorCount) * dim;
      // scales from a fine polish to a wide jump, cycling
      const scale = LOCAL_SCALES[Math.floor(c / anchorCount) % LOCAL_SCALES.length]!;
      let moved = false;
      for (let d = 0; d < dim; d++) {
        let u = anchors[a + d]!;
        if (rng.next() < pMove) {
          u += scale * rng.normal();
          moved = true;
        }
        pts[o + d] = u;
      }
      if (!moved) {
        const d = rng.int(dim);
        pts[o + d] = pts[o + d]! + scale * rng.normal();
      }
      // a one-hot block moved by noise picks its largest coordinate
      enc.canonicalize(pts, row);
    }
  }
  // the perturbations first (they usually score best), then the random points, each scored
  // only if it can enter the best few kept so far
  const keep = Math.max(1, opts.refineStarts);
  const top = new Float64Array(keep).fill(Number.NEGATIVE_INFINITY);
  for (let k = 0; k < total; k++) {
    const r = (k + opts.randomCandidates) % total;
    const v = acq.valueAbove(pts, r, top[keep - 1]!);
    scores[r] = v;
    if (v > top[keep - 1]!) {
      let pos = keep - 1;
      while (pos > 0 && top[pos - 1]! < v) {
        top[pos] = top[pos - 1]!;
        pos--;
      }
      top[pos] = v;
    }
  }
  const starts = topIndices(scores, Math.min(opts.refineStarts, total));
  const bestRow = argmax(scores);
  let bestScore = scores[bestRow]!;
  const out = new Float64Array(dim);
  out.set(pts.subarray(bestRow * dim, bestRow * dim + dim));
  if (opts.refineIterations > 0 && starts.length > 0) {
    const x = new Float64Array(dim);
    const trial = new Float64Array(dim);
    const grad = new Float64Array(dim);
    for (const s of starts) {
      x.set(pts.subarray(s * dim, s * dim + dim));
      const v = climb(acq, enc, x, trial, grad, opts.refineIterations);
      if (v > bestScore) {
        bestScore = v;
        out.set(x);
      }
    }
  }
  return out;
}

const LOCAL_SCALES = [0.01, 0.05, 0.2] as const;

/**
 * Gradient ascent from `x` (updated) over the continuous coordinates: a step along the
 * gradient scaled so that the largest coordinate moves by `t`, doubled after a success and
 * quartered after a failure. Returns the value at the final `x`.
 */
function climb(
  acq: Acquisition,
  enc: SpaceEncoding,
  x: Float64Array,
  trial: Float64Array,
  grad: Float64Array,
  iterations: number,
): number {
  const dim = enc.dim;
  let fx = acq.valueAndGradient(x, 0, grad);
  let t = 0.02;
  for (let it = 0; it < iterations; it++) {
    let gmax = 0;
    for (let d = 0; d < dim; d++) {
      if (enc.continuous[d] !== 1) grad[d] = 0;
      else {
        // a coordinate at a bound pushed outward does not move
        const u = x[d]!;
        const g = grad[d]!;
        if ((u <= 0 && g < 0) || (u >= 1 && g > 0)) grad[d] = 0;
      }
      gmax = Math.max(gmax, Math.abs(grad[d]!));
    }
    if (!(gmax > 0) || !Number.isFinite(gmax)) break;
    let improved = false;
    for (let tries = 0; tries < 4; tries++) {
      for (let d = 0; d < dim; d++) trial[d] = x[d]! + (t * grad[d]!) / gmax;
      enc.canonicalize(trial, 0);
      const ft = acq.value(trial, 0);
      if (ft > fx) {
        x.set(trial);
        improved = true;
        break;
      }
      t *= 0.25;
    }
    if (!improved || t < 1e-7) break;
    t = Math.min(0.2, t * 2);
    fx = acq.valueAndGradient(x, 0, grad);
  }
  return fx;
}

function argmax(v: Float64Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/** The indices of the k greatest entries of `v`, greatest first (k small). */
function topIndices(v: Float64Array, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) continue;
    let pos = out.length;
    while (pos > 0 && v[out[pos - 1]!]! < x) pos--;
    if (pos < k) {
      out.splice(pos, 0, i);
      if (out.length > k) out.pop();
    }
  }
  return out;
}
