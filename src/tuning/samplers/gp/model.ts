/**
 * The Gaussian process: a zero-mean prior on standardised values with the Matérn 5/2 ARD
 * kernel and Gaussian noise, its hyperparameters fitted by maximum a posteriori (the log
 * marginal likelihood plus log priors, with the analytic gradient, minimised by L-BFGS), and
 * the posterior mean and variance at a point with their gradients.
 *
 * Hyperparameters θ (length dim + 2), all on the log scale:
 *   θ_0..θ_{dim−1}  log length scales ℓ_d   prior Gamma(3, 6) on ℓ (mode 1/3 of the unit cube)
 *   θ_dim           log output scale a      prior Gamma(2, 0.15) on a
 *   θ_{dim+1}       log noise variance σ²   prior Gamma(1.1, 0.05) on σ²
 * (the priors of BoTorch's classic single-task GP). Each prior Gamma(k, β) on v = e^θ gives
 * log p(θ) = k θ − β e^θ + const (the Jacobian included).
 */

import {
  addHyperGradient,
  type KernelParams,
  kernelMatrix,
  kernelParams,
  kernelVector,
  kernelVectorGradient,
  setKernelParams,
} from "./kernel.ts";
import { type LbfgsOptions, minimizeLbfgs } from "./lbfgs.ts";
import { cholesky, cholInverse, cholLogDet, cholSolve, solveLower, solveUpperT } from "./linalg.ts";

const PRIOR_LS = { k: 3, rate: 6 };
const PRIOR_AMP = { k: 2, rate: 0.15 };
const PRIOR_NOISE = { k: 1.1, rate: 0.05 };

export const LOG_LS_BOUNDS: readonly [number, number] = [Math.log(0.01), Math.log(20)];
export const LOG_AMP_BOUNDS: readonly [number, number] = [Math.log(0.01), Math.log(100)];
export const LOG_NOISE_BOUNDS: readonly [number, number] = [Math.log(1e-6), Math.log(1)];

/** The starting point of a fit without an earlier one: ℓ = 0.5, a = 1, σ² = 1e-3. */
export function defaultTheta(dim: number): Float64Array {
  const t = new Float64Array(dim + 2);
  t.fill(Math.log(0.5), 0, dim);
  t[dim] = 0;
  t[dim + 1] = Math.log(1e-3);
  return t;
}

function thetaBounds(dim: number): { lower: Float64Array; upper: Float64Array } {
  const lower = new Float64Array(dim + 2);
  const upper = new Float64Array(dim + 2);
  lower.fill(LOG_LS_BOUNDS[0], 0, dim);
  upper.fill(LOG_LS_BOUNDS[1], 0, dim);
  lower[dim] = LOG_AMP_BOUNDS[0];
  upper[dim] = LOG_AMP_BOUNDS[1];
  lower[dim + 1] = LOG_NOISE_BOUNDS[0];
  upper[dim + 1] = LOG_NOISE_BOUNDS[1];
  return { lower, upper };
}

/**
 * The negative log posterior of θ for points `x` (n × dim) and values `y`, with its
 * gradient; the buffers are allocated once per data set.
 */
export class MarginalLikelihood {
  private readonly kp: KernelParams;
  private readonly k: Float64Array;
  private readonly slope: Float64Array;
  private readonly l: Float64Array;
  private readonly inv: Float64Array;
  private readonly work: Float64Array;
  private readonly alpha: Float64Array;

  constructor(
    private readonly x: Float64Array,
    private readonly y: Float64Array,
    private readonly n: number,
    private readonly dim: number,
  ) {
    this.kp = kernelParams(dim);
    this.k = new Float64Array(n * n);
    this.slope = new Float64Array(n * n);
    this.l = new Float64Array(n * n);
    this.inv = new Float64Array(n * n);
    this.work = new Float64Array(n * n);
    this.alpha = new Float64Array(n);
  }

  /** −log p(θ | data) up to a constant; ∇ into `grad`. */
  readonly value = (theta: Float64Array, grad: Float64Array): number => {
    const { n, dim, kp, k, slope, l, inv, work, alpha, x, y } = this;
    setKernelParams(kp, theta);
    const noise = Math.exp(theta[dim + 1]!);
    kernelMatrix(x, n, kp, noise, k, slope);
    try {
      cholesky(k, n, l);
    } catch {
      return Number.POSITIVE_INFINITY;
    }
    cholSolve(l, n, y, alpha);
    let quad = 0;
    for (let i = 0; i < n; i++) quad += y[i]! * alpha[i]!;
    let nlp = 0.5 * quad + 0.5 * cholLogDet(l, n) + 0.5 * n * Math.log(2 * Math.PI);
    // W = α αᵀ − K⁻¹; −log p gradient is −½ tr(W ∂K/∂θ)
    cholInverse(l, n, inv, work);
    for (let i = 0; i < n; i++) {
      const ai = alpha[i]!;
      for (let j = 0; j < n; j++) inv[i * n + j] = ai * alpha[j]! - inv[i * n + j]!;
    }
    grad.fill(0);
    addHyperGradient(x, n, kp, inv, k, slope, grad);
    let trW = 0;
    for (let i = 0; i < n; i++) trW += inv[i * n + i]!;
    grad[dim + 1] = 0.5 * trW * noise;
    for (let j = 0; j <= dim; j++) grad[j] = -grad[j]!;
    grad[dim + 1] = -grad[dim + 1]!;
    // priors
    for (let d = 0; d < dim; d++) {
      const t = theta[d]!;
      nlp -= PRIOR_LS.k * t - PRIOR_LS.rate * Math.exp(t);
      grad[d] = grad[d]! - (PRIOR_LS.k - PRIOR_LS.rate * Math.exp(t));
    }
    const ta = theta[dim]!;
    nlp -= PRIOR_AMP.k * ta - PRIOR_AMP.rate * Math.exp(ta);
    grad[dim] = grad[dim]! - (PRIOR_AMP.k - PRIOR_AMP.rate * Math.exp(ta));
    const tn = theta[dim + 1]!;
    nlp -= PRIOR_NOISE.k * tn - PRIOR_NOISE.rate * Math.exp(tn);
    grad[dim + 1] = grad[dim + 1]! - (PRIOR_NOISE.k - PRIOR_NOISE.rate * Math.exp(tn));
    return nlp;
  };
}

