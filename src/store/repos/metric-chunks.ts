/**
 * Step metrics as chunks (`tracking_metric_chunks`, migration 13): one row per run, key
 * and batch, whose steps, timestamps and values are BLOBs of little-endian f64. Point `i`
 * of a chunk has the sequence number `first_seq + i`. Writing a batch costs one row per
 * key, however many points it has; a read decodes whole chunks.
 */
import { InvalidInputError, StoreError } from "../errors.ts";
import type { SqlContext } from "../sql.ts";
import type { TrackingMetric, TrackingMetricColumns } from "../types.ts";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A column as a BLOB of little-endian f64 (a view of the array, no copy, on little-endian hosts). */
export function f64Blob(a: Float64Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const out = Buffer.allocUnsafe(a.length * 8);
  for (let i = 0; i < a.length; i++) out.writeDoubleLE(a[i] as number, i * 8);
  return out;
}

/** A BLOB of `count` little-endian f64 as an array (a view when aligned, else a copy). */
function blobF64(b: Uint8Array, count: number, column: string, firstSeq: number): Float64Array {
  if (b.byteLength !== count * 8) {
    throw new StoreError(
      "CORRUPT_DATA",
      `tracking_metric_chunks: chunk ${firstSeq} has ${count} points but ${b.byteLength} bytes of ${column}; restore the store from a backup`,
    );
  }
  if (!LITTLE_ENDIAN) {
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return Float64Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true));
  }
  if (b.byteOffset % 8 === 0) return new Float64Array(b.buffer, b.byteOffset, count);
  return new Float64Array(new Uint8Array(b).buffer, 0, count);
}

interface ChunkRow {
  first_seq: number;
  count: number;
  steps: Uint8Array;
  timestamps: Uint8Array;
  vals: Uint8Array;
}

/** A series' points in sequence order, as columns. */
export interface SeriesPoints {
  count: number;
  seq: Float64Array;
  step: Float64Array;
  timestamp: Float64Array;
  value: Float64Array;
}

/** Concatenates chunks (in sequence order), keeping the points with a sequence number after `after`, at most `limit`. */
function decode(rows: readonly ChunkRow[], after: number, limit: number): SeriesPoints {
  let total = 0;
  for (const r of rows) total += Math.max(0, Math.min(r.count, r.first_seq + r.count - 1 - after));
  const n = Math.min(total, limit);
  const out: SeriesPoints = {
    count: n,
    seq: new Float64Array(n),
    step: new Float64Array(n),
    timestamp: new Float64Array(n),
    value: new Float64Array(n),
  };
  let at = 0;
  for (const r of rows) {
    if (at >= n) break;
    const from = Math.max(0, after + 1 - r.first_seq);
    if (from >= r.count) continue;
    const take = Math.min(r.count - from, n - at);
    out.step.set(blobF64(r.steps, r.count, "steps", r.first_seq).subarray(from, from + take), at);
    out.timestamp.set(blobF64(r.timestamps, r.count, "timestamps", r.first_seq).subarray(from, from + take), at);
    out.value.set(blobF64(r.vals, r.count, "vals", r.first_seq).subarray(from, from + take), at);
    for (let i = 0; i < take; i++) out.seq[at + i] = r.first_seq + from + i;
    at += take;
  }
  return out;
}

const CHUNK_COLUMNS = "first_seq, count, steps, timestamps, vals";

/** Every point of one run's key, in sequence order. */
export function readSeries(ctx: SqlContext, runId: string, key: string): SeriesPoints {
  const rows = ctx
    .stmt(`SELECT ${CHUNK_COLUMNS} FROM tracking_metric_chunks WHERE run_id = ? AND key = ? ORDER BY first_seq`)
    .all(runId, key) as ChunkRow[];
  return decode(rows, 0, Number.MAX_SAFE_INTEGER);
}

/** The first `limit` points of one run's key with a sequence number after `after`. */
export function readSeriesAfter(
  ctx: SqlContext,
  runId: string,
  key: string,
  after: number,
  limit: number,
): SeriesPoints {
  // from the chunk that holds `after` (or the first one); each chunk has at least one point
  const rows = ctx
    .stmt(
      `SELECT ${CHUNK_COLUMNS} FROM tracking_metric_chunks WHERE run_id = ? AND key = ?
         AND first_seq >= coalesce((SELECT max(first_seq) FROM tracking_metric_chunks
           WHERE run_id = ? AND key = ? AND first_seq <= ?), 0)
       ORDER BY first_seq LIMIT ?`,
    )
    .all(runId, key, runId, key, after, limit + 1) as ChunkRow[];
  return decode(rows, after, limit);
}

