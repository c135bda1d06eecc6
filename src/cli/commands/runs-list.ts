/**
 * `weft runs list` and `weft runs get`: runs and their tasks, read from the store.
 */
import type { Predicate, Run, Store, Task } from "../../store/index.ts";
import { withRecoveredContext } from "../context.ts";
import { CliError } from "../errors.ts";
import { colorState, colorsFor, elapsed, formatDuration, formatNumber, formatTime, renderTable } from "../format.ts";
import { resolveRun } from "../resolve.ts";

const RUN_STATES = ["PENDING", "RUNNING", "SUCCEEDED", "SKIPPED", "FAILED", "CANCELING", "CANCELED", "PAUSED"];

/** Options of `weft runs list`. */
export interface RunsListOptions {
  experiment?: string;
  state?: string;
  limit: number;
  json?: boolean;
}

/** Lists runs, newest first; returns the exit code. */
export async function runsList(opts: RunsListOptions): Promise<number> {
  return withRecoveredContext(({ store }) => {
    const filter: Predicate[] = [];
    if (opts.experiment !== undefined) {
      const exp = store.experiments.getByName(opts.experiment) ?? store.experiments.get(opts.experiment);
      if (!exp) {
        throw new CliError("BAD_OPTION", `no experiment "${opts.experiment}"; list them with: weft experiments list`);
      }
      filter.push({ field: "experimentId", op: "EQUALS", value: exp.id });
    }
    if (opts.state !== undefined) {
      const state = opts.state.toUpperCase();
      if (!RUN_STATES.includes(state)) {
        throw new CliError(
          "BAD_OPTION",
          `--state "${opts.state}" is not a run state; use one of ${RUN_STATES.join(", ")}`,
        );
      }
      filter.push({ field: "state", op: "EQUALS", value: state });
    }
    const page = store.runs.list({ filter, sort: { field: "createdAt", desc: true }, pageSize: opts.limit });
    const metrics = store.metrics.latestByRunIds(page.items.map((r) => r.id));
    if (opts.json) {
      const items = page.items.map((r) => ({ ...runBrief(r), metrics: metrics[r.id] ?? [] }));
      process.stdout.write(`${JSON.stringify({ runs: items, totalSize: page.totalSize })}\n`);
      return 0;
    }
    if (page.items.length === 0) {
      process.stdout.write(`no runs in ${store.home}\n`);
      return 0;
    }
    const c = colorsFor(process.stdout);
    const expNames = new Map<string, string>();
    const expName = (id: string) => {
      if (!expNames.has(id)) expNames.set(id, store.experiments.get(id)?.name ?? id);
      return expNames.get(id) ?? id;
    };
    const rows = page.items.map((r) => [
      r.id,
      r.displayName,
      colorState(r.state, r.state, c),
      formatTime(r.createdAt),
      formatDuration(elapsed(r.startedAt, r.finishedAt)),
      expName(r.experimentId),
      (metrics[r.id] ?? [])
        .slice(0, 3)
        .map((m) => `${m.name}=${formatNumber(m.value)}`)
        .join(" "),
    ]);
    process.stdout.write(
      `${renderTable(["RUN ID", "NAME", "STATE", "CREATED", "DURATION", "EXPERIMENT", "METRICS"], rows)}\n`,
    );
    if (page.totalSize > page.items.length) {
      process.stdout.write(c.gray(`(${page.items.length} of ${page.totalSize}; use --limit to see more)\n`));
    }
    return 0;
  });
}

function runBrief(r: Run) {
  return {
    id: r.id,
    displayName: r.displayName,
    experimentId: r.experimentId,
    state: r.state,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    error: r.error,
    parameters: r.parameters,
  };
}

/** The cache column of `runs get`: hit, miss, or off. */
export function cacheDecision(t: Task): string {
  if (t.state === "CACHED" || t.cache?.hit) return "hit";
  if (t.cache) return "miss";
  return t.kind === "container" ? "off" : "";
}

