/**
 * The tuning benchmark's machinery at a tiny size (2 seeds x 15 trials): a row per function
 * and sampler this checkout has, with the statistics filled in. Nothing is timed.
 */
import { describe, expect, it } from "vitest";
import { branin, FUNCTIONS, hartmann6 } from "../../bench/tuning/functions.ts";
import { BENCH_SAMPLERS, benchTuning, loadSamplers, quantile } from "../../bench/tuning/harness.ts";

describe("tuning benchmark", () => {
  it("knows the optima of its test functions", () => {
    for (const x1 of [-Math.PI, Math.PI]) {
      expect(branin.evaluate({ x1, x2: x1 < 0 ? 12.275 : 2.275 })).toBeCloseTo(branin.optimum, 5);
    }
    const argmin = [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573];
    expect(hartmann6.evaluate(Object.fromEntries(argmin.map((v, i) => [`x${i + 1}`, v])))).toBeCloseTo(
      hartmann6.optimum,
      4,
    );
  });

  it("produces a row per function and sampler, with the random baseline and CMA-ES always there", async () => {
    const { loaded, missing } = await loadSamplers();
    expect([...loaded.map((s) => s.name), ...missing].sort()).toEqual([...BENCH_SAMPLERS].sort());
    expect(loaded.map((s) => s.name)).toEqual(expect.arrayContaining(["random", "cmaes"]));
    const rows = benchTuning({ functions: FUNCTIONS, samplers: loaded, seeds: 2, trials: 15 });
    expect(rows.map((r) => `${r.fn}/${r.sampler}`)).toEqual(
      FUNCTIONS.flatMap((f) => loaded.map((s) => `${f.key}/${s.name}`)),
    );
    for (const r of rows) {
      const fn = FUNCTIONS.find((f) => f.key === r.fn);
      expect(r.bests).toHaveLength(2);
      expect(r.min).toBeGreaterThanOrEqual((fn?.optimum ?? 0) - 1e-6);
      expect(r.min).toBeLessThanOrEqual(r.median);
      expect(r.median).toBeLessThanOrEqual(r.max);
      expect(Number.isFinite(r.regretRatio)).toBe(true);
      expect(r.msPerTrial).toBeGreaterThanOrEqual(0);
    }
    expect(rows.filter((r) => r.sampler === "random").every((r) => r.regretRatio === 1)).toBe(true);
  });

  it("takes quantiles by linear interpolation", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
  });
});
