/**
 * CLI benchmark: how long the `weft` command takes to answer, against a bare `node -e 0`
 * measured in the same run, interleaved with it (so a busy machine slows both alike):
 *  - `weft --help`;
 *  - `weft runs list` on a home of {@link SEEDED} runs (the fraud-detection spec);
 *  - a cached `weft run` of the fraud-detection example at 5,000 rows and one epoch
 *    (`examples/fraud-detection/pipeline.yaml`; run once untimed to fill the cache, then
 *    timed; every task must be CACHED or SKIPPED).
 * Each case runs the built CLI (`dist/`, built first with tsconfig.build.json; what
 * `npm install weft` gives, selected in this checkout with WEFT_CLI=dist) and, for
 * contrast, this checkout's sources through tsx (what `node bin/weft.js` runs here).
 * Goals, for the built CLI: the first two add <= 300 ms to bare node (the value judged is
 * the median command time minus the median bare-node time). The cached run is reported
 * without a time goal; it must succeed with every task from the cache.
 *
 * `npx tsx bench/cli/cli.bench.ts [repeats]`. Prints a table, one JSON line per case
 * (bench/report.ts), then one line of details.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openStore, type RuntimeState } from "../../src/store/index.ts";
import { report } from "../report.ts";
import { fraudSpec, seedRuns } from "../store/seed-runs.ts";

const REPEATS = Number(process.argv[2] ?? 7);
const SEEDED = 300;
const ROOT = resolve(import.meta.dirname, "../..");
const WEFT = join(ROOT, "bin/weft.js");
const FRAUD = join(ROOT, "examples/fraud-detection/pipeline.yaml");
const FRAUD_PARAMS = ["-p", "rows=5000", "-p", "epochs=1"];
/** The built CLI, as the installed package runs it. */
const BUILT = { WEFT_CLI: "dist" };

