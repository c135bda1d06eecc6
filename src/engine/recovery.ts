/**
 * Crash recovery: runs whose owning process died (SIGKILL, power loss) are found by
 * checking the recorded pid on this host (or a stale heartbeat on another), their
 * leftover task process groups are killed, and the run is marked FAILED (OWNER_DIED),
 * or CANCELED if a cancel had been requested. `resumeRun` can then retry it.
 */
import os from "node:os";
import type { Store } from "../store/index.ts";
import { killTree } from "./process-tree.ts";

/** A heartbeat older than this marks a remote owner as dead. */
export const STALE_HEARTBEAT_MS = 60_000;

/** Whether a process with this pid exists on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Marks orphaned runs and returns their ids. Runs executing in this process are left alone. */
export function findOrphanRuns(store: Store, clock: () => number, ownRuns: Set<string>): string[] {
  const host = os.hostname();
  const now = clock();
  const orphans = store.runs.findOrphans((pid, h, heartbeatAt) => {
    if (h === host) return pid === process.pid || processAlive(pid);
    return heartbeatAt !== undefined && now - heartbeatAt < STALE_HEARTBEAT_MS;
  });
  const ids: string[] = [];
  for (const run of orphans) {
    if (ownRuns.has(run.id)) continue;
    for (const t of store.tasks.listByRun(run.id)) {
      if (t.state === "RUNNING" && t.pid !== undefined && run.ownerHost === host) killTree(t.pid, 1000);
    }
    const canceled = run.cancelRequested;
    const message = canceled
      ? "the run was canceled while its owner process was not running"
      : `the process that ran it (pid ${run.ownerPid ?? "?"} on ${run.ownerHost ?? "?"}) died; resume it with 'weft runs retry ${run.id}'`;
    store.transaction(() => {
      store.tasks.markUnfinishedAs(run.id, ["PENDING", "RUNNING"], canceled ? "CANCELED" : "FAILED", now);
      store.runs.updateState(run.id, canceled ? "CANCELED" : "FAILED", {
        at: now,
        finishedAt: now,
        error: { code: canceled ? "CANCELED" : "OWNER_DIED", message },
      });
      store.runs.clearOwner(run.id);
    });
    ids.push(run.id);
  }
  return ids;
}
