import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { EngineEvent, RunSummary } from "../../src/engine/index.ts";
import { makeEnv } from "./helpers.ts";
import { from, IrBuilder, task } from "./ir-builder.ts";

const env = makeEnv();
afterAll(() => env.close());
const byPath = (s: RunSummary, p: string) => s.tasks.find((t) => t.path === p);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, fn: () => boolean, timeoutMs = 15000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function twoStep(name: string, second: string) {
  const counter = path.join(env.home, `${name}-a-count`);
  return {
    counter,
    pipeline: new IrBuilder(name)
      .sh("a", `echo ran >> ${counter}; printf hello > {{$.outputs.parameters['o'].output_file}}`, {
        out: { o: "STRING" },
      })
      .sh("b", second, { in: { x: "STRING" } })
      .root({ a: task("a"), b: task("b", { inputs: { parameters: { x: from.output("a", "o") } } }) })
      .build(),
  };
}

describe("cancellation", () => {
  it("kills the whole process tree and records CANCELED", async () => {
    const pidFile = path.join(env.home, "grandchild.pid");
    const b = new IrBuilder("cancel")
      .sh("tree", `sleep 30 & echo $! > ${pidFile}; sleep 30; wait`)
      .sh("next", "echo never")
      .root({ tree: task("tree"), next: task("next", { dependentTasks: ["tree"] }) });
    const h = env.engine.startRun({ pipeline: b.build(), enableCache: false });
    const events: EngineEvent[] = [];
    h.events.on("event", (e) => events.push(e));
    await until("grandchild pid", () => fs.existsSync(pidFile) && fs.readFileSync(pidFile, "utf8").trim() !== "");
    const grandchild = Number(fs.readFileSync(pidFile, "utf8"));
    const taskPid = env.store.tasks.getByPath(h.runId, "root/tree")?.pid ?? 0;
    expect(alive(grandchild)).toBe(true);
    h.cancel();
    const s = await h.done;
    expect(s.state).toBe("CANCELED");
    expect(byPath(s, "root/tree")?.state).toBe("CANCELED");
    expect(byPath(s, "root/next")?.state).toBe("CANCELED");
    expect(byPath(s, "root/tree")?.errorCode).toBe("CANCELED");
    expect(byPath(s, "root/next")?.errorCode).toBe("CANCELED");
    expect(env.store.tasks.getByPath(h.runId, "root/tree")?.error).toMatchObject({
      code: "CANCELED",
      action: expect.stringContaining("weft runs retry"),
    });
    await until("process tree to die", () => !alive(grandchild) && !alive(taskPid), 5000);
    expect(events.filter((e) => e.type === "run").map((e) => e.state)).toEqual(["RUNNING", "CANCELING", "CANCELED"]);
    expect(env.store.runs.get(h.runId)?.state).toBe("CANCELED");
  });

  it("cancels a run owned by another engine through the store", async () => {
    const b = new IrBuilder("cancel-remote").sh("slow", "sleep 30").root({ slow: task("slow") });
    const h = env.engine.startRun({ pipeline: b.build(), enableCache: false });
    await until("task running", () => env.store.tasks.getByPath(h.runId, "root/slow")?.state === "RUNNING");
    env.newEngine().cancelRun(h.runId);
    const s = await h.done;
    expect(s.state).toBe("CANCELED");
  });
});