interface Timed {
  ms: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

function time(args: string[], env: NodeJS.ProcessEnv = {}): Timed {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { ms: performance.now() - started, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/**
 * Times `args` and a bare node `REPEATS` times each, alternating, after one untimed warm-up
 * of each (the OS file cache, tsx's transform cache); fails on a non-zero exit.
 */
function versusBareNode(
  label: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { command: number; bare: number; last: Timed } {
  const bare: number[] = [];
  const command: number[] = [];
  let last = time(args, env);
  time(["-e", "0"]);
  for (let i = 0; i < REPEATS; i++) {
    bare.push(time(["-e", "0"]).ms);
    last = time(args, env);
    if (last.status !== 0) throw new Error(`${label} exited ${last.status}:\n${last.stderr}`);
    command.push(last.ms);
  }
  return { command: median(command), bare: median(bare), last };
}

const homes: string[] = [];
function home(prefix: string): string {
  const h = mkdtempSync(join(tmpdir(), prefix));
  homes.push(h);
  return h;
}

try {
  // the built CLI, as `npm pack` (prepack) builds it
  const build = spawnSync(
    process.execPath,
    [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  if (build.status !== 0) throw new Error(`building dist/ failed:\n${build.stdout}${build.stderr}`);

  // a home with some hundreds of runs, as a team's after a few weeks
  const listHome = home("weft-bench-cli-list-");
  const store = openStore(listHome);
  try {
    const { spec } = fraudSpec();
    const experimentId = store.experiments.getDefault().id;
    const states: RuntimeState[] = ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED"];
    const t0 = Date.parse("2026-01-01T00:00:00Z");
    seedRuns(store, spec, SEEDED, (i) => ({
      experimentId,
      displayName: `fraud-${String(i).padStart(4, "0")}`,
      parameters: { rows: 5000, epochs: 1 },
      state: states[i % states.length] ?? "SUCCEEDED",
      createdAt: t0 + i * 60_000,
    }));
  } finally {
    store.close();
  }

  // a home where the fraud run is cached
  const runHome = home("weft-bench-cli-run-");
  const fill = time([WEFT, "run", FRAUD, ...FRAUD_PARAMS], { WEFT_HOME: runHome, ...BUILT });
  if (fill.status !== 0) throw new Error(`the first fraud run failed (exit ${fill.status}):\n${fill.stderr}`);

  const help = versusBareNode("weft --help", [WEFT, "--help"], BUILT);
  const list = versusBareNode("weft runs list", [WEFT, "runs", "list"], { WEFT_HOME: listHome, ...BUILT });
  const run = versusBareNode("cached weft run", [WEFT, "run", FRAUD, ...FRAUD_PARAMS, "--json"], {
    WEFT_HOME: runHome,
    ...BUILT,
  });
  // the checkout's sources through tsx, for contrast (no goal)
  const helpSource = versusBareNode("weft --help (checkout)", [WEFT, "--help"]);
  const listSource = versusBareNode("weft runs list (checkout)", [WEFT, "runs", "list"], { WEFT_HOME: listHome });
  // the final state of each container task of the timed cached run
  const finalStates = new Map<string, string>();
  let runState = "";
  for (const line of run.last.stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const e = JSON.parse(line) as { type?: string; kind?: string; state?: string; path?: string };
    if (e.type === "task" && e.kind === "container" && e.path && e.state) finalStates.set(e.path, e.state);
    if (e.type === "run" && e.state) runState = e.state;
  }
  const allCached = finalStates.size > 0 && [...finalStates.values()].every((s) => s === "CACHED" || s === "SKIPPED");

  const rows = [
    { case: "weft --help", ...help, goal: "<= 300" },
    { case: `weft runs list (${SEEDED} runs)`, ...list, goal: "<= 300" },
    { case: "cached weft run (fraud, 5,000 rows)", ...run, goal: "none" },
    { case: "weft --help, checkout sources", ...helpSource, goal: "none" },
    { case: `weft runs list, checkout sources`, ...listSource, goal: "none" },
  ];
  console.log(
    `weft commands against a bare node -e 0 (median of ${REPEATS}, wall ms; load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores)`,
  );
  console.log(
    `${"case".padEnd(40)} ${"command".padStart(8)} ${"bare".padStart(8)} ${"added".padStart(8)} ${"goal".padStart(10)}`,
  );
  for (const r of rows) {
    console.log(
      `${r.case.padEnd(40)} ${r.command.toFixed(0).padStart(8)} ${r.bare.toFixed(0).padStart(8)} ${(r.command - r.bare)
        .toFixed(0)
        .padStart(8)} ${r.goal.padStart(10)}`,
    );
  }
  report({
    name: "cli.help",
    value: help.command - help.bare,
    unit: "ms",
    goal: "<= 300 ms",
    details: {
      command_ms: Math.round(help.command),
      bare_node_ms: Math.round(help.bare),
      checkout_sources_ms: Math.round(helpSource.command),
    },
  });
  report({
    name: "cli.runs-list",
    value: list.command - list.bare,
    unit: "ms",
    goal: "<= 300 ms",
    details: {
      runs: SEEDED,
      command_ms: Math.round(list.command),
      bare_node_ms: Math.round(list.bare),
      checkout_sources_ms: Math.round(listSource.command),
    },
  });
  report({
    name: "cli.cached-run",
    goal: "succeeds from the cache (time reported, no goal)",
    require: { "run SUCCEEDED": runState === "SUCCEEDED", "every task CACHED or SKIPPED": allCached },
    details: {
      command_ms: Math.round(run.command),
      bare_node_ms: Math.round(run.bare),
      added_ms: Math.round(run.command - run.bare),
      first_run_ms: Math.round(fill.ms),
      container_tasks: finalStates.size,
    },
  });
  console.log(
    JSON.stringify({
      bench: "cli",
      repeats: REPEATS,
      bare_node_ms: Math.round(help.bare),
      help_ms: Math.round(help.command),
      runs_list_ms: Math.round(list.command),
      cached_run_ms: Math.round(run.command),
      first_run_ms: Math.round(fill.ms),
      load_average_1m: Number(loadavg()[0]?.toFixed(1)),
    }),
  );
} finally {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
}
