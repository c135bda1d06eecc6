/**
 * components/register-model.yaml is the current compiled KFP form of registerModel, and it
 * loads back as a component with the same interface, usable in a pipeline.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { validateData } from "../../examples/fraud-detection/components/validate-data.ts";
import { compilePipeline, compilePipelineFile } from "../compiler/index.ts";
import { serializePipeline, validatePipeline } from "../ir/index.ts";
import { artifact, importer, loadComponentFromFile, param, pipeline } from "../sdk/index.ts";
import { registerModel } from "./register-model.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const SOURCE = join(ROOT, "components", "register-model.ts");
const YAML = join(ROOT, "components", "register-model.yaml");

describe("components/register-model.yaml", () => {
  it("is the current compiled form of registerModel", async () => {
    const fresh = serializePipeline(await compilePipelineFile(SOURCE));
    if (process.env.WEFT_UPDATE_GOLDEN === "1") writeFileSync(YAML, fresh);
    const committed = readFileSync(YAML, "utf8");
    expect(
      fresh === committed,
      "components/register-model.yaml is stale; regenerate it with: node bin/weft.js compile components/register-model.ts -o components/register-model.yaml (or run this test with WEFT_UPDATE_GOLDEN=1)",
    ).toBe(true);
  }, 60_000);

  it("loads with loadComponentFromFile with registerModel's inputs and outputs, and wires into a pipeline", () => {
    const loaded = loadComponentFromFile<typeof registerModel.inputs, typeof registerModel.outputs>(YAML);
    expect(loaded.name).toBe("register-model");
    const shape = (decls: Record<string, { kind: string; type?: string; schemaTitle?: string; optional?: boolean }>) =>
      Object.fromEntries(
        Object.entries(decls).map(([k, d]) => [k, [d.kind, d.type ?? d.schemaTitle, d.optional === true]]),
      );
    expect(shape(loaded.inputs as never)).toEqual(shape(registerModel.inputs as never));
    expect(shape(loaded.outputs as never)).toEqual(shape(registerModel.outputs as never));

    const p = pipeline(
      { name: "uses-loaded-register-model", params: { uri: param.string({ default: "/models/m.onnx" }) } },
      (q) => {
        const model = importer({ uri: q.uri, type: artifact.Model });
        const reg = loaded({
          model: model.outputs.artifact,
          model_name: "m",
          policy: { thresholds: ["roc_auc >= 0.5"] },
          metric_values: { roc_auc: 0.9 },
        });
        return { model_uri: reg.outputs.model_uri };
      },
    );
    const pkg = compilePipeline(p, { bundle: false });
    expect(validatePipeline(pkg)).toEqual([]);
  });

  it("stays out of the bundles of other components that import weft", () => {
    const p = pipeline({ name: "bundles" }, () => {
      const data = importer({ uri: "/data/t.csv", type: artifact.Dataset });
      validateData({ transactions: data.outputs.artifact });
      const model = importer({ uri: "/models/m.onnx", type: artifact.Model });
      registerModel({ model: model.outputs.artifact, model_name: "m", policy: {} });
    });
    const executors = compilePipeline(p).pipelineSpec.deploymentSpec?.executors ?? {};
    const program = (name: string) => JSON.stringify(executors[name]?.container?.command ?? []);
    expect(program("exec-register-model")).toContain("registerModel needs a registry");
    expect(program("exec-validate-data")).toContain("validate_data");
    expect(program("exec-validate-data")).not.toContain("registerModel needs a registry");
    expect(program("exec-validate-data")).not.toContain("register_model");
  }, 60_000);
});
