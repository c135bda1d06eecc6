/**
 * CMA-ES (Hansen's covariance matrix adaptation evolution strategy, with the negative
 * weights of active CMA) on the unit cube, as the `cmaes` library that Optuna's
 * CmaEsSampler runs on defines it: the default population `4 + floor(3 ln n)`, the
 * learning rates of Hansen's tutorial (2016), resampling of points outside the bounds
 * (then clipping), and the termination tests that IPOP and BIPOP restart on.
 *
 * States are immutable: `tell` returns a new state, so a state can be cached and a
 * history replayed into the same states every time.
 */

import type { Rng } from "../../rng.ts";
import { identity, type Matrix, symmetricEigen } from "./eigen.ts";

const EPS = 1e-8;
const SIGMA_MAX = 1e32;
const MAX_RESAMPLING = 100;

/** The constants of a run, fixed by the dimension and the population size. */
export interface CmaConstants {
  readonly n: number;
  readonly popsize: number;
  readonly mu: number;
  /** Recombination weights, positive for the best `mu`, negative for the rest. */
  readonly weights: readonly number[];
  readonly muEff: number;
  readonly c1: number;
  readonly cmu: number;
  readonly cSigma: number;
  readonly dSigma: number;
  readonly cc: number;
  readonly chiN: number;
  /** Generations whose best and worst values the flat-fitness test looks at. */
  readonly funhistTerm: number;
  readonly tolx: number;
}

export interface CmaState {
  readonly k: CmaConstants;
  readonly mean: readonly number[];
  readonly sigma: number;
  readonly cov: Matrix;
  /** Eigenvectors (columns) of `cov` and the square roots of its eigenvalues. */
  readonly b: Matrix;
  readonly d: readonly number[];
  readonly pSigma: readonly number[];
  readonly pc: readonly number[];
  /** Generations told so far. */
  readonly generation: number;
  /** Best and worst value of recent generations (flat-fitness test). */
  readonly funhist: readonly number[];
}

/** One evaluated point: its coordinates on the unit cube and its value (minimised). */
export interface Solution {
  readonly x: readonly number[];
  readonly value: number;
}

/** A fresh run centred at `mean` with step size `sigma` and the given population (default `4 + floor(3 ln n)`). */
export function createCma(mean: readonly number[], sigma: number, popsize?: number): CmaState {
  const n = mean.length;
  const lambda = popsize ?? defaultPopsize(n);
  const mu = Math.floor(lambda / 2);
  const prime = Array.from({ length: lambda }, (_, i) => Math.log((lambda + 1) / 2) - Math.log(i + 1));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const pos = prime.slice(0, mu);
  const neg = prime.slice(mu);
  const muEff = sum(pos) ** 2 / sum(pos.map((w) => w * w));
  const muEffMinus = neg.length > 0 ? sum(neg) ** 2 / sum(neg.map((w) => w * w)) : 0;
  const alphaCov = 2;
  const c1 = alphaCov / ((n + 1.3) ** 2 + muEff);
  const cmu = Math.min(1 - c1 - 1e-8, (alphaCov * (muEff - 2 + 1 / muEff)) / ((n + 2) ** 2 + (alphaCov * muEff) / 2));
  const minAlpha = Math.min(1 + c1 / cmu, 1 + (2 * muEffMinus) / (muEff + 2), (1 - c1 - cmu) / (n * cmu));
  const positiveSum = sum(prime.filter((w) => w > 0));
  const negativeSum = sum(prime.filter((w) => w < 0).map(Math.abs));
  const weights = prime.map((w) => (w >= 0 ? w / positiveSum : (minAlpha * w) / negativeSum));
  const cSigma = (muEff + 2) / (n + muEff + 5);
  const dSigma = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cSigma;
  const cc = (4 + muEff / n) / (n + 4 + (2 * muEff) / n);
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  const funhistTerm = 10 + Math.ceil((30 * n) / lambda);
  const k: CmaConstants = {
    n,
    popsize: lambda,
    mu,
    weights,
    muEff,
    c1,
    cmu,
    cSigma,
    dSigma,
    cc,
    chiN,
    funhistTerm,
    tolx: 1e-12 * sigma,
  };
  return {
    k,
    mean: [...mean],
    sigma,
    cov: identity(n),
    b: identity(n),
    d: Array(n).fill(1),
    pSigma: Array(n).fill(0),
    pc: Array(n).fill(0),
    generation: 0,
    funhist: Array(funhistTerm * 2).fill(0),
  };
}

/** The default population size of CMA-ES for `n` dimensions. */
export function defaultPopsize(n: number): number {
  return 4 + Math.floor(3 * Math.log(n));
}

/** One point drawn from the state's distribution, inside the unit cube (resampled, then clipped). */
export function ask(s: CmaState, rng: Rng): number[] {
  let x: number[] = [];
  for (let attempt = 0; attempt < MAX_RESAMPLING; attempt++) {
    x = sample(s, rng);
    if (x.every((v) => v >= 0 && v <= 1)) return x;
  }
  return x.map((v) => Math.min(1, Math.max(0, v)));
}

function sample(s: CmaState, rng: Rng): number[] {
  const { n } = s.k;
  const z = Array.from({ length: n }, (_, i) => (s.d[i] as number) * rng.normal());
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = s.b[i]!;
    let y = 0;
    for (let j = 0; j < n; j++) y += (row[j] as number) * (z[j] as number);
    out.push((s.mean[i] as number) + s.sigma * y);
  }
  return out;
}

