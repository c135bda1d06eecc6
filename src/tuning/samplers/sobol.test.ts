import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import type { SearchSpace } from "../types.ts";
import { createSobolSampler, directionNumbers, SOBOL_MAX_DIMENSIONS, sobolPoint } from "./sobol.ts";

const unitSpace = (dims: number): SearchSpace => ({
  parameters: Array.from({ length: dims }, (_, i) => ({
    name: `x${i}`,
    type: "double" as const,
    min: 0,
    max: 1,
    distribution: "uniform" as const,
  })),
});

function points(dims: number, count: number, seed: number, settings: Record<string, string> = {}): number[][] {
  const space = unitSpace(dims);
  const sampler = createSobolSampler({ settings, space, directions: ["minimize"] });
  const out: number[][] = [];
  for (let n = 0; n < count; n++) {
    const s = sampler.suggest({ space, directions: ["minimize"], history: [], seed, trialNumber: n, attempt: 0 });
    if (s.kind !== "trial") throw new Error("no trial");
    out.push(space.parameters.map((p) => s.params[p.name] as number));
  }
  return out;
}

describe("sobol", () => {
  it("starts the unscrambled sequence as Sobol's (Joe-Kuo direction numbers)", () => {
    const v = directionNumbers(3);
    const firsts = [1, 2, 3, 4].map((i) => sobolPoint(v, undefined, i).map((x) => Math.round(x * 8) / 8));
    expect(firsts).toEqual([
      [0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25],
      [0.25, 0.75, 0.75],
      [0.375, 0.375, 0.625],
    ]);
  });

  it("covers every one of 2^k cells of every dimension exactly once in the first 2^k points (21 dimensions)", () => {
    expect(SOBOL_MAX_DIMENSIONS).toBeGreaterThanOrEqual(21);
    const pts = points(21, 64, 3);
    for (let d = 0; d < 21; d++) {
      const cells = new Set(pts.map((p) => Math.floor(p[d]! * 64)));
      expect(cells.size, `dimension ${d}`).toBe(64);
    }
    // and the first two dimensions (a (0, 2)-sequence) fill the 8 x 8 grid
    const cells = new Set(pts.map((p) => `${Math.floor(p[0]! * 8)},${Math.floor(p[1]! * 8)}`));
    expect(cells.size).toBe(64);
  });

  it("is deterministic per seed and scrambled differently for another seed", () => {
    expect(points(4, 16, 1)).toEqual(points(4, 16, 1));
    expect(points(4, 16, 1)).not.toEqual(points(4, 16, 2));
    const [x, y] = points(2, 4, 0, { scramble: "false" })[0]!;
    expect(x).toBeCloseTo(0.5, 8);
    expect(y).toBeCloseTo(0.5, 8);
  });

  it("spreads int and categorical parameters evenly over their values", () => {
    const space: SearchSpace = {
      parameters: [
        { name: "k", type: "int", min: 1, max: 4, distribution: "uniform" },
        { name: "c", type: "categorical", values: ["a", "b", "c", "d"], distribution: "uniform" },
      ],
    };
    const sampler = createSobolSampler({ settings: {}, space, directions: ["minimize"] });
    const counts = new Map<string, number>();
    for (let n = 0; n < 64; n++) {
      const s = sampler.suggest({ space, directions: ["minimize"], history: [], seed: 9, trialNumber: n, attempt: 0 });
      if (s.kind !== "trial") throw new Error("no trial");
      for (const key of [`k${s.params.k}`, `c${s.params.c}`]) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual(new Array(8).fill(16));
  });

  it("refuses more parameters than it has direction numbers for", () => {
    expect(() =>
      createSobolSampler({ settings: {}, space: unitSpace(SOBOL_MAX_DIMENSIONS + 1), directions: ["minimize"] }),
    ).toThrow(/sobol takes at most 31 parameters/);
    expect(new Rng(1).next()).toBeTypeOf("number");
  });
});
