/**
 * components/deploy-model.yaml is the current compiled KFP form of deployModel, and it
 * loads back as a component with the same interface, usable in a pipeline; the deploy code
 * stays out of other components' bundles.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { validateData } from "../../examples/fraud-detection/components/validate-data.ts";
import { compilePipeline, compilePipelineFile } from "../compiler/index.ts";
import { serializePipeline, validatePipeline } from "../ir/index.ts";
import { artifact, importer, loadComponentFromFile, param, pipeline } from "../sdk/index.ts";
import { deployModel } from "./deploy-model.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const SOURCE = join(ROOT, "components", "deploy-model.ts");
const YAML = join(ROOT, "components", "deploy-model.yaml");

describe("components/deploy-model.yaml", () => {
  it("is the current compiled form of deployModel", async () => {
    const fresh = serializePipeline(await compilePipelineFile(SOURCE));
    if (process.env.WEFT_UPDATE_GOLDEN === "1") writeFileSync(YAML, fresh);
    const committed = readFileSync(YAML, "utf8");
    expect(
      fresh === committed,
      "components/deploy-model.yaml is stale; regenerate it with: node bin/weft.js compile components/deploy-model.ts -o components/deploy-model.yaml (or run this test with WEFT_UPDATE_GOLDEN=1)",
    ).toBe(true);
  }, 60_000);

  it("loads with loadComponentFromFile with deployModel's inputs and outputs, and wires into a pipeline", () => {
    const loaded = loadComponentFromFile<typeof deployModel.inputs, typeof deployModel.outputs>(YAML);
    expect(loaded.name).toBe("deploy-model");
    // an input with a default loads back as optional (KFP writes both as isOptional)
    type Decl = { kind: string; type?: string; schemaTitle?: string; optional?: boolean; default?: unknown };
    const shape = (decls: Record<string, Decl>) =>
      Object.fromEntries(
        Object.entries(decls).map(([k, d]) => [
          k,
          [d.kind, d.type ?? d.schemaTitle, d.optional === true || d.default !== undefined],
        ]),
      );
    expect(shape(loaded.inputs as never)).toEqual(shape(deployModel.inputs as never));
    expect(shape(loaded.outputs as never)).toEqual(shape(deployModel.outputs as never));

    const p = pipeline(
      { name: "uses-loaded-deploy-model", params: { uri: param.string({ default: "/models/m.onnx" }) } },
      (q) => {
        const model = importer({ uri: q.uri, type: artifact.Model });
        const deployed = loaded({ model: model.outputs.artifact, model_uri: "models:/m/1", server_url: "" });
        return { endpoint: deployed.outputs.endpoint };
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
      deployModel({ model: model.outputs.artifact, model_uri: "models:/m/1" });
    });
    const executors = compilePipeline(p).pipelineSpec.deploymentSpec?.executors ?? {};
    const program = (name: string) => JSON.stringify(executors[name]?.container?.command ?? []);
    expect(program("exec-deploy-model")).toContain("deployModel: no server_url given");
    expect(program("exec-validate-data")).toContain("validate_data");
    expect(program("exec-validate-data")).not.toContain("deployModel: no server_url given");
    expect(program("exec-validate-data")).not.toContain("deploy_model");
  }, 60_000);
});
