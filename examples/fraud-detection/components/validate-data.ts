/** `validate_data`: schema, nulls, value ranges and fraud rate; fails the run on bad data. */
import { artifact, component, param } from "weft";
import { assertValid, DEFAULT_RULES, validateFile } from "../lib/validate.ts";

/** Checks the raw transactions and logs what it measured as Metrics. */
export const validateData = component({
  name: "validate_data",
  description: "Checks schema, nulls, value ranges and the fraud rate of the transactions; fails on bad data.",
  inputs: {
    transactions: artifact.Dataset,
    min_rows: param.int({ default: DEFAULT_RULES.minRows }),
    max_fraud_rate: param.float({ default: DEFAULT_RULES.maxFraudRate }),
  },
  outputs: { metrics: artifact.Metrics, fraud_rate: param.float(), rows: param.int() },
  async run({ transactions, min_rows, max_fraud_rate }, { metrics }) {
    const report = await validateFile(transactions.path, {
      ...DEFAULT_RULES,
      minRows: min_rows,
      maxFraudRate: max_fraud_rate,
    });
    const s = report.stats;
    metrics.logMetric("rows", s.rows);
    metrics.logMetric("frauds", s.frauds);
    metrics.logMetric("fraud_rate", s.fraudRate);
    metrics.logMetric("users", s.users);
    metrics.logMetric("cards", s.cards);
    metrics.logMetric("null_merchant_names", s.nullMerchantNames);
    metrics.logMetric("refunds", s.refunds);
    metrics.logMetric("online_share", s.onlineShare);
    metrics.logMetric("error_share", s.errorShare);
    metrics.logMetric("mean_amount", s.meanAmount);
    console.log(
      `validate_data: ${s.rows} rows, ${s.frauds} frauds (${(s.fraudRate * 100).toFixed(3)}%), ` +
        `${s.users} users, ${s.cards} cards, years ${s.minYear}-${s.maxYear}`,
    );
    assertValid(report);
    return { fraud_rate: s.fraudRate, rows: s.rows };
  },
});
