/** Metrics collectors of command trials: Katib's StdOut and File (TEXT, JSON) formats. */

export {
  type CollectorStats,
  createLineCollector,
  LineCollector,
  type LineCollectorOptions,
  type LineFormat,
  type MetricPoint,
  parseMetricValue,
} from "./collector.ts";
export { describeMiss, type MissSource } from "./describe.ts";
export { compileFilters, filterSources, KATIB_DEFAULT_FILTER, MAX_MATCHED_LINE } from "./filters.ts";
export { reduce } from "./reduce.ts";
