/**
 * `weft runs logs <run> [task] [-f]`: prints task log files; with `-f` keeps tailing
 * them (and picks up tasks that start later) until the task or run has finished.
 */
import { FileFollower } from "../../engine/index.ts";
import { labelsByPath } from "../../ir/index.ts";
import type { Run, Store, Task } from "../../store/index.ts";
import { withRecoveredContext } from "../context.ts";
import { isTerminalState } from "../format.ts";
import { followUntilDone, noLogsYet, prefixedLogs, taskLabel, writeLogLines } from "../log-views.ts";
import { resolveRun, resolveTasks } from "../resolve.ts";

const POLL_MS = 200;

/** Options of `weft runs logs`. */
export interface RunsLogsOptions {
  follow?: boolean;
}

/** Prints (and with `follow` tails) the logs; returns the exit code. */
export async function runsLogs(runRef: string, taskRef: string | undefined, opts: RunsLogsOptions): Promise<number> {
  return withRecoveredContext(async ({ store }) => {
    const run = resolveRun(store, runRef);
    const select = (): Task[] => {
      const tasks = taskRef === undefined ? store.tasks.listByRun(run.id) : resolveTasks(store, run, taskRef);
      return tasks.filter((t) => t.logPath !== undefined);
    };
    // validate the task name now, so a typo fails at once even with -f
    if (taskRef !== undefined) resolveTasks(store, run, taskRef);
    const followers = new Map<string, { follower: FileFollower; label: string }>();
    const pump = (flush: boolean) => {
      let labels: Map<string, string> | undefined;
      for (const t of select()) {
        if (!followers.has(t.id) && t.logPath) {
          labels ??= labelsByPath(store.tasks.listByRun(run.id));
          followers.set(t.id, { follower: new FileFollower(t.logPath), label: taskLabel(t.path, labels) });
        }
      }
      const prefixed = prefixedLogs(taskRef, followers.size);
      for (const { follower, label } of followers.values()) {
        writeLogLines(label, flush ? follower.flush() : follower.poll(), prefixed);
      }
    };
    if (!opts.follow) {
      pump(true);
      if (followers.size === 0) noLogsYet(run.id);
      return 0;
    }
    await followUntilDone(() => {
      pump(false);
      return finished(store, run, taskRef);
    }, POLL_MS);
    pump(true);
    return 0;
  });
}

function finished(store: Store, run: Run, taskRef: string | undefined): boolean {
  const current = store.runs.get(run.id);
  if (!current || isTerminalState(current.state)) return true;
  if (taskRef === undefined) return false;
  const tasks = resolveTasks(store, current, taskRef);
  return tasks.length > 0 && tasks.every((t) => isTerminalState(t.state));
}
