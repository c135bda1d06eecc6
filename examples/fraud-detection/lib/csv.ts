/**
 * Reading and writing TabFormer CSV files. Reading streams line by line, so the real
 * 24-million-row `card_transaction.v1.csv` is never held in memory as text.
 */

import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { FraudPipelineError } from "./errors.ts";
import { CHIP_MODES, type ChipMode, TABFORMER_COLUMNS, type Transaction } from "./schema.ts";

/** Splits one CSV line into fields, honouring double quotes (`"Bad PIN,Insufficient Balance"`). */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(",");
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(field);
      field = "";
    } else field += ch;
  }
  out.push(field);
  return out;
}

function quote(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Formats a transaction as one TabFormer CSV line (no newline). */
export function formatTransaction(tx: Transaction): string {
  const hh = String(Math.floor(tx.minuteOfDay / 60)).padStart(2, "0");
  const mm = String(tx.minuteOfDay % 60).padStart(2, "0");
  const zip = tx.zip === "" ? "" : `${tx.zip}.0`;
  return [
    tx.user,
    tx.card,
    tx.year,
    tx.month,
    tx.day,
    `${hh}:${mm}`,
    `$${tx.amount.toFixed(2)}`,
    tx.useChip,
    tx.merchantName,
    quote(tx.merchantCity),
    quote(tx.merchantState),
    zip,
    tx.mcc,
    quote(tx.errors.join(",")),
    tx.isFraud ? "Yes" : "No",
  ].join(",");
}

function bad(source: string, line: number, column: string, value: string, rule: string): FraudPipelineError {
  return new FraudPipelineError(
    "FRAUD_CSV_ROW",
    `${source}:${line}: column "${column}" has ${JSON.stringify(value)}, ${rule}. ` +
      "Fix or drop the row; the file must follow the TabFormer card_transaction.v1.csv schema.",
  );
}

function int(fields: string[], i: number, source: string, line: number): number {
  const raw = fields[i] ?? "";
  const v = Number(raw);
  if (raw === "" || !Number.isInteger(v)) throw bad(source, line, TABFORMER_COLUMNS[i]!, raw, "expected an integer");
  return v;
}

/** Parses one data line (already split into fields) into a {@link Transaction}. */
export function parseTransaction(fields: string[], source: string, line: number): Transaction {
  if (fields.length !== TABFORMER_COLUMNS.length) {
    throw new FraudPipelineError(
      "FRAUD_CSV_ROW",
      `${source}:${line}: expected ${TABFORMER_COLUMNS.length} columns, found ${fields.length}. ` +
        "Check for unquoted commas or a truncated line.",
    );
  }
  const time = fields[5] ?? "";
  const m = /^(\d{1,2}):(\d{2})$/.exec(time);
  if (!m) throw bad(source, line, "Time", time, "expected HH:MM");
  const amountRaw = fields[6] ?? "";
  const amount = Number(amountRaw.replace("$", ""));
  if (!amountRaw.startsWith("$") || !Number.isFinite(amount)) {
    throw bad(source, line, "Amount", amountRaw, "expected a dollar amount like $12.34");
  }
  const useChip = fields[7] ?? "";
  if (!(CHIP_MODES as readonly string[]).includes(useChip)) {
    throw bad(source, line, "Use Chip", useChip, `expected one of ${CHIP_MODES.join(" / ")}`);
  }
  const fraud = fields[14] ?? "";
  if (fraud !== "Yes" && fraud !== "No") throw bad(source, line, "Is Fraud?", fraud, "expected Yes or No");
  const zip = (fields[11] ?? "").replace(/\.0$/, "");
  const errors = fields[13] ?? "";
  return {
    user: int(fields, 0, source, line),
    card: int(fields, 1, source, line),
    year: int(fields, 2, source, line),
    month: int(fields, 3, source, line),
    day: int(fields, 4, source, line),
    minuteOfDay: Number(m[1]) * 60 + Number(m[2]),
    amount,
    useChip: useChip as ChipMode,
    merchantName: fields[8] ?? "",
    merchantCity: fields[9] ?? "",
    merchantState: fields[10] ?? "",
    zip,
    mcc: int(fields, 12, source, line),
    errors: errors === "" ? [] : errors.split(","),
    isFraud: fraud === "Yes",
  };
}

/** Checks a header line against the TabFormer columns. */
export function checkHeader(header: string, source: string): void {
  const got = splitCsvLine(header.replace(/^\uFEFF/, "").trim());
  const want = TABFORMER_COLUMNS as readonly string[];
  if (got.length !== want.length || got.some((c, i) => c !== want[i])) {
    throw new FraudPipelineError(
      "FRAUD_CSV_HEADER",
      `${source}: the header is "${got.join(",")}", expected "${want.join(",")}". ` +
        "Pass the TabFormer card_transaction.v1.csv file (or one with the same columns).",
    );
  }
}

/** Options of {@link readTransactions}. */
export interface ReadOptions {
  /** Stop after this many data rows (0 or undefined: read all). */
  maxRows?: number;
}

/**
 * Streams the transactions of a TabFormer CSV file, one parsed row at a time.
 *
 * @example
 * for await (const tx of readTransactions("card_transaction.v1.csv", { maxRows: 1e6 })) count++;
 */
export async function* readTransactions(path: string, options: ReadOptions = {}): AsyncGenerator<Transaction> {
  const max = options.maxRows && options.maxRows > 0 ? options.maxRows : Number.POSITIVE_INFINITY;
  const lines = createInterface({ input: createReadStream(path, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  let lineNo = 0;
  let rows = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (lineNo === 1) {
        checkHeader(line, path);
        continue;
      }
      if (line.trim() === "") continue;
      if (rows >= max) break;
      rows++;
      yield parseTransaction(splitCsvLine(line), path, lineNo);
    }
  } finally {
    lines.close();
  }
  if (lineNo === 0) {
    throw new FraudPipelineError("FRAUD_CSV_EMPTY", `${path}: the file is empty; expected a TabFormer CSV header.`);
  }
}

/** Writes transactions as a TabFormer CSV file, in chunks so large outputs stay cheap. */
export async function writeTransactions(
  path: string,
  transactions: Iterable<Transaction> | AsyncIterable<Transaction>,
): Promise<number> {
  const out = createWriteStream(path);
  let chunk = `${TABFORMER_COLUMNS.join(",")}\n`;
  let rows = 0;
  for await (const tx of transactions) {
    chunk += `${formatTransaction(tx)}\n`;
    rows++;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
  return rows;
}
