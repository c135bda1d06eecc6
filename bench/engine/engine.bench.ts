/**
 * Engine benchmark: `npx tsx bench/engine/engine.bench.ts`.
 *
 * Each scenario measures its baseline in the same run, so the results are ratios that
 * survive a noisy machine:
 *  1. overhead per task of a 50-task chain (container `sh -c true`; a node program in
 *     hand-written IR; a TypeScript function component compiled with the SDK) against 50
 *     bare sequential spawns of `sh -c true` and of node;
 *  2. a fully cached re-run of a 10-task chain of 1-second tasks against the first run;
 *  3. four independent CPU-bound ~3-second branches against running them one by one;
 *  4. a 1,000-iteration ParallelFor of no-op tasks: completes, peak RSS, tasks per second;
 *  5. a 10,000-iteration ParallelFor with default settings (the default cap on parallel
 *     tasks, lazy fan-out) against the 1,000-iteration one at `maxParallel: 4` scaled x10:
 *     completes, no worse than linear, peak RSS;
 *  6. a wide DAG of 1,000 independent top-level tasks against a 1,000-iteration
 *     ParallelFor of the same task (the DAG's ready queue against the loop's workers).
 *
 * Prints a table, one JSON line per goal (bench/report.ts), then one line of details.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Measurement, report } from "../report.ts";
import { bareSequential, benchHome, rssSampler, spawnOnce } from "./harness.ts";
import { chainPipeline, fanPipeline, parallelForPipeline } from "./pipelines.ts";
import { tsChainPipeline } from "./ts-chain.ts";

const CHAIN = 50;
const scratch = mkdtempSync(join(tmpdir(), "weft-bench-progs-"));
const noopProgram = join(scratch, "noop.mjs");
writeFileSync(noopProgram, "process.exitCode = Number.isNaN(Number(process.argv[2])) ? 1 : 0;\n");
const cpuProgram = join(scratch, "cpu.mjs");
writeFileSync(
  cpuProgram,
  "let x = 1; const n = Number(process.argv[2]);\n" +
    "for (let i = 0; i < n; i++) x = (x * 1103515245 + 12345) % 2147483648;\n" +
    "if (x === -1) console.log(x);\n",
);
const node = process.execPath;

interface Row {
  scenario: string;
  measured: string;
  baseline: string;
  result: string;
  goal: string;
  ok: boolean;
  /** The goal as judged by bench/report.ts; a row without it is reported on `ok` alone. */
  measure?: Measurement;
}
const rows: Row[] = [];
const json: Record<string, number | boolean> = {};
const ms = (v: number) => `${v.toFixed(0)} ms`;

/**
 * Runs `bare` and `engine` alternately `trials` times and keeps the fastest of each: on a
 * shared machine the minimum is the measurement least disturbed by other processes.
 */
async function alternate(
  trials: number,
  bare: () => Promise<number>,
  engine: () => Promise<number>,
): Promise<{ bare: number; engine: number }> {
  let bestBare = Number.POSITIVE_INFINITY;
  let bestEngine = Number.POSITIVE_INFINITY;
  for (let i = 0; i < trials; i++) {
    bestBare = Math.min(bestBare, await bare());
    bestEngine = Math.min(bestEngine, await engine());
  }
  return { bare: bestBare, engine: bestEngine };
}

