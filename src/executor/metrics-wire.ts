/**
 * The binary form of a batch of step metrics, which `ctx.log` sends to Weft's tracking
 * route (`POST /apis/weft/v1/tracking/runs/:run_id/metrics`, content type
 * {@link METRICS_CONTENT_TYPE}) instead of MLflow's JSON `runs/log-batch`: the task writes
 * each value into typed-array columns and never formats a number. A leaf file with no
 * imports: the task bundle and the registry route both load it.
 *
 * Layout, little-endian: the magic `WFM1`; u32 count N; u32 byte length K of the keys (a
 * JSON array of strings, UTF-8); the keys, then zero padding to a multiple of 8 bytes;
 * f64[N] values (NaN and infinities as they are); f64[N] timestamps (ms); f64[N] steps;
 * u32[N] the index of each value's key in the keys array.
 */

/** The content type of a binary metrics batch. */
export const METRICS_CONTENT_TYPE = "application/vnd.weft.metrics";

/** The path of the binary metrics route for a run (`:run_id` written in). */
export function metricsRoutePath(runId: string): string {
  return `/apis/weft/v1/tracking/runs/${encodeURIComponent(runId)}/metrics`;
}

const MAGIC = 0x314d4657; // "WFM1" read as a little-endian u32

/** Columns of a metrics batch; `key[i]` indexes `keys`. */
export interface MetricColumns {
  keys: readonly string[];
  count: number;
  value: Float64Array;
  timestamp: Float64Array;
  step: Float64Array;
  key: Uint32Array;
}

/** The buffers of an encoded batch, in order (written one after another, no copy of the columns). */
export function encodeMetricColumns(c: MetricColumns): Uint8Array[] {
  const keys = new TextEncoder().encode(JSON.stringify(c.keys));
  const headLength = 12 + keys.length;
  const padded = Math.ceil(headLength / 8) * 8;
  const head = new Uint8Array(padded);
  const view = new DataView(head.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, c.count, true);
  view.setUint32(8, keys.length, true);
  head.set(keys, 12);
  const n = c.count;
  const bytes = (a: Float64Array | Uint32Array) => new Uint8Array(a.buffer, a.byteOffset, n * a.BYTES_PER_ELEMENT);
  return [head, bytes(c.value), bytes(c.timestamp), bytes(c.step), bytes(c.key)];
}

/** Why a body is not a metrics batch; the route answers it as a bad request. */
export class MetricsWireError extends Error {}

/** Reads an encoded batch; throws {@link MetricsWireError} naming what is wrong. */
export function decodeMetricColumns(body: Uint8Array): MetricColumns {
  if (body.length < 12)
    throw new MetricsWireError(`a metrics batch starts with a 12-byte header; got ${body.length} bytes`);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (view.getUint32(0, true) !== MAGIC)
    throw new MetricsWireError("the body does not start with WFM1: it is not a metrics batch");
  const n = view.getUint32(4, true);
  const keyBytes = view.getUint32(8, true);
  const start = Math.ceil((12 + keyBytes) / 8) * 8;
  const expected = start + n * 28;
  if (body.length !== expected) {
    throw new MetricsWireError(
      `a batch of ${n} metrics with ${keyBytes} bytes of keys is ${expected} bytes; got ${body.length}`,
    );
  }
  let keys: unknown;
  try {
    keys = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body.subarray(12, 12 + keyBytes)));
  } catch (e) {
    throw new MetricsWireError(`the batch's keys are not a JSON array (${(e as Error).message})`);
  }
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== "string")) {
    throw new MetricsWireError("the batch's keys are not a JSON array of strings");
  }
  // typed arrays need aligned offsets: copy the columns when the body is not 8-byte aligned
  const aligned = (body.byteOffset + start) % 8 === 0 ? body : body.slice();
  const base = aligned.byteOffset + start;
  const f64 = (i: number) => new Float64Array(aligned.buffer, base + i * 8 * n, n);
  const key = new Uint32Array(aligned.buffer, base + 24 * n, n);
  for (let i = 0; i < n; i++) {
    if ((key[i] as number) >= keys.length) {
      throw new MetricsWireError(`metric ${i} names key ${key[i]}, but the batch has ${keys.length} key(s)`);
    }
  }
  return { keys: keys as string[], count: n, value: f64(0), timestamp: f64(1), step: f64(2), key };
}
