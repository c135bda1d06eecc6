/**
 * Data validation of a transactions file: schema (via the streaming parser), nulls,
 * value ranges and the fraud rate. Problems are collected, not thrown one by one, so a
 * failed run lists everything that is wrong.
 */
import { readTransactions } from "./csv.ts";
import { FraudPipelineError } from "./errors.ts";

/** Limits the data must respect. */
export interface ValidationRules {
  minRows: number;
  /** Allowed fraud rate, inclusive. */
  minFraudRate: number;
  maxFraudRate: number;
  minYear: number;
  maxYear: number;
  maxAbsAmount: number;
}

/** Defaults that fit TabFormer (0.12% fraud, 1991 to 2020) and the synthetic data. */
export const DEFAULT_RULES: ValidationRules = {
  minRows: 1000,
  minFraudRate: 0.0005,
  maxFraudRate: 0.2,
  minYear: 1990,
  maxYear: 2030,
  maxAbsAmount: 1_000_000,
};

/** What validation measured. */
export interface ValidationStats {
  rows: number;
  frauds: number;
  fraudRate: number;
  users: number;
  cards: number;
  nullMerchantNames: number;
  nullCities: number;
  refunds: number;
  onlineShare: number;
  errorShare: number;
  minYear: number;
  maxYear: number;
  meanAmount: number;
}

/** Stats plus every rule violation found (empty when the data is good). */
export interface ValidationReport {
  stats: ValidationStats;
  problems: string[];
}

/** Streams `path` and checks it against `rules`. Parse errors (schema) are thrown at once. */
export async function validateFile(path: string, rules: ValidationRules = DEFAULT_RULES): Promise<ValidationReport> {
  const problems: string[] = [];
  // Row-level violations are counted per rule, with the first offending line as an example.
  const violations = new Map<string, { count: number; first: string }>();
  const note = (rule: string, row: number, value: number) => {
    const v = violations.get(rule);
    if (v) v.count++;
    else violations.set(rule, { count: 1, first: `${path}:${row} has ${value}` });
  };
  const cards = new Set<number>();
  const users = new Set<number>();
  let rows = 0;
  let frauds = 0;
  let nullMerchantNames = 0;
  let nullCities = 0;
  let refunds = 0;
  let online = 0;
  let withErrors = 0;
  let minYear = Number.POSITIVE_INFINITY;
  let maxYear = Number.NEGATIVE_INFINITY;
  let amountSum = 0;
  for await (const tx of readTransactions(path)) {
    rows++;
    const row = rows + 1;
    users.add(tx.user);
    cards.add(tx.user * 64 + tx.card);
    if (tx.isFraud) frauds++;
    if (tx.merchantName === "") nullMerchantNames++;
    if (tx.merchantCity === "") nullCities++;
    if (tx.amount < 0) refunds++;
    if (tx.useChip === "Online Transaction") online++;
    if (tx.errors.length > 0) withErrors++;
    minYear = Math.min(minYear, tx.year);
    maxYear = Math.max(maxYear, tx.year);
    amountSum += tx.amount;
    if (tx.year < rules.minYear || tx.year > rules.maxYear) {
      note(`Year outside ${rules.minYear}..${rules.maxYear}`, row, tx.year);
    }
    if (tx.month < 1 || tx.month > 12) note("Month outside 1..12", row, tx.month);
    if (tx.day < 1 || tx.day > 31) note("Day outside 1..31", row, tx.day);
    if (tx.minuteOfDay >= 1440) note("Time past 23:59", row, tx.minuteOfDay);
    if (Math.abs(tx.amount) > rules.maxAbsAmount) note(`|Amount| above ${rules.maxAbsAmount}`, row, tx.amount);
    if (tx.mcc < 1000 || tx.mcc > 9999) note("MCC not a 4-digit merchant category code", row, tx.mcc);
  }
  for (const [rule, v] of violations) problems.push(`${rule} in ${v.count} row(s), first at ${v.first}`);
  const fraudRate = rows ? frauds / rows : 0;
  if (rows < rules.minRows) {
    problems.push(`${path}: ${rows} rows, at least ${rules.minRows} are needed to train and evaluate`);
  }
  if (nullMerchantNames > 0) problems.push(`${path}: ${nullMerchantNames} rows have an empty Merchant Name`);
  if (nullCities > 0) problems.push(`${path}: ${nullCities} rows have an empty Merchant City`);
  if (fraudRate < rules.minFraudRate || fraudRate > rules.maxFraudRate) {
    problems.push(
      `${path}: fraud rate ${(fraudRate * 100).toFixed(3)}% (${frauds} of ${rows}) is outside ` +
        `${rules.minFraudRate * 100}%..${rules.maxFraudRate * 100}%`,
    );
  }
  return {
    stats: {
      rows,
      frauds,
      fraudRate,
      users: users.size,
      cards: cards.size,
      nullMerchantNames,
      nullCities,
      refunds,
      onlineShare: rows ? online / rows : 0,
      errorShare: rows ? withErrors / rows : 0,
      minYear: rows ? minYear : 0,
      maxYear: rows ? maxYear : 0,
      meanAmount: rows ? amountSum / rows : 0,
    },
    problems,
  };
}

/** Throws a {@link FraudPipelineError} listing every problem of a report, if there are any. */
export function assertValid(report: ValidationReport): void {
  if (report.problems.length === 0) return;
  throw new FraudPipelineError(
    "FRAUD_DATA_INVALID",
    `validate_data found ${report.problems.length} problem(s):\n  - ${report.problems.join("\n  - ")}\n` +
      "Fix the input data (or pass more rows) and run again.",
  );
}
