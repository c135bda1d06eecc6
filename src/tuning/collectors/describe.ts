/**
 * The message of a trial whose objective metric was never reported (METRICS_UNAVAILABLE):
 * what was expected, where it was looked for, what was seen instead, and what to print.
 */

import type { CollectorStats } from "./collector.ts";

export interface MissSource {
  readonly collector: "StdOut" | "File";
  /** The File collector's path. */
  readonly path?: string;
}

function listNames(names: ReadonlyMap<string, number>): string {
  if (names.size === 0) return "none";
  return [...names].map(([n, c]) => `${n} (${c})`).join(", ");
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Names seen that the metric may have been meant as (other case, a prefix or suffix added). */
function nearNames(metric: string, names: ReadonlyMap<string, number>): string[] {
  const m = metric.toLowerCase();
  return [...names.keys()].filter((n) => n !== metric && (n.toLowerCase().includes(m) || m.includes(n.toLowerCase())));
}

/** Explains why `metric` has no value, from what the collector saw. */
export function describeMiss(metric: string, stats: CollectorStats, source: MissSource): string {
  const where =
    source.collector === "StdOut" ? "the trial's output" : `the metrics file ${source.path ?? ""}`.trimEnd();
  const head = `Metric "${metric}" was not reported (${source.collector} collector, ${stats.format})`;
  const bad = stats.withoutNumber.get(metric);
  const near = nearNames(metric, stats.names);
  const parts: string[] = [];
  if (stats.lines === 0) {
    parts.push(`${where} was empty${source.collector === "File" ? " or never written" : ""}`);
  } else if (stats.format === "JSON") {
    const keyed = bad
      ? `the key "${metric}" appeared ${plural(bad.count, "time")} without a number (first: ${bad.example})`
      : `no line had the key "${metric}"`;
    parts.push(`${where} had ${plural(stats.lines, "line")}; ${keyed}; keys seen: ${listNames(stats.names)}`);
    if (stats.unparsable > 0) parts.push(`${plural(stats.unparsable, "line")} were not JSON objects`);
  } else {
    const filters = stats.filters.map((f) => `\`${f}\``).join(" or ");
    const matched = bad
      ? `"${metric}" matched ${plural(bad.count, "time")} without a number (first: ${bad.example})`
      : `none matched ${filters} with the name "${metric}"`;
    parts.push(`${where} had ${plural(stats.lines, "line")}; ${matched}; metrics seen: ${listNames(stats.names)}`);
  }
  if (near.length > 0) parts.push(`did you mean ${near.map((n) => `"${n}"`).join(" or ")}?`);
  const todo =
    stats.format === "JSON"
      ? `Write one JSON object per line with a number for it, e.g. {"${metric}": 0.93, "step": 1}.`
      : bad
        ? `Print a finite number for it, e.g. "${metric}=0.93" (a NaN or infinite value means the training diverged).`
        : `Print a line such as "${metric}=0.93" (the name, "=" and a number), or set metricsCollectorSpec.source.filter.metricsFormat to a regular expression that matches your lines.`;
  return `${head}: ${parts.join("; ")}. ${todo}`;
}
