/**
 * The machinery of the tuning benchmark: find the samplers this checkout has, drive one
 * through a study (suggest → evaluate → record a SUCCEEDED trial, one trial at a time,
 * timing `suggest` only), and sum up the seeds of each function and sampler.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Rng } from "../../src/tuning/rng.ts";
import { createCmaesSampler } from "../../src/tuning/samplers/cmaes.ts";
import { sampleAssignment } from "../../src/tuning/space.ts";
import type { AlgorithmName, SamplerFactory, TrialObservation } from "../../src/tuning/types.ts";
import type { TestFunction } from "./functions.ts";

/** The samplers compared, in the table's order; `random` is the baseline. */
export const BENCH_SAMPLERS = ["random", "tpe", "multivariate-tpe", "cmaes", "bayesianoptimization"] as const;
export type BenchSampler = (typeof BENCH_SAMPLERS)[number];

export interface LoadedSampler {
  readonly name: BenchSampler;
  readonly factory: SamplerFactory;
  /** Set when the checkout has no such sampler and a stand-in runs (random: a draw from the prior). */
  readonly note?: string;
}

/** Where each sampler may live: `samplers/index.ts`'s SAMPLERS, else its own file's factory. */
const CANDIDATES: Readonly<Record<BenchSampler, readonly [file: string, exported: string][]>> = {
  random: [["random.ts", "createRandomSampler"]],
  tpe: [["tpe.ts", "createTpeSampler"]],
  "multivariate-tpe": [
    ["multivariate-tpe.ts", "createMultivariateTpeSampler"],
    ["tpe.ts", "createMultivariateTpeSampler"],
  ],
  cmaes: [["cmaes.ts", "createCmaesSampler"]],
  bayesianoptimization: [
    ["gp.ts", "createGpSampler"],
    ["bayesianoptimization.ts", "createBayesianOptimizationSampler"],
  ],
};

/** The module `samplers/<file>`, or undefined when this checkout has no such file. */
async function tryImport(file: string): Promise<Record<string, unknown> | undefined> {
  const url = new URL(`../../src/tuning/samplers/${file}`, import.meta.url);
  if (!existsSync(fileURLToPath(url))) return undefined;
  return (await import(url.href)) as Record<string, unknown>;
}

/** A sampler drawing every trial from the prior, for a checkout without `random.ts`. */
const priorSampler: SamplerFactory = () => ({
  name: "random",
  suggest: (ctx) => ({ kind: "trial", params: sampleAssignment(ctx.space, new Rng(ctx.seed, ctx.trialNumber, 1)) }),
});

/** The samplers this checkout has (CMA-ES always; the others when their files exist). */
export async function loadSamplers(): Promise<{ loaded: LoadedSampler[]; missing: BenchSampler[] }> {
  const index = await tryImport("index.ts");
  const registry = (index?.SAMPLERS ?? {}) as Partial<Record<AlgorithmName, SamplerFactory>>;
  const loaded: LoadedSampler[] = [];
  const missing: BenchSampler[] = [];
  for (const name of BENCH_SAMPLERS) {
    let factory: SamplerFactory | undefined = name === "cmaes" ? createCmaesSampler : registry[name];
    for (const [file, exported] of CANDIDATES[name]) {
      if (factory) break;
      const mod = await tryImport(file);
      if (typeof mod?.[exported] === "function") factory = mod[exported] as SamplerFactory;
    }
    if (factory) loaded.push({ name, factory });
    else if (name === "random") loaded.push({ name, factory: priorSampler, note: "stand-in: draws from the prior" });
    else missing.push(name);
  }
  return { loaded, missing };
}

/** One study: the best value found and the time spent in `suggest`. */
export interface StudyResult {
  readonly best: number;
  readonly suggestMs: number;
}

/** Runs `trials` trials of `fn` one after the other with a fresh sampler. */
export function runStudy(factory: SamplerFactory, fn: TestFunction, seed: number, trials: number): StudyResult {
  const directions = ["minimize"] as const;
  const sampler = factory({ settings: {}, space: fn.space, directions });
  const history: TrialObservation[] = [];
  let best = Number.POSITIVE_INFINITY;
  let suggestMs = 0;
  for (let number = 0; number < trials; number++) {
    const start = performance.now();
    const s = sampler.suggest({ space: fn.space, directions, history, seed, trialNumber: number, attempt: 0 });
    suggestMs += performance.now() - start;
    if (s.kind !== "trial") throw new Error(`${sampler.name} answered "${s.kind}" at trial ${number} of ${fn.key}`);
    const value = fn.evaluate(s.params);
    best = Math.min(best, value);
    history.push({
      number,
      params: s.params,
      state: "SUCCEEDED",
      values: [value],
      intermediate: [],
      ...(s.meta ? { meta: s.meta } : {}),
    });
  }
  return { best, suggestMs };
}

/** The seeds of one function and sampler, summed up. */
export interface Row {
  readonly fn: string;
  readonly sampler: BenchSampler;
  readonly note?: string;
  readonly bests: readonly number[];
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  readonly min: number;
  readonly max: number;
  /** Median regret (median best - optimum) over random search's in the same run. */
  readonly regretRatio: number;
  /** Mean time in `suggest` per trial, over every trial of every seed. */
  readonly msPerTrial: number;
}

/** Linear-interpolated quantile of sorted numbers. */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/** Runs every function with every sampler over `seeds` seeds (0, 1, ...) of `trials` trials. */
export function benchTuning(opts: {
  functions: readonly TestFunction[];
  samplers: readonly LoadedSampler[];
  seeds: number;
  trials: number;
  onRow?: (row: Row) => void;
}): Row[] {
  const rows: Row[] = [];
  for (const fn of opts.functions) {
    const partial: Omit<Row, "regretRatio">[] = [];
    for (const s of opts.samplers) {
      const bests: number[] = [];
      let ms = 0;
      for (let seed = 0; seed < opts.seeds; seed++) {
        const r = runStudy(s.factory, fn, seed, opts.trials);
        bests.push(r.best);
        ms += r.suggestMs;
      }
      const sorted = [...bests].sort((a, b) => a - b);
      partial.push({
        fn: fn.key,
        sampler: s.name,
        ...(s.note ? { note: s.note } : {}),
        bests,
        median: quantile(sorted, 0.5),
        q1: quantile(sorted, 0.25),
        q3: quantile(sorted, 0.75),
        min: sorted[0] as number,
        max: sorted[sorted.length - 1] as number,
        msPerTrial: ms / (opts.seeds * opts.trials),
      });
    }
    const random = partial.find((r) => r.sampler === "random");
    for (const r of partial) {
      const regretRatio = random ? (r.median - fn.optimum) / (random.median - fn.optimum) : Number.NaN;
      const row = { ...r, regretRatio };
      rows.push(row);
      opts.onRow?.(row);
    }
  }
  return rows;
}
