import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RunContext } from "../../src/engine/context.ts";
import { executeDag } from "../../src/engine/dag-executor.ts";
import { defaultMaxParallel, type EngineEvent } from "../../src/engine/index.ts";
import { openFileLimit } from "../../src/engine/resources.ts";
import { runtimeValuesOf } from "../../src/engine/runtime-values.ts";
import { Scheduler } from "../../src/engine/scheduler.ts";
import type { PipelineTaskSpec } from "../../src/ir/index.ts";
import { makeEnv } from "./helpers.ts";
import { from, IrBuilder, task } from "./ir-builder.ts";

const env = makeEnv();
afterAll(() => env.close());

const GiB = 2 ** 30;
const ITEM = "pipelinechannel--loop-item-param-1";

/** A ParallelFor over `n` items whose body is one task running `script`. */
function loop(n: number, script: string, extraTasks: Record<string, PipelineTaskSpec> = {}) {
  return new IrBuilder(`loop-${n}`)
    .sh("body", script, { in: { x: "NUMBER_INTEGER" } })
    .dag(
      "for-loop-1",
      { body: task("body", { inputs: { parameters: { x: from.param(ITEM) } } }) },
      { in: { [ITEM]: "NUMBER_INTEGER" } },
    )
    .root({
      "for-loop-1": task("for-loop-1", {
        parameterIterator: { itemInput: ITEM, items: { raw: JSON.stringify(Array.from({ length: n }, (_, i) => i)) } },
      }),
      ...extraTasks,
    })
    .build();
}