async function overheadPerTask(): Promise<void> {
  const h = benchHome();
  try {
    const sh = ["sh", "-c", "true"];
    await bareSequential(sh, 3); // warm the page cache
    const shChain = chainPipeline("chain-sh", CHAIN, sh);
    const shTimes = await alternate(
      3,
      () => bareSequential(sh, CHAIN),
      async () => (await h.run(shChain)).wallMs,
    );
    const perTask = (shTimes.engine - shTimes.bare) / CHAIN;
    rows.push({
      scenario: `1a ${CHAIN}-task chain, sh -c true`,
      measured: ms(shTimes.engine),
      baseline: `${ms(shTimes.bare)} bare`,
      result: `${perTask.toFixed(1)} ms/task overhead`,
      goal: "<= 15 ms/task",
      ok: perTask <= 15,
      measure: {
        name: "engine.sh-chain-overhead",
        value: perTask,
        unit: "ms/task",
        baseline: shTimes.bare / CHAIN,
        goal: "<= 15 ms/task",
      },
    });
    json.containerOverheadMsPerTask = round(perTask);

    const nodeCmd = [node, noopProgram];
    const nodeChain = chainPipeline("chain-node", CHAIN, nodeCmd);
    const nodeTimes = await alternate(
      2,
      () => bareSequential(nodeCmd, CHAIN),
      async () => (await h.run(nodeChain)).wallMs,
    );
    const bareNode = nodeTimes.bare;
    const ratio = nodeTimes.engine / bareNode;
    rows.push({
      scenario: `1b ${CHAIN}-task chain, node program (IR)`,
      measured: ms(nodeTimes.engine),
      baseline: `${ms(bareNode)} bare node`,
      result: `${ratio.toFixed(2)}x bare`,
      goal: "<= 1.25x",
      ok: ratio <= 1.25,
      measure: { name: "engine.node-chain", value: nodeTimes.engine, unit: "ms", baseline: bareNode, goal: "<= 1.25x" },
    });
    json.nodeTaskRatio = round(ratio);
    json.nodeOverheadMsPerTask = round((nodeTimes.engine - bareNode) / CHAIN);

    // a failing TS chain is reported in the table rather than ending the benchmark
    const tsChain = tsChainPipeline(CHAIN);
    let tsFailure: Error | undefined;
    let engTs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 2 && !tsFailure; i++) {
      await h.run(tsChain).then(
        (r) => {
          engTs = Math.min(engTs, r.wallMs);
        },
        (e: unknown) => {
          tsFailure = e instanceof Error ? e : new Error(String(e));
        },
      );
    }
    if (tsFailure) {
      rows.push({
        scenario: `1c ${CHAIN}-task chain, TS component (SDK)`,
        measured: `failed: ${tsFailure.message.slice(0, 120)}`,
        baseline: `${ms(bareNode)} bare node`,
        result: "-",
        goal: "<= 1.25x",
        ok: false,
        measure: {
          name: "engine.ts-chain",
          goal: "<= 1.25x",
          require: { [`runs: ${tsFailure.message.slice(0, 120)}`]: false },
        },
      });
      json.tsTaskFailed = true;
    } else {
      const tsRatio = engTs / bareNode;
      rows.push({
        scenario: `1c ${CHAIN}-task chain, TS component (SDK)`,
        measured: ms(engTs),
        baseline: `${ms(bareNode)} bare node`,
        result: `${tsRatio.toFixed(2)}x bare`,
        goal: "<= 1.25x",
        ok: tsRatio <= 1.25,
        measure: { name: "engine.ts-chain", value: engTs, unit: "ms", baseline: bareNode, goal: "<= 1.25x" },
      });
      json.tsTaskRatio = round(tsRatio);
      json.tsOverheadMsPerTask = round((engTs - bareNode) / CHAIN);
    }
  } finally {
    h.close();
  }
}

async function cachedRerun(): Promise<void> {
  const h = benchHome();
  try {
    const pipeline = chainPipeline("chain-sleep", 10, ["sh", "-c", "sleep 1"], { cache: true });
    const first = (await h.run(pipeline, { enableCache: true })).wallMs;
    const second = await h.run(pipeline, { enableCache: true });
    const cached = second.summary.tasks.filter((t) => t.state === "CACHED").length;
    const ratio = second.wallMs / first;
    rows.push({
      scenario: "2  cached re-run, 10 x 1 s chain",
      measured: `${ms(second.wallMs)} (${cached}/10 cached)`,
      baseline: `${ms(first)} first run`,
      result: `${(ratio * 100).toFixed(2)} %`,
      goal: "<= 2 %",
      ok: ratio <= 0.02 && cached === 10,
      measure: {
        name: "engine.cached-rerun",
        value: second.wallMs,
        unit: "ms",
        baseline: first,
        goal: "<= 2 %",
        require: { "10 of 10 tasks cached": cached === 10 },
      },
    });
    json.cachedRerunRatio = round(ratio, 4);
    json.cachedTasks = cached;
  } finally {
    h.close();
  }
}

async function parallelBranches(): Promise<void> {
  // calibrate a loop count that takes about 3 s of one core
  const probe = 20_000_000;
  const t0 = performance.now();
  await spawnOnce([node, cpuProgram, String(probe)]);
  const probeMs = Math.max(1, performance.now() - t0 - 40);
  const iterations = Math.round((probe * 3000) / probeMs);
  const cmd = [node, cpuProgram, String(iterations)];
  const sequential = await bareSequential(cmd, 4);
  const h = benchHome();
  try {
    const wall = (await h.run(fanPipeline("fan-cpu", 4, cmd))).wallMs;
    const ratio = wall / sequential;
    rows.push({
      scenario: "3  4 CPU-bound ~3 s branches",
      measured: ms(wall),
      baseline: `${ms(sequential)} sequential`,
      result: `${ratio.toFixed(2)} of sequential`,
      goal: "<= 0.55x (2 cores)",
      ok: ratio <= 0.55,
      measure: { name: "engine.parallel-branches", value: wall, unit: "ms", baseline: sequential, goal: "<= 0.55x" },
    });
    json.parallelRatio = round(ratio);
    json.parallelSequentialMs = Math.round(sequential);
  } finally {
    h.close();
  }
}

