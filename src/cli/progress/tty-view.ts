/**
 * The live task tree shown in a terminal: one line per task with its state symbol and
 * colour, duration, "cached" and retries, redrawn in place (ANSI) at most every 100 ms
 * and once a second while tasks run. The tasks' output lines scroll above the tree as they
 * come, prefixed `[task]` (off with `--quiet`). Large runs (loops of hundreds of iterations) are
 * folded to fit the terminal: finished tasks collapse into a count.
 */
import type { EngineEvent, RunSummary, RuntimeState } from "../../engine/index.ts";
import { type Colors, colorState, elapsed, formatDuration, stateSymbol, stripAnsi } from "../format.ts";
import { LiveFrame, truncateLine as truncate } from "./live-frame.ts";
import { renderSummary } from "./summary.ts";
import {
  applyTaskEvent,
  comparePaths,
  logLine,
  type OutputStream,
  type ProgressView,
  pathDepth,
  type TaskRow,
} from "./view.ts";

/** A view that redraws a task tree in place. */
export class TtyView extends LiveFrame implements ProgressView {
  private readonly rows = new Map<string, TaskRow>();
  private runState: RuntimeState | "STARTING" = "STARTING";
  private readonly startedAt: number;
  private notice: string | undefined;
  /** Task output lines not printed yet: they go above the tree at the next draw. */
  private pendingLogs: string[] = [];

  constructor(
    out: OutputStream,
    private readonly colors: Colors,
    private readonly title: string,
    now: () => number = Date.now,
    /** Show the tasks' output lines as they come (off with `--quiet`). */
    private readonly showLogs = true,
  ) {
    super(out, now);
    this.startedAt = now();
  }

  onEvent(e: EngineEvent): void {
    if (e.type === "log") {
      if (!this.showLogs) return;
      const width = Math.max(40, this.out.columns || 100);
      // one terminal row each, so the tree below is redrawn in place
      // (the task's own escape sequences and control characters would move the cursor)
      const text = stripAnsi(e.line).replace(/\p{Cc}/gu, " ");
      this.pendingLogs.push(truncate(logLine({ ...e, line: text }, this.colors), width));
      this.schedule();
      return;
    }
    if (e.type === "run") this.runState = e.state;
    else applyTaskEvent(this.rows, e);
    this.schedule();
  }

  finish(summary: RunSummary): void {
    this.runState = summary.state;
    this.end(renderSummary(summary, this.colors));
  }

  /**
   * Shows a message under the header (e.g. "canceling…"); writing it to the terminal
   * directly would break the in-place redraw.
   */
  setNotice(text: string): void {
    this.notice = text;
    this.schedule();
  }

  /** Task output lines scroll above the tree and stay; the tree is redrawn below them. */
  protected override takeAbove(): string {
    const logs = this.pendingLogs.length ? `${this.pendingLogs.join("\n")}\n` : "";
    this.pendingLogs = [];
    return logs;
  }

  /** The lines of the current frame (exposed for tests through the output). */
  render(): string[] {
    const c = this.colors;
    const width = Math.max(40, this.out.columns || 100);
    const height = Math.max(8, (this.out.rows || 30) - 2);
    const header = `${stateSymbol(this.runState, c)} ${c.bold(this.title)}  ${colorState(this.runState, this.runState, c)}  ${formatDuration(this.now() - this.startedAt)}`;
    const tasks = [...this.rows.values()].filter((r) => r.path !== "root").sort((a, b) => comparePaths(a.path, b.path));
    let shown = tasks;
    const folded: Record<string, number> = {};
    if (tasks.length > height - 2) {
      // keep what matters: running and failed leaf tasks with the groups they sit in;
      // the other leaf tasks fold into per-state counts
      const budget = height - 2;
      const keep = new Set<string>();
      for (const t of tasks) {
        if (!isLeaf(t) || (t.state !== "RUNNING" && t.state !== "FAILED")) continue;
        const chain: string[] = [];
        for (let p = t.path; p.includes("/"); p = p.slice(0, p.lastIndexOf("/"))) chain.push(p);
        if (keep.size + chain.filter((p) => !keep.has(p)).length > budget) break;
        for (const p of chain) keep.add(p);
      }
      shown = tasks.filter((t) => keep.has(t.path));
      for (const t of tasks) if (isLeaf(t) && !keep.has(t.path)) folded[t.state] = (folded[t.state] ?? 0) + 1;
    }
    const lines = [header, ...(this.notice ? [c.yellow(this.notice)] : []), ...shown.map((t) => this.line(t))];
    const foldedText = Object.entries(folded)
      .map(([s, n]) => colorState(s, `${n} ${s.toLowerCase()}`, c))
      .join(", ");
    if (foldedText) lines.push(c.gray(`  … and ${foldedText}`));
    return lines.map((l) => truncate(l, width));
  }

  private line(t: TaskRow): string {
    const c = this.colors;
    const indent = "  ".repeat(pathDepth(t.path) + 1);
    // an iteration shows its item, a condition its expression (the recorded display name)
    const name = t.displayName;
    const parts = [`${indent}${stateSymbol(t.state, c)} ${name}`, colorState(t.state, t.state.toLowerCase(), c)];
    const d = elapsed(t.startedAt, t.finishedAt, this.now());
    if (d !== undefined && isLeaf(t)) parts.push(formatDuration(d));
    if (t.cached) parts.push(c.cyan("cached"));
    if (t.attempt > 1) parts.push(c.yellow(`retry ${t.attempt - 1}`));
    if (t.state === "FAILED" && t.error) parts.push(c.red(t.error.split("\n")[0] ?? ""));
    return parts.join("  ");
  }
}

function isLeaf(t: TaskRow): boolean {
  return t.kind === "container" || t.kind === "importer";
}
