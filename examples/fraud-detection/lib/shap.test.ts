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
    // c enters additively and never interacts, so with the background mean of c = 0 it has a stable sign.
    expect(res.mean[2]).toBeCloseTo((res.values[2]! + res.values[5]!) / 2, 10);
    const md = shapMarkdown(res, "Test");
    expect(md).toMatch(/^# Test/);
    expect(md.split("\n").filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(3);
  });
});
