/**
 * The eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations, which is
 * all CMA-ES needs (the covariance of a search space has one row per parameter, so tens of
 * rows at most). Plain arrays, no dependencies.
 */

/** A square matrix as rows. */
export type Matrix = number[][];

/** `n` x `n` identity. */
export function identity(n: number): Matrix {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

/**
 * Eigenvalues and eigenvectors of the symmetric matrix `a` (not modified): `a = V diag(values) V^T`,
 * the eigenvectors are the columns of `vectors`.
 */
export function symmetricEigen(a: Matrix): { values: number[]; vectors: Matrix } {
  const n = a.length;
  const m = a.map((row) => [...row]);
  const v = identity(n);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += (m[p]![p] as number) ** 2;
      for (let q = p + 1; q < n; q++) off += (m[p]![q] as number) ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p]![q] as number;
        if (apq === 0) continue;
        const theta = ((m[q]![q] as number) - (m[p]![p] as number)) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const row = m[k]!;
          const kp = row[p] as number;
          const kq = row[q] as number;
          row[p] = c * kp - s * kq;
          row[q] = s * kp + c * kq;
        }
        const rowP = m[p]!;
        const rowQ = m[q]!;
        for (let k = 0; k < n; k++) {
          const pk = rowP[k] as number;
          const qk = rowQ[k] as number;
          rowP[k] = c * pk - s * qk;
          rowQ[k] = s * pk + c * qk;
        }
        for (let k = 0; k < n; k++) {
          const row = v[k]!;
          const kp = row[p] as number;
          const kq = row[q] as number;
          row[p] = c * kp - s * kq;
          row[q] = s * kp + c * kq;
        }
      }
    }
  }
  return { values: m.map((row, i) => row[i] as number), vectors: v };
}
