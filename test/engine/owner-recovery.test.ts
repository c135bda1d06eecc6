import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { bootId, processStartTime, thisOwner } from "../../src/engine/owner.ts";
import { makeEnv } from "./helpers.ts";
import { IrBuilder, task } from "./ir-builder.ts";

const env = makeEnv();
afterAll(() => env.close());
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

const HAS_PROC = fs.existsSync("/proc/self/stat");
if (!HAS_PROC) console.warn("owner-recovery: /proc is not readable here; the start-time cases are skipped");

const spec = new IrBuilder("owned")
  .sh("a", "true")
  .root({ a: task("a") })
  .build().pipelineSpec;

/** A RUNNING run claimed by `pid` with a RUNNING task, as a dead or live owner left it. */
function ownedRun(
  pid: number,
  heartbeatAt: number,
  identity: { instance: string; bootId?: string; startTime?: string },
  pipelineSpec = spec,
): string {
  const run = env.store.runs.create({ displayName: "owned", pipelineSpec });
  env.store.runs.updateState(run.id, "RUNNING");
  env.store.runs.setOwner(run.id, pid, os.hostname(), heartbeatAt, identity);
  env.store.tasks.upsert({ runId: run.id, path: "root/a", name: "a", kind: "container", state: "RUNNING" });
  env.store.tasks.update(env.store.tasks.getByPath(run.id, "root/a")?.id ?? "", { startedAt: heartbeatAt });
  return run.id;
}

async function liveProcess(): Promise<number> {
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  children.push(child);
  await new Promise((r) => child.once("spawn", r));
  return child.pid ?? 0;
}

describe("run ownership", () => {
  it("recovers a run whose heartbeat is stale although a process with the owner's pid and start time exists", async () => {
    const pid = await liveProcess();
    const boot = bootId();
    const start = processStartTime(pid);
    const id = ownedRun(pid, Date.now() - 61_000, {
      instance: "gone",
      ...(boot ? { bootId: boot } : {}),
      ...(start ? { startTime: start } : {}),
    });
    expect(env.engine.recoverOrphans()).toEqual([id]);
    const run = env.store.runs.get(id);
    expect(run?.state).toBe("FAILED");
    expect(run?.error?.code).toBe("OWNER_DIED");
    expect(run?.error?.message).toMatch(/has not written a heartbeat for 6\d s; resume it with 'weft runs retry/);
    expect(run?.error?.action).toBe(`weft runs retry ${id} resumes it, reusing finished tasks`);
    // the unrelated process with that pid is left alone: it is not the task's process group
    expect(() => process.kill(pid, 0)).not.toThrow();
    const a = env.store.tasks.getByPath(id, "root/a");
    expect(a?.state).toBe("FAILED");
    expect(a?.error?.code).toBe("OWNER_DIED");
    expect(a?.attempts.map((x) => x.attempt)).toEqual([1]);
  });

  it.skipIf(!HAS_PROC)(
    "recovers a run whose owner pid now belongs to another process (start time differs), heartbeat fresh",
    async () => {
      const pid = await liveProcess();
      const id = ownedRun(pid, Date.now(), { instance: "gone", startTime: "1" });
      expect(env.engine.recoverOrphans()).toEqual([id]);
      expect(env.store.runs.get(id)?.error?.message).toMatch(/the process that ran it \(pid \d+ on .*\) died/);
    },
  );

  it("recovers a run recorded under this process's own pid by another instance (PID 1 restarted)", () => {
    const me = thisOwner();
    const id = ownedRun(process.pid, Date.now(), { ...me.identity, instance: "previous-incarnation" });
    expect(env.engine.recoverOrphans()).toEqual([id]);
    expect(env.store.runs.get(id)?.state).toBe("FAILED");
  });

  it("leaves a run alone while its owner's pid, start time and heartbeat all match", async () => {
    const pid = await liveProcess();
    const start = processStartTime(pid);
    const boot = bootId();
    const id = ownedRun(pid, Date.now(), {
      instance: "live",
      ...(boot ? { bootId: boot } : {}),
      ...(start ? { startTime: start } : {}),
    });
    expect(env.engine.recoverOrphans()).not.toContain(id);
    expect(env.store.runs.get(id)?.state).toBe("RUNNING");
    env.store.runs.updateState(id, "FAILED");
  });

  it("terminate of a run whose owner is gone ends in a terminal state at once, and a retry runs to the end", async () => {
    const pid = await liveProcess();
    // the retry outlives a heartbeat or two: a cancel request of the dead owner's execution must not stop it
    const slow = new IrBuilder("owned")
      .sh("a", "sleep 2.5")
      .root({ a: task("a") })
      .build().pipelineSpec;
    const id = ownedRun(pid, Date.now() - 120_000, { instance: "gone", startTime: processStartTime(pid) ?? "0" }, slow);
    env.newEngine().cancelRun(id);
    const run = env.store.runs.get(id);
    expect(run?.state).toBe("CANCELED");
    expect(env.store.tasks.getByPath(id, "root/a")?.state).toBe("CANCELED");
    expect(env.store.tasks.getByPath(id, "root/a")?.error?.code).toBe("CANCELED");
    const s = await env.engine.resumeRun(id).done;
    expect(s.state).toBe("SUCCEEDED");
    expect(s.tasks.find((t) => t.path === "root/a")?.attempt).toBe(2);
  });

  it("cancels a queued run nobody executes at once", () => {
    const run = env.store.runs.create({ displayName: "queued", pipelineSpec: spec });
    env.engine.cancelRun(run.id);
    expect(env.store.runs.get(run.id)?.state).toBe("CANCELED");
  });
});

describe("an owner that lost its run", () => {
  it("stops executing a run another process recovered, and leaves the record as the recovery wrote it", async () => {
    const b = new IrBuilder("fenced").sh("slow", "sleep 60").root({ slow: task("slow") });
    const h = env.engine.startRun({ pipeline: b.build(), enableCache: false });
    const end = Date.now() + 15_000;
    while (env.store.tasks.getByPath(h.runId, "root/slow")?.pid === undefined) {
      if (Date.now() > end) throw new Error("the task did not start");
      await new Promise((r) => setTimeout(r, 50));
    }
    const pid = env.store.tasks.getByPath(h.runId, "root/slow")?.pid ?? 0;
    // what recovery in another process writes when it deems this owner gone (a stall past the lease)
    env.store.transaction(() => {
      env.store.tasks.markUnfinishedAs(h.runId, ["PENDING", "RUNNING"], "FAILED");
      env.store.runs.updateState(h.runId, "FAILED", { error: { code: "OWNER_DIED", message: "recovered elsewhere" } });
      env.store.runs.clearOwner(h.runId);
    });
    await h.done;
    const run = env.store.runs.get(h.runId);
    expect(run?.state).toBe("FAILED");
    expect(run?.error?.message).toBe("recovered elsewhere");
    const gone = Date.now() + 10_000;
    while (Date.now() < gone) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("the task process was left running");
  }, 30_000);
});
