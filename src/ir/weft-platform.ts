/**
 * Weft's own entry of a KFP `PlatformSpec` (`platforms.weft.config`), which KFP reads
 * past: settings of a pipeline that only Weft acts on. Today: the tasks whose metrics are
 * the run's metrics (`task.setRunMetrics()` in the SDK).
 */
import type { PlatformSpec } from "./spec.ts";

/** The platform key of Weft's settings. */
export const WEFT_PLATFORM = "weft";
/** The config field listing the task names whose metrics define the run. */
export const RUN_METRICS_TASKS_FIELD = "runMetricsTasks";

/** The platform spec that marks these tasks (sorted) as the run's metrics. */
export function runMetricsPlatform(tasks: string[]): PlatformSpec {
  return { platforms: { [WEFT_PLATFORM]: { config: { [RUN_METRICS_TASKS_FIELD]: [...tasks].sort() } } } };
}

/** The task names a platform spec marks as the run's metrics. */
export function runMetricsTasks(platformSpec: PlatformSpec | undefined): string[] {
  const weft = platformSpec?.platforms?.[WEFT_PLATFORM] as { config?: Record<string, unknown> } | undefined;
  const list = weft?.config?.[RUN_METRICS_TASKS_FIELD];
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : [];
}