async function bigParallelFor(): Promise<void> {
  const h = benchHome();
  try {
    const before = process.memoryUsage().rss;
    const sampler = rssSampler();
    const { wallMs, summary } = await h.run(parallelForPipeline("loop-1000", 1000, ["sh", "-c", "true"]));
    const peak = sampler.stop();
    const leaves = summary.tasks.filter((t) => t.kind === "container" && t.state === "SUCCEEDED").length;
    const perSecond = (leaves / wallMs) * 1000;
    const peakMb = peak / 2 ** 20;
    rows.push({
      scenario: "4  ParallelFor x 1000 no-op",
      measured: `${leaves} tasks in ${ms(wallMs)}`,
      baseline: `${(before / 2 ** 20).toFixed(0)} MB RSS before`,
      result: `${peakMb.toFixed(0)} MB peak RSS, ${perSecond.toFixed(0)} tasks/s`,
      goal: "< 300 MB, completes",
      ok: peakMb < 300 && leaves === 1000,
      measure: {
        name: "engine.parallel-for",
        value: peakMb,
        unit: "MB",
        baseline: before / 2 ** 20,
        goal: "< 300 MB",
        require: { "1000 tasks succeeded": leaves === 1000 },
        details: { tasksPerSecond: round(perSecond, 1) },
      },
    });
    json.loopTasksSucceeded = leaves;
    json.loopPeakRssMb = round(peakMb, 1);
    json.loopTasksPerSecond = round(perSecond, 1);
  } finally {
    h.close();
  }
}

async function hugeParallelFor(): Promise<void> {
  const cmd = ["sh", "-c", "true"];
  const small = benchHome({ maxParallel: 4 });
  let baseMs: number;
  try {
    baseMs = (await small.run(parallelForPipeline("loop-1000-mp4", 1000, cmd))).wallMs;
  } finally {
    small.close();
  }
  const h = benchHome();
  try {
    const cap = h.engine.scheduler.maxParallel;
    const sampler = rssSampler();
    const { wallMs, summary } = await h.run(parallelForPipeline("loop-10000", 10_000, cmd));
    const peakMb = sampler.stop() / 2 ** 20;
    const leaves = summary.tasks.filter((t) => t.kind === "container" && t.state === "SUCCEEDED").length;
    const ratio = wallMs / (baseMs * 10);
    rows.push({
      scenario: `5  ParallelFor x 10000 no-op, default cap (${cap})`,
      measured: `${leaves} tasks in ${ms(wallMs)}, ${peakMb.toFixed(0)} MB peak RSS`,
      baseline: `${ms(baseMs * 10)} (1000 at max 4, x10)`,
      result: `${ratio.toFixed(2)}x scaled baseline`,
      goal: "completes, <= 1.25x, < 314 MB",
      ok: leaves === 10_000 && ratio <= 1.25 && peakMb < 314,
    });
    json.hugeLoopCap = cap;
    json.hugeLoopSeconds = round(wallMs / 1000, 1);
    json.hugeLoopPeakRssMb = round(peakMb, 1);
    json.hugeLoopScaledRatio = round(ratio);
  } finally {
    h.close();
  }
}

async function wideDag(): Promise<void> {
  const cmd = ["sh", "-c", "true"];
  const h = benchHome();
  try {
    const times = await alternate(
      1,
      async () => (await h.run(parallelForPipeline("loop-1000", 1000, cmd))).wallMs,
      async () => (await h.run(fanPipeline("wide-1000", 1000, cmd))).wallMs,
    );
    const ratio = times.engine / times.bare;
    rows.push({
      scenario: "6  wide DAG of 1000 top-level tasks",
      measured: ms(times.engine),
      baseline: `${ms(times.bare)} ParallelFor x 1000`,
      result: `${ratio.toFixed(2)}x the loop`,
      goal: "<= 2x",
      ok: ratio <= 2,
    });
    json.wideDagMs = Math.round(times.engine);
    json.wideDagLoopMs = Math.round(times.bare);
    json.wideDagRatio = round(ratio);
  } finally {
    h.close();
  }
}

function round(v: number, digits = 2): number {
  return Number(v.toFixed(digits));
}

function printTable(): void {
  const header = ["scenario", "measured", "baseline", "result", "goal", "ok"];
  const cells = rows.map((r) => [r.scenario, r.measured, r.baseline, r.result, r.goal, r.ok ? "yes" : "NO"]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const c of cells) console.log(line(c));
}

const only = process.argv.slice(2);
const scenarios: [string, () => Promise<void>][] = [
  ["overhead", overheadPerTask],
  ["cache", cachedRerun],
  ["parallel", parallelBranches],
  ["loop", bigParallelFor],
  ["huge", hugeParallelFor],
  ["wide", wideDag],
];
const started = performance.now();
try {
  for (const [name, fn] of scenarios) {
    if (only.length > 0 && !only.includes(name)) continue;
    process.stderr.write(`engine bench: ${name}…\n`);
    await fn();
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
printTable();
for (const r of rows) {
  // a row without a measurement is judged on its own verdict, named after its scenario
  const slug = r.scenario
    .replace(/^\d+[a-z]?\s+/, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  report(r.measure ?? { name: `engine.${slug}`, goal: r.goal, require: { [r.result]: r.ok } });
}
json.totalSeconds = round((performance.now() - started) / 1000, 1);
console.log(JSON.stringify({ bench: "engine", ...json }));
