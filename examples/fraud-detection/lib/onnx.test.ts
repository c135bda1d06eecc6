import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { FeatureSplit } from "./dataset-io.ts";
import { buildSplits, TransactionColumns } from "./features.ts";
import { generateTransactions } from "./generator.ts";
import { rocAuc } from "./metrics.ts";
import { predict } from "./model.ts";
import { buildOnnxModel, checkOnnxAgainstReference, loadOnnx, maxAbsDiff, writeTritonRepository } from "./onnx.ts";
import { type Trained, trainModel } from "./train.ts";

let splits: { train: FeatureSplit; validation: FeatureSplit; test: FeatureSplit };
const trained: Record<string, Trained> = {};

beforeAll(async () => {
  const data = generateTransactions({ rows: 20_000, seed: 21 });
  const cols = new TransactionColumns();
  for (const t of data.transactions) cols.add(t);
  splits = buildSplits(cols, { validationFraction: 0.15, testFraction: 0.15, fraudRatio: 0, seed: 1 });
  for (const kind of ["mlp", "logreg"] as const) {
    trained[kind] = await trainModel(splits.train, splits.validation, {
      kind,
      learningRate: 0.003,
      batchSize: 256,
      epochs: 2,
      seed: 3,
    });
  }
}, 120_000);

describe("ONNX export", () => {
  for (const kind of ["mlp", "logreg"] as const) {
    it(`${kind}: onnxruntime-node matches tfjs within 1e-5 on test rows`, async () => {
      const t = trained[kind]!;
      const tfScores = t.predict(splits.test);
      const bytes = await buildOnnxModel(t.model);
      const scorer = await loadOnnx(bytes, t.model.featureNames.length);
      const onnxScores = await scorer.predict(splits.test.features);
      expect(onnxScores).toHaveLength(splits.test.header.rows);
      expect(maxAbsDiff(onnxScores, tfScores)).toBeLessThanOrEqual(1e-5);
      // The plain forward pass over the stored weights agrees too.
      expect(maxAbsDiff(predict(t.model, splits.test.features), tfScores)).toBeLessThanOrEqual(1e-5);
      // And the model learned something.
      expect(rocAuc(tfScores, splits.test.labels)).toBeGreaterThan(0.8);
    });
  }

  it("checks against the reference predictions stored in the model, and catches a wrong graph", async () => {
    const t = trained.mlp!;
    const model = {
      ...t.model,
      reference: { split: "test" as const, predictions: Array.from(t.predict(splits.test).subarray(0, 256)) },
    };
    const diff = await checkOnnxAgainstReference(model, await buildOnnxModel(model), splits.test.features);
    expect(diff).toBeLessThanOrEqual(1e-5);
    const tampered = structuredClone(model);
    tampered.layers[0]!.bias[0]! += 0.5;
    await expect(
      checkOnnxAgainstReference(model, await buildOnnxModel(tampered), splits.test.features),
    ).rejects.toMatchObject({
      code: "FRAUD_ONNX_MISMATCH",
    });
  });

  it("writes the Triton model repository layout", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fraud-triton-"));
    const bytes = await buildOnnxModel(trained.logreg!.model);
    writeTritonRepository(dir, bytes, 22);
    const config = readFileSync(join(dir, "fraud_detection", "config.pbtxt"), "utf8");
    expect(config).toContain('name: "fraud_detection"');
    expect(config).toContain('platform: "onnxruntime_onnx"');
    expect(config).toContain("dims: [ 22 ]");
    expect(existsSync(join(dir, "fraud_detection", "1", "model.onnx"))).toBe(true);
    expect(readFileSync(join(dir, "fraud_detection", "1", "model.onnx")).equals(Buffer.from(bytes))).toBe(true);
  });
});
