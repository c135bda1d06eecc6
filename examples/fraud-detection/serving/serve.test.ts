/**
 * The fraud model served by weft's own model service and REST server with the fraud
 * transformer in front: raw transactions sent over HTTP score the test split exactly as the
 * model scores the pipeline's features in-process (the same ROC-AUC, the same predictions).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startRestServer } from "../../../src/serving/http-server.ts";
import { resolveSources } from "../../../src/serving/repository.ts";
import { createModelService } from "../../../src/serving/service.ts";
import { formatTransaction, parseTransaction, splitCsvLine, writeTransactions } from "../lib/csv.ts";
import { writeSplit } from "../lib/dataset-io.ts";
import { buildSplits, FEATURE_NAMES, TransactionColumns } from "../lib/features.ts";
import { generateTransactions } from "../lib/generator.ts";
import { rocAuc } from "../lib/metrics.ts";
import type { ModelArtifact } from "../lib/model.ts";
import { createFraudTransformer } from "./fraud-transformer.ts";
import { firstTransactionJson, scoreOverHttp } from "./score-over-http.ts";

const dir = mkdtempSync(join(tmpdir(), "fraud-serve-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the fraud model behind weft serve's REST server", () => {
  it("scores the test split from raw transactions over HTTP exactly as the model scores the pipeline's features", async () => {
    let ort: typeof import("onnxruntime-node");
    try {
      ort = await import("onnxruntime-node");
    } catch {
      console.log("skipped: onnxruntime-node is not installed");
      return;
    }
    const { buildOnnxModel, loadOnnx } = await import("../lib/onnx.ts");
    // the load step's CSV, and the preprocess step's splits of it
    const transactions = generateTransactions({ rows: 8000, seed: 5 }).transactions;
    const csv = join(dir, "transactions.csv");
    await writeTransactions(csv, transactions);
    const cols = new TransactionColumns();
    for (const tx of transactions) cols.add(parseTransaction(splitCsvLine(formatTransaction(tx)), csv, 2));
    const splits = buildSplits(cols, { validationFraction: 0.15, testFraction: 0.15, fraudRatio: 0, seed: 1 });
    const testPath = join(dir, "test.bin");
    writeSplit(testPath, splits.test);
    // a logistic model with fixed weights over the scaled features
    const width = FEATURE_NAMES.length;
    const model: ModelArtifact = {
      format: "weft-fraud-model/1",
      kind: "logreg",
      featureNames: [...FEATURE_NAMES],
      scaler: splits.train.header.scaler,
      layers: [
        {
          weights: Array.from({ length: width }, (_, i) => [((i * 7) % 5) / 4 - 0.4]),
          bias: [-2],
          activation: "sigmoid",
        },
      ],
      hyperparameters: {},
      training: { trainRows: 0, epochs: 0, seconds: 0, finalLoss: 0, classWeight: 1 },
    };
    const bytes = await buildOnnxModel(model);
    const file = join(dir, "fraud.onnx");
    writeFileSync(file, bytes);
    const inProcess = await (await loadOnnx(bytes, width)).predict(splits.test.features);
    const pipelineAuc = rocAuc(inProcess, splits.test.labels);

    const service = await createModelService(await resolveSources([{ source: file, name: "fraud-detector" }]), {
      workers: 1,
      transformers: { "fraud-detector": createFraudTransformer({ encoders: splits.train.header.encoders }) },
    });
    const rest = await startRestServer(service, { port: 0 });
    try {
      const served = await scoreOverHttp({
        url: rest.url,
        model: "fraud-detector",
        transactionsPath: csv,
        testSplitPath: testPath,
        batch: 50,
      });
      expect(served.testRows).toBe(splits.test.header.rows);
      expect(served.requests).toBe(Math.ceil(8000 / 50));
      expect(served.rocAuc).toBe(pipelineAuc);

      // one raw transaction, as the demo's curl line sends it
      const raw = await firstTransactionJson(csv);
      const res = await fetch(`${rest.url}/v1/models/fraud-detector:predict`, {
        method: "POST",
        body: JSON.stringify({ instances: [raw] }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { predictions: number[] };
      expect(body.predictions).toHaveLength(1);
      expect(body.predictions[0]).toBeGreaterThan(0);

      // a bad transaction is the client's error, and the server stays up
      const bad = await fetch(`${rest.url}/v1/models/fraud-detector:predict`, {
        method: "POST",
        body: JSON.stringify({ instances: [{ ...raw, Amount: "ten dollars" }] }),
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toContain('instances[0]: column "Amount"');
      expect((await fetch(`${rest.url}/v2/health/live`)).status).toBe(200);
    } finally {
      await rest.close();
      await service.close();
    }
    expect(ort).toBeDefined();
  });
});
