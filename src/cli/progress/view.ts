/**
 * The progress views of `weft run` / `weft runs retry`: a live task tree in a terminal,
 * plain lines otherwise, JSON lines with `--json`.
 */
import type { EngineEvent, RunSummary } from "../../engine/index.ts";
import type { Colors } from "../format.ts";
import { taskLabel } from "../log-views.ts";

/** Where a view writes; `process.stdout` in the CLI. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/** Receives the engine's events while a run executes, then its summary. */
export interface ProgressView {
  onEvent(event: EngineEvent): void;
  /** Called once, when the run has ended; prints the closing summary. */
  finish(summary: RunSummary): void;
}

/**
 * A task's output line as the progress views show it, under the progress lines: indented,
 * prefixed with the task's path below root as `weft runs logs` prefixes it.
 */
export function logLine(e: Extract<EngineEvent, { type: "log" }>, colors: Colors): string {
  return `  ${colors.gray(`[${taskLabel(e.path)}]`)} ${e.line}`;
}

/** The latest known state of one task, as the views display it. */
export interface TaskRow {
  taskId: string;
  path: string;
  displayName: string;
  kind: string;
  state: string;
  attempt: number;
  cached: boolean;
  startedAt?: number;
  finishedAt?: number;
  error?: string;
}

/** Folds task events into rows keyed by task id. */
export function applyTaskEvent(rows: Map<string, TaskRow>, e: Extract<EngineEvent, { type: "task" }>): TaskRow {
  const prev = rows.get(e.taskId);
  const row: TaskRow = {
    taskId: e.taskId,
    path: e.path,
    displayName: e.displayName || e.name,
    kind: e.kind,
    state: e.state,
    attempt: e.attempt,
    cached: e.cached ?? e.state === "CACHED",
    ...(e.startedAt !== undefined
      ? { startedAt: e.startedAt }
      : prev?.startedAt !== undefined
        ? { startedAt: prev.startedAt }
        : {}),
    ...(e.finishedAt !== undefined ? { finishedAt: e.finishedAt } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
  };
  rows.set(e.taskId, row);
  return row;
}

/** Compares task paths segment by segment, numbers numerically (iteration-2 < iteration-10). */
export function comparePaths(a: string, b: string): number {
  const as = a.split("/");
  const bs = b.split("/");
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const c = (as[i] ?? "").localeCompare(bs[i] ?? "", "en", { numeric: true });
    if (c !== 0) return c;
  }
  return as.length - bs.length;
}

/** Depth of a task in the tree: `root/train` is 0, `root/for-loop-1/iteration-0/train` is 2. */
export function pathDepth(path: string): number {
  return Math.max(0, path.split("/").length - 2);
}