/**
 * Fits θ by MAP from each start in `starts` (each updated in place) and returns the best
 * (a copy) with its value.
 */
export function fitHyperparameters(
  x: Float64Array,
  y: Float64Array,
  n: number,
  dim: number,
  starts: readonly Float64Array[],
  maxIterations: number,
): { theta: Float64Array; value: number } {
  const ml = new MarginalLikelihood(x, y, n, dim);
  const { lower, upper } = thetaBounds(dim);
  const opts: LbfgsOptions = { lower, upper, maxIterations, gradTolerance: 1e-4, fTolerance: 1e-9 };
  let best: Float64Array | undefined;
  let bestValue = Number.POSITIVE_INFINITY;
  for (const start of starts) {
    const v = minimizeLbfgs(ml.value, start, opts);
    if (v < bestValue || best === undefined) {
      bestValue = v;
      best = start;
    }
  }
  return { theta: Float64Array.from(best ?? defaultTheta(dim)), value: bestValue };
}

/**
 * The posterior given θ, points `x` (n × dim) and standardised values `y`: the mean and the
 * variance of the latent function (without the noise) at a point, and their gradients.
 */
export class Posterior {
  readonly kp: KernelParams;
  private readonly l: Float64Array;
  private readonly alpha: Float64Array;
  private readonly kv: Float64Array;
  private readonly v: Float64Array;
  private readonly gw: Float64Array;
  readonly noise: number;

  constructor(
    readonly x: Float64Array,
    y: Float64Array,
    readonly n: number,
    readonly dim: number,
    theta: Float64Array,
  ) {
    this.kp = kernelParams(dim);
    setKernelParams(this.kp, theta);
    this.noise = Math.exp(theta[dim + 1]!);
    const k = new Float64Array(n * n);
    kernelMatrix(x, n, this.kp, this.noise, k);
    this.l = new Float64Array(n * n);
    cholesky(k, n, this.l);
    this.alpha = new Float64Array(n);
    cholSolve(this.l, n, y, this.alpha);
    this.kv = new Float64Array(n);
    this.v = new Float64Array(n);
    this.gw = new Float64Array(dim);
  }

  /** Mean and variance at row `row` of `zs` into out[0], out[1]. */
  predict(zs: Float64Array, row: number, out: Float64Array): void {
    out[0] = this.mean(zs, row);
    out[1] = this.varianceAfterMean();
  }

  /** The mean at row `row` of `zs` (keeping k(X, z) for `varianceAfterMean`). */
  mean(zs: Float64Array, row: number): number {
    const { n, kv, alpha } = this;
    kernelVector(this.x, n, zs, row, this.kp, kv);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += kv[i]! * alpha[i]!;
    return mean;
  }

  /** The variance at the point of the last `mean` call. */
  varianceAfterMean(): number {
    const { n, kv, v, l } = this;
    solveLower(l, n, kv, v);
    let vv = 0;
    for (let i = 0; i < n; i++) vv += v[i]! * v[i]!;
    return Math.max(this.kp.amplitude - vv, 1e-12 * this.kp.amplitude);
  }

  /**
   * Mean and variance as `predict`, and their gradients along the point's coordinates into
   * `gMean` and `gVar` (length dim).
   */
  predictWithGradient(zs: Float64Array, row: number, out: Float64Array, gMean: Float64Array, gVar: Float64Array): void {
    const { n, v, l } = this;
    this.predict(zs, row, out);
    kernelVectorGradient(this.x, n, zs, row, this.kp, this.alpha, gMean);
    // ∂var = −2 (K⁻¹k)ᵀ ∂k
    solveUpperT(l, n, v, v);
    kernelVectorGradient(this.x, n, zs, row, this.kp, v, this.gw);
    const floor = 1e-12 * this.kp.amplitude;
    for (let d = 0; d < this.dim; d++) gVar[d] = out[1]! <= floor ? 0 : -2 * this.gw[d]!;
  }
}
