/**
 * The search space's shared maps: every sampler's values pass through them, so the step
 * grid, the integers, the log scale, discrete snapping, conditions and prior draws are
 * checked once here.
 */
import { describe, expect, it } from "vitest";
import { Rng } from "./rng.ts";
import { finiteValues, fromUnit, isActive, sampleAssignment, sampleValue, toUnit } from "./space.ts";
import type { ParameterSpec, SearchSpace } from "./types.ts";

const double = (min: number, max: number, extra: Partial<ParameterSpec> = {}): ParameterSpec => ({
  name: "x",
  type: "double",
  min,
  max,
  distribution: "uniform",
  ...extra,
});

describe("the search space's maps", () => {
  it("snap to the step grid from min, the integers, and the nearest discrete value", () => {
    expect(fromUnit(double(0, 1, { step: 0.25 }), 0.6)).toBe(0.5);
    expect(fromUnit(double(0.1, 0.9, { step: 0.2 }), 1)).toBe(0.9);
    expect(fromUnit({ name: "n", type: "int", min: 2, max: 9, distribution: "uniform" }, 0.5)).toBe(6);
    const d: ParameterSpec = { name: "b", type: "discrete", values: [16, 32, 128], distribution: "uniform" };
    expect(fromUnit(d, toUnit(d, 100))).toBe(128);
    expect(finiteValues(double(0, 1, { step: 0.25 }))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(finiteValues(double(0, 1))).toBeUndefined();
  });

  it("map the log distributions through the log", () => {
    const p = double(1e-4, 1e-1, { distribution: "logUniform" });
    expect(toUnit(p, 1e-2)).toBeCloseTo(2 / 3, 12);
    expect(fromUnit(p, 1 / 3)).toBeCloseTo(1e-3, 12);
  });

  it("draw a discrete parameter's values equally often, whatever their spacing", () => {
    const p: ParameterSpec = { name: "b", type: "discrete", values: [128, 256, 512, 1024], distribution: "uniform" };
    const rng = new Rng(3);
    const counts = new Map<number, number>();
    for (let i = 0; i < 4000; i++) {
      const v = sampleValue(p, rng) as number;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    for (const v of [128, 256, 512, 1024]) expect(counts.get(v)).toBeGreaterThan(850);
  });

  it("keep normal draws inside the bounds and leave an inactive conditional parameter out", () => {
    const space: SearchSpace = {
      parameters: [
        { name: "opt", type: "categorical", values: ["adam", "sgd"], distribution: "uniform" },
        {
          ...double(0, 0.99, { distribution: "normal" }),
          name: "momentum",
          when: { parameter: "opt", values: ["sgd"] },
        },
      ],
    };
    const rng = new Rng(1);
    for (let i = 0; i < 500; i++) {
      const a = sampleAssignment(space, rng);
      const momentum = space.parameters[1] as ParameterSpec;
      expect("momentum" in a).toBe(a.opt === "sgd");
      expect(isActive(momentum, a)).toBe(a.opt === "sgd");
      if (a.momentum !== undefined) expect(a.momentum).toBeGreaterThanOrEqual(0);
      if (a.momentum !== undefined) expect(a.momentum).toBeLessThanOrEqual(0.99);
    }
  });
});