/** Metric objects as columns: one key index per distinct key. */
export function columnsOf(runId: string, metrics: readonly TrackingMetric[]): TrackingMetricColumns {
  const n = metrics.length;
  const index = new Map<string, number>();
  const c: TrackingMetricColumns = {
    keys: [],
    count: n,
    value: new Float64Array(n),
    timestamp: new Float64Array(n),
    step: new Float64Array(n),
    key: new Uint32Array(n),
  };
  for (let i = 0; i < n; i++) {
    const m = metrics[i] as TrackingMetric;
    if (typeof m.value !== "number") {
      throw new InvalidInputError(`run '${runId}': metric '${m.key}' value must be a number, got ${String(m.value)}`);
    }
    if (typeof m.timestamp !== "number" || typeof m.step !== "number") {
      throw new InvalidInputError(`run '${runId}': metric '${m.key}' timestamp and step must be integers`);
    }
    let k = index.get(m.key);
    if (k === undefined) {
      k = index.size;
      index.set(m.key, k);
      (c.keys as string[]).push(m.key);
    }
    c.key[i] = k;
    c.value[i] = m.value;
    c.timestamp[i] = m.timestamp;
    c.step[i] = m.step;
  }
  return c;
}

/** One key's points of a batch, and its latest point (MLflow's: the greatest step, timestamp, value). */
export interface KeyChunk {
  key: string;
  count: number;
  step: Float64Array;
  timestamp: Float64Array;
  value: Float64Array;
  latest: number;
}

/** Whether point `a` is MLflow's later value than point `b`: greater step, then timestamp, then value (NaN least). */
function later(c: TrackingMetricColumns, a: number, b: number): boolean {
  const as = c.step[a] as number;
  const bs = c.step[b] as number;
  if (as !== bs) return as > bs;
  const at = c.timestamp[a] as number;
  const bt = c.timestamp[b] as number;
  if (at !== bt) return at > bt;
  const av = c.value[a] as number;
  const bv = c.value[b] as number;
  return (Number.isNaN(av) ? -Number.MAX_VALUE : av) >= (Number.isNaN(bv) ? -Number.MAX_VALUE : bv);
}

/**
 * Splits a batch into one chunk per key (in order of each key's first point), checking it
 * as it goes: key indexes in range, integer steps and timestamps. Keys are checked by the caller.
 */
export function splitByKey(runId: string, c: TrackingMetricColumns): KeyChunk[] {
  const k = c.keys.length;
  const n = c.count;
  if (c.value.length < n || c.timestamp.length < n || c.step.length < n || c.key.length < n) {
    throw new InvalidInputError(
      `run '${runId}': a batch of ${n} metrics needs ${n} values, timestamps, steps and keys`,
    );
  }
  const counts = new Uint32Array(k);
  const latest = new Int32Array(k).fill(-1);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const ki = c.key[i] as number;
    if (ki >= k) throw new InvalidInputError(`run '${runId}': metric ${i} names key ${ki}, but the batch has ${k}`);
    if (!Number.isInteger(c.step[i]) || !Number.isInteger(c.timestamp[i])) {
      throw new InvalidInputError(`run '${runId}': metric '${c.keys[ki]}' timestamp and step must be integers`);
    }
    const best = latest[ki] as number;
    if (best < 0) order.push(ki);
    if (best < 0 || later(c, i, best)) latest[ki] = i;
    counts[ki] = (counts[ki] as number) + 1;
  }
  if (order.length === 1) {
    const ki = order[0] as number;
    return [
      {
        key: c.keys[ki] as string,
        count: n,
        step: c.step.subarray(0, n),
        timestamp: c.timestamp.subarray(0, n),
        value: c.value.subarray(0, n),
        latest: latest[ki] as number,
      },
    ];
  }
  const chunks = new Array<KeyChunk | undefined>(k);
  for (const ki of order) {
    const m = counts[ki] as number;
    chunks[ki] = {
      key: c.keys[ki] as string,
      count: 0,
      step: new Float64Array(m),
      timestamp: new Float64Array(m),
      value: new Float64Array(m),
      latest: latest[ki] as number,
    };
  }
  for (let i = 0; i < n; i++) {
    const ch = chunks[c.key[i] as number] as KeyChunk;
    const j = ch.count++;
    ch.step[j] = c.step[i] as number;
    ch.timestamp[j] = c.timestamp[i] as number;
    ch.value[j] = c.value[i] as number;
  }
  return order.map((ki) => chunks[ki] as KeyChunk);
}

const INSERT_CHUNK =
  "INSERT INTO tracking_metric_chunks (first_seq, run_id, key, count, steps, timestamps, vals) VALUES (?, ?, ?, ?, ?, ?, ?)";
/** The next free sequence number: after the last chunk's points (the rowid order). */
const NEXT_SEQ =
  "SELECT coalesce((SELECT first_seq + count FROM tracking_metric_chunks ORDER BY first_seq DESC LIMIT 1), 1) AS next";

/** Writes one chunk per key, with sequence numbers after every point stored; inside the caller's transaction. */
export function writeChunks(ctx: SqlContext, runId: string, chunks: readonly KeyChunk[]): void {
  let next = (ctx.stmt(NEXT_SEQ).get() as { next: number }).next;
  const insert = ctx.stmt(INSERT_CHUNK);
  for (const ch of chunks) {
    insert.run(next, runId, ch.key, ch.count, f64Blob(ch.step), f64Blob(ch.timestamp), f64Blob(ch.value));
    next += ch.count;
  }
}
