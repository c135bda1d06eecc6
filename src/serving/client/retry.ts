/**
 * Retries with exponential backoff and jitter. Only failures that a second try may fix are
 * retried (`ServingClientError.retryable`: no connection, no answer in time, 503); a 4xx,
 * a bad answer or the caller's abort ends the loop at once.
 */
import { ServingClientError } from "./errors.ts";

/** How often and how patiently a call is tried. */
export interface RetryOptions {
  /** Tries in all, the first included (1: no retry). Default 3. */
  attempts?: number;
  /** The backoff before the second try; doubles with each try. Default 50 ms. */
  baseDelayMs?: number;
  /** The longest backoff. Default 2000 ms. */
  maxDelayMs?: number;
}

/** The defaults of {@link RetryOptions}. */
export const DEFAULT_RETRIES: Required<RetryOptions> = { attempts: 3, baseDelayMs: 50, maxDelayMs: 2000 };

/** Fills the defaults in and checks the numbers; a bad setting is a `SERVING_BAD_INPUT` naming it. */
export function retryPolicy(options: RetryOptions | undefined): Required<RetryOptions> {
  const policy = { ...DEFAULT_RETRIES, ...options };
  for (const [field, value] of Object.entries(policy)) {
    const min = field === "attempts" ? 1 : 0;
    if (!Number.isFinite(value) || value < min || (field === "attempts" && !Number.isInteger(value))) {
      throw new ServingClientError(
        "SERVING_BAD_INPUT",
        `retries.${field} is ${value}: use ${field === "attempts" ? "a whole number >= 1" : "a number of milliseconds >= 0"}`,
      );
    }
  }
  return policy;
}

/**
 * The wait before try `attempt + 1` (after `attempt` failed tries): "equal jitter", half of
 * `min(maxDelayMs, baseDelayMs * 2^(attempt-1))` plus a random part of the other half, so
 * that clients failing together do not retry together.
 */
export function backoffDelay(
  attempt: number,
  policy: Required<RetryOptions>,
  random: () => number = Math.random,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return cap / 2 + random() * (cap / 2);
}

/** What a retried call returns: the value and how many tries it took. */
export interface Retried<T> {
  value: T;
  attempts: number;
}

/** Waits `ms`, or rejects with `SERVING_ABORTED` when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(aborted(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The error of a call its caller aborted. */
export function aborted(signal: AbortSignal): ServingClientError {
  return new ServingClientError("SERVING_ABORTED", "the call was aborted by its caller", { cause: signal.reason });
}

/**
 * Runs `call(attempt)` (1-based) until it succeeds, fails with an error that is not
 * retryable, or `attempts` tries failed; then rethrows the last error with the number of
 * tries on it (`ServingClientError.attempts`). `onRetry` hears each failure that will be retried.
 */
export async function withRetries<T>(
  call: (attempt: number) => Promise<T>,
  policy: Required<RetryOptions>,
  options: {
    signal?: AbortSignal;
    random?: () => number;
    onRetry?: (error: ServingClientError, attempt: number, delayMs: number) => void;
  } = {},
): Promise<Retried<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await call(attempt), attempts: attempt };
    } catch (error) {
      const retry =
        error instanceof ServingClientError && error.retryable && attempt < policy.attempts && !options.signal?.aborted;
      if (!retry) {
        if (error instanceof ServingClientError) error.attempts = attempt;
        throw error;
      }
      const delay = backoffDelay(attempt, policy, options.random);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}