/** True while a process (group) with this id exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the default cap on parallel tasks", () => {
  it("is the smallest of twice the cores, memory / 256 MiB and (open files - 256) / 8", () => {
    const twoCores = { cpus: 2000, memoryBytes: 24 * GiB, gpus: [] };
    expect(defaultMaxParallel(twoCores, 20_000)).toEqual({ value: 4, byCpu: 4, byMemory: 96, byOpenFiles: 2468 });
    expect(defaultMaxParallel({ ...twoCores, cpus: 64_000 }, 1024).value).toBe(96);
    expect(defaultMaxParallel({ ...twoCores, cpus: 64_000 }, 300).value).toBe(5);
    expect(defaultMaxParallel({ ...twoCores, cpus: 64_000 }, 100).value).toBe(1);
    expect(defaultMaxParallel({ ...twoCores, memoryBytes: 0.5 * GiB }, 20_000).value).toBe(2);
    expect(defaultMaxParallel({ ...twoCores, cpus: 250 }, Number.POSITIVE_INFINITY).value).toBe(1);
  });

  it("reads this process's open-file limit as a child shell sees it", () => {
    const shell = execFileSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).trim();
    const limit = openFileLimit();
    expect(shell === "unlimited" ? Number.POSITIVE_INFINITY : Number(shell)).toBe(limit);
  });

  it("applies when no maxParallel is given", () => {
    const engine = env.newEngine({ capacity: { cpus: 3000 } });
    expect(engine.scheduler.maxParallel).toBe(defaultMaxParallel(engine.capacity).value);
    expect(engine.scheduler.maxParallel).toBeLessThanOrEqual(6);
    expect(env.newEngine({ capacity: { cpus: 3000 }, maxParallel: 50 }).scheduler.maxParallel).toBe(50);
  });

  it("bounds a wide DAG's running tasks by default", async () => {
    const dir = fs.mkdtempSync(path.join(env.home, "wide-"));
    const engine = env.newEngine({ capacity: { cpus: 1000 } }); // default cap 2
    const b = new IrBuilder("wide-default").sh(
      "w",
      `touch ${dir}/run.$$; sleep 0.2; ls ${dir} | grep -c '^run' >> ${dir}/seen; rm ${dir}/run.$$`,
    );
    const tasks: Record<string, PipelineTaskSpec> = {};
    for (let i = 0; i < 8; i++) tasks[`t${i}`] = task("w", { name: `t${i}` });
    const s = await engine.startRun({ pipeline: b.root(tasks).build(), enableCache: false }).done;
    expect(s.state).toBe("SUCCEEDED");
    const seen = fs.readFileSync(path.join(dir, "seen"), "utf8").trim().split("\n").map(Number);
    expect(seen).toHaveLength(8);
    expect(Math.max(...seen)).toBeLessThanOrEqual(2);
  });
});

describe("lazy fan-out", () => {
  it("starts a loop's iterations as slots free up, never all of them up front", async () => {
    const engine = env.newEngine({ capacity: { cpus: 1000 } }); // default cap 2
    const h = engine.startRun({ pipeline: loop(60, "true"), enableCache: false });
    const running = new Set<string>();
    let most = 0;
    h.events.on("event", (e: EngineEvent) => {
      if (e.type !== "task" || e.kind !== "iteration") return;
      if (e.state === "RUNNING") running.add(e.path);
      else running.delete(e.path);
      most = Math.max(most, running.size);
    });
    const s = await h.done;
    expect(s.state).toBe("SUCCEEDED");
    expect(s.tasks.filter((t) => t.kind === "container" && t.state === "SUCCEEDED")).toHaveLength(60);
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(2);
  });

  it("cancels a 2,000-item loop: CANCELED, no task process left, iterations never started are not recorded", async () => {
    const engine = env.newEngine();
    const cap = engine.scheduler.maxParallel;
    const h = engine.startRun({ pipeline: loop(2000, "sleep 300"), enableCache: false });
    await new Promise<void>((resolve) => {
      h.events.on("event", (e: EngineEvent) => {
        if (e.type === "task" && e.kind === "container" && e.state === "RUNNING") {
          // cancel from a timer: the event loop must still turn under the fan-out
          if (env.store.tasks.listByRun(h.runId).filter((x) => x.kind === "container").length >= cap) {
            setTimeout(resolve, 0);
          }
        }
      });
    });
    h.cancel();
    const s = await h.done;
    expect(s.state).toBe("CANCELED");
    const leaves = s.tasks.filter((t) => t.kind === "container");
    expect(leaves.length).toBeGreaterThanOrEqual(1);
    expect(leaves.length).toBeLessThanOrEqual(2 * cap);
    expect(leaves.every((t) => t.state === "CANCELED")).toBe(true);
    expect(s.tasks.filter((t) => t.kind === "iteration").length).toBeLessThanOrEqual(2 * cap);
    expect(s.tasks.find((t) => t.kind === "loop")?.state).toBe("CANCELED");
    const recorded = env.store.tasks
      .listByRun(h.runId)
      .map((t) => t.pid)
      .filter((p): p is number => p !== undefined);
    expect(recorded.length).toBeGreaterThanOrEqual(1);
    // a killed grandchild stays visible as a zombie until init reaps it: give it that long
    const left = (): number[] => recorded.filter((pid) => alive(pid) || alive(-pid));
    for (let i = 0; i < 100 && left().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(left()).toEqual([]);
  });

  it("keeps the event loop turning while thousands of iterations finish without a process", async () => {
    const engine = env.newEngine({ maxParallel: 64 });
    const b = new IrBuilder("skips", { go: { type: "BOOLEAN", default: false } })
      .sh("body", "true", { in: { x: "NUMBER_INTEGER" } })
      .dag(
        "for-loop-1",
        {
          body: task("body", {
            inputs: { parameters: { x: from.param(ITEM), go: from.param("go") } },
            triggerPolicy: { condition: "inputs.parameter_values['go'] == true" },
          }),
        },
        { in: { [ITEM]: "NUMBER_INTEGER", go: "BOOLEAN" } },
      )
      .root({
        "for-loop-1": task("for-loop-1", {
          inputs: { parameters: { go: from.param("go") } },
          parameterIterator: {
            itemInput: ITEM,
            items: { raw: JSON.stringify(Array.from({ length: 3000 }, (_, i) => i)) },
          },
        }),
      });
    const h = engine.startRun({ pipeline: b.build(), enableCache: false });
    setTimeout(() => h.cancel(), 20);
    const s = await h.done;
    expect(s.state).toBe("CANCELED");
    expect(s.tasks.filter((t) => t.kind === "iteration").length).toBeLessThan(3000);
  });
});

describe("the ready-queue DAG executor", () => {
  it("runs a diamond in dependency order and a 60-wide DAG to the end", async () => {
    const b = new IrBuilder("diamond")
      .sh("emit", "printf '%s' {{$.inputs.parameters['v']}} > {{$.outputs.parameters['o'].output_file}}", {
        in: { v: "STRING" },
        out: { o: "STRING" },
      })
      .root({
        a: task("emit", { name: "a", inputs: { parameters: { v: from.constant("a") } } }),
        b: task("emit", { name: "b", inputs: { parameters: { v: from.output("a", "o") } } }),
        c: task("emit", { name: "c", dependentTasks: ["a"], inputs: { parameters: { v: from.constant("c") } } }),
        d: task("emit", {
          name: "d",
          // b listed twice (dependentTasks and an input): it still counts once
          dependentTasks: ["b", "c", "b"],
          inputs: { parameters: { v: from.output("b", "o") } },
        }),
      });
    const s = await env.newEngine({ maxParallel: 2 }).startRun({ pipeline: b.build(), enableCache: false }).done;
    expect(s.state).toBe("SUCCEEDED");
    const at = (p: string) => s.tasks.find((t) => t.path === `root/${p}`);
    expect(at("d")?.startedAt).toBeGreaterThanOrEqual(Math.max(at("b")?.finishedAt ?? 0, at("c")?.finishedAt ?? 0));

    const wide = new IrBuilder("wide-60").sh("w", "true");
    const tasks: Record<string, PipelineTaskSpec> = {};
    for (let i = 0; i < 60; i++) tasks[`t${i}`] = task("w", { name: `t${i}` });
    const w = await env.engine.startRun({ pipeline: wide.root(tasks).build(), enableCache: false }).done;
    expect(w.state).toBe("SUCCEEDED");
    expect(w.tasks.filter((t) => t.state === "SUCCEEDED")).toHaveLength(60);
  });

  it("cancels a 3,000-task wide DAG: every task recorded CANCELED, no task process left", async () => {
    const engine = env.newEngine();
    const b = new IrBuilder("wide-3000").sh("w", "sleep 300");
    const tasks: Record<string, PipelineTaskSpec> = {};
    for (let i = 0; i < 3000; i++) tasks[`t${i}`] = task("w", { name: `t${i}` });
    tasks.last = task("w", { name: "last", dependentTasks: ["t0", "t2999"] });
    const h = engine.startRun({ pipeline: b.root(tasks).build(), enableCache: false });
    await new Promise<void>((resolve) => {
      h.events.on("event", (e: EngineEvent) => {
        if (e.type === "task" && e.state === "RUNNING") setTimeout(resolve, 0);
      });
    });
    h.cancel();
    const s = await h.done;
    expect(s.state).toBe("CANCELED");
    expect(s.tasks).toHaveLength(3001);
    expect(s.tasks.filter((t) => t.state !== "CANCELED")).toEqual([]);
    const recorded = env.store.tasks
      .listByRun(h.runId)
      .map((t) => t.pid)
      .filter((p): p is number => p !== undefined);
    expect(recorded.length).toBeGreaterThanOrEqual(1);
    expect(recorded.length).toBeLessThanOrEqual(2 * engine.scheduler.maxParallel);
    const left = (): number[] => recorded.filter((pid) => alive(pid) || alive(-pid));
    for (let i = 0; i < 100 && left().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(left()).toEqual([]);
  });

  it("reports tasks in a dependentTasks cycle as FAILED instead of hanging", async () => {
    const spec = new IrBuilder("cycle")
      .sh("x", "true")
      .root({
        free: task("x", { name: "free" }),
        p: task("x", { name: "p", dependentTasks: ["q"] }),
        q: task("x", { name: "q", dependentTasks: ["p"] }),
        after: task("x", { name: "after", dependentTasks: ["q"] }),
      })
      .build().pipelineSpec;
    // the executor itself, below any up-front validation of the pipeline
    const run = env.store.runs.create({
      experimentId: env.store.experiments.getDefault().id,
      displayName: "cycle",
      description: "",
      pipelineSpec: spec,
      parameters: {},
      pipelineRoot: path.join(env.home, "artifacts"),
      enableCache: false,
      createdAt: Date.now(),
      scheduledAt: Date.now(),
    });
    const ctx: RunContext = {
      runId: run.id,
      runName: "cycle",
      runtime: runtimeValuesOf(run, path.join(env.home, "artifacts")),
      spec,
      store: env.store,
      scheduler: new Scheduler(env.engine.capacity, 4),
      capacity: env.engine.capacity,
      settings: {
        enableCache: false,
        killGraceMs: 500,
        programRoot: path.join(env.home, "programs"),
        home: env.home,
        logsDir: path.join(env.home, "logs"),
        artifactsDir: path.join(env.home, "artifacts"),
      },
      signal: new AbortController().signal,
      clock: Date.now,
      emit: () => {},
      previous: new Map(),
      procs: new Set(),
    };
    const r = await executeDag(ctx, spec.root, "root", undefined, { parameters: {}, artifacts: {} });
    expect(r.state).toBe("FAILED");
    const byPath = new Map(env.store.tasks.listByRun(run.id).map((t) => [t.path, t]));
    expect(byPath.get("root/free")?.state).toBe("SUCCEEDED");
    for (const n of ["p", "q", "after"]) {
      expect(byPath.get(`root/${n}`)?.state).toBe("FAILED");
      expect(byPath.get(`root/${n}`)?.error?.message).toMatch(/part of a dependency cycle/);
    }
  });
});
