/** `load_data`: synthetic TabFormer transactions, or the real CSV streamed from `data_path`. */
import { writeFileSync } from "node:fs";
import { artifact, component, param } from "weft";
import { readTransactions, writeTransactions } from "../lib/csv.ts";
import { generateTransactions } from "../lib/generator.ts";

/**
 * Produces the raw transactions as a TabFormer CSV, plus the generator's true fraud
 * probabilities (float32, one per row; empty for real data).
 */
export const loadData = component({
  name: "load_data",
  description: "Generates synthetic TabFormer card transactions, or streams the real card_transaction.v1.csv.",
  inputs: {
    rows: param.int({ default: 200_000, description: "Synthetic rows to generate (ignored with data_path)." }),
    seed: param.int({ default: 42 }),
    data_path: param.string({ default: "", description: "Path of a real TabFormer CSV; empty generates data." }),
    max_rows: param.int({ default: 0, description: "With data_path: read at most this many rows (0: all)." }),
  },
  outputs: {
    transactions: artifact.Dataset,
    truth: artifact.Dataset,
    row_count: param.int(),
    source: param.string(),
  },
  async run({ rows, seed, data_path, max_rows }, { transactions, truth }) {
    const started = Date.now();
    let count: number;
    let source: string;
    if (data_path !== "") {
      count = await writeTransactions(transactions.path, readTransactions(data_path, { maxRows: max_rows }));
      writeFileSync(truth.path, new Uint8Array(0));
      source = data_path;
    } else {
      const data = generateTransactions({ rows, seed });
      count = await writeTransactions(transactions.path, data.transactions);
      const p = Float32Array.from(data.probabilities);
      writeFileSync(truth.path, new Uint8Array(p.buffer));
      source = `synthetic(seed=${seed})`;
    }
    transactions.metadata.rows = count;
    transactions.metadata.source = source;
    truth.metadata.rows = data_path === "" ? count : 0;
    console.log(`load_data: ${count} rows from ${source} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { row_count: count, source };
  },
});
