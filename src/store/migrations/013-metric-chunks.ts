/**
 * Migration 13: step metrics as chunks. One row per (run, key, batch) instead of one per
 * point: the first point's sequence number (the rowid) and the count, and the steps,
 * timestamps and values as BLOBs of little-endian f64 (NaN and infinities as they are;
 * steps and timestamps are integers, exact in an f64 up to 2^53 as in a JS number). Point
 * `i` of a chunk has sequence number `first_seq + i`. The rows of `tracking_metrics` move
 * into chunks with their sequence numbers kept (a run of consecutive numbers of one run
 * and key becomes one chunk; a NULL value, which was NaN, becomes NaN); then that table
 * is dropped.
 */
import type { SqliteDatabase } from "../driver.ts";
import type { Migration } from "./migration.ts";

function f64Blob(values: readonly number[]): Buffer {
  const out = Buffer.allocUnsafe(values.length * 8);
  for (let i = 0; i < values.length; i++) out.writeDoubleLE(values[i] as number, i * 8);
  return out;
}

interface OldRow {
  seq: number;
  value: number | null;
  timestamp: number;
  step: number;
}

/** Moves every `tracking_metrics` row into chunks, one (run, key) at a time. */
function moveRows(db: SqliteDatabase): void {
  const series = db.prepare("SELECT DISTINCT run_id, key FROM tracking_metrics").all() as Array<{
    run_id: string;
    key: string;
  }>;
  const rows = db.prepare(
    "SELECT seq, value, timestamp, step FROM tracking_metrics WHERE run_id = ? AND key = ? ORDER BY seq",
  );
  const insert = db.prepare(
    "INSERT INTO tracking_metric_chunks (first_seq, run_id, key, count, steps, timestamps, vals) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  for (const s of series) {
    const points = rows.all(s.run_id, s.key) as OldRow[];
    let start = 0;
    for (let i = 1; i <= points.length; i++) {
      if (i < points.length && (points[i] as OldRow).seq === (points[i - 1] as OldRow).seq + 1) continue;
      const chunk = points.slice(start, i);
      insert.run(
        (chunk[0] as OldRow).seq,
        s.run_id,
        s.key,
        chunk.length,
        f64Blob(chunk.map((p) => p.step)),
        f64Blob(chunk.map((p) => p.timestamp)),
        f64Blob(chunk.map((p) => (p.value === null ? Number.NaN : p.value))),
      );
      start = i;
    }
  }
  db.exec("DROP TABLE tracking_metrics");
}

/** The chunk table, filled from `tracking_metrics`, which it replaces. */
export const migration013: Migration = {
  version: 13,
  name: "metric-chunks",
  sql: `
CREATE TABLE tracking_metric_chunks (
  first_seq INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES tracking_runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  count INTEGER NOT NULL CHECK (count > 0),
  steps BLOB NOT NULL,
  timestamps BLOB NOT NULL,
  vals BLOB NOT NULL
);
-- a key's chunks in order: its history, and its points after a sequence number (the UI
-- polls live curves by it); a run's chunks when it is deleted
CREATE INDEX tracking_metric_chunks_key ON tracking_metric_chunks (run_id, key, first_seq);
`,
  data: moveRows,
};
