/**
 * Scores a run's test split through a served model and its transformer: every raw
 * transaction of the run's CSV goes to `weft serve` in time order (KServe v1 `:predict`,
 * TabFormer JSON), so the transformer builds each card's history as the preprocess step
 * did, and the predictions of the last rows — the test split — are ranked against their
 * labels. The served ROC-AUC equals the pipeline's when serving computes what training did.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { splitCsvLine } from "../lib/csv.ts";
import { readSplit } from "../lib/dataset-io.ts";
import { FraudPipelineError } from "../lib/errors.ts";
import { transactionMinute } from "../lib/features.ts";
import { rocAuc } from "../lib/metrics.ts";
import { parseRawTransaction } from "./fraud-transformer.ts";

/** What {@link scoreOverHttp} needs. */
export interface ScoreOptions {
  /** The REST URL `weft serve` printed. */
  url: string;
  /** The served model (with the fraud transformer in front of it). */
  model: string;
  /** The run's `transactions` artifact (TabFormer CSV). */
  transactionsPath: string;
  /** The run's `test` split (for its row count and labels). */
  testSplitPath: string;
  /** Transactions per request; default 64 (the batch size weft serve gives a model file without a config.pbtxt). */
  batch?: number;
}

/** What {@link scoreOverHttp} measured. */
export interface ScoreResult {
  testRows: number;
  rocAuc: number;
  requests: number;
  seconds: number;
}

/** The first data line of a TabFormer CSV as the JSON a client sends (for a curl example). */
export async function firstTransactionJson(path: string): Promise<Record<string, string>> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let header: string[] | undefined;
  try {
    for await (const line of lines) {
      if (!header) header = splitCsvLine(line.replace(/^\uFEFF/, "").trim());
      else if (line.trim() !== "") {
        const fields = splitCsvLine(line);
        return Object.fromEntries(
          header.filter((c) => c !== "Is Fraud?").map((c) => [c, fields[header!.indexOf(c)] ?? ""]),
        );
      }
    }
  } finally {
    lines.close();
  }
  throw new FraudPipelineError("FRAUD_CSV_EMPTY", `${path}: no transactions to show`);
}

/** Sends every transaction through the served model in time order and scores the test split's rows. */
export async function scoreOverHttp(options: ScoreOptions): Promise<ScoreResult> {
  const batch = options.batch ?? 64;
  const split = readSplit(options.testSplitPath);
  const lines: string[] = [];
  const minutes: number[] = [];
  const input = createInterface({
    input: createReadStream(options.transactionsPath),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let first = true;
  for await (const line of input) {
    if (first) {
      first = false;
      continue;
    }
    if (line.trim() === "") continue;
    minutes.push(transactionMinute(parseRawTransaction(line, `${options.transactionsPath}:${lines.length + 2}`)));
    lines.push(line);
  }
  // the preprocess step's time order: by minute, then by position in the file
  const order = lines.map((_, i) => i).sort((a, b) => (minutes[a] as number) - (minutes[b] as number) || a - b);
  const testRows = split.header.rows;
  if (testRows > order.length) {
    throw new FraudPipelineError(
      "FRAUD_DATASET_FORMAT",
      `${options.testSplitPath} has ${testRows} rows, more than the ${order.length} transactions of ${options.transactionsPath}; pass the same run's artifacts`,
    );
  }
  const scores = new Float32Array(testRows);
  const labels = new Float32Array(testRows);
  const firstTest = order.length - testRows;
  const started = performance.now();
  let requests = 0;
  for (let k = 0; k < order.length; k += batch) {
    const rows = order.slice(k, k + batch);
    const res = await fetch(`${options.url}/v1/models/${encodeURIComponent(options.model)}:predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ instances: rows.map((i) => lines[i]) }),
    });
    requests++;
    const body = (await res.json()) as { predictions?: number[]; error?: string };
    if (res.status !== 200 || !Array.isArray(body.predictions) || body.predictions.length !== rows.length) {
      throw new FraudPipelineError(
        "FRAUD_MODEL_FORMAT",
        `scoring over HTTP: ${options.url} answered ${res.status} to ${rows.length} transactions: ${body.error ?? JSON.stringify(body).slice(0, 200)}`,
      );
    }
    rows.forEach((i, r) => {
      const at = k + r - firstTest;
      if (at < 0) return;
      scores[at] = body.predictions![r] as number;
      labels[at] = /,Yes\s*$/.test(lines[i] as string) ? 1 : 0;
    });
  }
  const seconds = (performance.now() - started) / 1000;
  for (let i = 0; i < testRows; i++) {
    if (labels[i] !== split.labels[i]) {
      throw new FraudPipelineError(
        "FRAUD_DATASET_FORMAT",
        `scoring over HTTP: test row ${i} has label ${labels[i]} in ${options.transactionsPath} but ${split.labels[i]} in ${options.testSplitPath}; the split and the transactions are not from the same run`,
      );
    }
  }
  return { testRows, rocAuc: rocAuc(scores, labels), requests, seconds };
}
