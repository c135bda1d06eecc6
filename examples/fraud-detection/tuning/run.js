#!/usr/bin/env node
// `npm run tune` (in examples/fraud-detection): tunes the fraud MLP with
// `weft tune tuning/experiment.yaml` at a reduced budget, runs the default configuration
// (learning rate 0.001, 128 hidden units, batch 512, 5 epochs) on the same data in the
// same home, and prints the validation ROC-AUC of both, with their test ROC-AUC (the
// split the tuning never saw).
//
// Options: --max-trials N (default 10), --parallel N (default 2), --json (one JSON line).
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const weft = join(root, "bin", "weft.js");
const experimentFile = relative(root, join(here, "experiment.yaml"));
const pipelineFile = relative(root, join(here, "pipeline.ts"));

/** The default configuration: the fraud pipeline's parameter defaults. */
const DEFAULTS = { learning_rate: 0.001, hidden_units: 128, batch_size: 512, epochs: 5 };

function parseArgs(argv) {
  const opts = { maxTrials: 10, parallel: 2, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") opts.json = true;
    else if (a === "--max-trials") opts.maxTrials = Number(argv[++i]);
    else if (a === "--parallel") opts.parallel = Number(argv[++i]);
    else if (a === "--help" || a === "-h") {
      process.stdout.write("usage: npm run tune -- [--max-trials N] [--parallel N] [--json]\n");
      process.exit(0);
    } else {
      process.stderr.write(`tune: unknown option "${a}"; see npm run tune -- --help\n`);
      process.exit(2);
    }
  }
  for (const [flag, v] of [
    ["--max-trials", opts.maxTrials],
    ["--parallel", opts.parallel],
  ]) {
    if (!Number.isInteger(v) || v < 1) {
      process.stderr.write(`tune: ${flag} must be a positive integer, got ${v}\n`);
      process.exit(2);
    }
  }
  return opts;
}

/** Runs `weft ...args` with the output shown (stderr always, stdout unless `quiet`); resolves its exit code and stdout. */
function weftLive(args, quiet) {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [weft, ...args], {
      cwd: root,
      stdio: ["inherit", quiet ? "pipe" : "inherit", "inherit"],
    });
    let stdout = "";
    child.stdout?.on("data", (d) => {
      stdout += d.toString();
    });
    child.on("error", rej);
    child.on("close", (code) => res({ code, stdout }));
  });
}

function weftJson(args) {
  const res = spawnSync(process.execPath, [weft, ...args], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(`weft ${args.join(" ")} failed (exit ${res.status}): ${res.stderr.trim()}`);
  return JSON.parse(res.stdout);
}

const fmt = (v) => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(4) : "n/a");

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const experiment = parse(readFileSync(join(here, "experiment.yaml"), "utf8"));
  const name = experiment.metadata.name;
  const fixed = experiment.spec.trialTemplate.trialSpec.spec.parameters;
  const started = Date.now();

  // 1. the experiment, at the reduced budget
  const tune = await weftLive(
    ["tune", experimentFile, "--max-trials", String(opts.maxTrials), "--parallel", String(opts.parallel)],
    opts.json,
  );
  if (tune.code !== 0) throw new Error(`weft tune ended with exit code ${tune.code}`);
  const tunedSeconds = (Date.now() - started) / 1000;

  // 2. the default configuration, on the same data (rows and seed as the experiment fixes them)
  const params = { rows: fixed.rows, seed: fixed.seed, ...DEFAULTS };
  const defaultStarted = Date.now();
  const run = await weftLive(
    [
      "run",
      pipelineFile,
      "--json",
      "--run-name",
      `${name}-default`,
      ...Object.entries(params).flatMap(([k, v]) => ["--param", `${k}=${v}`]),
    ],
    true,
  );
  const summary = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}");
  if (summary.state !== "SUCCEEDED") throw new Error(`the default configuration's run ended ${summary.state}`);
  const defaultSeconds = (Date.now() - defaultStarted) / 1000;
  const metric = (m) => summary.metrics?.find((x) => x.name === m)?.value;

  // 3. the tuned configuration, as the store recorded it
  const best = weftJson(["tune", "best", name, "--json"]);
  const status = weftJson(["tune", "status", name, "--json"]);
  const result = {
    experiment: name,
    trials: status.trials,
    counts: status.counts,
    tuned: {
      trial: best.best?.number,
      params: best.best?.params,
      validation_roc_auc: best.best?.metrics?.validation_roc_auc,
      test_roc_auc: best.best?.metrics?.test_roc_auc,
    },
    default: {
      params: DEFAULTS,
      runId: summary.runId,
      validation_roc_auc: metric("validation_roc_auc"),
      test_roc_auc: metric("test_roc_auc"),
    },
    seconds: { tuning: Math.round(tunedSeconds), default: Math.round(defaultSeconds) },
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const p = result.tuned.params ?? {};
  process.stdout.write(
    [
      "",
      `${name}: ${result.trials} trials (${Object.entries(result.counts ?? {})
        .map(([s, n]) => `${n} ${s.toLowerCase()}`)
        .join(
          ", ",
        )}); this command took ${result.seconds.tuning} s for the experiment (trials recorded earlier are kept) and ${result.seconds.default} s for the default configuration`,
      "",
      "                     validation ROC-AUC   test ROC-AUC   parameters",
      `  default            ${fmt(result.default.validation_roc_auc).padEnd(21)}${fmt(result.default.test_roc_auc).padEnd(15)}lr=${DEFAULTS.learning_rate} hidden=${DEFAULTS.hidden_units} batch=${DEFAULTS.batch_size} epochs=${DEFAULTS.epochs}`,
      `  ${`tuned (trial ${result.tuned.trial})`.padEnd(19)}${fmt(result.tuned.validation_roc_auc).padEnd(21)}${fmt(result.tuned.test_roc_auc).padEnd(15)}${Object.entries(
        p,
      )
        .map(([k, v]) => `${k}=${typeof v === "number" ? Number(v.toPrecision(4)) : v}`)
        .join(" ")}`,
      "",
    ].join("\n"),
  );
}

main().catch((err) => {
  process.stderr.write(`tune: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
