/**
 * The fraud example's tuning experiment: `experiment.yaml` reads as the search the README
 * describes, every pipeline parameter it maps is one the training pipeline declares, and
 * one trial's pipeline (small: 20,000 rows, 2 epochs) runs and reports the objective
 * metric, per epoch and in its Metrics artifact.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compilePipelineFile } from "../../../src/compiler/index.ts";
import { parseExperiment } from "../../../src/tuning/katib/index.ts";
import { toExperimentSpec } from "../../../src/tuning/sdk.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const yamlFile = join(here, "experiment.yaml");
const spec = parseExperiment(readFileSync(yamlFile, "utf8"), yamlFile);

describe("the fraud tuning experiment", () => {
  it("searches learning rate, hidden units, batch size and epochs for the best validation ROC-AUC", () => {
    expect(spec.name).toBe("fraud-mlp");
    expect(spec.space.parameters.map((p) => [p.name, p.type, p.distribution])).toEqual([
      ["lr", "double", "logUniform"],
      ["hidden", "int", "uniform"],
      ["batch", "discrete", "uniform"],
      ["epochs", "int", "uniform"],
    ]);
    expect(spec.objective.metrics).toEqual([{ name: "validation_roc_auc", goal: "maximize" }]);
    expect(spec.algorithm.name).toBe("tpe");
    expect(spec.earlyStopping?.name).toBe("medianstop");
    expect(spec.trial).toMatchObject({
      kind: "pipeline",
      source: join(here, "pipeline.ts"),
      parameters: { learning_rate: "lr", hidden_units: "hidden", batch_size: "batch", epochs: "epochs" },
    });
  });

  it("is the same search in experiment.ts, through tune()'s options", async () => {
    const tsFile = join(here, "experiment.ts");
    const fromTs = toExperimentSpec((await import("./experiment.ts")).default, tsFile);
    const { name: _yamlName, file: _yamlFile, ...yaml } = spec;
    const { name, file: _tsFile, ...ts } = fromTs;
    expect(name).toBe("fraud-mlp-ts");
    expect(ts).toEqual(yaml);
  });

  it("maps only parameters the training pipeline declares", async () => {
    const pkg = await compilePipelineFile(join(here, "pipeline.ts"));
    const declared = Object.keys(pkg.pipelineSpec.root.inputDefinitions?.parameters ?? {});
    if (spec.trial.kind !== "pipeline") throw new Error("expected a pipeline trial");
    for (const name of [...Object.keys(spec.trial.parameters), ...Object.keys(spec.trial.fixed)]) {
      expect(declared).toContain(name);
    }
  }, 120_000);

  it("runs one trial's pipeline, which reports validation_roc_auc per epoch and at its best epoch", () => {
    const home = mkdtempSync(join(tmpdir(), "fraud-tuning-"));
    const args = ["rows=20000", "seed=42", "learning_rate=0.003", "hidden_units=16", "batch_size=256", "epochs=2"];
    const res = spawnSync(
      process.execPath,
      [
        "bin/weft.js",
        "run",
        "examples/fraud-detection/tuning/pipeline.ts",
        "--json",
        "--no-typecheck",
        ...args.flatMap((a) => ["--param", a]),
      ],
      { cwd: root, env: { ...process.env, WEFT_HOME: home, NO_COLOR: "1" }, encoding: "utf8", timeout: 170_000 },
    );
    const lines = (res.stdout ?? "").trim().split("\n");
    const summary = JSON.parse(lines.pop() ?? "{}") as {
      state: string;
      metrics: { task: string; name: string; value: number }[];
    };
    expect(summary.state, res.stderr).toBe("SUCCEEDED");
    const metric = (name: string) => summary.metrics.find((m) => m.name === name)?.value;
    for (const name of ["validation_roc_auc", "test_roc_auc"]) {
      expect(metric(name)).toBeGreaterThan(0.5);
      expect(metric(name)).toBeLessThanOrEqual(1);
    }
    // the per-epoch lines a StdOut collector (or a reader of the log) sees
    const epochs = lines.filter((l) => l.includes('"type":"log"') && /epoch \d: validation_roc_auc=/.test(l));
    expect(epochs).toHaveLength(2);
  }, 180_000);
});
