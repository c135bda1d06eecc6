import { describe, expect, it } from "vitest";
import { Rng } from "../../rng.ts";
import { Acquisition } from "./acquisition.ts";
import { kernelMatrix, kernelParams, kernelVector, kernelVectorGradient, setKernelParams } from "./kernel.ts";
import { cholesky, cholInverse, cholLogDet, cholSolve } from "./linalg.ts";
import { MarginalLikelihood, Posterior } from "./model.ts";
import { logH, logNormCdf, normCdf, normPdf } from "./normal.ts";

function randomPoints(rng: Rng, n: number, dim: number): Float64Array {
  return Float64Array.from({ length: n * dim }, () => rng.next());
}

function spdMatrix(rng: Rng, n: number): Float64Array {
  const b = Float64Array.from({ length: n * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += b[i * n + k]! * b[j * n + k]!;
      a[i * n + j] = s;
    }
  return a;
}

describe("linear algebra", () => {
  it("factors, solves and inverts a symmetric positive definite matrix", () => {
    const rng = new Rng(1);
    const n = 7;
    const a = spdMatrix(rng, n);
    const l = new Float64Array(n * n);
    expect(cholesky(a, n, l)).toBe(0);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += l[i * n + k]! * l[j * n + k]!;
        expect(s).toBeCloseTo(a[i * n + j]!, 9);
      }
    const b = Float64Array.from({ length: n }, () => rng.normal());
    const x = new Float64Array(n);
    cholSolve(l, n, b, x);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k]! * x[k]!;
      expect(s).toBeCloseTo(b[i]!, 9);
    }
    const inv = new Float64Array(n * n);
    cholInverse(l, n, inv, new Float64Array(n * n));
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k]! * inv[k * n + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
      }
    // log det of a diagonal matrix
    const d = Float64Array.from([4, 0, 0, 9]);
    const ld = new Float64Array(4);
    cholesky(d, 2, ld);
    expect(cholLogDet(ld, 2)).toBeCloseTo(Math.log(36), 12);
  });

  it("adds a jitter to a singular matrix instead of failing", () => {
    const n = 3;
    // two equal rows: rank 2
    const a = Float64Array.from([1, 1, 0, 1, 1, 0, 0, 0, 1]);
    const l = new Float64Array(n * n);
    const jitter = cholesky(a, n, l);
    expect(jitter).toBeGreaterThan(0);
    expect(jitter).toBeLessThan(1e-6);
    expect(l.every(Number.isFinite)).toBe(true);
  });
});

describe("normal tails", () => {
  it("matches the direct formulas where they are accurate and is continuous at the branch points", () => {
    const out = new Float64Array(2);
    for (const z of [-0.9, -0.5, 0, 0.7, 2, 5]) {
      logH(z, out);
      expect(out[0]).toBeCloseTo(Math.log(normPdf(z) + z * normCdf(z)), 10);
    }
    expect(normCdf(-3)).toBeCloseTo(0.0013498980316301, 14);
    expect(normCdf(1.5)).toBeCloseTo(0.9331927987311419, 14);
    for (const edge of [-1, -3]) {
      logH(edge - 1e-9, out);
      const below = out[0]!;
      logH(edge + 1e-9, out);
      expect(out[0]).toBeCloseTo(below, 7);
      logNormCdf(edge - 1e-9, out);
      const cBelow = out[0]!;
      logNormCdf(edge + 1e-9, out);
      expect(out[0]).toBeCloseTo(cBelow, 7);
    }
    // far tail: log h(z) ≈ −z²/2 − log(√(2π)) − 2 log|z|
    logH(-40, out);
    expect(out[0]).toBeCloseTo(-800 - 0.5 * Math.log(2 * Math.PI) - 2 * Math.log(40), 2);
  });

  it("has derivatives that match finite differences", () => {
    const out = new Float64Array(2);
    for (const z of [-30, -6, -2, -0.5, 0, 1.3, 4]) {
      for (const f of [logH, logNormCdf]) {
        f(z, out);
        const slope = out[1]!;
        f(z + 1e-6, out);
        const up = out[0]!;
        f(z - 1e-6, out);
        expect((up - out[0]!) / 2e-6).toBeCloseTo(slope, 4);
      }
    }
  });
});

