/**
 * How `weft tune` shows an experiment: the trials table (`weft tune trials`, and the live
 * table while `weft tune` runs), the status (`weft tune status`) and the best
 * configuration (`weft tune best`, with the Pareto front of a multi-objective experiment).
 * Pure functions over {@link ExperimentView} and {@link TrialView}, which
 * `commands/tune.ts` builds from the store.
 */
import { OBSERVED_TRIAL_STATES, TRIAL_STATES, type TrialState } from "../ir/states.ts";
import { chooseBest, paretoFront } from "../tuning/pareto.ts";
import type { Assignment, ObjectiveSpec, ParamValue, TrialObservation } from "../tuning/types.ts";
import { CliError } from "./errors.ts";
import { type Colors, colorState, elapsed, formatDuration, formatNumber, renderTable } from "./format.ts";

/** One trial as the views show it. */
export interface TrialView {
  number: number;
  name: string;
  state: TrialState;
  params: Assignment;
  /** The objective values, in the order of the objective's metrics (observed trials). */
  values?: readonly number[] | undefined;
  /** Every metric's final value (objectives and additional metrics). */
  metrics: Readonly<Record<string, number>>;
  reason?: string | undefined;
  message?: string | undefined;
  runId?: string | undefined;
  startedAt?: number | undefined;
  finishedAt?: number | undefined;
}

/** An experiment as the views show it. */
export interface ExperimentView {
  name: string;
  state: string;
  reason?: string | undefined;
  message?: string | undefined;
  objective: ObjectiveSpec;
  algorithm: string;
  earlyStopping?: string | undefined;
  /** The search space's parameter names, in declaration order. */
  parameters: readonly string[];
  maxTrialCount?: number | undefined;
  parallelTrialCount: number;
  createdAt?: number | undefined;
  finishedAt?: number | undefined;
}

/** The best configuration of an experiment: one trial, and for several objectives the Pareto front. */
export interface BestView {
  best?: TrialView | undefined;
  /** Multi-objective only: the non-dominated observed trials, by number. */
  front?: readonly TrialView[] | undefined;
}

const isObserved = (t: TrialView): boolean =>
  (OBSERVED_TRIAL_STATES as readonly string[]).includes(t.state) && t.values !== undefined;

/** A parameter value as shown: numbers with up to 6 significant digits. */
export function formatParam(v: ParamValue | undefined): string {
  if (v === undefined) return "-";
  return typeof v === "number" ? formatNumber(v) : v;
}

/** `lr=0.001 hidden=64` (inactive conditional parameters are left out). */
export function formatParams(params: Assignment, names: readonly string[]): string {
  return names
    .filter((n) => params[n] !== undefined)
    .map((n) => `${n}=${formatParam(params[n])}`)
    .join(" ");
}

/** The metric columns: the objectives, then the additional metrics, then any other metric a trial reported. */
export function metricColumns(exp: ExperimentView, trials: readonly TrialView[]): string[] {
  const names = [...exp.objective.metrics.map((m) => m.name), ...exp.objective.additionalMetricNames];
  for (const t of trials) for (const k of Object.keys(t.metrics)) if (!names.includes(k)) names.push(k);
  return names;
}

/** The value of metric `name` of a trial: its objective value, else its final metric value. */
function metricOf(exp: ExperimentView, t: TrialView, name: string): number | undefined {
  const i = exp.objective.metrics.findIndex((m) => m.name === name);
  if (i >= 0 && t.values?.[i] !== undefined) return t.values[i];
  return t.metrics[name];
}

/**
 * The best observed trial of a single-objective experiment (ties: the earlier trial), or
 * undefined when none has a value.
 */
export function bestSingle(exp: ExperimentView, trials: readonly TrialView[]): TrialView | undefined {
  const goal = exp.objective.metrics[0]?.goal ?? "minimize";
  let best: TrialView | undefined;
  for (const t of trials) {
    const v = t.values?.[0];
    if (!isObserved(t) || v === undefined) continue;
    const b = best?.values?.[0];
    if (b === undefined || (goal === "maximize" ? v > b : v < b)) best = t;
  }
  return best;
}

