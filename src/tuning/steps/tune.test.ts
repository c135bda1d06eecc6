// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${weft.inputs.data} and Katib's ${trialParameters.x} are literal text here
/**
 * The prebuilt `tune` in a real pipeline on the engine (temporary home, real task
 * processes): a Katib experiment of command trials (`node -e` printing `loss=...`) that
 * read the pipeline's data, whose best parameters a downstream task consumes. Also the
 * size of the task bundle that carries the experiment.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeEnv } from "../../../test/engine/helpers.ts";
import { csvRows, SDK, writeStepProject } from "../../../test/tuning/step-project.ts";
import type { AnyPipeline } from "../../compiler/index.ts";
import { compilePipeline, MAX_BUNDLE_BYTES } from "../../compiler/index.ts";
import { tuneExperiment } from "./tune.ts";

const ROOT = resolve(import.meta.dirname, "..", "..", "..");
const TUNE = JSON.stringify(join(ROOT, "src", "tuning", "steps", "tune.ts"));

/** Loss (x - offset)^2 with the offset read from the data file, three epochs printed. */
const EXPERIMENT = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: quadratic
spec:
  objective:
    type: minimize
    objectiveMetricName: loss
  algorithm:
    algorithmName: random
    algorithmSettings:
      - name: random_state
        value: "3"
  parallelTrialCount: 2
  maxTrialCount: 6
  parameters:
    - name: x
      parameterType: double
      feasibleSpace:
        min: "-2"
        max: "2"
  trialTemplate:
    primaryContainerName: training-container
    trialParameters:
      - name: x
        reference: x
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            containers:
              - name: training-container
                image: node:20-slim
                command:
                  - node
                  - -e
                  - >-
                    const x = Number(process.argv[1].slice(2));
                    const offset = Number(require("fs").readFileSync(process.argv[2], "utf8"));
                    if (process.env.WEFT_TUNE_DATA !== process.argv[2]) throw new Error("no WEFT_TUNE_DATA");
                    for (let e = 3; e >= 1; e--) console.log("epoch " + e + " loss=" + ((x - offset) ** 2 + e / 100));
                  - "x=\${trialParameters.x}"
                  - "\${weft.inputs.data}"
            restartPolicy: Never
`;

const PIPELINES = `import { param, pipeline } from ${SDK};
import { tune } from ${TUNE};
import { makeData, useBest } from "./steps.ts";

export const tuned = pipeline({ name: "tune-then-train", params: { experiment: param.string() } }, (p) => {
  const data = makeData();
  const t = tune({ experiment: p.experiment, data: data.outputs.data });
  const best = useBest({ params: t.outputs.best_parameters, value: t.outputs.best_value });
  return { x: best.outputs.x, value: best.outputs.value, trials: t.outputs.trials, summary: t.outputs.summary };
});
`;

describe("the tuning components in a pipeline", () => {
  const env = makeEnv({ capacity: { cpus: 4000 } });
  let mod: Record<string, AnyPipeline>;
  beforeAll(async () => {
    mod = await writeStepProject(env.home, { "pipeline.ts": PIPELINES });
  });
  afterAll(async () => {
    await env.engine.close();
    env.close();
  });

  it("tune runs a Katib experiment of command trials with the data input, and the next task gets the best parameters", async () => {
    const engine = env.newEngine({ programRoot: join(env.home, "project", "programs") });
    const s = await engine.startRun({
      pipeline: compilePipeline(mod.tuned as AnyPipeline),
      parameters: { experiment: EXPERIMENT },
    }).done;
    await engine.close();
    expect(s.state, JSON.stringify(s.tasks.map((t) => [t.path, t.error, t.stderrTail]))).toBe("SUCCEEDED");
    const rows = csvRows(s.outputs.artifacts.trials?.[0]?.uri as string);
    expect(rows[0]).toEqual(["trial", "number", "state", "reason", "x", "loss"]);
    expect(rows.slice(1).map((r) => r[0])).toEqual([0, 1, 2, 3, 4, 5].map((n) => `quadratic-${n}`));
    expect(
      rows.slice(1).map((r) => r[2]),
      rows.join("\n"),
    ).toEqual(Array(6).fill("SUCCEEDED"));
    // the objective's strategy is min: the last epoch's loss, (x - 0.5)^2 + 0.01
    const best = rows.slice(1).sort((a, b) => Number(a[5]) - Number(b[5]))[0] as string[];
    expect(s.outputs.parameters.x).toBe(Number(best[4]));
    expect(s.outputs.parameters.value).toBeCloseTo((Number(best[4]) - 0.5) ** 2 + 0.01, 10);
    const summary = readFileSync(fileURLToPath(s.outputs.artifacts.summary?.[0]?.uri as string), "utf8");
    expect(summary).toContain("# Tuning: quadratic");
    expect(summary).toContain("- Trials: 6 (6 succeeded)");
  }, 120_000);

  it("fits the task bundle limit, without the engine or the store", () => {
    const executors = compilePipeline(mod.tuned as AnyPipeline).pipelineSpec.deploymentSpec?.executors ?? {};
    const program = (name: string) =>
      ((executors[name]?.container?.command ?? []) as string[]).reduce((a, b) => (b.length > a.length ? b : a), "");
    const tuner = program("exec-tune");
    const plain = program("exec-use-best");
    console.log(
      `task bundles: tune ${(Buffer.byteLength(tuner) / 1024).toFixed(1)} KiB, use_best (a plain component, baseline) ${(Buffer.byteLength(plain) / 1024).toFixed(1)} KiB; limit ${MAX_BUNDLE_BYTES / 1024} KiB`,
    );
    expect(Buffer.byteLength(tuner)).toBeLessThan(MAX_BUNDLE_BYTES);
    expect(tuner).toContain("tune component runs command trials");
    // pipeline trials (the engine, the store) are never part of a tuning task
    expect(tuner).not.toContain("better-sqlite3");
    // nor the Gaussian-process and CMA-ES samplers (componentSampler leaves them out)
    expect(tuner).not.toMatch(/gp_hedge|cmaes_restart/);
    expect(plain).not.toContain("tune component runs command trials");
  }, 60_000);
});

describe("tuneExperiment", () => {
  it("puts the data path in place of ${weft.inputs.data} and in WEFT_TUNE_DATA", () => {
    const spec = tuneExperiment(EXPERIMENT, "/data/offset.txt");
    if (spec.trial.kind !== "command") throw new Error(spec.trial.kind);
    expect(spec.trial.command).toContain("/data/offset.txt");
    expect(spec.trial.env.WEFT_TUNE_DATA).toBe("/data/offset.txt");
  });

  it("refuses a reference to data without the data input, and a pipeline trial", () => {
    expect(() => tuneExperiment(EXPERIMENT, undefined)).toThrow(
      /refers to \$\{weft\.inputs\.data\} but the task has no data input/,
    );
    const pipelineTrial = EXPERIMENT.replace("    primaryContainerName: training-container\n", "").replace(
      / {4}trialSpec:[\s\S]*$/,
      '    trialSpec:\n      apiVersion: weft.dev/v1\n      kind: Pipeline\n      spec:\n        pipeline: ./p.yaml\n        parameters:\n          x: "${trialParameters.x}"\n',
    );
    expect(() => tuneExperiment(pipelineTrial, "/d")).toThrow(/tune component runs command trials/);
  });
});
