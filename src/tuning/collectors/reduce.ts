/** How a metric's series becomes its one value (Katib's `metricStrategies`). */

import type { MetricStrategy } from "../types.ts";

/**
 * The series' least, greatest or last value (in the order reported), or undefined for an
 * empty series. Non-finite values are never part of a series (collectors drop them).
 */
export function reduce(series: readonly { readonly value: number }[], strategy: MetricStrategy): number | undefined {
  if (series.length === 0) return undefined;
  if (strategy === "latest") return (series[series.length - 1] as { value: number }).value;
  let best = (series[0] as { value: number }).value;
  for (const p of series) if (strategy === "min" ? p.value < best : p.value > best) best = p.value;
  return best;
}
