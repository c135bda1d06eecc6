import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readPredictions, readSplit, scale, writePredictions, writeSplit } from "./dataset-io.ts";
import { buildSplits, FEATURE_NAMES, TransactionColumns } from "./features.ts";
import { generateTransactions } from "./generator.ts";
import type { Transaction } from "./schema.ts";

const dir = mkdtempSync(join(tmpdir(), "fraud-feat-"));
const col = (name: string) => FEATURE_NAMES.indexOf(name as (typeof FEATURE_NAMES)[number]);

function tx(over: Partial<Transaction>): Transaction {
  return {
    user: 0,
    card: 0,
    year: 2019,
    month: 1,
    day: 1,
    minuteOfDay: 600,
    amount: 10,
    useChip: "Chip Transaction",
    merchantName: "1",
    merchantCity: "Austin",
    merchantState: "TX",
    zip: "78701",
    mcc: 5411,
    errors: [],
    isFraud: false,
    ...over,
  };
}

describe("buildSplits", () => {
  it("computes per-card history features from the past only", () => {
    const cols = new TransactionColumns();
    cols.add(tx({ minuteOfDay: 600, amount: 10 }));
    cols.add(tx({ card: 1, minuteOfDay: 605, amount: 500 }));
    cols.add(
      tx({ minuteOfDay: 630, amount: 100, merchantState: "NV", errors: ["Bad CVV"], useChip: "Swipe Transaction" }),
    );
    cols.add(tx({ minuteOfDay: 640, amount: 20, useChip: "Online Transaction", merchantState: "", isFraud: true }));
    const s = buildSplits(cols, { validationFraction: 0, testFraction: 0, fraudRatio: 0, seed: 1 });
    const x = s.train.features;
    const w = FEATURE_NAMES.length;
    const at = (row: number, name: string) => x[row * w + col(name)]!;
    expect(s.train.header.rows).toBe(4);
    // Row order is time order: card 0 @600, card 1 @605, card 0 @630, card 0 @640.
    expect(at(0, "log_minutes_since_prev")).toBeCloseTo(Math.log1p(60 * 24 * 30), 4);
    expect(at(2, "log_minutes_since_prev")).toBeCloseTo(Math.log1p(30), 5);
    expect(at(3, "card_tx_last_hour")).toBe(2);
    expect(at(2, "away_from_card_state")).toBe(1);
    expect(at(3, "away_from_card_state")).toBe(0);
    expect(at(2, "amount_dev_from_card_mean")).toBeCloseTo(Math.log1p(100) - Math.log1p(10), 5);
    expect(at(2, "error_bad_cvv")).toBe(1);
    expect(at(2, "chip_swipe")).toBe(1);
    expect(at(3, "chip_online")).toBe(1);
    expect(at(0, "hour")).toBe(10);
    expect(at(0, "weekday")).toBe(2); // 2019-01-01 was a Tuesday
    expect(Array.from(s.train.labels)).toEqual([0, 0, 0, 1]);
  });

  it("splits by time, fits the scaler on train, and under-samples legitimate rows", () => {
    const data = generateTransactions({ rows: 20_000, seed: 11 });
    const cols = new TransactionColumns();
    for (const t of data.transactions) cols.add(t);
    const full = buildSplits(cols, {
      validationFraction: 0.15,
      testFraction: 0.15,
      fraudRatio: 0,
      seed: 1,
      truth: data.probabilities,
    });
    expect(full.train.header.rows + full.validation.header.rows + full.test.header.rows).toBe(20_000);
    expect(full.train.header.to <= full.validation.header.from).toBe(true);
    expect(full.validation.header.to <= full.test.header.from).toBe(true);
    expect(Number.isNaN(full.test.truth[0]!)).toBe(false);
    const z = scale(full.train.features, full.train.header.scaler);
    let mean = 0;
    for (let r = 0; r < full.train.header.rows; r++) mean += z[r * FEATURE_NAMES.length]!;
    expect(Math.abs(mean / full.train.header.rows)).toBeLessThan(1e-3);

    const sampled = buildSplits(cols, { validationFraction: 0.15, testFraction: 0.15, fraudRatio: 0.1, seed: 1 });
    const frauds = sampled.train.labels.reduce((a, b) => a + b, 0);
    expect(frauds / sampled.train.header.rows).toBeGreaterThan(0.07);
    expect(frauds / sampled.train.header.rows).toBeLessThan(0.14);
    expect(sampled.test.header.rows).toBe(full.test.header.rows);
    expect(sampled.train.header.scaler).toEqual(full.train.header.scaler);
    expect(Number.isNaN(sampled.test.truth[0]!)).toBe(true);
  });
});

describe("split and prediction files", () => {
  it("round-trip and reject foreign files", () => {
    const cols = new TransactionColumns();
    for (const t of generateTransactions({ rows: 2000, seed: 5 }).transactions) cols.add(t);
    const s = buildSplits(cols, { validationFraction: 0.2, testFraction: 0.2, fraudRatio: 0, seed: 1 });
    const path = join(dir, "test.bin");
    writeSplit(path, s.test);
    const back = readSplit(path);
    expect(back.header).toEqual(s.test.header);
    expect(back.features).toEqual(s.test.features);
    expect(back.labels).toEqual(s.test.labels);

    const pred = join(dir, "pred.bin");
    writePredictions(pred, { validation: Float32Array.of(0.1, 0.2), test: Float32Array.of(0.3) });
    expect(readPredictions(pred)).toEqual({ validation: Float32Array.of(0.1, 0.2), test: Float32Array.of(0.3) });

    const junk = join(dir, "junk.bin");
    writeFileSync(junk, "hello");
    expect(() => readSplit(junk)).toThrow(/not a feature split/);
    expect(() => readPredictions(junk)).toThrow(/not a predictions file/);
  });
});
