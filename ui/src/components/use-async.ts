/** Data loading hooks: one-shot loads with reload, and polling while something is live. */
import { type DependencyList, useCallback, useEffect, useRef, useState } from "react";

/** The state of a load. */
export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `fn` when `deps` change (aborting the previous call) and again every `pollMs` while
 * `poll(data)` says so. Errors keep the last good data.
 */
export function useAsync<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  opts: { pollMs?: number; poll?: (data: T | undefined) => boolean } = {},
): AsyncState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const optsRef = useRef(opts);
  optsRef.current = opts;
  const reload = useCallback(() => setTick((t) => t + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's
  useEffect(() => {
    const ctrl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const run = async (first: boolean): Promise<void> => {
      if (first) setLoading(true);
      try {
        const value = await fnRef.current(ctrl.signal);
        if (stopped) return;
        setData(value);
        setError(undefined);
        const { pollMs, poll } = optsRef.current;
        if (pollMs && (poll ? poll(value) : true)) timer = setTimeout(() => void run(false), pollMs);
      } catch (err) {
        if (stopped || (err as Error).name === "AbortError") return;
        setError(err);
      } finally {
        if (!stopped) setLoading(false);
      }
    };
    void run(true);
    return () => {
      stopped = true;
      ctrl.abort();
      if (timer) clearTimeout(timer);
    };
  }, [...deps, tick]);

  return { data, error, loading, reload };
}
