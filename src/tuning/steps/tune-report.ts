/**
 * What the prebuilt `tune` component writes from an experiment's outcome: the trials
 * table (CSV: one row per trial with its parameters, state and metrics) and the summary
 * (Markdown: the outcome, the best trial and the best trials ranked). Pure functions of
 * the experiment and its trials, as the runner returns them.
 */

import { formatNumber } from "../../components/decision-markdown.ts";
import type { ExperimentState } from "../../ir/states.ts";
import type { TrialRecord } from "../runner/types.ts";
import type { ExperimentSpec } from "../types.ts";

/** One trial, as the runner records it (the fields the reports use). */
export type TunedTrial = Pick<
  TrialRecord,
  "number" | "name" | "params" | "meta" | "state" | "reason" | "message" | "values" | "metrics"
>;

/** An experiment's outcome, as the runner returns it (the fields the reports use). */
export interface TuneOutcome {
  readonly name: string;
  readonly state: ExperimentState;
  readonly reason: string;
  readonly message?: string;
  readonly best?: TunedTrial;
  readonly pareto?: readonly TunedTrial[];
  readonly trials: readonly TunedTrial[];
}

/** The experiment's metric names: the objectives, then the additional metrics. */
export function metricNames(spec: ExperimentSpec): string[] {
  const out = spec.objective.metrics.map((m) => m.name);
  for (const m of spec.objective.additionalMetricNames) if (!out.includes(m)) out.push(m);
  return out;
}

function csvField(value: unknown): string {
  if (value === undefined || value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The trials table: `trial,number,state,reason,<parameters in the space's order>,<metrics>`
 * (a parameter a trial did not have, or a metric it did not report, is empty), one row per
 * trial by number. A multi-fidelity sampler's bracket and rung follow the parameters.
 */
export function trialsCsv(spec: ExperimentSpec, trials: readonly TunedTrial[]): string {
  const params = spec.space.parameters.map((p) => p.name);
  const metrics = metricNames(spec);
  const meta = ["bracket", "rung"].filter((k) => trials.some((t) => t.meta?.[k] !== undefined));
  const header = ["trial", "number", "state", "reason", ...params, ...meta, ...metrics];
  const rows = [...trials]
    .sort((a, b) => a.number - b.number)
    .map((t) => [
      t.name,
      t.number,
      t.state,
      t.reason ?? "",
      ...params.map((p) => t.params[p]),
      ...meta.map((k) => t.meta?.[k]),
      ...metrics.map((m) => t.metrics[m]),
    ]);
  return `${[header, ...rows].map((r) => r.map(csvField).join(",")).join("\n")}\n`;
}

function cell(value: unknown): string {
  if (value === undefined) return "";
  const text = typeof value === "number" ? formatNumber(value) : String(value);
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function table(header: readonly string[], rows: readonly (readonly unknown[])[]): string[] {
  return [
    `| ${header.map(cell).join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ];
}

/** How many trials ended in each state, in words (`12 succeeded, 3 early stopped, 1 failed`). */
export function stateCounts(trials: readonly TunedTrial[]): string {
  const counts = new Map<string, number>();
  for (const t of trials) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n} ${s.toLowerCase().replace(/_/g, " ")}`).join(", ");
}

/** The summary Markdown: outcome, best trial, and the best `top` trials on the first objective. */
export function tuneSummary(spec: ExperimentSpec, outcome: TuneOutcome, top = 10): string {
  const objective = spec.objective.metrics.map((m) => `${m.goal} ${m.name}`).join(", ");
  const lines = [
    `# Tuning: ${outcome.name}`,
    "",
    `- Outcome: ${outcome.state} (${outcome.reason})${outcome.message ? ` — ${outcome.message}` : ""}`,
    `- Objective: ${objective}${spec.objective.goal !== undefined ? ` (goal ${formatNumber(spec.objective.goal)})` : ""}`,
    `- Algorithm: ${spec.algorithm.name} (seed ${spec.algorithm.seed})${spec.earlyStopping ? `, early stopping ${spec.earlyStopping.name}` : ""}`,
    `- Trials: ${outcome.trials.length}${outcome.trials.length ? ` (${stateCounts(outcome.trials)})` : ""}`,
    "",
  ];
  const params = spec.space.parameters.map((p) => p.name);
  const metrics = metricNames(spec);
  const best = outcome.best;
  if (best) {
    lines.push(`## Best trial: ${best.name}`, "");
    lines.push(
      ...table(
        [...params, ...metrics],
        [[...params.map((p) => best.params[p]), ...metrics.map((m) => best.metrics[m])]],
      ),
    );
    lines.push("");
  } else {
    lines.push("No trial reported a value of the objective.", "");
  }
  if (outcome.pareto && outcome.pareto.length > 0) {
    lines.push(`## Pareto front (${outcome.pareto.length} trials)`, "");
    lines.push(
      ...table(
        ["trial", ...params, ...metrics],
        outcome.pareto.map((t) => [t.name, ...params.map((p) => t.params[p]), ...metrics.map((m) => t.metrics[m])]),
      ),
      "",
    );
  }
  const sign = spec.objective.metrics[0]?.goal === "maximize" ? -1 : 1;
  const ranked = outcome.trials
    .filter((t) => typeof t.values?.[0] === "number")
    .sort((a, b) => sign * ((a.values?.[0] as number) - (b.values?.[0] as number)) || a.number - b.number)
    .slice(0, top);
  if (ranked.length > 0) {
    lines.push(`## Best ${ranked.length} of ${outcome.trials.length} trials`, "");
    lines.push(
      ...table(
        ["trial", "state", ...params, ...metrics],
        ranked.map((t) => [t.name, t.state, ...params.map((p) => t.params[p]), ...metrics.map((m) => t.metrics[m])]),
      ),
      "",
    );
  }
  const failed = outcome.trials.filter((t) => t.state === "FAILED");
  if (failed.length > 0) {
    const first = failed[0] as TunedTrial;
    lines.push(
      `## Failed trials: ${failed.length}`,
      "",
      `First: ${first.name} (${first.reason ?? "failed"}): ${first.message ?? ""}`.trim(),
      "",
    );
  }
  return lines.join("\n");
}
