/**
 * The closing summary of `weft run`: state, duration, task counts, output metrics,
 * outputs, where the artifacts are, and for a failure the failing task's last 20 lines
 * of stderr.
 */
import type { RunSummary, TaskSummary } from "../../engine/index.ts";
import { tailLines } from "../../engine/index.ts";
import { type Colors, colorState, formatDuration, formatNumber, renderTable } from "../format.ts";

/** How many lines of a failing task's stderr the summary shows. */
export const STDERR_TAIL_LINES = 20;

/** Longest stderr line the summary shows; longer ones (minified code in a stack trace) are cut. */
export const MAX_LINE_CHARS = 400;

/** The stderr tail of a task: from the engine's summary, else the end of its log file. */
export function stderrTailOf(task: TaskSummary): string[] {
  const lines =
    task.stderrTail && task.stderrTail.length > 0
      ? task.stderrTail.slice(-STDERR_TAIL_LINES)
      : tailLines(task.logPath, STDERR_TAIL_LINES);
  return lines.map((l) => (l.length > MAX_LINE_CHARS ? `${l.slice(0, MAX_LINE_CHARS)}… (${l.length} chars)` : l));
}

/**
 * Counts tasks per state, leaf tasks only (containers and importers), leaving out the
 * record of the artifacts the run was given (path `root`), which runs nothing.
 */
export function countStates(tasks: TaskSummary[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of tasks) {
    if ((t.kind !== "container" && t.kind !== "importer") || t.path === "root") continue;
    counts[t.state] = (counts[t.state] ?? 0) + 1;
  }
  return counts;
}

/** Renders the summary as text lines. */
export function renderSummary(summary: RunSummary, c: Colors): string {
  const out: string[] = [];
  out.push(
    `${c.bold("Run")} ${summary.runId} ${colorState(summary.state, summary.state, c)} in ${formatDuration(summary.durationMs)}`,
  );
  const counts = Object.entries(countStates(summary.tasks))
    .map(([state, n]) => `${n} ${state.toLowerCase()}`)
    .join(", ");
  if (counts) out.push(`Tasks: ${counts}`);
  const failed = summary.tasks.filter((t) => t.state === "FAILED" && (t.kind === "container" || t.kind === "importer"));
  // a task failure is told below with its stderr; other run errors are told here
  if (summary.error && failed.length === 0) out.push(`Error: ${summary.error}`);

  if (summary.metrics.length > 0) {
    out.push("", c.bold("Metrics"));
    out.push(
      renderTable(
        ["task", "metric", "value"],
        summary.metrics.map((m) => [m.label ?? m.task, m.name, formatNumber(m.value)]),
      ),
    );
  }
  const params = Object.entries(summary.outputs.parameters);
  if (params.length > 0) {
    out.push("", c.bold("Outputs"));
    out.push(
      renderTable(
        ["output", "value"],
        params.map(([k, v]) => [k, JSON.stringify(v)]),
      ),
    );
  }
  const arts = Object.entries(summary.outputs.artifacts).flatMap(([k, list]) =>
    list.map((a) => [k, a.schemaTitle, a.uri]),
  );
  if (arts.length > 0) {
    out.push("", c.bold("Output artifacts"));
    out.push(renderTable(["output", "type", "uri"], arts));
  }
  out.push("", `Artifacts: ${summary.artifactsDir}`);

  for (const t of failed) {
    out.push("", c.red(`Task ${t.displayName || t.name} (${t.path}) failed after ${t.attempt} attempt(s)`));
    if (t.error) out.push(`  ${t.errorCode !== undefined ? `[${t.errorCode}] ` : ""}${t.error}`);
    if (t.errorAction) out.push(`  action: ${t.errorAction}`);
    const tail = stderrTailOf(t);
    if (tail.length > 0) {
      out.push(c.gray(`  last ${tail.length} line(s) of stderr:`));
      for (const line of tail) out.push(`  ${c.gray("|")} ${line}`);
    }
    out.push(c.gray(`  full log: weft runs logs ${summary.runId} ${t.name}`));
  }
  if (summary.state !== "SUCCEEDED") out.push(c.gray(`Details: weft runs get ${summary.runId}`));
  return `${out.join("\n")}\n`;
}
