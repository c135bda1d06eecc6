/**
 * Durations ("30s", "1m", "1h30m", "100ms", "7d") and the retry backoff KFP's
 * `retryPolicy` describes (duration × factor^n, capped at the maximum).
 */
import type { RetryPolicy } from "../ir/index.ts";
import { parseDurationMs } from "../ir/units.ts";
import { onAbort } from "./abort.ts";
import { EngineError } from "./errors.ts";

/**
 * Parses a duration into milliseconds (the grammar of `parseDurationMs` in `ir/units.ts`:
 * `ms`, `s`, `m`, `h`, `d`; a bare number means seconds).
 *
 * @example parseDuration("1m30s") // 90000
 */
export function parseDuration(s: string, field = "duration"): number {
  const ms = parseDurationMs(s);
  if (ms === undefined) {
    throw new EngineError("PLAN_INVALID", `${field} '${s}' is not a duration; use e.g. "30s", "5m", "1h" or "7d"`);
  }
  return Math.round(ms);
}

/** How many attempts a task gets in all (1 + maxRetryCount). */
export function maxAttempts(policy: RetryPolicy | undefined): number {
  return 1 + Math.max(0, policy?.maxRetryCount ?? 0);
}

/**
 * The wait before attempt `next` (2 for the first retry): backoffDuration ×
 * backoffFactor^(next-2), capped at backoffMaxDuration (default 1h, as KFP).
 */
export function backoffMs(policy: RetryPolicy | undefined, next: number): number {
  const base = policy?.backoffDuration ? parseDuration(policy.backoffDuration, "retryPolicy.backoffDuration") : 0;
  const factor = policy?.backoffFactor && policy.backoffFactor > 0 ? policy.backoffFactor : 2;
  const cap = policy?.backoffMaxDuration
    ? parseDuration(policy.backoffMaxDuration, "retryPolicy.backoffMaxDuration")
    : 3_600_000;
  return Math.min(cap, Math.round(base * factor ** Math.max(0, next - 2)));
}

/** Waits `ms`, or less if the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) {
      resolve();
      return;
    }
    let off = (): void => {};
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      off();
      resolve();
    }
    if (signal) off = onAbort(signal, done);
  });
}
