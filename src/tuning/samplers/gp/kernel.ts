/**
 * The Matérn 5/2 kernel with one length scale per dimension (ARD) and an output scale:
 *
 *   k(x, x') = a (1 + √5 r + 5r²/3) exp(−√5 r),   r² = Σ_d (x_d − x'_d)² / ℓ_d²
 *
 * Points are rows of a row-major `Float64Array` (n × dim). The hyperparameters are read on
 * the log scale (log ℓ_d, log a), which is what the fitting optimises. The derivatives
 * below avoid dividing by r, so they are finite where two points coincide.
 */

const SQRT5 = Math.sqrt(5);

/** The kernel's hyperparameters in the form the loops want: 1/ℓ_d² and a. */
export interface KernelParams {
  readonly dim: number;
  /** 1 / ℓ_d², one per dimension. */
  readonly invLs2: Float64Array;
  /** The output scale a. */
  amplitude: number;
}

export function kernelParams(dim: number): KernelParams {
  return { dim, invLs2: new Float64Array(dim), amplitude: 1 };
}

/** Sets `kp` from log length scales (the first `dim` entries of `theta`) and the log output scale after them. */
export function setKernelParams(kp: KernelParams, theta: Float64Array): void {
  for (let d = 0; d < kp.dim; d++) kp.invLs2[d] = Math.exp(-2 * theta[d]!);
  kp.amplitude = Math.exp(theta[kp.dim]!);
}

/** k as a function of the scaled squared distance r². */
export function maternFromR2(amplitude: number, r2: number): number {
  const r = Math.sqrt(r2);
  return amplitude * (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
}

/**
 * −(dk/dr)/r, as a function of r²: a (5/3)(1 + √5 r) exp(−√5 r). The derivative of k along a
 * coordinate is −this × Δ_d/ℓ_d², and along log ℓ_d it is this × Δ_d²/ℓ_d².
 */
export function maternSlope(amplitude: number, r2: number): number {
  const r = Math.sqrt(r2);
  return amplitude * (5 / 3) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
}

/** The scaled squared distance between row i of `a` and row j of `b`. */
export function scaledDist2(
  a: Float64Array,
  i: number,
  b: Float64Array,
  j: number,
  dim: number,
  invLs2: Float64Array,
): number {
  const oa = i * dim;
  const ob = j * dim;
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const t = a[oa + d]! - b[ob + d]!;
    s += t * t * invLs2[d]!;
  }
  return s;
}

/**
 * K(X, X) (n × n, both triangles) into `out`, with `diag` added to the diagonal; when `slope`
 * is given, `maternSlope` of each pair into it too (for `addHyperGradient`).
 */
export function kernelMatrix(
  x: Float64Array,
  n: number,
  kp: KernelParams,
  diag: number,
  out: Float64Array,
  slope?: Float64Array,
): void {
  const a = kp.amplitude;
  for (let i = 0; i < n; i++) {
    out[i * n + i] = a + diag;
    if (slope) slope[i * n + i] = a * (5 / 3);
    for (let j = 0; j < i; j++) {
      const r2 = scaledDist2(x, i, x, j, kp.dim, kp.invLs2);
      const r = Math.sqrt(r2);
      const e = a * Math.exp(-SQRT5 * r);
      const k = (1 + SQRT5 * r + (5 / 3) * r2) * e;
      out[i * n + j] = k;
      out[j * n + i] = k;
      if (slope) slope[i * n + j] = (5 / 3) * (1 + SQRT5 * r) * e;
    }
  }
}

/** k(X, z) for the point `z` (row `row` of `zs`) into `out` (length n). */
export function kernelVector(
  x: Float64Array,
  n: number,
  zs: Float64Array,
  row: number,
  kp: KernelParams,
  out: Float64Array,
): void {
  for (let i = 0; i < n; i++) out[i] = maternFromR2(kp.amplitude, scaledDist2(x, i, zs, row, kp.dim, kp.invLs2));
}

/**
 * Σ_i c_i ∂k(x_i, z)/∂z into `grad` (length dim), for the point `z` (row `row` of `zs`).
 * Used for the gradients of the posterior mean (c = α) and variance (c = K⁻¹k).
 */
export function kernelVectorGradient(
  x: Float64Array,
  n: number,
  zs: Float64Array,
  row: number,
  kp: KernelParams,
  c: Float64Array,
  grad: Float64Array,
): void {
  const dim = kp.dim;
  const oz = row * dim;
  grad.fill(0, 0, dim);
  for (let i = 0; i < n; i++) {
    const s = c[i]! * maternSlope(kp.amplitude, scaledDist2(x, i, zs, row, dim, kp.invLs2));
    const ox = i * dim;
    for (let d = 0; d < dim; d++) grad[d] = grad[d]! - s * (zs[oz + d]! - x[ox + d]!) * kp.invLs2[d]!;
  }
}

/**
 * ½ Σ_ij W_ij ∂K_ij/∂θ for θ = (log ℓ_1..log ℓ_dim, log a), added into `grad` (length dim+1).
 * `w` is symmetric (n × n); `kf` holds the kernel values without noise off the diagonal
 * and `slope` the `maternSlope` values in its lower triangle, both from `kernelMatrix`. The
 * diagonal of K does not depend on ℓ and is a, so it adds ½ Σ_i W_ii a to the output
 * scale's entry.
 */
export function addHyperGradient(
  x: Float64Array,
  n: number,
  kp: KernelParams,
  w: Float64Array,
  kf: Float64Array,
  slope: Float64Array,
  grad: Float64Array,
): void {
  const dim = kp.dim;
  let gAmp = 0;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    gAmp += 0.5 * w[ri + i]! * kp.amplitude;
    const oi = i * dim;
    for (let j = 0; j < i; j++) {
      const wij = w[ri + j]!;
      // both triangles: 2 × ½
      gAmp += wij * kf[ri + j]!;
      const s = wij * slope[ri + j]!;
      const oj = j * dim;
      for (let d = 0; d < dim; d++) {
        const t = x[oi + d]! - x[oj + d]!;
        grad[d] = grad[d]! + s * t * t * kp.invLs2[d]!;
      }
    }
  }
  grad[dim] = grad[dim]! + gAmp;
}
