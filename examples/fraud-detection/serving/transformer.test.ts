/**
 * The fraud transformer computes, from raw TabFormer transactions sent as JSON, exactly the
 * features the preprocess step computed for the same rows (no training/serving skew).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadTransformer } from "../../../src/serving/transformer.ts";
import { formatTransaction, parseTransaction, splitCsvLine } from "../lib/csv.ts";
import { writeSplit } from "../lib/dataset-io.ts";
import { buildSplits, FEATURE_NAMES, TransactionColumns, transactionMinute } from "../lib/features.ts";
import { generateTransactions } from "../lib/generator.ts";
import { TABFORMER_COLUMNS } from "../lib/schema.ts";
import { createFraudTransformer, type FraudTransformer } from "./fraud-transformer.ts";

const dir = mkdtempSync(join(tmpdir(), "fraud-serving-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CSV lines the load step writes, read back as the preprocess step reads them. */
const lines = generateTransactions({ rows: 6000, seed: 11 }).transactions.map(formatTransaction);
const transactions = lines.map((l, i) => parseTransaction(splitCsvLine(l), "t.csv", i + 2));
const cols = new TransactionColumns();
for (const tx of transactions) cols.add(tx);
const splits = buildSplits(cols, { validationFraction: 0.15, testFraction: 0.15, fraudRatio: 0, seed: 1 });
/** The pipeline's features of every row in time order (train, validation, test are consecutive slices of it). */
const pipelineFeatures = new Float32Array([
  ...splits.train.features,
  ...splits.validation.features,
  ...splits.test.features,
]);
/** Row indexes in the time order the splits use. */
const order = transactions
  .map((tx, i) => [transactionMinute(tx), i] as const)
  .sort((a, b) => a[0] - b[0] || a[1] - b[1])
  .map(([, i]) => i);
/** A raw transaction as a client sends it: the CSV line's fields keyed by the TabFormer columns. */
const rawJson = (i: number) =>
  Object.fromEntries(TABFORMER_COLUMNS.map((c, k) => [c, splitCsvLine(lines[i]!)[k]])) as Record<string, string>;
const context = { modelName: "fraud-detector", protocol: "v1" as const, headers: {} };

/** Sends every row through the transformer in time order, in requests of 1 to 7 rows. */
async function serveAll(t: FraudTransformer): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for (let k = 0, size = 1; k < order.length; k += size, size = (size % 7) + 1) {
    const request = await t.preprocess({ instances: order.slice(k, k + size).map(rawJson) }, context);
    const input = request.inputs[0]!;
    expect(input.shape).toEqual([Math.min(size, order.length - k), FEATURE_NAMES.length]);
    parts.push(input.data as Float32Array);
  }
  const out = new Float32Array(order.length * FEATURE_NAMES.length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe("fraud transformer", () => {
  it("turns raw transactions into exactly the pipeline's features, row for row", async () => {
    const t = createFraudTransformer({ encoders: splits.train.header.encoders });
    const served = await serveAll(t);
    expect(served.length).toBe(pipelineFeatures.length);
    // bit for bit: the same float32 values, history features included
    expect(bytes(served).equals(bytes(pipelineFeatures))).toBe(true);
    expect(t.cards).toBeGreaterThan(1);
  });

  it("loads as weft serve loads it, with the encoders of a split named by FRAUD_ENCODERS", async () => {
    const split = join(dir, "test.bin");
    writeSplit(split, splits.test);
    process.env.FRAUD_ENCODERS = split;
    try {
      const t = (await loadTransformer(join(import.meta.dirname, "transformer.ts"))) as FraudTransformer;
      expect(bytes(await serveAll(t)).equals(bytes(pipelineFeatures))).toBe(true);
      const result = {
        modelName: "fraud-detector",
        modelVersion: "3",
        outputs: [
          { name: "fraud_probability", datatype: "FP32" as const, shape: [2, 1], data: Float32Array.of(0.25, 0.5) },
        ],
      };
      expect(t.postprocess?.(result, context)).toEqual({ predictions: [0.25, 0.5] });
      expect(t.postprocess?.(result, { ...context, protocol: "v2" })).toEqual({
        model_name: "fraud-detector",
        model_version: "3",
        predictions: [0.25, 0.5],
      });
    } finally {
      delete process.env.FRAUD_ENCODERS;
    }
  });

  it("refuses a bad transaction with a 400 naming the instance and column, and records none of the request", async () => {
    const t = createFraudTransformer({ encoders: splits.train.header.encoders });
    const good = rawJson(order[0]!);
    const bad = { ...rawJson(order[1]!), Time: "25h" };
    const err = await Promise.resolve()
      .then(() => t.preprocess({ instances: [good, bad] }, context))
      .catch((e: unknown) => e as Error & { code: string; httpStatus: number });
    expect(err).toMatchObject({ code: "INVALID_ARGUMENT", httpStatus: 400 });
    expect((err as Error).message).toContain('instances[1]: column "Time" has "25h", expected HH:MM');
    expect(t.cards).toBe(0);
    expect(() => t.preprocess({ rows: [] }, context)).toThrow(/has no transactions/);
    expect(() => t.preprocess({ instances: [42] }, context)).toThrow(/instances\[0\] is number, not a transaction/);
  });

  it("reads the encoders from a JSON file too, and refuses a file without them", async () => {
    const { readEncoders } = await import("./fraud-transformer.ts");
    const json = join(dir, "enc.json");
    writeFileSync(json, JSON.stringify({ encoders: splits.train.header.encoders }));
    expect(readEncoders(json)).toEqual(splits.train.header.encoders);
    writeFileSync(json, "{}");
    expect(() => readEncoders(json)).toThrow(/has no "mcc" and "state" encoders/);
  });
});