/** The state after one generation of exactly `popsize` solutions. */
export function tell(s: CmaState, solutions: readonly Solution[]): CmaState {
  const k = s.k;
  const { n } = k;
  if (solutions.length !== k.popsize) {
    throw new Error(`CMA-ES tell: expected ${k.popsize} solutions, got ${solutions.length}`);
  }
  const g = s.generation + 1;
  const sorted = [...solutions].sort((a, b) => a.value - b.value);
  const funhist = [...s.funhist];
  const idx = 2 * (g % k.funhistTerm);
  funhist[idx] = sorted[0]!.value;
  funhist[idx + 1] = sorted[sorted.length - 1]!.value;

  const ys = sorted.map((sol) => sol.x.map((v, i) => (v - (s.mean[i] as number)) / s.sigma));
  const yw = Array(n).fill(0) as number[];
  for (let i = 0; i < k.mu; i++) {
    const w = k.weights[i] as number;
    const y = ys[i]!;
    for (let j = 0; j < n; j++) yw[j] = (yw[j] as number) + w * (y[j] as number);
  }
  const mean = s.mean.map((m, j) => m + s.sigma * (yw[j] as number));

  // C^(-1/2) = B diag(1/D) B^T
  const invSqrt = (v: readonly number[]): number[] => {
    const t: number[] = [];
    for (let a = 0; a < n; a++) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += (s.b[i]![a] as number) * (v[i] as number);
      t.push(acc / (s.d[a] as number));
    }
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let a = 0; a < n; a++) acc += (s.b[i]![a] as number) * (t[a] as number);
      out.push(acc);
    }
    return out;
  };

  const cInvYw = invSqrt(yw);
  const ps = Math.sqrt(k.cSigma * (2 - k.cSigma) * k.muEff);
  const pSigma = s.pSigma.map((p, j) => (1 - k.cSigma) * p + ps * (cInvYw[j] as number));
  const normPSigma = Math.hypot(...pSigma);
  const sigma = Math.min(s.sigma * Math.exp((k.cSigma / k.dSigma) * (normPSigma / k.chiN - 1)), SIGMA_MAX);

  const left = normPSigma / Math.sqrt(1 - (1 - k.cSigma) ** (2 * (g + 1)));
  const right = (1.4 + 2 / (n + 1)) * k.chiN;
  const hSigma = left < right ? 1 : 0;
  const pcCoef = hSigma * Math.sqrt(k.cc * (2 - k.cc) * k.muEff);
  const pc = s.pc.map((p, j) => (1 - k.cc) * p + pcCoef * (yw[j] as number));

  const wio = k.weights.map((w, i) => {
    if (w >= 0) return w;
    const c = invSqrt(ys[i]!);
    return (w * n) / (c.reduce((a, v) => a + v * v, 0) + EPS);
  });
  const deltaH = (1 - hSigma) * k.cc * (2 - k.cc);
  const weightSum = k.weights.reduce((a, w) => a + w, 0);
  const keep = 1 + k.c1 * deltaH - k.c1 - k.cmu * weightSum;
  const cov: Matrix = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) {
      let rankMu = 0;
      for (let m = 0; m < k.popsize; m++) rankMu += (wio[m] as number) * (ys[m]![i] as number) * (ys[m]![j] as number);
      row.push(keep * (s.cov[i]![j] as number) + k.c1 * (pc[i] as number) * (pc[j] as number) + k.cmu * rankMu);
    }
    cov.push(row);
  }
  const { cov: fixed, b, d } = decompose(cov);
  return { k, mean, sigma, cov: fixed, b, d, pSigma, pc, generation: g, funhist };
}

/** Symmetrises `cov`, floors its eigenvalues at a small positive number and returns it with B and D. */
function decompose(cov: Matrix): { cov: Matrix; b: Matrix; d: number[] } {
  const n = cov.length;
  const sym = cov.map((row, i) => row.map((v, j) => (v + (cov[j]![i] as number)) / 2));
  const { values, vectors } = symmetricEigen(sym);
  const d2 = values.map((v) => (v < 0 || !Number.isFinite(v) ? EPS : v));
  const fixed: Matrix = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let a = 0; a < n; a++) acc += (vectors[i]![a] as number) * (d2[a] as number) * (vectors[j]![a] as number);
      row.push(acc);
    }
    fixed.push(row);
  }
  return { cov: fixed, b: vectors, d: d2.map(Math.sqrt) };
}

/**
 * True when the run has degenerated, by the `cmaes` library's tests: flat fitness over
 * the recent generations, a step size too small in every coordinate, a step size blown
 * up, a coordinate or principal axis on which a step no longer moves the mean, or an
 * ill-conditioned covariance.
 */
export function shouldStop(s: CmaState): boolean {
  const k = s.k;
  const { n } = k;
  const dC = s.cov.map((row, i) => row[i] as number);
  if (s.generation > k.funhistTerm && Math.max(...s.funhist) - Math.min(...s.funhist) < 1e-12) return true;
  if (dC.every((c) => s.sigma * c < k.tolx) && s.pc.every((p) => s.sigma * p < k.tolx)) return true;
  const dMax = Math.max(...s.d);
  const dMin = Math.min(...s.d);
  if (s.sigma * dMax > 1e4) return true;
  if (s.mean.some((m, i) => m === m + 0.2 * s.sigma * Math.sqrt(dC[i] as number))) return true;
  const axis = s.generation % n;
  const da = s.d[axis] as number;
  if (s.mean.every((m, i) => m === m + 0.1 * s.sigma * da * (s.b[i]![axis] as number))) return true;
  if (dMax / dMin > 1e14) return true;
  return false;
}
