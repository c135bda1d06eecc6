import { describe, expect, it } from "vitest";
import { permutationShap, shapMarkdown } from "./shap.ts";

const names = ["a", "b", "c"];

describe("permutationShap", () => {
  it("recovers exact Shapley values of a linear model: w_j * (x_j - background_j)", async () => {
    const w = [2, -1, 0.5];
    const linear = async (x: Float32Array) => {
      const out = new Float32Array(x.length / 3);
      for (let r = 0; r < out.length; r++) out[r] = w[0]! * x[r * 3]! + w[1]! * x[r * 3 + 1]! + w[2]! * x[r * 3 + 2]!;
      return out;
    };
    const rows = Float32Array.of(1, 2, 3, -1, 0, 4);
    const background = Float32Array.of(0, 0, 0);
    const res = await permutationShap(linear, names, rows, background, { permutations: 4, seed: 1 });
    expect(Array.from(res.values)).toEqual([2, -2, 1.5, -2, 0, 2]);
    expect(res.meanAbs).toEqual([2, 1, 1.75]);
  });

  it("satisfies efficiency for a non-linear model: values sum to f(x) minus the baseline", async () => {
    const f = async (x: Float32Array) => {
      const out = new Float32Array(x.length / 3);
      for (let r = 0; r < out.length; r++) {
        const [a, b, c] = [x[r * 3]!, x[r * 3 + 1]!, x[r * 3 + 2]!];
        out[r] = 1 / (1 + Math.exp(-(a * b + c)));
      }
      return out;
    };
    const rows = Float32Array.of(1, 2, -1, 0.5, -3, 2);
    const background = Float32Array.of(0, 0, 0, 1, 1, 1, -1, 0.5, 0);
    const res = await permutationShap(f, names, rows, background, { permutations: 8, seed: 9 });
    for (let r = 0; r < 2; r++) {
      const sum = res.values[r * 3]! + res.values[r * 3 + 1]! + res.values[r * 3 + 2]!;
      expect(sum).toBeCloseTo(res.predictions[r]! - res.baselines[r]!, 5);
    }
    const md = shapMarkdown(res, "Test");
    expect(md).toMatch(/^# Test/);
    expect(md.split("\n").filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(3);
  });

  it("gives a linear model its coefficients times (x - background mean), with an intercept and several background rows", async () => {
    const w = [1.5, -2, 0.25];
    const intercept = 0.7;
    const linear = async (x: Float32Array) => {
      const out = new Float32Array(x.length / 3);
      for (let r = 0; r < out.length; r++) {
        out[r] = intercept + w[0]! * x[r * 3]! + w[1]! * x[r * 3 + 1]! + w[2]! * x[r * 3 + 2]!;
      }
      return out;
    };
    const rows = Float32Array.of(3, 1, -4, -1, 2, 6);
    // background means: 1, 0.5, 2
    const background = Float32Array.of(0, 0, 1, 2, 1, 3, 1, -1, 2, 1, 2, 2);
    const mean = [1, 0.5, 2];
    const res = await permutationShap(linear, names, rows, background, { permutations: 4000, seed: 3 });
    const expected = [0, 1].flatMap((r) => w.map((wj, j) => wj * (rows[r * 3 + j]! - mean[j]!)));
    // each permutation draws one background row, so the mean is sampled: 4,000 draws put it within 0.05
    Array.from(res.values).forEach((v, i) => {
      expect(Math.abs(v - expected[i]!)).toBeLessThan(0.05 * Math.abs(w[i % 3]!) + 1e-6);
    });
    for (let j = 0; j < 3; j++) {
      const tol = 0.05 * Math.abs(w[j]!) + 1e-6;
      expect(Math.abs(res.mean[j]! - (expected[j]! + expected[j + 3]!) / 2)).toBeLessThan(tol);
      expect(Math.abs(res.meanAbs[j]! - (Math.abs(expected[j]!) + Math.abs(expected[j + 3]!)) / 2)).toBeLessThan(tol);
    }
    for (let r = 0; r < 2; r++) {
      const fx = intercept + w.reduce((acc, wj, j) => acc + wj * rows[r * 3 + j]!, 0);
      expect(res.predictions[r]).toBeCloseTo(fx, 4);
      // the background rows' mean prediction is intercept + w . mean = 1.7; their predictions
      // have a standard deviation of 2.1, so 4,000 draws put the sampled mean within 0.15
      expect(Math.abs(res.baselines[r]! - 1.7)).toBeLessThan(0.15);
    }
  });

  it("splits an interaction evenly and credits an additive feature alone, exactly, against one background row", async () => {
    // f = a * b + 3c; against background (ba, bb, bc) the Shapley values are
    // a: (a - ba)(b + bb) / 2, b: (b - bb)(a + ba) / 2, c: 3 (c - bc)
    const f = async (x: Float32Array) => {
      const out = new Float32Array(x.length / 3);
      for (let r = 0; r < out.length; r++) out[r] = x[r * 3]! * x[r * 3 + 1]! + 3 * x[r * 3 + 2]!;
      return out;
    };
    const [ba, bb, bc] = [1, 2, 0.5];
    const rows = Float32Array.of(3, -1, 2, 0.5, 4, -1);
    // one permutation and its reverse: a precedes b in exactly one of them
    const res = await permutationShap(f, names, rows, Float32Array.of(ba, bb, bc), { permutations: 2, seed: 5 });
    for (let r = 0; r < 2; r++) {
      const [a, b, c] = [rows[r * 3]!, rows[r * 3 + 1]!, rows[r * 3 + 2]!];
      expect(res.values[r * 3]).toBeCloseTo(((a - ba) * (b + bb)) / 2, 5);
      expect(res.values[r * 3 + 1]).toBeCloseTo(((b - bb) * (a + ba)) / 2, 5);
      expect(res.values[r * 3 + 2]).toBeCloseTo(3 * (c - bc), 5);
      expect(res.baselines[r]).toBeCloseTo(ba * bb + 3 * bc, 5);
    }
  });
});
