/**
 * Step-metrics benchmark: `npx tsx bench/registry/log-metrics.bench.ts`.
 *
 * A TypeScript task runs a training-like loop of 100,000 steps and logs its loss at every
 * step through `ctx.log` (batched to the engine's task service, into the store), against
 * the same task not logging, in the same run: the two alternate and each keeps its fastest
 * of TRIALS, as the task's own record times it (start to finish, the final flush included).
 * Goal: the logging task is slowed by less than 5%. Also checks that all 100,000 points
 * are in the store, and reports the CPU time logging costs per metric in the task and in
 * the engine (the task service and the store), which the wall-clock ratio on a busy
 * machine does not separate: the engine's work competes with the task only when cores
 * are short. One step is a small gradient step (about 10 µs of CPU), so logging at every
 * step is a heavy case; WEFT_BENCH_VERBOSE=1 prints every trial.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compilePipeline } from "../../src/compiler/index.ts";
import { Engine } from "../../src/engine/index.ts";
import { openStore } from "../../src/store/index.ts";
import { report } from "../report.ts";
import { trainPipeline } from "./train-loop.ts";

const STEPS = Number(process.env.WEFT_BENCH_STEPS ?? 100_000);
const TRIALS = Number(process.env.WEFT_BENCH_TRIALS ?? 5);

const home = mkdtempSync(join(tmpdir(), "weft-bench-log-"));
const store = openStore(home);
const engine = new Engine({ home, store, programRoot: join(home, "programs") });
const pkg = compilePipeline(trainPipeline);

interface Trial {
  ms: number;
  loopMs: number;
  taskCpuMs: number;
  engineCpuMs: number;
  taskId: string;
}

async function trial(log: boolean): Promise<Trial> {
  const engineCpu = process.cpuUsage();
  const s = await engine.startRun({ pipeline: pkg, parameters: { steps: STEPS, log }, enableCache: false }).done;
  const task = s.tasks.find((t) => t.name === "train-loop" || t.name === "train_loop");
  if (s.state !== "SUCCEEDED" || !task) {
    throw new Error(`the ${log ? "logging" : "plain"} run ${s.state}: ${JSON.stringify(s.tasks.map((t) => t.error))}`);
  }
  const rec = store.tasks.get(task.id);
  if (rec?.startedAt === undefined || rec.finishedAt === undefined)
    throw new Error("the task has no start or finish time");
  const loopMs = Number(rec.outputs.parameters.loop_ms ?? Number.NaN);
  const used = process.cpuUsage(engineCpu);
  if (process.env.WEFT_BENCH_VERBOSE) {
    console.error(
      `${log ? "logging" : "plain"}: task ${rec.finishedAt - rec.startedAt} ms, loop ${Math.round(loopMs)} ms, task cpu ${Math.round(Number(rec.outputs.parameters.cpu_ms))} ms, engine cpu ${Math.round((used.user + used.system) / 1000)} ms`,
    );
  }
  return {
    ms: rec.finishedAt - rec.startedAt,
    loopMs,
    taskCpuMs: Number(rec.outputs.parameters.cpu_ms ?? Number.NaN),
    engineCpuMs: (used.user + used.system) / 1000,
    taskId: task.id,
  };
}

try {
  // warm the program cache and the task service
  await trial(false);
  await trial(true);
  let plain = Number.POSITIVE_INFINITY;
  let logging = Number.POSITIVE_INFINITY;
  let plainLoop = Number.POSITIVE_INFINITY;
  let loggingLoop = Number.POSITIVE_INFINITY;
  const cpu = {
    plainTask: Number.POSITIVE_INFINITY,
    loggingTask: Number.POSITIVE_INFINITY,
    plainEngine: Number.POSITIVE_INFINITY,
    loggingEngine: Number.POSITIVE_INFINITY,
  };
  let lastLogged = "";
  for (let i = 0; i < TRIALS; i++) {
    const p = await trial(false);
    plain = Math.min(plain, p.ms);
    plainLoop = Math.min(plainLoop, p.loopMs);
    const l = await trial(true);
    logging = Math.min(logging, l.ms);
    loggingLoop = Math.min(loggingLoop, l.loopMs);
    cpu.plainTask = Math.min(cpu.plainTask, p.taskCpuMs);
    cpu.loggingTask = Math.min(cpu.loggingTask, l.taskCpuMs);
    cpu.plainEngine = Math.min(cpu.plainEngine, p.engineCpuMs);
    cpu.loggingEngine = Math.min(cpu.loggingEngine, l.engineCpuMs);
    lastLogged = l.taskId;
  }
  const points = store.tracking.metricHistory(lastLogged, "loss", { maxResults: 25_000 });
  let stored = points.items.length;
  let token = points.nextPageToken;
  while (token) {
    const page = store.tracking.metricHistory(lastLogged, "loss", { maxResults: 25_000, pageToken: token });
    stored += page.items.length;
    token = page.nextPageToken;
  }
  console.log(
    `| ${STEPS.toLocaleString("en")} steps | not logging ${plain} ms | logging every step ${logging} ms | ${((logging / plain - 1) * 100).toFixed(1)} % |`,
  );
  report({
    name: "registry.log-metrics",
    value: logging,
    unit: "ms",
    baseline: plain,
    goal: "< 1.05x",
    require: { [`${STEPS} points stored`]: stored === STEPS },
    details: {
      steps: STEPS,
      trials: TRIALS,
      stored,
      plainLoopMs: Math.round(plainLoop),
      loggingLoopMs: Math.round(loggingLoop),
      // CPU time logging costs per metric, in the task and in the engine (task service and store)
      taskCpuUsPerMetric: Number((((cpu.loggingTask - cpu.plainTask) * 1000) / STEPS).toFixed(2)),
      engineCpuUsPerMetric: Number((((cpu.loggingEngine - cpu.plainEngine) * 1000) / STEPS).toFixed(2)),
    },
  });
} finally {
  await engine.close();
  store.close();
  rmSync(home, { recursive: true, force: true });
}
