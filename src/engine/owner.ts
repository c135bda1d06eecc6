/**
 * Who owns a run. A pid alone is not an identity: a server restarted as PID 1 of a
 * container has the pid its previous incarnation recorded. An owner is this process's
 * random instance id, its pid and host, the kernel boot id and the process's start time
 * (`/proc/<pid>/stat`, field 22), plus a heartbeat: an owner that has not beaten within
 * the lease is gone, whatever the pid says.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import type { RunOwnerIdentity, RunSummary } from "../store/index.ts";
import { parseDuration } from "./retry.ts";

/** An owner whose heartbeat is older than this is gone (it beats every second). */
export const OWNER_LEASE_MS = 60_000;

/** The lease: env `WEFT_OWNER_LEASE` (like "30s", at least 2 s) or {@link OWNER_LEASE_MS}. */
export function ownerLeaseMs(): number {
  const env = process.env.WEFT_OWNER_LEASE;
  if (!env) return OWNER_LEASE_MS;
  return Math.max(2000, parseDuration(env, "WEFT_OWNER_LEASE"));
}

const INSTANCE = randomUUID();

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The kernel's boot id (Linux), or undefined where it cannot be read. */
export function bootId(): string | undefined {
  return readText("/proc/sys/kernel/random/boot_id");
}

/** Fields of `/proc/<pid>/stat` from the third (state) on; the name may hold spaces and parentheses. */
function statFields(pid: number): string[] | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** A process's start time in clock ticks since boot (Linux), or undefined where unknown. */
export function processStartTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** A process's parent pid and process group id (Linux), or undefined where unknown. */
export function processParentAndGroup(pid: number): { ppid: number; pgid: number } | undefined {
  const f = statFields(pid);
  if (!f || f[1] === undefined || f[2] === undefined) return undefined;
  return { ppid: Number(f[1]), pgid: Number(f[2]) };
}

/** Whether a process with this pid exists on this machine (in this pid namespace). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * What an owner judgement reads of a record: a run, or a tuning experiment (which records
 * its owner in the same columns).
 */
export type OwnedRecord = Pick<
  RunSummary,
  "ownerPid" | "ownerHost" | "heartbeatAt" | "ownerInstance" | "ownerBootId" | "ownerStartTime"
>;

/** This process as a run owner: what `setOwner` records at claim. */
export function thisOwner(): { pid: number; host: string; identity: RunOwnerIdentity } {
  const identity: RunOwnerIdentity = { instance: INSTANCE };
  const boot = bootId();
  if (boot !== undefined) identity.bootId = boot;
  const start = processStartTime(process.pid);
  if (start !== undefined) identity.startTime = start;
  return { pid: process.pid, host: os.hostname(), identity };
}

/** Whether `run` is owned by this process (any engine in it). */
export function ownedByThisProcess(run: OwnedRecord): boolean {
  return run.ownerInstance === INSTANCE;
}

/**
 * Why the recorded owner of `run` is gone, or undefined while it may still be running it.
 * Without an identity (a claim recorded before migration 3) only the pid and heartbeat count.
 */
export function ownerGone(run: OwnedRecord, now: number, leaseMs = ownerLeaseMs()): string | undefined {
  const pid = run.ownerPid;
  if (pid === undefined || run.ownerHost === undefined) return "it has no owner";
  if (run.heartbeatAt === undefined || now - run.heartbeatAt >= leaseMs) {
    return `its owner (pid ${pid} on ${run.ownerHost}) has not written a heartbeat for ${Math.round((now - (run.heartbeatAt ?? 0)) / 1000)} s`;
  }
  if (ownedByThisProcess(run)) return undefined;
  if (run.ownerHost !== os.hostname()) return undefined; // only the heartbeat tells
  const boot = bootId();
  if (run.ownerBootId !== undefined && boot !== undefined && run.ownerBootId !== boot) {
    return `its owner (pid ${pid}) ran before this machine restarted`;
  }
  const died = `the process that ran it (pid ${pid} on ${run.ownerHost}) died`;
  // This process has that pid but another instance id: the pid was reused (PID 1 of a restarted container).
  if (pid === process.pid && run.ownerInstance !== undefined) return died;
  if (!processAlive(pid)) return died;
  const start = run.ownerStartTime !== undefined ? processStartTime(pid) : undefined;
  if (start !== undefined && start !== run.ownerStartTime) return died;
  return undefined;
}
