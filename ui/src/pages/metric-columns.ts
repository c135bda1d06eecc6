/**
 * The runs table's metric columns: the names the user chose (kept in localStorage), or,
 * until they choose, the three names most runs of the page have (ties by name), the rule
 * `weft runs list` uses without `--metrics`.
 */
import type { RunSummary } from "../api/index.ts";

const KEY = "weft.runs.metricColumns";

/** The chosen metric columns, or undefined when none were chosen. */
export function storedMetricColumns(): string[] | undefined {
  try {
    const raw = globalThis.localStorage?.getItem(KEY);
    const v: unknown = raw ? JSON.parse(raw) : undefined;
    return Array.isArray(v) && v.every((x) => typeof x === "string") ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers the chosen columns (undefined: back to the default). */
export function storeMetricColumns(names: string[] | undefined): void {
  try {
    if (names === undefined) globalThis.localStorage?.removeItem(KEY);
    else globalThis.localStorage?.setItem(KEY, JSON.stringify(names));
  } catch {
    // storage may be unavailable (private mode); the choice then lasts for the page
  }
}

/** Every metric name of the runs, most common first, then by name. */
export function metricNamesOf(runs: RunSummary[]): string[] {
  const counts = new Map<string, number>();
  for (const r of runs) for (const m of r.metrics ?? []) counts.set(m.name, (counts.get(m.name) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([n]) => n);
}

/** The columns to show: the chosen ones, else the page's three most common names. */
export function metricColumns(runs: RunSummary[], chosen: string[] | undefined): string[] {
  return chosen ?? metricNamesOf(runs).slice(0, 3);
}

/** A run's value of one metric. */
export function metricValue(run: RunSummary, name: string): number | undefined {
  return run.metrics?.find((m) => m.name === name)?.number_value;
}
