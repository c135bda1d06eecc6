import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ModelArtifact } from "../../examples/fraud-detection/lib/model.ts";
import { buildOnnxModel } from "../../examples/fraud-detection/lib/onnx.ts";
import { digestArtifact } from "../artifacts/index.ts";
import type { Artifact } from "../store/index.ts";
import { fromStoredSignature, readModelFile, toStoredSignature } from "./register.ts";

const dir = mkdtempSync(join(tmpdir(), "weft-register-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const model: ModelArtifact = {
  format: "weft-fraud-model/1",
  kind: "logreg",
  featureNames: ["a", "b"],
  scaler: { mean: [0, 0], std: [1, 1] },
  layers: [{ weights: [[1], [1]], bias: [0], activation: "sigmoid" }],
  hyperparameters: {},
  training: { trainRows: 0, epochs: 0, seconds: 0, finalLoss: 0, classWeight: 1 },
};

describe("readModelFile", () => {
  it("a folder holding one .onnx file: onnx, the file's signature, the folder's digest", async () => {
    const folder = join(dir, "onnx-folder");
    mkdirSync(folder);
    writeFileSync(join(folder, "model.onnx"), await buildOnnxModel(model));
    writeFileSync(join(folder, "README"), "about the model");
    const facts = await readModelFile(folder);
    expect(facts.format).toBe("onnx");
    expect(facts.signature?.inputs.map((i) => i.name)).toEqual(["features"]);
    const folderDigest = await digestArtifact(folder);
    expect(facts.digest).toBe(folderDigest?.kind === "directory" ? folderDigest.digest : "");
  });

  it("a model.json that is no TensorFlow.js model registers without a format, not as a failure", async () => {
    const folder = join(dir, "json-folder");
    mkdirSync(folder);
    writeFileSync(join(folder, "model.json"), JSON.stringify({ coefficients: [1, 2] }));
    const facts = await readModelFile(join(folder, "model.json"));
    expect(facts.format).toBeUndefined();
    expect(facts.signature).toBeUndefined();
    expect(facts.digest).toMatch(/^sha256:/);
  });

  it("a declared format wins over the file name when the source is the artifact itself", async () => {
    const file = join(dir, "weights.bin");
    writeFileSync(file, "binary");
    const artifact: Artifact = {
      id: "a1",
      runId: "r",
      taskId: "t",
      name: "model",
      uri: `file://${file}`,
      schemaTitle: "system.Model",
      schemaVersion: "0.0.1",
      metadata: { framework: "PyTorch" },
      digest: "sha256:recorded",
      createdAt: 0,
    };
    expect(await readModelFile(file, artifact, true)).toEqual({ digest: "sha256:recorded", format: "pytorch" });
    // a file inside the artifact has its own digest and no declared format
    const inside = await readModelFile(file, artifact, false);
    expect(inside.digest).not.toBe("sha256:recorded");
    expect(inside.format).toBeUndefined();
  });
});

describe("stored signatures", () => {
  it("keeps named dimensions beside numeric shapes and gives them back", () => {
    const sig = {
      inputs: [{ name: "x", dtype: "float32", shape: ["batch", 3] }],
      outputs: [{ name: "y", dtype: "int64", shape: [2] }],
    };
    const stored = toStoredSignature(sig);
    expect(stored.inputs[0]).toEqual({ name: "x", dtype: "float32", shape: [-1, 3], dimParams: ["batch", null] });
    expect(stored.outputs[0]).toEqual({ name: "y", dtype: "int64", shape: [2] });
    expect(fromStoredSignature(stored)).toEqual(sig);
  });
});
