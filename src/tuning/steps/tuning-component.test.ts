/**
 * A `tuningComponent` in a real pipeline on the engine (temporary home, real task
 * processes): its trial is a TypeScript function reading the pipeline's data, and a
 * downstream task consumes the best parameters. Also the size of the task bundle that
 * carries the experiment.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeEnv } from "../../../test/engine/helpers.ts";
import { csvRows, SDK, writeStepProject } from "../../../test/tuning/step-project.ts";
import type { AnyPipeline } from "../../compiler/index.ts";
import { compilePipeline, MAX_BUNDLE_BYTES } from "../../compiler/index.ts";
import { componentSampler, functionExperiment, runTuning } from "./tuning-component.ts";

const ROOT = resolve(import.meta.dirname, "..", "..", "..");
const TUNING_COMPONENT = JSON.stringify(join(ROOT, "src", "tuning", "steps", "tuning-component.ts"));

/** A tuning component whose trial is a function: loss (x - offset)^2, the offset from the data. */
const TUNER = `import { readFileSync } from "node:fs";
import { tuningComponent } from ${TUNING_COMPONENT};

export const tuneQuadratic = tuningComponent({
  name: "tune_quadratic",
  space: { parameters: [{ name: "x", type: "double", min: -2, max: 2, distribution: "uniform" }] },
  objective: { name: "loss", goal: "minimize" },
  algorithm: { name: "tpe", seed: 1 },
  budget: { trials: 8 },
  trial: async ({ x }, ctx) => {
    const offset = ctx.data ? Number(readFileSync(ctx.data.path, "utf8")) : 0;
    const loss = ((x as number) - offset) ** 2;
    for (let step = 0; step < 3; step++) ctx.report("loss", loss + (3 - step) / 100, step);
    return { loss };
  },
});
`;

const PIPELINES = `import { pipeline } from ${SDK};
import { makeData, useBest } from "./steps.ts";
import { tuneQuadratic } from "./tuner.ts";

export const functionTuned = pipeline({ name: "function-tune" }, () => {
  const data = makeData();
  const t = tuneQuadratic({ data: data.outputs.data, max_trials: 5 });
  const best = useBest({ params: t.outputs.best_parameters, value: t.outputs.best_value });
  return { x: best.outputs.x, value: best.outputs.value, trials: t.outputs.trials };
});
`;

describe("tuningComponent in a pipeline", () => {
  const env = makeEnv({ capacity: { cpus: 4000 } });
  let mod: Record<string, AnyPipeline>;
  beforeAll(async () => {
    mod = await writeStepProject(env.home, { "pipeline.ts": PIPELINES, "tuner.ts": TUNER });
  });
  afterAll(async () => {
    await env.engine.close();
    env.close();
  });

  it("tuningComponent runs a TypeScript trial function in the task, with the data and max_trials inputs", async () => {
    const engine = env.newEngine({ programRoot: join(env.home, "project", "programs") });
    const s = await engine.startRun({ pipeline: compilePipeline(mod.functionTuned as AnyPipeline) }).done;
    await engine.close();
    expect(s.state, JSON.stringify(s.tasks.map((t) => [t.path, t.error, t.stderrTail]))).toBe("SUCCEEDED");
    const rows = csvRows(s.outputs.artifacts.trials?.[0]?.uri as string).slice(1);
    expect(rows.map((r) => r[0])).toEqual([0, 1, 2, 3, 4].map((n) => `tune-quadratic-${n}`));
    const best = rows.sort((a, b) => Number(a[5]) - Number(b[5]))[0] as string[];
    expect(s.outputs.parameters.x).toBe(Number(best[4]));
    // the trial's return value is the final loss, not the reported series
    expect(s.outputs.parameters.value).toBeCloseTo((Number(best[4]) - 0.5) ** 2, 10);
  }, 120_000);

  it("fits the task bundle limit, without the engine or the store; other modules' components leave it out", () => {
    const executors = compilePipeline(mod.functionTuned as AnyPipeline).pipelineSpec.deploymentSpec?.executors ?? {};
    const program = (name: string) =>
      ((executors[name]?.container?.command ?? []) as string[]).reduce((a, b) => (b.length > a.length ? b : a), "");
    const tuner = program("exec-tune-quadratic");
    const plain = program("exec-use-best");
    console.log(
      `task bundles: tune_quadratic ${(Buffer.byteLength(tuner) / 1024).toFixed(1)} KiB, use_best (a plain component, baseline) ${(Buffer.byteLength(plain) / 1024).toFixed(1)} KiB; limit ${MAX_BUNDLE_BYTES / 1024} KiB`,
    );
    expect(Buffer.byteLength(tuner)).toBeLessThan(MAX_BUNDLE_BYTES);
    expect(tuner).toContain("hyperband");
    // pipeline trials (the engine, the store) are never part of a tuning task
    expect(tuner).not.toContain("better-sqlite3");
    // nor the Gaussian-process and CMA-ES samplers (componentSampler leaves them out)
    expect(tuner).not.toMatch(/gp_hedge|cmaes_restart/);
    expect(plain).not.toContain("hyperband");
  }, 60_000);
});

