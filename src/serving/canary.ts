/**
 * The canary traffic split: which share of a model's unversioned requests goes to the
 * challenger. With a routing key (a request header, say the user id) the choice is a
 * deterministic hash of the key, so one key always lands on the same side while the split
 * stays the same; without one it is a weighted coin. Pure: no imports but the error.
 */
import { ServingError } from "./errors.ts";

/** The split in hundredths of a percent: 10% is 1000 of 10000 buckets. */
const BUCKETS = 10_000;

/** A traffic split: `percent` of the requests go to the challenger. */
export interface CanarySplit {
  /** 0 to 100, hundredths of a percent kept. */
  readonly percent: number;
  /** Whether this request goes to the challenger. */
  pick(routingKey?: string): boolean;
}

/** FNV-1a, 32 bits, over the key's UTF-16 code units: fast, stable across processes and releases. */
export function routingHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A split sending `percent` of the requests to the challenger. `random` is the coin for
 * requests without a key (`Math.random` by default).
 *
 * @throws ServingError `INVALID_ARGUMENT` when `percent` is not a number from 0 to 100.
 */
export function canarySplit(model: string, percent: number, random: () => number = Math.random): CanarySplit {
  if (typeof percent !== "number" || !Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw new ServingError(
      "INVALID_ARGUMENT",
      `canary of model '${model}': ${String(percent)}% is not a share of traffic; give a percentage from 0 to 100 (--canary NAME=10%)`,
    );
  }
  const threshold = Math.round((percent * BUCKETS) / 100);
  return {
    percent,
    pick(routingKey?: string): boolean {
      if (threshold <= 0) return false;
      if (threshold >= BUCKETS) return true;
      if (routingKey !== undefined && routingKey !== "") return routingHash(routingKey) % BUCKETS < threshold;
      return random() * BUCKETS < threshold;
    },
  };
}

/**
 * Reads `10%`, `10` or `2.5%` as a percentage.
 *
 * @throws ServingError `INVALID_ARGUMENT` naming the text and the form to write.
 */
export function parsePercent(model: string, text: string): number {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*%?\s*$/.exec(text);
  const value = m ? Number(m[1]) : Number.NaN;
  if (!m || value > 100) {
    throw new ServingError(
      "INVALID_ARGUMENT",
      `canary of model '${model}': '${text}' is not a percentage; write a number from 0 to 100, as in 10%`,
    );
  }
  return value;
}
