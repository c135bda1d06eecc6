/**
 * Progress as plain lines, for output that is not a terminal (CI logs, pipes): one line
 * per run or task state change, the tasks' output lines as they come (indented, prefixed
 * `[task]`), then the summary.
 */
import type { EngineEvent, RunSummary } from "../../engine/index.ts";
import { labelledPath } from "../../ir/index.ts";
import { type Colors, formatDuration } from "../format.ts";
import { renderSummary } from "./summary.ts";
import { applyTaskEvent, logLine, type OutputStream, type ProgressView, type TaskRow } from "./view.ts";

function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

/** A view that prints one line per state change. */
export class PlainView implements ProgressView {
  private readonly rows = new Map<string, TaskRow>();
  private readonly seen = new Map<string, string>();
  /** Labels of iterations and conditions by path, as their events arrive (before their tasks'). */
  private readonly labels = new Map<string, string>();

  constructor(
    private readonly out: OutputStream,
    private readonly colors: Colors,
    private readonly now: () => number = Date.now,
    /** Show the tasks' output lines as they come (off with `--quiet`). */
    private readonly showLogs = true,
  ) {}

  onEvent(e: EngineEvent): void {
    if (e.type === "log") {
      if (this.showLogs) this.out.write(`${logLine(e, this.colors)}\n`);
      return;
    }
    if (e.type === "run") {
      this.out.write(`${clock(e.at)} run ${e.runId} ${e.state}${e.error ? `: ${e.error}` : ""}\n`);
      return;
    }
    const row = applyTaskEvent(this.rows, e);
    if (row.displayName !== row.path.slice(row.path.lastIndexOf("/") + 1)) this.labels.set(row.path, row.displayName);
    if (row.path === "root" || row.state === "PENDING") return;
    // groups (loops, iterations, conditions, sub-DAGs) only when they did not simply succeed,
    // so a 1,000-iteration loop prints its tasks, not twice as many group lines
    const group = row.kind !== "container" && row.kind !== "importer";
    if (group && (row.state === "RUNNING" || row.state === "SUCCEEDED")) return;
    const key = `${row.state}#${row.attempt}`;
    if (this.seen.get(row.taskId) === key) return;
    this.seen.set(row.taskId, key);
    const parts = [clock(this.now()), labelledPath(row.path, this.labels), row.state];
    if (row.attempt > 1) parts.push(`attempt ${row.attempt}`);
    if (row.cached && row.state !== "RUNNING" && row.state !== "CACHED") parts.push("cached");
    if (row.finishedAt !== undefined && row.startedAt !== undefined) {
      parts.push(formatDuration(row.finishedAt - row.startedAt));
    }
    let line = parts.join(" ");
    if (row.state === "FAILED" && row.error) line += `: ${row.error}`;
    this.out.write(`${line}\n`);
  }

  finish(summary: RunSummary): void {
    this.out.write(`\n${renderSummary(summary, this.colors)}`);
  }
}
