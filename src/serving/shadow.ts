/**
 * Shadow mode's record: the challenger's answers to mirrored requests, next to what the
 * primary answered, and whether they agree. The record is bounded (the newest entries
 * kept) and in memory; the observer's `shadow` role counts the same requests for metrics.
 */
import type { Tensor, TensorData } from "./types.ts";

/** One mirrored request. */
export interface ShadowRecord {
  /** Milliseconds since the epoch, when the challenger answered. */
  time: number;
  model: string;
  requestId?: string;
  primaryVersion: string;
  shadowVersion: string;
  ok: boolean;
  /** Why the challenger failed, when `ok` is false. */
  error?: string;
  /** The challenger's outputs (not returned to the caller). */
  outputs?: Tensor[];
  /**
   * The largest absolute difference between the two answers over every output element both
   * have (BYTES: 0 when equal, else 1); `Infinity` when outputs or shapes differ.
   */
  maxAbsDiff?: number;
  /** `maxAbsDiff` within the tolerance. */
  agree?: boolean;
}

/** What the record says in sum. */
export interface ShadowSummary {
  model: string;
  shadowVersion?: string;
  mirrored: number;
  failed: number;
  agreed: number;
  disagreed: number;
}

/** A ring of the newest records, with running counts over every record ever added. */
export class ShadowLog {
  private readonly ring: ShadowRecord[] = [];
  private next = 0;
  private counts = { mirrored: 0, failed: 0, agreed: 0, disagreed: 0 };
  private lastVersion?: string;

  constructor(
    readonly model: string,
    readonly capacity = 1000,
  ) {}

  add(record: ShadowRecord): void {
    this.counts.mirrored++;
    if (!record.ok) this.counts.failed++;
    else if (record.agree) this.counts.agreed++;
    else this.counts.disagreed++;
    this.lastVersion = record.shadowVersion;
    if (this.capacity <= 0) return;
    if (this.ring.length < this.capacity) this.ring.push(record);
    else this.ring[this.next] = record;
    this.next = (this.next + 1) % this.capacity;
  }

  /** The kept records, oldest first. */
  records(): ShadowRecord[] {
    if (this.ring.length < this.capacity) return this.ring.slice();
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  summary(): ShadowSummary {
    return {
      model: this.model,
      ...(this.lastVersion !== undefined ? { shadowVersion: this.lastVersion } : {}),
      ...this.counts,
    };
  }
}

/** An IEEE half-precision bit pattern as a number. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function elementDiff(a: TensorData, b: TensorData, half: boolean): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  if (Array.isArray(a) || Array.isArray(b)) {
    const x = a as Uint8Array[];
    const y = b as Uint8Array[];
    for (let i = 0; i < x.length; i++) {
      if (Buffer.compare(x[i]!, y[i]!) !== 0) return 1;
    }
    return 0;
  }
  for (let i = 0; i < a.length; i++) {
    const x = half ? halfToNumber(a[i] as number) : Number(a[i]);
    const y = half ? halfToNumber(b[i] as number) : Number(b[i]);
    if (x === y) continue;
    const d = Math.abs(x - y);
    // NaN on one side only, or infinities apart, never agree
    if (Number.isNaN(d)) {
      if (!(Number.isNaN(x) && Number.isNaN(y))) return Number.POSITIVE_INFINITY;
    } else if (d > max) max = d;
  }
  return max;
}

/**
 * The largest absolute difference between two answers, output by output (matched by
 * name); `Infinity` when an output is missing on one side or its shape or datatype differ.
 */
export function compareOutputs(primary: Tensor[], shadow: Tensor[]): number {
  let max = 0;
  for (const p of primary) {
    const s = shadow.find((t) => t.name === p.name);
    if (s === undefined || s.shape.length !== p.shape.length || s.shape.some((d, i) => d !== p.shape[i])) {
      return Number.POSITIVE_INFINITY;
    }
    if (s.datatype !== p.datatype) return Number.POSITIVE_INFINITY;
    const d = elementDiff(p.data, s.data, p.datatype === "FP16");
    if (d > max) max = d;
  }
  return max;
}
