import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const executorIndex = resolve(import.meta.dirname, "index.ts");

// A component as a user would write it, importing runtime classes from the executor.
const componentSource = `
import { ClassificationMetrics, Dataset, Model } from ${JSON.stringify(executorIndex)};
import { readFileSync, writeFileSync } from "node:fs";

export const train = {
  name: "train-model",
  inputs: {
    data: { kind: "artifact", schemaTitle: "system.Dataset", schemaVersion: "0.0.1" },
    epochs: { kind: "parameter", type: "NUMBER_INTEGER", default: 3 },
    config: { kind: "parameter", type: "STRUCT" },
  },
  outputs: {
    model: { kind: "artifact", schemaTitle: "system.Model", schemaVersion: "0.0.1" },
    quality: { kind: "artifact", schemaTitle: "system.ClassificationMetrics", schemaVersion: "0.0.1" },
    accuracy: { kind: "parameter", type: "NUMBER_DOUBLE" },
    summary: { kind: "parameter", type: "STRING" },
  },
  async run(inputs: Record<string, unknown>, outputs: Record<string, unknown>) {
    const data = inputs.data as Dataset;
    const rows = readFileSync(data.path, "utf8").trim().split("\\n").length;
    const model = outputs.model as Model;
    model.framework = "weft-linear";
    writeFileSync(model.path, JSON.stringify({ rows, epochs: inputs.epochs, config: inputs.config }));
    const quality = outputs.quality as ClassificationMetrics;
    quality.logRocCurve([0, 0.5, 1], [0, 0.75, 1], [1, 0.5, 0]);
    quality.logConfusionMatrix(["neg", "pos"], [[5, 1], [0, 4]]);
    if (inputs.epochs === 0) throw new Error("epochs must be positive");
    return { accuracy: 0.9, summary: "rows=" + rows };
  },
};
`;

const entrySource = `
import { main } from ${JSON.stringify(executorIndex)};
import { train } from "./component.ts";
await main(train);
`;

let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "weft-bundle-"));
  writeFileSync(join(dir, "component.ts"), componentSource);
  writeFileSync(join(dir, "entry.ts"), entrySource);
  bundle = join(dir, "component.mjs");
  await build({
    entryPoints: [join(dir, "entry.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    minify: true,
    outfile: bundle,
    logLevel: "silent",
  });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function executorInput(epochs: number) {
  const work = join(dir, `work-${epochs}`);
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "data.csv"), "a,b\n1,2\n3,4\n");
  return {
    work,
    input: {
      inputs: {
        parameterValues: { epochs, config: { lr: 0.1 } },
        artifacts: {
          data: {
            artifacts: [{ name: "data", uri: `file://${work}/data.csv`, type: { schemaTitle: "system.Dataset" } }],
          },
        },
      },
      outputs: {
        parameters: {
          accuracy: { outputFile: `${work}/outputs/accuracy` },
          summary: { outputFile: `${work}/outputs/summary` },
        },
        artifacts: {
          model: {
            artifacts: [
              { name: "model", uri: `file://${work}/artifacts/train/model`, type: { schemaTitle: "system.Model" } },
            ],
          },
          quality: {
            artifacts: [
              {
                name: "quality",
                uri: `file://${work}/artifacts/train/quality`,
                type: { schemaTitle: "system.ClassificationMetrics" },
              },
            ],
          },
        },
        outputFile: `${work}/outputs/executor_output.json`,
      },
    },
  };
}

describe("a bundled TypeScript component run as a task process", () => {
  it("stays small", () => {
    // about 24 KB: the executor, ctx.log with its binary batches and its own HTTP/1.1 POST
    expect(statSync(bundle).size).toBeLessThan(25_000);
  });

  it("reads --executor_input and writes parameters, artifacts and executor_output.json", async () => {
    const { work, input } = executorInput(2);
    const { stderr } = await run(process.execPath, [
      bundle,
      "--executor_input",
      JSON.stringify(input),
      "--function_to_execute",
      "train_model",
    ]);
    expect(stderr).toBe("");
    expect(readFileSync(`${work}/outputs/accuracy`, "utf8")).toBe("0.9");
    expect(readFileSync(`${work}/outputs/summary`, "utf8")).toBe("rows=3");
    expect(JSON.parse(readFileSync(`${work}/artifacts/train/model`, "utf8"))).toEqual({
      rows: 3,
      epochs: 2,
      config: { lr: 0.1 },
    });
    const output = JSON.parse(readFileSync(`${work}/outputs/executor_output.json`, "utf8"));
    expect(output.parameterValues).toEqual({ accuracy: 0.9, summary: "rows=3" });
    expect(output.artifacts.model).toEqual({
      artifacts: [
        { name: "model", uri: `file://${work}/artifacts/train/model`, metadata: { framework: "weft-linear" } },
      ],
    });
    expect(output.artifacts.quality.artifacts[0].metadata).toEqual({
      confidenceMetrics: [
        { confidenceThreshold: 1, falsePositiveRate: 0, recall: 0 },
        { confidenceThreshold: 0.5, falsePositiveRate: 0.5, recall: 0.75 },
        { confidenceThreshold: 0, falsePositiveRate: 1, recall: 1 },
      ],
      confusionMatrix: {
        annotationSpecs: [{ displayName: "neg" }, { displayName: "pos" }],
        rows: [{ row: [5, 1] }, { row: [0, 4] }],
      },
    });
  });

  it("exits non-zero with the error and its stack on stderr", async () => {
    const { input } = executorInput(0);
    const failed = await run(process.execPath, [
      bundle,
      "--executor_input",
      JSON.stringify(input),
      "--function_to_execute",
      "train-model",
    ]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('component "train-model" failed: epochs must be positive');
    expect(failed?.stderr).toMatch(/\n\s+at /);
  });

  it("exits non-zero naming the missing flag", async () => {
    const failed = await run(process.execPath, [bundle, "--function_to_execute", "train-model"]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain("[EXECUTOR_ARG_MISSING]: --executor_input is missing");
  });
});
