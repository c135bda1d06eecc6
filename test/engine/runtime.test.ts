import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ParameterError, type RunSummary } from "../../src/engine/index.ts";
import { makeEnv } from "./helpers.ts";
import { from, IrBuilder, task } from "./ir-builder.ts";

const env = makeEnv({ capacity: { cpus: 2000 } });
afterAll(() => env.close());
const byPath = (s: RunSummary, p: string) => s.tasks.find((t) => t.path === p);

describe("retries", () => {
  it("retries with exponential backoff and records every attempt", async () => {
    const counter = path.join(env.home, "retry-counter");
    const b = new IrBuilder("retry")
      .sh(
        "flaky",
        `n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; echo attempt $n >&2; [ $n -ge 3 ]`,
      )
      .root({
        flaky: task("flaky", {
          retryPolicy: { maxRetryCount: 3, backoffDuration: "0.2s", backoffFactor: 2, backoffMaxDuration: "1h" },
        }),
      });
    const s = await env.engine.startRun({ pipeline: b.build() }).done;
    expect(s.state).toBe("SUCCEEDED");
    const t = env.store.tasks.get(byPath(s, "root/flaky")?.id ?? "");
    expect(t?.attempt).toBe(3);
    expect(t?.attempts.map((a) => a.exitCode)).toEqual([1, 1, 0]);
    const [a1, a2, a3] = t?.attempts ?? [];
    expect((a2?.startedAt ?? 0) - (a1?.finishedAt ?? 0)).toBeGreaterThanOrEqual(190);
    expect((a3?.startedAt ?? 0) - (a2?.finishedAt ?? 0)).toBeGreaterThanOrEqual(390);
  });

  it("fails after the last retry, keeping stderr", async () => {
    const b = new IrBuilder("retry-fail")
      .sh("bad", "echo broken input >&2; exit 4")
      .root({ bad: task("bad", { retryPolicy: { maxRetryCount: 1, backoffDuration: "0s" } }) });
    const s = await env.engine.startRun({ pipeline: b.build() }).done;
    expect(s.state).toBe("FAILED");
    const t = byPath(s, "root/bad");
    expect(t?.attempt).toBe(2);
    expect(t?.stderrTail).toEqual(["broken input"]);
    expect(t?.error).toContain("exited with 4");
    expect(t?.errorCode).toBe("EXIT_NONZERO");
    const stored = env.store.tasks.get(t?.id ?? "");
    expect(stored?.error).toMatchObject({ code: "EXIT_NONZERO", action: expect.stringContaining("weft runs retry") });
    expect(stored?.attempts.map((a) => a.error?.code)).toEqual(["EXIT_NONZERO", "EXIT_NONZERO"]);
    expect(env.store.runs.get(s.runId)?.error).toMatchObject({
      code: "TASK_FAILED",
      message: expect.stringContaining("exited with 4"),
      action: expect.stringContaining("weft runs retry"),
    });
  });
});

describe("outputs", () => {
  it("fails a task that writes no declared output with OUTPUT_MISSING, and a mistyped one with OUTPUT_INVALID", async () => {
    const b = new IrBuilder("bad-outputs")
      .sh("none", "true", { out: { n: "NUMBER_INTEGER" } })
      .sh("typo", "printf many > {{$.outputs.parameters['n'].output_file}}", { out: { n: "NUMBER_INTEGER" } })
      .root({ none: task("none"), typo: task("typo") });
    const s = await env.engine.startRun({ pipeline: b.build(), enableCache: false }).done;
    expect(s.state).toBe("FAILED");
    expect(byPath(s, "root/none")).toMatchObject({
      state: "FAILED",
      errorCode: "OUTPUT_MISSING",
      error: expect.stringContaining("did not write output parameter 'n'"),
    });
    expect(byPath(s, "root/typo")).toMatchObject({
      state: "FAILED",
      errorCode: "OUTPUT_INVALID",
      error: expect.stringContaining("wrote 'many' to output parameter 'n'"),
    });
    expect(env.store.tasks.get(byPath(s, "root/none")?.id ?? "")?.error?.action).toContain("write each output");
  });
});

