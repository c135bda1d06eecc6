/**
 * components/tune.yaml is the current compiled KFP form of the `tune` component, and it
 * loads back as a component with the same interface, usable in a pipeline; the tuning code
 * stays out of other components' bundles.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { validateData } from "../../../examples/fraud-detection/components/validate-data.ts";
import { compilePipeline, compilePipelineFile } from "../../compiler/index.ts";
import { serializePipeline, validatePipeline } from "../../ir/index.ts";
import { artifact, importer, loadComponentFromFile, pipeline } from "../../sdk/index.ts";
import { tune } from "./tune.ts";

const ROOT = resolve(import.meta.dirname, "..", "..", "..");
const SOURCE = join(ROOT, "components", "tune.ts");
const YAML = join(ROOT, "components", "tune.yaml");

describe("components/tune.yaml", () => {
  it("is the current compiled form of tune", async () => {
    const fresh = serializePipeline(await compilePipelineFile(SOURCE));
    if (process.env.WEFT_UPDATE_GOLDEN === "1") writeFileSync(YAML, fresh);
    const committed = readFileSync(YAML, "utf8");
    expect(
      fresh === committed,
      "components/tune.yaml is stale; regenerate it with: node bin/weft.js compile components/tune.ts -o components/tune.yaml (or run this test with WEFT_UPDATE_GOLDEN=1)",
    ).toBe(true);
  }, 60_000);

  it("loads with loadComponentFromFile with tune's inputs and outputs, and wires into a pipeline", () => {
    const loaded = loadComponentFromFile<typeof tune.inputs, typeof tune.outputs>(YAML);
    expect(loaded.name).toBe("tune");
    const shape = (decls: Record<string, { kind: string; type?: string; schemaTitle?: string; optional?: boolean }>) =>
      Object.fromEntries(
        Object.entries(decls).map(([k, d]) => [k, [d.kind, d.type ?? d.schemaTitle, d.optional === true]]),
      );
    expect(shape(loaded.inputs as never)).toEqual(shape(tune.inputs as never));
    expect(shape(loaded.outputs as never)).toEqual(shape(tune.outputs as never));
    const p = pipeline({ name: "uses-loaded-tune" }, () => {
      const data = importer({ uri: "/data/train.csv", type: artifact.Dataset });
      const t = loaded({ experiment: "apiVersion: kubeflow.org/v1beta1", data: data.outputs.artifact });
      return { best: t.outputs.best_parameters };
    });
    expect(validatePipeline(compilePipeline(p, { bundle: false }))).toEqual([]);
  });

  it("stays out of the bundles of other components that import weft", () => {
    const p = pipeline({ name: "bundles" }, () => {
      const data = importer({ uri: "/data/t.csv", type: artifact.Dataset });
      validateData({ transactions: data.outputs.artifact });
      tune({ experiment: "x", data: data.outputs.artifact });
    });
    const executors = compilePipeline(p).pipelineSpec.deploymentSpec?.executors ?? {};
    const program = (name: string) => JSON.stringify(executors[name]?.container?.command ?? []);
    expect(program("exec-tune")).toContain("tune component runs command trials");
    expect(program("exec-validate-data")).not.toContain("tune component runs command trials");
    expect(program("exec-validate-data")).not.toContain("hyperband");
    // nothing of the tuning modules' top-level code, nor their import of yaml
    expect(program("exec-validate-data")).not.toMatch(/best_parameters|from\\?"yaml\\?"/);
  }, 60_000);
});