describe("componentSampler", () => {
  const base = functionExperiment(
    {
      name: "Tune X!",
      space: { parameters: [{ name: "x", type: "double", min: 0, max: 1, distribution: "uniform" }] },
      objective: { name: "loss", goal: "minimize" },
      trial: () => ({ loss: 0 }),
    },
    () => ({ loss: 0 }),
  );

  it("makes the experiment's sampler with its settings checked", () => {
    expect(base.name).toBe("tune-x");
    expect(base.maxTrialCount).toBe(10);
    expect(componentSampler(base).name).toBe("random");
    const tpe = { ...base, algorithm: { name: "tpe" as const, settings: { n_startup_trials: "zero" }, seed: 0 } };
    expect(() => componentSampler(tpe)).toThrow(/algorithmSettings\.n_startup_trials/);
  });

  it("refuses the algorithms a task cannot carry, saying what to use", () => {
    for (const name of ["cmaes", "bayesianoptimization"] as const) {
      expect(() => componentSampler({ ...base, algorithm: { name, settings: {}, seed: 0 } })).toThrow(
        new RegExp(
          `uses ${name}, which a tuning step does not run .*use random, grid, sobol, tpe, .*or run the experiment with weft tune`,
        ),
      );
    }
  });
});

describe("runTuning", () => {
  it("writes the trials and the summary, then fails with TUNE_NO_BEST when no trial reported the objective", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-tune-"));
    try {
      const spec = functionExperiment(
        {
          name: "silent",
          space: { parameters: [{ name: "x", type: "double", min: 0, max: 1, distribution: "uniform" }] },
          objective: { name: "loss", goal: "minimize" },
          budget: { trials: 2 },
          trial: () => ({ accuracy: 1 }),
        },
        () => ({ accuracy: 1 }),
      );
      const out = {
        trials: { path: join(dir, "trials.csv"), metadata: {} as Record<string, unknown> },
        summary: { path: join(dir, "summary.md"), metadata: {} as Record<string, unknown> },
      };
      const lines: string[] = [];
      await expect(runTuning(spec, out, { log: (l) => lines.push(l) })).rejects.toMatchObject({
        code: "TUNE_NO_BEST",
        message: expect.stringMatching(
          /experiment "silent" ended .* with no trial that reported loss; silent-0 failed: /,
        ),
      });
      expect(readFileSync(out.trials.path, "utf8").split("\n").slice(1, 3)).toEqual([
        expect.stringMatching(/^silent-0,0,FAILED,METRICS_UNAVAILABLE,/),
        expect.stringMatching(/^silent-1,1,FAILED,METRICS_UNAVAILABLE,/),
      ]);
      expect(readFileSync(out.summary.path, "utf8")).toContain("No trial reported a value of the objective.");
      expect(out.trials.metadata).toMatchObject({ experiment: "silent", trials: 2 });
      expect(lines.some((l) => l.startsWith("silent-0 FAILED (METRICS_UNAVAILABLE)"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