/**
 * The best configuration: for one objective the best observed trial; for several, the
 * Pareto front of the observed trials and the one trial the experiment's best rule picks
 * from it (`first` unless declared).
 */
export function bestOf(exp: ExperimentView, trials: readonly TrialView[]): BestView {
  if (exp.objective.metrics.length < 2) return { best: bestSingle(exp, trials) };
  const byNumber = new Map(trials.map((t) => [t.number, t]));
  const observations: TrialObservation[] = trials.filter(isObserved).map((t) => ({
    number: t.number,
    params: t.params,
    state: t.state,
    ...(t.values ? { values: t.values } : {}),
    intermediate: [],
  }));
  const front = paretoFront(
    observations,
    exp.objective.metrics.map((m) => m.goal),
  );
  const chosen = chooseBest(front, exp.objective.best ?? { rule: "first" }, exp.objective.metrics);
  return {
    best: chosen ? byNumber.get(chosen.number) : undefined,
    front: front.map((o) => byNumber.get(o.number)).filter((t): t is TrialView => t !== undefined),
  };
}

/** How `weft tune trials --sort` orders: by a column, best first for objectives. */
export interface TrialSort {
  column: string;
  descending: boolean;
}

/**
 * Parses `--sort <column>` (`number`, `state`, `duration`, a parameter or a metric),
 * optionally followed by ` asc` or ` desc`. Objectives sort best first by default, the
 * other columns ascending.
 *
 * @throws CliError `BAD_OPTION` naming the columns there are.
 */
export function parseTrialSort(text: string, exp: ExperimentView, trials: readonly TrialView[]): TrialSort {
  const m = /^\s*(.+?)(?:\s+(asc|desc))?\s*$/i.exec(text);
  const column = m?.[1] ?? "";
  const columns = ["number", "state", "duration", ...exp.parameters, ...metricColumns(exp, trials)];
  if (!columns.includes(column)) {
    throw new CliError(
      "BAD_OPTION",
      `--sort "${text}": no column "${column}"; use one of ${columns.join(", ")} (optionally followed by " asc" or " desc")`,
    );
  }
  const objective = exp.objective.metrics.find((o) => o.name === column);
  const dir = m?.[2]?.toLowerCase();
  return { column, descending: dir ? dir === "desc" : objective?.goal === "maximize" };
}

/** `trials` ordered by `sort`; trials without a value in that column come last, by number. */
export function sortTrials(exp: ExperimentView, trials: readonly TrialView[], sort: TrialSort): TrialView[] {
  const key = (t: TrialView): number | string | undefined => {
    switch (sort.column) {
      case "number":
        return t.number;
      case "state":
        return TRIAL_STATES.indexOf(t.state);
      case "duration":
        return t.startedAt !== undefined && t.finishedAt !== undefined ? t.finishedAt - t.startedAt : undefined;
      default:
        return exp.parameters.includes(sort.column) ? t.params[sort.column] : metricOf(exp, t, sort.column);
    }
  };
  return [...trials].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === undefined || kb === undefined) {
      if (ka === kb) return a.number - b.number;
      return ka === undefined ? 1 : -1;
    }
    const c = typeof ka === "number" && typeof kb === "number" ? ka - kb : String(ka).localeCompare(String(kb));
    return c === 0 ? a.number - b.number : sort.descending ? -c : c;
  });
}