describe("kernel and marginal likelihood gradients", () => {
  const dim = 3;
  const n = 12;
  const rng = new Rng(7);
  const x = randomPoints(rng, n, dim);
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(6 * x[i * dim]!) + x[i * dim + 1]! - 0.5);
  const theta = Float64Array.from([Math.log(0.3), Math.log(0.7), Math.log(1.5), Math.log(1.2), Math.log(1e-3)]);

  it("gives the negative log posterior's gradient in every hyperparameter", () => {
    const ml = new MarginalLikelihood(x, y, n, dim);
    const grad = new Float64Array(dim + 2);
    ml.value(theta, grad);
    const scratch = new Float64Array(dim + 2);
    for (let j = 0; j < dim + 2; j++) {
      const h = 1e-5;
      const up = Float64Array.from(theta);
      up[j] = up[j]! + h;
      const down = Float64Array.from(theta);
      down[j] = down[j]! - h;
      const fd = (ml.value(up, scratch) - ml.value(down, scratch)) / (2 * h);
      expect(grad[j]).toBeCloseTo(fd, 4);
    }
  });

  it("gives the kernel vector's gradient in the point's coordinates", () => {
    const kp = kernelParams(dim);
    setKernelParams(kp, theta);
    const z = Float64Array.from([0.4, 0.2, 0.9]);
    const c = Float64Array.from({ length: n }, () => rng.normal());
    const grad = new Float64Array(dim);
    kernelVectorGradient(x, n, z, 0, kp, c, grad);
    const kv = new Float64Array(n);
    const dot = (p: Float64Array) => {
      kernelVector(x, n, p, 0, kp, kv);
      return kv.reduce((s, v, i) => s + v * c[i]!, 0);
    };
    for (let d = 0; d < dim; d++) {
      const up = Float64Array.from(z);
      up[d] = up[d]! + 1e-6;
      const down = Float64Array.from(z);
      down[d] = down[d]! - 1e-6;
      expect(grad[d]).toBeCloseTo((dot(up) - dot(down)) / 2e-6, 5);
    }
    // the matrix's diagonal is the output scale plus the noise
    const k = new Float64Array(n * n);
    kernelMatrix(x, n, kp, 0.25, k);
    expect(k[0]).toBeCloseTo(kp.amplitude + 0.25, 12);
  });

  it("gives the acquisitions' gradients in the point's coordinates", () => {
    const post = new Posterior(x, y, n, dim, theta);
    let best = Number.POSITIVE_INFINITY;
    for (const v of y) best = Math.min(best, v);
    for (const kind of ["EI", "PI", "LCB"] as const) {
      const acq = new Acquisition(post, kind, best);
      for (const z of [
        [0.4, 0.2, 0.9],
        [0.05, 0.95, 0.5],
      ]) {
        const p = Float64Array.from(z);
        const grad = new Float64Array(dim);
        const v = acq.valueAndGradient(p, 0, grad);
        expect(v).toBeCloseTo(acq.value(p, 0), 12);
        for (let d = 0; d < dim; d++) {
          const up = Float64Array.from(p);
          up[d] = up[d]! + 1e-6;
          const down = Float64Array.from(p);
          down[d] = down[d]! - 1e-6;
          const fd = (acq.value(up, 0) - acq.value(down, 0)) / 2e-6;
          expect(grad[d]).toBeCloseTo(fd, 3);
        }
      }
    }
  });

  it("interpolates the data where the noise is small", () => {
    const post = new Posterior(x, y, n, dim, theta);
    const out = new Float64Array(2);
    for (let i = 0; i < n; i++) {
      post.predict(x, i, out);
      expect(out[0]).toBeCloseTo(y[i]!, 1);
      expect(out[1]).toBeLessThan(0.01);
    }
  });
});
