/**
 * Validation benchmark: reads a generated 45,500-task pipeline (about 50 MB of KFP YAML,
 * `generate.ts`) and validates it, as `weft validate`, `weft run` and the API do, in a
 * fresh process each time so that peak RSS is the step's own. In the same run it measures
 * the baseline, `JSON.parse` of the same pipeline written as JSON (the least any reader
 * must do), and the same steps at a quarter of the size, to show time grows linearly.
 * The goal, the full file parsed and validated in under 10 s with a peak RSS under
 * 500 MB, is judged on the full size, on the process's CPU time: reading is
 * single-threaded, so on an idle machine CPU time is at least the wall time (the garbage
 * collector's helper threads add to it), while on a shared machine wall time also counts
 * the time other processes held the cores. Both are reported.
 *
 * Run: npx tsx bench/validate/validate.bench.ts
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parsePipelineYaml, validatePipeline } from "../../src/ir/index.ts";
import { report } from "../report.ts";
import { generateLargePipeline } from "./generate.ts";

const FULL_TASKS = 45_500;
const GOAL_MS = 10_000;
const GOAL_RSS_MB = 500;

interface Measure {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  issues: number;
}

/** In a child: one step on one file, printed as JSON. */
function child(mode: string, file: string): void {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const text = readFileSync(file, "utf8");
  let issues = 0;
  if (mode === "json") JSON.parse(text);
  else issues = validatePipeline(parsePipelineYaml(text, file), { file }).length;
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const out: Measure = { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb, issues };
  console.log(JSON.stringify(out));
}

/** Runs one step in a fresh process (so its peak RSS is its own) and returns its measures. */
function run(mode: string, file: string): Measure {
  const r = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child", mode, file], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("{")) throw new Error(`child ${mode} failed: ${r.stderr}`);
  return JSON.parse(line) as Measure;
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), "weft-validate-bench-"));
  try {
    const rows = [];
    for (const tasks of [FULL_TASKS / 4, FULL_TASKS]) {
      const yaml = join(dir, `p${tasks}.yaml`);
      const json = join(dir, `p${tasks}.json`);
      const text = generateLargePipeline({ tasks });
      writeFileSync(yaml, text);
      writeFileSync(json, JSON.stringify(parsePipelineYaml(text, yaml)));
      const base = run("json", json);
      const validate = run("validate", yaml);
      if (validate.issues !== 0) throw new Error(`the generated pipeline has ${validate.issues} issues`);
      rows.push({
        tasks,
        yamlMb: round(text.length / 1e6, 1),
        validateWallMs: round(validate.wallMs),
        validateCpuMs: round(validate.cpuMs),
        validatePeakRssMb: round(validate.peakRssMb),
        jsonParseWallMs: round(base.wallMs),
        jsonParseCpuMs: round(base.cpuMs),
        jsonParsePeakRssMb: round(base.peakRssMb),
        cpuRatio: round(validate.cpuMs / base.cpuMs, 1),
      });
    }
    const [quarter, full] = rows as [(typeof rows)[0], (typeof rows)[0]];
    const growth = round(full.validateCpuMs / quarter.validateCpuMs, 2);
    const header = [
      "tasks",
      "MB",
      "validate s",
      "cpu s",
      "peak RSS MB",
      "JSON.parse s",
      "cpu s",
      "peak RSS MB",
      "cpu ratio",
    ];
    const lines = rows.map((r) =>
      [
        r.tasks,
        r.yamlMb,
        r.validateWallMs / 1000,
        r.validateCpuMs / 1000,
        r.validatePeakRssMb,
        r.jsonParseWallMs / 1000,
        r.jsonParseCpuMs / 1000,
        r.jsonParsePeakRssMb,
        r.cpuRatio,
      ].map(String),
    );
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
    const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] as number)).join("  ");
    console.log(fmt(header));
    for (const l of lines) console.log(fmt(l));
    console.log(`4x the tasks took ${growth}x the CPU time (linear: about 4)`);
    const met = full.validateCpuMs < GOAL_MS && full.validatePeakRssMb < GOAL_RSS_MB;
    console.log(
      `goal: ${FULL_TASKS} tasks parsed and validated in under ${GOAL_MS / 1000} s (CPU) and ${GOAL_RSS_MB} MB: ${met ? "met" : "NOT met"} (${full.validateCpuMs / 1000} s CPU, ${full.validateWallMs / 1000} s wall, ${full.validatePeakRssMb} MB)`,
    );
    report({
      name: "validate.full-cpu",
      value: full.validateCpuMs,
      unit: "ms",
      baseline: full.jsonParseCpuMs,
      goal: `< ${GOAL_MS} ms`,
      details: {
        tasks: FULL_TASKS,
        wallMs: full.validateWallMs,
        node: process.version,
        rows,
        cpuGrowthFor4xTasks: growth,
      },
    });
    report({
      name: "validate.full-peak-rss",
      value: full.validatePeakRssMb,
      unit: "MB",
      baseline: full.jsonParsePeakRssMb,
      goal: `< ${GOAL_RSS_MB} MB`,
      details: { tasks: FULL_TASKS },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf("--child");
if (at !== -1) child(process.argv[at + 1] as string, process.argv[at + 2] as string);
else main();
