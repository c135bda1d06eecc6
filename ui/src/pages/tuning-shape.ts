/**
 * What the tuning pages show, as plain functions: the trials table's columns and sorting,
 * trial counts in words, and the scales of the charts (numeric, log and categorical axes
 * of the parallel-coordinates plot).
 */
import type { TuningExperiment, TuningParameter, TuningTrial } from "../api/index.ts";

/** A column of the trials table: `number`, `state`, `param:<name>` or `metric:<name>`. */
export type TrialColumn = string;

/** The columns: number, state, each parameter, each metric (objectives first), run. */
export function trialColumns(exp: Pick<TuningExperiment, "spec" | "objectives">, trials: TuningTrial[]): TrialColumn[] {
  const metrics = [...exp.objectives.map((o) => o.name), ...(exp.spec.additional_metric_names ?? [])];
  for (const t of trials) for (const m of Object.keys(t.metrics ?? {})) if (!metrics.includes(m)) metrics.push(m);
  return [
    "number",
    "state",
    ...exp.spec.parameters.map((p) => `param:${p.name}`),
    ...metrics.map((m) => `metric:${m}`),
  ];
}

/** The header text of a column. */
export function columnLabel(col: TrialColumn): string {
  if (col === "number") return "Trial";
  if (col === "state") return "State";
  return col.slice(col.indexOf(":") + 1);
}

/** A trial's value in a column (undefined when it has none: an inactive parameter, no metric yet). */
export function cellValue(t: TuningTrial, col: TrialColumn): number | string | undefined {
  if (col === "number") return t.number;
  if (col === "state") return t.state;
  if (col.startsWith("param:")) return t.params[col.slice(6)];
  if (col.startsWith("metric:")) return t.metrics?.[col.slice(7)];
  return undefined;
}

/**
 * The trials sorted by a column: numbers numerically, text alphabetically, ties by trial
 * number; trials without a value go last in either direction.
 */
export function sortTrials(trials: readonly TuningTrial[], col: TrialColumn, desc: boolean): TuningTrial[] {
  const sign = desc ? -1 : 1;
  return [...trials].sort((a, b) => {
    const va = cellValue(a, col);
    const vb = cellValue(b, col);
    if (va === undefined && vb === undefined) return a.number - b.number;
    if (va === undefined) return 1;
    if (vb === undefined) return -1;
    const c = typeof va === "number" && typeof vb === "number" ? va - vb : String(va).localeCompare(String(vb));
    return c !== 0 ? sign * c : a.number - b.number;
  });
}

/** Trial counts as a short phrase in a fixed order of states, e.g. `3 succeeded · 1 failed`. */
export function countsPhrase(counts: Record<string, number>, order: readonly string[]): string {
  const parts = order
    .filter((s) => (counts[s] ?? 0) > 0)
    .map((s) => `${counts[s]} ${s.toLowerCase().replace("_", " ")}`);
  return parts.join(" · ") || "no trials";
}

/** One axis of the parallel-coordinates plot. */
export interface PcAxis {
  /** The parameter or metric name. */
  name: string;
  kind: "param" | "objective";
  /** 0 (bottom) to 1 (top) for a value; undefined for a value the axis does not have. */
  position: (v: number | string | undefined) => number | undefined;
  /** Labels along the axis, bottom to top. */
  ticks: Array<{ at: number; label: string }>;
}

function numericAxis(
  name: string,
  kind: PcAxis["kind"],
  values: number[],
  log: boolean,
  fmt: (v: number) => string,
): PcAxis {
  const f = (v: number): number => (log ? Math.log(v) : v);
  const xs = values.filter((v) => Number.isFinite(v) && (!log || v > 0)).map(f);
  const lo = xs.length ? Math.min(...xs) : 0;
  const hi = xs.length ? Math.max(...xs) : 1;
  const pos = (v: number): number => (hi > lo ? (f(v) - lo) / (hi - lo) : 0.5);
  const inv = (u: number): number => (log ? Math.exp(lo + u * (hi - lo)) : lo + u * (hi - lo));
  return {
    name,
    kind,
    position: (v) => (typeof v === "number" && Number.isFinite(v) && (!log || v > 0) ? pos(v) : undefined),
    ticks: hi > lo ? [0, 0.5, 1].map((at) => ({ at, label: fmt(inv(at)) })) : [{ at: 0.5, label: fmt(inv(0.5)) }],
  };
}

/**
 * The axes of the parallel-coordinates plot: one per parameter (categorical ones with a
 * slot per category, log-scaled ones on the log scale), then one per objective.
 */
export function parallelAxes(
  parameters: readonly TuningParameter[],
  objectives: readonly string[],
  trials: readonly TuningTrial[],
  fmt: (v: number) => string,
): PcAxis[] {
  const axes: PcAxis[] = parameters.map((p) => {
    if (p.type === "categorical" || p.values?.some((v) => typeof v === "string")) {
      const cats = (p.values ?? []).map(String);
      const slot = (i: number): number => (cats.length > 1 ? i / (cats.length - 1) : 0.5);
      return {
        name: p.name,
        kind: "param",
        position: (v) => {
          const i = v === undefined ? -1 : cats.indexOf(String(v));
          return i < 0 ? undefined : slot(i);
        },
        ticks: cats.map((c, i) => ({ at: slot(i), label: c })),
      };
    }
    const values = trials.map((t) => t.params[p.name]).filter((v): v is number => typeof v === "number");
    const log = p.distribution === "logUniform" || p.distribution === "logNormal";
    return numericAxis(p.name, "param", values, log, fmt);
  });
  for (const m of objectives) {
    const values = trials.map((t) => t.metrics?.[m]).filter((v): v is number => typeof v === "number");
    axes.push(numericAxis(m, "objective", values, false, fmt));
  }
  return axes;
}