/** The trials table: number, state, each parameter, each metric, duration, and why a trial ended as it did. */
export function renderTrialsTable(
  exp: ExperimentView,
  trials: readonly TrialView[],
  c: Colors,
  opts: { now?: number; best?: TrialView | undefined; front?: readonly TrialView[] | undefined } = {},
): string {
  const metrics = metricColumns(exp, trials);
  const header = ["trial", "state", ...exp.parameters, ...metrics, "duration", "note"];
  const front = new Set((opts.front ?? []).map((t) => t.number));
  const rows = trials.map((t) => {
    const mark = opts.best?.number === t.number ? " *" : front.has(t.number) ? " ~" : "";
    return [
      `${t.number}${mark}`,
      colorState(t.state, t.state, c),
      ...exp.parameters.map((p) => formatParam(t.params[p])),
      ...metrics.map((m) => {
        const v = metricOf(exp, t, m);
        return v === undefined ? "-" : formatNumber(v);
      }),
      formatDuration(elapsed(t.startedAt, t.finishedAt, opts.now)),
      trialNote(t),
    ];
  });
  return renderTable(header, rows);
}

/** Why a trial ended as it did, in one line (its reason, and the first line of its message). */
export function trialNote(t: TrialView): string {
  const first = t.message?.split("\n")[0];
  if (t.reason && first) return `${t.reason}: ${first}`;
  return t.reason ?? first ?? "";
}

/** Trials by state, in the order of {@link TRIAL_STATES}, leaving out the states no trial is in. */
export function countByState(trials: readonly TrialView[]): Partial<Record<TrialState, number>> {
  const out: Partial<Record<TrialState, number>> = {};
  for (const s of TRIAL_STATES) {
    const n = trials.filter((t) => t.state === s).length;
    if (n > 0) out[s] = n;
  }
  return out;
}

/** `12 trials of 16: 9 succeeded, 2 early_stopped, 1 running`. */
export function formatCounts(exp: ExperimentView, trials: readonly TrialView[], c: Colors): string {
  const counts = Object.entries(countByState(trials))
    .map(([s, n]) => colorState(s, `${n} ${s.toLowerCase()}`, c))
    .join(", ");
  const of = exp.maxTrialCount === undefined ? "" : ` of ${exp.maxTrialCount}`;
  return `${trials.length} trial${trials.length === 1 ? "" : "s"}${of}${counts ? `: ${counts}` : ""}`;
}

/** `validation_roc_auc=0.9512 (maximize)`, one per objective. */
export function formatObjectiveValues(exp: ExperimentView, t: TrialView): string {
  return exp.objective.metrics
    .map((m, i) => {
      const v = t.values?.[i];
      return `${m.name}=${v === undefined ? "-" : formatNumber(v)}`;
    })
    .join(" ");
}

/** The objective in words: `maximize validation_roc_auc (goal 0.99)`. */
export function formatObjective(exp: ExperimentView): string {
  const parts = exp.objective.metrics.map((m) => `${m.goal} ${m.name}`).join(", ");
  return exp.objective.goal === undefined ? parts : `${parts} (goal ${formatNumber(exp.objective.goal)})`;
}

/** `weft tune status`: state and reason, objective, algorithm, counts, the best trial. */
export function renderStatus(
  exp: ExperimentView,
  trials: readonly TrialView[],
  best: BestView,
  c: Colors,
  now = Date.now(),
): string {
  const lines: string[] = [];
  const state = colorState(exp.state, exp.state, c);
  lines.push(`Experiment ${c.bold(exp.name)} ${state}${exp.reason ? ` (${exp.reason})` : ""}`);
  if (exp.message) lines.push(`  ${exp.message}`);
  lines.push(`  objective   ${formatObjective(exp)}`);
  lines.push(`  algorithm   ${exp.algorithm}${exp.earlyStopping ? `, early stopping ${exp.earlyStopping}` : ""}`);
  lines.push(`  trials      ${formatCounts(exp, trials, c)} (${exp.parallelTrialCount} in parallel)`);
  if (exp.createdAt !== undefined) {
    lines.push(`  duration    ${formatDuration(elapsed(exp.createdAt, exp.finishedAt, now))}`);
  }
  if (best.best) {
    lines.push(`  best        trial ${best.best.number}: ${formatObjectiveValues(exp, best.best)}`);
    lines.push(`              ${formatParams(best.best.params, exp.parameters)}`);
  } else {
    lines.push("  best        none yet (no trial has reported the objective)");
  }
  if (best.front) lines.push(`  pareto      ${best.front.length} trial(s) on the front: weft tune best ${exp.name}`);
  return `${lines.join("\n")}\n`;
}

