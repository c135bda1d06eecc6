/**
 * Dense linear algebra for the Gaussian process: the Cholesky factor of a symmetric positive
 * definite matrix (with a growing jitter on the diagonal when rounding makes it indefinite),
 * triangular solves and the inverse from the factor. Matrices are row-major `Float64Array`s
 * of n × n; every function writes into buffers the caller owns, so nothing is allocated in
 * the loops that call them.
 */

/**
 * The lower Cholesky factor of `a` (n × n, only its lower triangle is read) into `l`,
 * adding `jitter` to the diagonal first. Returns false when a pivot is not positive.
 */
export function choleskyInto(a: Float64Array, n: number, l: Float64Array, jitter = 0): boolean {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j]!;
      if (i === j) s += jitter;
      for (let k = 0; k < j; k++) s -= l[ri + k]! * l[rj + k]!;
      if (i === j) {
        if (!(s > 0)) return false;
        l[ri + i] = Math.sqrt(s);
      } else {
        l[ri + j] = s / l[rj + j]!;
      }
    }
    for (let j = i + 1; j < n; j++) l[ri + j] = 0;
  }
  return true;
}

/**
 * The Cholesky factor of `a` into `l`, retrying with a jitter of 1e-10, 1e-9, ... times the
 * mean diagonal until it succeeds. Returns the jitter added (0 when none was needed).
 */
export function cholesky(a: Float64Array, n: number, l: Float64Array): number {
  if (choleskyInto(a, n, l, 0)) return 0;
  let diag = 0;
  for (let i = 0; i < n; i++) diag += Math.abs(a[i * n + i]!);
  diag = n > 0 ? diag / n : 1;
  for (let e = -10; e <= 0; e++) {
    const jitter = diag * 10 ** e;
    if (choleskyInto(a, n, l, jitter)) return jitter;
  }
  throw new Error("the kernel matrix is not positive definite even with a jitter of its mean diagonal");
}

/** Solves L x = b (L lower triangular) into `x` (which may be `b`). */
export function solveLower(l: Float64Array, n: number, b: Float64Array, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[ri + k]! * x[k]!;
    x[i] = s / l[ri + i]!;
  }
}

/** Solves Lᵀ x = b (L lower triangular) into `x` (which may be `b`). */
export function solveUpperT(l: Float64Array, n: number, b: Float64Array, x: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
}

/** Solves (L Lᵀ) x = b into `x` (which may be `b`). */
export function cholSolve(l: Float64Array, n: number, b: Float64Array, x: Float64Array): void {
  solveLower(l, n, b, x);
  solveUpperT(l, n, x, x);
}

/** log det(L Lᵀ) = 2 Σ log L_ii. */
export function cholLogDet(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]!);
  return 2 * s;
}

/**
 * (L Lᵀ)⁻¹ into `out` (n × n, full), through the transpose of L⁻¹ written into `work`
 * (n × n, rows contiguous for both passes): about n³/3 multiply-adds.
 */
export function cholInverse(l: Float64Array, n: number, out: Float64Array, work: Float64Array): void {
  // row j of work holds column j of L⁻¹ (nonzero from entry j on): L u = e_j by forward substitution
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    for (let i = 0; i < j; i++) work[rj + i] = 0;
    work[rj + j] = 1 / l[j * n + j]!;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let k = j; k < i; k++) s -= l[ri + k]! * work[rj + k]!;
      work[rj + i] = s / l[ri + i]!;
    }
  }
  // out_ij = Σ_k (L⁻¹)_ki (L⁻¹)_kj = Σ_{k ≥ max(i,j)} work_ik work_jk
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = i; k < n; k++) s += work[ri + k]! * work[rj + k]!;
      out[ri + j] = s;
      out[rj + i] = s;
    }
  }
}
