/**
 * One `abort` listener per AbortSignal, however many tasks wait on it. A run with
 * thousands of tasks (a large ParallelFor) would otherwise add one listener per waiting
 * or running task to the run's signal, and Node warns past ten
 * (`MaxListenersExceededWarning`). Each subscription is removed when its task is done.
 */

const hubs = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `fn` once when `signal` aborts (at once, synchronously, if it already has).
 * Returns the function that unsubscribes; call it when the waiter is done.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  if (signal.aborted) {
    fn();
    return () => {};
  }
  let subs = hubs.get(signal);
  if (!subs) {
    const set = new Set<() => void>();
    subs = set;
    hubs.set(signal, set);
    signal.addEventListener(
      "abort",
      () => {
        hubs.delete(signal);
        for (const f of [...set]) f();
        set.clear();
      },
      { once: true },
    );
  }
  const entry = (): void => fn();
  subs.add(entry);
  const set = subs;
  return () => {
    set.delete(entry);
  };
}

/** Number of subscriptions waiting on a signal (for tests and diagnostics). */
export function abortSubscribers(signal: AbortSignal): number {
  return hubs.get(signal)?.size ?? 0;
}