describe("bad input", () => {
  const b = new IrBuilder("typed", { rows: { type: "NUMBER_INTEGER" } })
    .sh("p", "echo {{$.inputs.parameters['rows']}}", { in: { rows: "NUMBER_INTEGER" } })
    .root({ p: task("p", { inputs: { parameters: { rows: from.param("rows") } } }) });

  it("rejects wrong types and missing parameters before recording anything", () => {
    const before = env.store.runs.list({ pageSize: 1 }).totalSize;
    expect(() => env.engine.startRun({ pipeline: b.build(), parameters: { rows: "many" } })).toThrow(ParameterError);
    expect(() => env.engine.startRun({ pipeline: b.build(), parameters: { rows: "many" } })).toThrow(
      /parameter 'rows'.*expects an integer \(NUMBER_INTEGER\)/,
    );
    expect(() => env.engine.startRun({ pipeline: b.build() })).toThrow(/requires parameter 'rows' \(NUMBER_INTEGER\)/);
    expect(() => env.engine.startRun({ pipeline: b.build(), parameters: { rows: 1, nope: 2 } })).toThrow(
      /no parameter 'nope'/,
    );
    expect(env.store.runs.list({ pageSize: 1 }).totalSize).toBe(before);
  });

  it("names the expected image when the command is missing", async () => {
    const p = new IrBuilder("missing-cmd")
      .executor("x", { container: { image: "ghcr.io/acme/trainer:1", command: ["weft-no-such-binary", "--go"] } })
      .root({ x: task("x") });
    const s = await env.engine.startRun({ pipeline: p.build() }).done;
    expect(s.state).toBe("FAILED");
    expect(byPath(s, "root/x")?.error).toContain(
      "command 'weft-no-such-binary' not found on this machine; the task expects image 'ghcr.io/acme/trainer:1'",
    );
    expect(byPath(s, "root/x")?.errorCode).toBe("COMMAND_NOT_FOUND");
  });

  it("fails lightweight Python components clearly when kfp is not importable", async () => {
    const p = new IrBuilder("kfp")
      .executor("py", {
        container: { image: "python:3.11", command: ["sh", "-ec", "python3 -m kfp.dsl.executor_main"] },
      })
      .root({ py: task("py") });
    const s = await env.engine.startRun({ pipeline: p.build() }).done;
    expect(s.state).toBe("FAILED");
    expect(byPath(s, "root/py")?.error).toMatch(/can import 'kfp'|exited with/);
    expect(byPath(s, "root/py")?.errorCode).toMatch(/^(PYTHON_KFP_MISSING|EXIT_NONZERO)$/);
  });

  it("kills a task that runs past its timeout", async () => {
    const engine = env.newEngine({ taskTimeoutMs: 300 });
    const p = new IrBuilder("timeout").sh("slow", "sleep 20").root({ slow: task("slow") });
    const t0 = Date.now();
    const s = await engine.startRun({ pipeline: p.build() }).done;
    expect(s.state).toBe("FAILED");
    expect(byPath(s, "root/slow")?.error).toContain("timed out after 300 ms");
    expect(byPath(s, "root/slow")?.errorCode).toBe("TIMEOUT");
    expect(env.store.tasks.get(byPath(s, "root/slow")?.id ?? "")?.error?.code).toBe("TIMEOUT");
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe("resources", () => {
  it("does not overlap two 2-CPU tasks on a 2-CPU capacity, but overlaps 1-CPU ones", async () => {
    const b = new IrBuilder("cpu")
      .sh("big", "sleep 0.4", {}, { resources: { resourceCpuLimit: "2" } })
      .sh("small", "sleep 0.8", {}, { resources: { resourceCpuRequest: "1000m", resourceMemoryLimit: "64Mi" } })
      .root({
        a: task("big", { name: "a" }),
        b: task("big", { name: "b" }),
        c: task("small", { name: "c", dependentTasks: ["a", "b"] }),
        d: task("small", { name: "d", dependentTasks: ["a", "b"] }),
      });
    const s = await env.engine.startRun({ pipeline: b.build(), enableCache: false }).done;
    expect(s.state).toBe("SUCCEEDED");
    const [a, bb, c, d] = ["a", "b", "c", "d"].map((n) => byPath(s, `root/${n}`));
    const first = (a?.startedAt ?? 0) < (bb?.startedAt ?? 0) ? [a, bb] : [bb, a];
    expect(first[1]?.startedAt ?? 0).toBeGreaterThanOrEqual(first[0]?.finishedAt ?? Number.POSITIVE_INFINITY);
    expect(Math.max(c?.startedAt ?? 0, d?.startedAt ?? 0)).toBeLessThan(
      Math.min(c?.finishedAt ?? 0, d?.finishedAt ?? 0),
    );
    expect(env.store.tasks.get(a?.id ?? "")?.resources).toMatchObject({ cpus: 2000 });
  });

  it("with strictResources, fails a task that can never fit, saying why", async () => {
    const b = new IrBuilder("too-big")
      .sh("huge", "true", {}, { resources: { resourceCpuLimit: "64" } })
      .root({ huge: task("huge") });
    const s = await env.engine.startRun({ pipeline: b.build(), strictResources: true }).done;
    expect(s.state).toBe("FAILED");
    expect(byPath(s, "root/huge")?.error).toMatch(/can never run here: it requests 64 CPUs but this machine has 2/);
    expect(byPath(s, "root/huge")?.errorCode).toBe("RESOURCES_UNSATISFIABLE");
  });

  it("honours maxParallel", async () => {
    const engine = env.newEngine({ maxParallel: 1, capacity: { cpus: 8000 } });
    const b = new IrBuilder("serial")
      .sh("s", "sleep 0.3")
      .root({ a: task("s", { name: "a" }), b: task("s", { name: "b" }) });
    const s = await engine.startRun({ pipeline: b.build(), enableCache: false }).done;
    const [a, bb] = [byPath(s, "root/a"), byPath(s, "root/b")].sort(
      (x, y) => (x?.startedAt ?? 0) - (y?.startedAt ?? 0),
    );
    expect(bb?.startedAt ?? 0).toBeGreaterThanOrEqual(a?.finishedAt ?? Number.POSITIVE_INFINITY);
  });

  it("gives GPU tasks CUDA_VISIBLE_DEVICES for their devices", async () => {
    const engine = env.newEngine({ capacity: { cpus: 4000, gpus: ["0", "1", "2"] } });
    const b = new IrBuilder("gpu")
      .sh(
        "g",
        "printf '%s' \"$CUDA_VISIBLE_DEVICES\" > {{$.outputs.parameters['dev'].output_file}}",
        { out: { dev: "STRING" } },
        {
          resources: { accelerator: { resourceType: "nvidia.com/gpu", resourceCount: "2" } },
        },
      )
      .root({ g: task("g") });
    const s = await engine.startRun({ pipeline: b.build(), enableCache: false }).done;
    expect(s.state).toBe("SUCCEEDED");
    expect(env.store.tasks.get(byPath(s, "root/g")?.id ?? "")?.outputs.parameters.dev).toBe("0,1");
  });
});

describe("logs", () => {
  it("streams stdout and stderr to the task's log file and as events", async () => {
    const b = new IrBuilder("logs").sh("talk", "echo out-line; echo err-line >&2").root({ talk: task("talk") });
    const h = env.engine.startRun({ pipeline: b.build(), enableCache: false });
    const lines: string[] = [];
    h.events.on("event", (e) => {
      if (e.type === "log") lines.push(`${e.stream}:${e.line}`);
    });
    const s = await h.done;
    expect(lines.sort()).toEqual(["stderr:err-line", "stdout:out-line"]);
    const log = fs.readFileSync(byPath(s, "root/talk")?.logPath ?? "", "utf8");
    expect(log).toContain("out-line");
    expect(log).toContain("err-line");
  });
});

describe("process groups", () => {
  it("kills what a task leaves running in the background when it exits", async () => {
    const pidFile = path.join(env.home, "bg.pid");
    const b = new IrBuilder("bg")
      .sh("bg", `sleep 30 > /dev/null 2>&1 & echo $! > ${pidFile}; echo started`)
      .root({ bg: task("bg") });
    const s = await env.engine.startRun({ pipeline: b.build(), enableCache: false }).done;
    expect(s.state).toBe("SUCCEEDED");
    const pid = Number(fs.readFileSync(pidFile, "utf8"));
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 40 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive()).toBe(false);
  });
});

describe("recorded command line", () => {
  it("runs a long inline program as given but records it abbreviated with its size and digest", async () => {
    const filler = `# ${"x".repeat(5000)}`;
    const b = new IrBuilder("long-program").sh("long", `echo ran-long\n${filler}`).root({ long: task("long") });
    const s = await env.engine.startRun({ pipeline: b.build(), enableCache: false }).done;
    expect(s.state).toBe("SUCCEEDED");
    const t = s.tasks.find((x) => x.path === "root/long");
    expect(fs.readFileSync(t?.logPath ?? "", "utf8")).toContain("ran-long");
    const argv = (env.store.tasks.get(t?.id ?? "")?.resources as { argv?: string[] } | undefined)?.argv ?? [];
    expect(argv.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(argv[2]).toMatch(/^<5\d{3} bytes, sha256:[0-9a-f]{16}>$/);
  });
});