function taskRow(t: Task): Record<string, unknown> {
  return {
    id: t.id,
    path: t.path,
    name: t.name,
    kind: t.kind,
    state: t.state,
    durationMs: elapsed(t.startedAt, t.finishedAt),
    attempts: Math.max(t.attempt, t.attempts.length),
    cache: cacheDecision(t),
    cacheExplanation: t.cache?.explanation,
    cacheSourceRunId: t.cache?.sourceRunId,
    exitCode: t.exitCode,
    inputs: t.inputs.parameters,
    outputs: t.outputs.parameters,
    error: t.error?.message,
    errorCode: t.error?.code,
    errorAction: t.error?.action,
    logPath: t.logPath,
  };
}

/** Shows one run with its tasks; returns the exit code. */
export async function runsGet(ref: string, opts: { json?: boolean }): Promise<number> {
  return withRecoveredContext(({ store }) => {
    const run = resolveRun(store, ref);
    const tasks = store.tasks.listByRun(run.id);
    const artifacts = store.artifacts.listByRun(run.id);
    const metrics = store.metrics.listByRun(run.id);
    if (opts.json) {
      const { pipelineSpec: _spec, ...rest } = run;
      const doc = { run: rest, tasks: tasks.map(taskRow), artifacts, metrics };
      process.stdout.write(`${JSON.stringify(doc)}\n`);
      return 0;
    }
    process.stdout.write(renderRun(store, run, tasks));
    return 0;
  });
}

function renderRun(store: Store, run: Run, tasks: Task[]): string {
  const c = colorsFor(process.stdout);
  const exp = store.experiments.get(run.experimentId);
  const lines = [
    `${c.bold("Run")} ${run.displayName} (${run.id})`,
    `  state       ${colorState(run.state, run.state, c)}${run.cancelRequested && run.state !== "CANCELED" ? " (cancel requested)" : ""}`,
    `  experiment  ${exp?.name ?? run.experimentId}`,
    `  pipeline    ${run.pipelineSpec.pipelineInfo.name}`,
    `  created     ${formatTime(run.createdAt)}`,
    `  duration    ${formatDuration(elapsed(run.startedAt, run.finishedAt))}`,
    `  cache       ${run.enableCache ? "enabled" : "disabled"}`,
  ];
  if (Object.keys(run.parameters).length > 0) {
    lines.push(
      `  parameters  ${Object.entries(run.parameters)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(" ")}`,
    );
  }
  if (run.error) lines.push(`  error       ${c.red(`[${run.error.code}] ${run.error.message}`)}`);
  const shown = tasks.filter((t) => t.path !== "root");
  lines.push("", c.bold("Tasks"));
  lines.push(
    renderTable(
      ["TASK", "STATE", "DURATION", "ATTEMPTS", "CACHE", "WHY"],
      shown.map((t) => [
        t.path.replace(/^root\//, ""),
        colorState(t.state, t.state, c),
        formatDuration(elapsed(t.startedAt, t.finishedAt)),
        String(Math.max(t.attempt, t.attempts.length)),
        cacheDecision(t),
        why(t),
      ]),
    ),
  );
  const failed = shown.filter((t) => t.state === "FAILED");
  for (const t of failed) {
    const code = t.error?.code !== undefined ? `[${t.error.code}] ` : "";
    lines.push("", c.red(`${t.path}: ${code}${t.error?.message ?? "failed"}`));
    if (t.error?.action) lines.push(`  action: ${t.error.action}`);
    if (t.error?.stderrTail) for (const l of t.error.stderrTail.split("\n")) lines.push(`  ${c.gray("|")} ${l}`);
  }
  return `${lines.join("\n")}\n`;
}

function why(t: Task): string {
  if (t.state === "CACHED" || t.cache?.hit) {
    return t.cache?.sourceRunId ? `reused from run ${t.cache.sourceRunId}` : "reused";
  }
  return t.cache?.explanation ?? "";
}
