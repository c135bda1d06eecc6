/**
 * Crash recovery: runs whose owner is gone (killed, its pid reused by another process,
 * the machine restarted, or no heartbeat within the lease; see `owner.ts`) get their
 * leftover task process groups killed and are marked FAILED (OWNER_DIED), or CANCELED if
 * a cancel had been requested. `resumeRun` can then retry them.
 */
import os from "node:os";
import { UNFINISHED_TASK_STATES } from "../ir/states.ts";
import type { RunSummary, Store, Task } from "../store/index.ts";
import { taskFailure } from "./errors.ts";
import { bootId, ownerGone, ownerLeaseMs, processAlive, processParentAndGroup } from "./owner.ts";
import { killTree } from "./process-tree.ts";

/**
 * Whether a task's recorded pid may still be that task's process group: same host and
 * boot, alive, a group leader, and neither this process nor one of its children (after a
 * pid namespace restart the old pids name other processes).
 */
function leftoverGroup(run: RunSummary, t: Task): number | undefined {
  const pid = t.pid;
  if (t.state !== "RUNNING" || pid === undefined || run.ownerHost !== os.hostname()) return undefined;
  const boot = bootId();
  if (run.ownerBootId !== undefined && boot !== undefined && run.ownerBootId !== boot) return undefined;
  if (pid === process.pid || !processAlive(pid)) return undefined;
  const proc = processParentAndGroup(pid);
  if (proc && (proc.pgid !== pid || proc.ppid === process.pid)) return undefined;
  return pid;
}

/** Marks orphaned runs and returns their ids. Runs executing in this process are left alone. */
export function findOrphanRuns(store: Store, clock: () => number, ownRuns: Set<string>): string[] {
  const now = clock();
  const leaseMs = ownerLeaseMs();
  const reasons = new Map<string, string>();
  const orphans = store.runs.findOrphans((_pid, _host, _at, run) => {
    const why = ownerGone(run, now, leaseMs);
    if (why !== undefined) reasons.set(run.id, why);
    return why === undefined;
  });
  const ids: string[] = [];
  for (const run of orphans) {
    if (ownRuns.has(run.id)) continue;
    const tasks = store.tasks.listByRun(run.id);
    for (const t of tasks) {
      const group = leftoverGroup(run, t);
      if (group !== undefined) killTree(group, 1000);
    }
    const canceled = run.cancelRequested;
    const why = reasons.get(run.id) ?? "it has no owner";
    const message = canceled
      ? "the run was canceled while its owner process was not running"
      : `${why}; resume it with 'weft runs retry ${run.id}'`;
    store.transaction(() => {
      // A task that was running is one real attempt, even though it never reported back.
      for (const t of tasks) {
        if (t.state !== "RUNNING" || t.attempts.some((a) => a.attempt === t.attempt)) continue;
        store.tasks.appendAttempt(t.id, {
          attempt: t.attempt,
          ...(t.startedAt !== undefined ? { startedAt: t.startedAt } : {}),
          finishedAt: now,
          ...(t.exitCode !== undefined ? { exitCode: t.exitCode } : {}),
          error: canceled
            ? taskFailure("CANCELED", "the run was canceled")
            : taskFailure("OWNER_DIED", `the attempt was cut short: ${why}`),
        });
      }
      const taskError = canceled
        ? taskFailure("CANCELED", "the run was canceled while its owner process was not running")
        : taskFailure("OWNER_DIED", `${why}; resume it with 'weft runs retry ${run.id}'`);
      store.tasks.markUnfinishedAs(run.id, UNFINISHED_TASK_STATES, canceled ? "CANCELED" : "FAILED", now, taskError);
      store.runs.updateState(run.id, canceled ? "CANCELED" : "FAILED", {
        at: now,
        finishedAt: now,
        error: {
          code: canceled ? "CANCELED" : "OWNER_DIED",
          message,
          action: canceled
            ? "weft runs retry runs it again"
            : `weft runs retry ${run.id} resumes it, reusing finished tasks`,
        },
      });
      store.runs.clearOwner(run.id);
    });
    ids.push(run.id);
  }
  return ids;
}
