/**
 * The one presentation of `weft runs list` and `weft runs get`, over a {@link RunSource}
 * (the local store or a server): the same tables, messages and JSON envelopes either way.
 */
import { isRunState, RUN_STATES, type RunState } from "../ir/states.ts";
import { METRIC_FIELD_PREFIX, splitSortText } from "../store/list-query.ts";
import { CliError } from "./errors.ts";
import { colorState, colorsFor, formatDuration, formatNumber, formatTime, renderTable } from "./format.ts";
import { parseTags } from "./params.ts";
import type { RunDetail, RunListPage, RunSource } from "./run-source.ts";

/** Options of `weft runs list`. */
export interface RunsListOptions {
  experiment?: string;
  state?: string;
  /** `key=value` pairs: only runs with these tags. */
  tag?: string[];
  archived?: boolean;
  limit: number;
  json?: boolean;
  /** Metric columns, comma-separated (`f1,auc`); default the page's most common three. */
  metrics?: string;
  /** `metric:NAME` or `created_at`, optionally followed by ` asc` or ` desc` (default desc). */
  sort?: string;
}

/** The prefix of a metric in `--sort` (as in the API's `sort_by`). */
const METRIC_SORT = METRIC_FIELD_PREFIX;

/**
 * `--sort` as a field and direction: `created_at` (the default) or `metric:NAME`, then
 * optionally `asc` or `desc` (default `desc`: newest or highest first).
 *
 * @throws CliError `BAD_OPTION` saying what `--sort` takes
 */
export function runSortOption(text: string): { field: string; desc: boolean } {
  const sort = splitSortText(text);
  const field = sort?.field ?? "";
  if (!sort || (field !== "created_at" && !(field.startsWith(METRIC_SORT) && field.length > METRIC_SORT.length))) {
    throw new CliError(
      "BAD_OPTION",
      `--sort "${text}" is not a sort; use created_at or ${METRIC_SORT}NAME (e.g. ${METRIC_SORT}f1), optionally followed by " asc"`,
    );
  }
  return { field, desc: (sort.dir ?? "desc") === "desc" };
}

/**
 * The metric columns of a page: the names asked for, else the three names most runs of the
 * page have (ties by name), the rule the web UI's runs table uses when none are chosen.
 */
export function metricColumns(page: RunListPage, asked: string | undefined): string[] {
  if (asked !== undefined) {
    // commas inside an iteration's label (evaluate[kind=mlp, slope=3].f1) do not separate names
    return (asked.match(/(?:\[[^\]]*\]|[^,])+/g) ?? []).map((n) => n.trim()).filter((n) => n !== "");
  }
  const counts = new Map<string, number>();
  for (const r of page.items) for (const m of r.metrics) counts.set(m.name, (counts.get(m.name) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, 3)
    .map(([n]) => n);
}

/**
 * `--state` as a run state, upper case.
 *
 * @throws CliError `BAD_OPTION` naming the states there are
 */
export function runStateOption(state: string): RunState {
  const upper = state.toUpperCase();
  if (!isRunState(upper)) {
    throw new CliError("BAD_OPTION", `--state "${state}" is not a run state; use one of ${RUN_STATES.join(", ")}`);
  }
  return upper;
}

/** Lists runs, newest first; returns the exit code. */
export async function showRunList(source: RunSource, opts: RunsListOptions): Promise<number> {
  const page = await source.listRuns({
    limit: opts.limit,
    ...(opts.sort !== undefined ? { sort: runSortOption(opts.sort) } : {}),
    ...(opts.experiment !== undefined ? { experiment: opts.experiment } : {}),
    ...(opts.state !== undefined ? { state: runStateOption(opts.state) } : {}),
    ...(opts.tag?.length ? { tags: parseTags(opts.tag) } : {}),
    ...(opts.archived ? { archived: true } : {}),
  });
  if (opts.json) {
    const runs = page.items.map((r) => ({ ...r.doc, metrics: r.metrics }));
    process.stdout.write(`${JSON.stringify({ runs, totalSize: page.totalSize })}\n`);
    return 0;
  }
  process.stdout.write(renderRunList(source, page, metricColumns(page, opts.metrics)));
  return 0;
}

function renderRunList(source: RunSource, page: RunListPage, metrics: string[]): string {
  if (page.items.length === 0) return `no runs ${source.where}\n`;
  const c = colorsFor(process.stdout);
  const rows = page.items.map((r) => [
    r.id,
    r.name,
    colorState(r.state, r.state || "-", c),
    formatTime(r.createdAt),
    formatDuration(r.durationMs),
    r.experiment,
    ...metrics.map((n) => {
      const v = r.metrics.find((m) => m.name === n)?.value;
      return v === undefined ? "-" : formatNumber(v);
    }),
  ]);
  const head = ["RUN ID", "NAME", "STATE", "CREATED", "DURATION", "EXPERIMENT", ...metrics];
  let text = `${renderTable(head, rows)}\n`;
  if (page.totalSize > page.items.length) {
    text += c.gray(`(${page.items.length} of ${page.totalSize}; use --limit to see more)\n`);
  }
  return text;
}

/** Shows one run with its tasks; returns the exit code. */
export async function showRun(source: RunSource, ref: string, opts: { json?: boolean }): Promise<number> {
  const run = await source.getRun(ref);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(run.doc)}\n`);
    return 0;
  }
  process.stdout.write(renderRun(source, run));
  return 0;
}

function renderRun(source: RunSource, run: RunDetail): string {
  const c = colorsFor(process.stdout);
  const canceling = run.cancelRequested && run.state !== "CANCELED" ? " (cancel requested)" : "";
  const lines = [
    `${c.bold("Run")} ${run.name} (${run.id})${source.host ? ` on ${source.host}` : ""}`,
    `  state       ${colorState(run.state, run.state || "-", c)}${canceling}`,
    `  experiment  ${run.experiment}`,
    `  pipeline    ${run.pipeline}`,
    `  created     ${formatTime(run.createdAt)}`,
    `  duration    ${formatDuration(run.durationMs)}`,
  ];
  if (run.description) lines.push(`  description ${run.description}`);
  const tags = Object.entries(run.tags ?? {});
  if (tags.length > 0) lines.push(`  tags        ${tags.map(([k, v]) => `${k}=${v}`).join(" ")}`);
  if (run.cacheEnabled !== undefined) lines.push(`  cache       ${run.cacheEnabled ? "enabled" : "disabled"}`);
  const params = Object.entries(run.parameters);
  if (params.length > 0) {
    lines.push(`  parameters  ${params.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ")}`);
  }
  if (run.error) lines.push(`  error       ${c.red(run.error)}`);
  lines.push("", c.bold("Tasks"));
  lines.push(
    renderTable(
      ["TASK", "STATE", "DURATION", "ATTEMPTS", "CACHE", "WHY"],
      run.tasks.map((t) => [
        t.label,
        colorState(t.state, t.state, c),
        formatDuration(t.durationMs),
        String(t.attempts),
        t.cache,
        t.why,
      ]),
    ),
  );
  for (const t of run.tasks.filter((t) => t.state === "FAILED")) {
    const code = t.errorCode !== undefined ? `[${t.errorCode}] ` : "";
    lines.push("", c.red(`${t.path}: ${code}${t.error ?? "failed"}`));
    if (t.errorAction) lines.push(`  action: ${t.errorAction}`);
    if (t.stderrTail) for (const l of t.stderrTail.split("\n")) lines.push(`  ${c.gray("|")} ${l}`);
  }
  return `${lines.join("\n")}\n`;
}