/** `weft tune best`: the best parameters; for several objectives also the Pareto front. */
export function renderBest(exp: ExperimentView, best: BestView, c: Colors): string {
  if (!best.best) {
    return `${exp.name}: no trial has reported ${exp.objective.metrics.map((m) => m.name).join(", ")} yet\n`;
  }
  const b = best.best;
  const lines = [`Best of ${c.bold(exp.name)}: trial ${b.number} (${b.name})  ${formatObjectiveValues(exp, b)}`];
  if (b.runId) lines.push(`  run ${b.runId}`);
  for (const p of exp.parameters) if (b.params[p] !== undefined) lines.push(`  ${p} = ${formatParam(b.params[p])}`);
  if (best.front) {
    const rule = exp.objective.best ?? { rule: "first" };
    const how =
      rule.rule === "weighted"
        ? `weighted ${Object.entries(rule.weights)
            .map(([k, w]) => `${k}=${w}`)
            .join(",")}`
        : rule.rule === "lexicographic"
          ? `lexicographic ${rule.order.join(",")}`
          : "first (best on the first objective)";
    lines.push("", `Pareto front (${best.front.length} trials; the best chosen by ${how}, marked *):`);
    lines.push(renderTrialsTable(exp, best.front, c, { best: b }));
  }
  return `${lines.join("\n")}\n`;
}

/** The JSON of a trial: its fields as recorded, times as ISO strings. */
export function trialJson(t: TrialView): Record<string, unknown> {
  return {
    number: t.number,
    name: t.name,
    state: t.state,
    params: t.params,
    ...(t.values ? { values: t.values } : {}),
    metrics: t.metrics,
    ...(t.reason ? { reason: t.reason } : {}),
    ...(t.message ? { message: t.message } : {}),
    ...(t.runId ? { runId: t.runId } : {}),
    ...(t.startedAt !== undefined ? { startedAt: new Date(t.startedAt).toISOString() } : {}),
    ...(t.finishedAt !== undefined ? { finishedAt: new Date(t.finishedAt).toISOString() } : {}),
  };
}

/** The JSON of `weft tune best` (and of the end of `weft tune --json`). */
export function bestJson(exp: ExperimentView, best: BestView): Record<string, unknown> {
  return {
    experiment: exp.name,
    objective: exp.objective.metrics,
    best: best.best ? trialJson(best.best) : null,
    ...(best.front
      ? { paretoFront: best.front.map(trialJson), bestRule: exp.objective.best ?? { rule: "first" } }
      : {}),
  };
}

/** The JSON of `weft tune status`. */
export function statusJson(exp: ExperimentView, trials: readonly TrialView[], best: BestView): Record<string, unknown> {
  return {
    name: exp.name,
    state: exp.state,
    ...(exp.reason ? { reason: exp.reason } : {}),
    ...(exp.message ? { message: exp.message } : {}),
    objective: exp.objective.metrics,
    ...(exp.objective.goal === undefined ? {} : { goal: exp.objective.goal }),
    algorithm: exp.algorithm,
    ...(exp.earlyStopping ? { earlyStopping: exp.earlyStopping } : {}),
    parallelTrialCount: exp.parallelTrialCount,
    ...(exp.maxTrialCount === undefined ? {} : { maxTrialCount: exp.maxTrialCount }),
    trials: trials.length,
    counts: countByState(trials),
    best: best.best ? trialJson(best.best) : null,
    ...(best.front ? { paretoFront: best.front.map((t) => t.number) } : {}),
    ...(exp.createdAt !== undefined ? { createdAt: new Date(exp.createdAt).toISOString() } : {}),
    ...(exp.finishedAt !== undefined ? { finishedAt: new Date(exp.finishedAt).toISOString() } : {}),
  };
}