describe("resume", () => {
  it("resumes a FAILED run, reusing finished tasks", async () => {
    const flag = path.join(env.home, "fixed");
    const { counter, pipeline } = twoStep("resume-failed", `[ -f ${flag} ] || { echo not fixed >&2; exit 1; }`);
    const s1 = await env.engine.startRun({ pipeline, enableCache: false }).done;
    expect(s1.state).toBe("FAILED");
    fs.writeFileSync(flag, "");
    const s2 = await env.engine.resumeRun(s1.runId).done;
    expect(s2.state).toBe("SUCCEEDED");
    expect(s2.runId).toBe(s1.runId);
    expect(fs.readFileSync(counter, "utf8")).toBe("ran\n");
    expect(byPath(s2, "root/a")?.id).toBe(byPath(s1, "root/a")?.id);
    expect(byPath(s2, "root/b")?.attempt).toBe(2);
    expect(() => env.engine.resumeRun(s1.runId)).toThrow(/only FAILED or CANCELED runs can be retried/);
  });

  it("counts only attempts that ran: a task skipped before the retry runs as attempt 1", async () => {
    const flag = path.join(env.home, "upstream-fixed");
    const b = new IrBuilder("skipped-then-retried")
      .sh("up", `[ -f ${flag} ] || exit 1`)
      .sh("down", "echo down")
      .root({ up: task("up"), down: task("down", { dependentTasks: ["up"] }) });
    const s1 = await env.engine.startRun({ pipeline: b.build(), enableCache: false }).done;
    expect(s1.state).toBe("FAILED");
    expect(byPath(s1, "root/down")?.state).toBe("SKIPPED");
    fs.writeFileSync(flag, "");
    const s2 = await env.engine.resumeRun(s1.runId).done;
    expect(s2.state).toBe("SUCCEEDED");
    expect(byPath(s2, "root/up")?.attempt).toBe(2);
    const down = env.store.tasks.getByPath(s1.runId, "root/down");
    expect(down?.attempt).toBe(1);
    expect(down?.attempts.map((a) => a.attempt)).toEqual([1]);
  });

  it("records a task's exit status before its outputs are read", async () => {
    const b = new IrBuilder("exit-first")
      .sh("quiet", "echo exits 0 without its output", { out: { o: "STRING" } })
      .root({ quiet: task("quiet") });
    const s = await env.engine.startRun({ pipeline: b.build(), enableCache: false }).done;
    expect(s.state).toBe("FAILED");
    const t = env.store.tasks.getByPath(s.runId, "root/quiet");
    expect(t?.error?.message).toMatch(/did not write output parameter 'o'/);
    expect(t?.exitCode).toBe(0);
    expect(t?.finishedAt).toBeDefined();
    expect(t?.attempts[0]?.exitCode).toBe(0);
  });

  it("recovers a run whose owner was killed with SIGKILL mid-run, then resumes it", async () => {
    const flag = path.join(env.home, "fast");
    const { counter, pipeline } = twoStep("crash", `[ -f ${flag} ] || sleep 60; echo b-done`);
    const file = path.join(env.home, "crash.json");
    fs.writeFileSync(file, JSON.stringify(pipeline));
    const runner = path.resolve("test/engine/fixtures/runner.ts");
    const child = spawn(process.execPath, ["--import", "tsx", runner, env.home, file], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    await until("run id", () => /^[0-9a-f-]{36}\n/.test(out), 30000).catch((e) => {
      throw new Error(`${(e as Error).message}: ${err}`);
    });
    const runId = out.trim().split("\n")[0] ?? "";
    await until("task b running", () => env.store.tasks.getByPath(runId, "root/b")?.pid !== undefined, 30000);
    const bPid = env.store.tasks.getByPath(runId, "root/b")?.pid ?? 0;
    expect(env.store.runs.get(runId)?.ownerPid).toBe(child.pid);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));

    const engine = env.newEngine();
    expect(engine.recoverOrphans()).toEqual([runId]);
    const run = env.store.runs.get(runId);
    expect(run?.state).toBe("FAILED");
    expect(run?.error?.code).toBe("OWNER_DIED");
    expect(env.store.tasks.getByPath(runId, "root/a")?.state).toBe("SUCCEEDED");
    expect(env.store.tasks.getByPath(runId, "root/b")?.state).toBe("FAILED");
    expect(env.store.tasks.getByPath(runId, "root/b")?.error).toMatchObject({
      code: "OWNER_DIED",
      message: expect.stringContaining(`weft runs retry ${runId}`),
    });
    expect(env.store.tasks.getByPath(runId, "root/b")?.attempts.at(-1)?.error?.code).toBe("OWNER_DIED");
    await until("orphaned task process to be killed", () => !alive(bPid), 5000);

    fs.writeFileSync(flag, "");
    const s = await engine.resumeRun(runId).done;
    expect(s.state).toBe("SUCCEEDED");
    expect(fs.readFileSync(counter, "utf8")).toBe("ran\n");
    expect(byPath(s, "root/b")?.state).toBe("SUCCEEDED");
    expect(env.store.runs.get(runId)?.stateHistory.map((h) => h.state)).toEqual(
      expect.arrayContaining(["PENDING", "RUNNING", "FAILED", "SUCCEEDED"]),
    );
  }, 60000);
});

describe("queued runs", () => {
  it("executes a PENDING run recorded by another component, filling defaults", async () => {
    const b = new IrBuilder("queued", { who: { type: "STRING", default: "world" } })
      .sh("hi", "printf 'hello %s' {{$.inputs.parameters['who']}} > {{$.outputs.parameters['o'].output_file}}", {
        in: { who: "STRING" },
        out: { o: "STRING" },
      })
      .root({ hi: task("hi", { inputs: { parameters: { who: from.param("who") } } }) });
    const run = env.store.runs.create({ displayName: "queued", pipelineSpec: b.build().pipelineSpec, parameters: {} });
    const s = await env.engine.resumeRun(run.id).done;
    expect(s.state).toBe("SUCCEEDED");
    expect(env.store.tasks.getByPath(run.id, "root/hi")?.outputs.parameters.o).toBe("hello world");
  });

  it("marks a queued run with a bad parameter FAILED, naming it", () => {
    const b = new IrBuilder("queued-bad", { n: { type: "NUMBER_INTEGER" } }).sh("x", "true").root({ x: task("x") });
    const run = env.store.runs.create({
      displayName: "bad",
      pipelineSpec: b.build().pipelineSpec,
      parameters: { n: "x" },
    });
    expect(() => env.engine.resumeRun(run.id)).toThrow(/parameter 'n'/);
    expect(env.store.runs.get(run.id)?.state).toBe("FAILED");
    expect(env.store.runs.get(run.id)?.error?.code).toBe("PARAMETER_INVALID");
  });
});
