#!/usr/bin/env node
// `npm run demo`: runs the fraud-detection pipeline on generated transactions with the live
// progress view, then prints the metrics, the oracle AUC, where the model, the report and
// the Triton repository are, and the model registry's decision: the version of
// `fraud-detector` the run registered, whether it became champion, and the rule that
// decided. `npm run demo -- --json` ends with one JSON line.
//
// The summary ends with the command that serves the champion with `weft serve` and a curl
// line that scores a raw transaction; `--serve` runs that server, scores the test split
// through it over HTTP (raw transactions through the fraud transformer) and prints the
// served ROC-AUC next to the pipeline's, then stops it.
//
// Options: --rows N (default 200000), --param name=value (repeatable, any pipeline
// parameter; `--param seed=7` trains on other transactions and registers a new version),
// --no-cache, --serve, --json.
import { spawn, spawnSync } from "node:child_process";
import { register as registerHooks } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const weft = join(root, "bin", "weft.js");
const pipelineFile = join("examples", "fraud-detection", "pipeline.ts");

function parseArgs(argv) {
  const opts = { rows: 200_000, params: [], json: false, cache: true, serve: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") opts.json = true;
    else if (a === "--no-cache") opts.cache = false;
    else if (a === "--serve") opts.serve = true;
    else if (a === "--rows") opts.rows = Number(argv[++i]);
    else if (a.startsWith("--rows=")) opts.rows = Number(a.slice(7));
    else if (a === "--param" || a === "-p") opts.params.push(argv[++i]);
    else if (a.startsWith("--param=")) opts.params.push(a.slice(8));
    else if (a === "--help" || a === "-h") {
      process.stdout.write(
        "usage: npm run demo -- [--rows N] [--param name=value]... [--no-cache] [--serve] [--json]\n",
      );
      process.exit(0);
    } else {
      process.stderr.write(`demo: unknown option "${a}"; see npm run demo -- --help\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(opts.rows) || opts.rows < 1000) {
    process.stderr.write(`demo: --rows must be an integer >= 1000, got ${opts.rows}\n`);
    process.exit(2);
  }
  return opts;
}

function weftJson(args) {
  const res = spawnSync(process.execPath, [weft, ...args], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(`weft ${args.join(" ")} failed (exit ${res.status}): ${res.stderr.trim()}`);
  const line = res.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line);
}

const toPath = (uri) => (uri?.startsWith("file://") ? decodeURIComponent(uri.slice(7)) : uri);
const fmt = (v) => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(4) : "n/a");

/** The run, its artifacts and its tasks, read from the store (fast), else from `weft runs get --json`. */
async function loadRun(runName) {
  try {
    const { default: Database } = await import("better-sqlite3");
    const home = resolve(root, process.env.WEFT_HOME?.trim() || ".weft");
    const db = new Database(join(home, "weft.db"), { readonly: true, fileMustExist: true });
    try {
      const run = db
        .prepare("SELECT id, state FROM runs WHERE display_name = ? ORDER BY created_at DESC LIMIT 1")
        .get(runName);
      if (!run) return undefined;
      const artifacts = db
        .prepare("SELECT name, uri, metadata FROM artifacts WHERE run_id = ? ORDER BY created_at")
        .all(run.id)
        .map((a) => ({ ...a, metadata: JSON.parse(a.metadata) }));
      const tasks = db
        .prepare("SELECT name, kind, state, outputs, error FROM tasks WHERE run_id = ?")
        .all(run.id)
        .map((t) => ({
          name: t.name,
          kind: t.kind,
          state: t.state,
          cache: t.state === "CACHED" ? "hit" : "",
          outputs: t.outputs ? JSON.parse(t.outputs) : undefined,
          error: t.error ? JSON.parse(t.error) : undefined,
        }));
      return { run, artifacts, tasks };
    } finally {
      db.close();
    }
  } catch {
    try {
      return weftJson(["runs", "get", runName, "--json"]);
    } catch {
      return undefined;
    }
  }
}

/** What the registerModel task did: the version, whether it became champion and why. */
function registration(doc, decision) {
  const task = doc.tasks.find((t) => typeof t.name === "string" && t.name.startsWith("register-model"));
  if (!task) return { state: "NOT_RUN" };
  const params = task.outputs?.parameters ?? {};
  const meta = decision?.metadata ?? {};
  // a failed task's own message (a failed threshold names the metric, its value and the threshold)
  const said = (task.error?.stderrTail ?? "").split("\n").find((l) => l.includes("registerModel: "));
  return {
    state: task.state,
    model_name: meta.model_name ?? null,
    version: params.version ?? meta.version ?? null,
    model_uri: params.model_uri ?? null,
    promoted: params.promoted ?? meta.promoted ?? null,
    decided_by: meta.decided_by ?? null,
    error: said ? said.slice(said.indexOf("registerModel: ")) : (task.error?.message ?? null),
  };
}

/** The registry lines of the summary. */
function registryLines(reg) {
  if (reg.state === "NOT_RUN") return ["not registered (the pipeline has no register-model task)"];
  if (reg.state === "SKIPPED") return ["not registered: below the quality gate"];
  if (reg.version === null) return [`registration ${reg.state.toLowerCase()}: ${reg.error ?? "see the task's log"}`];
  const name = reg.model_name ?? "fraud-detector";
  const why = reg.decided_by ? [reg.decided_by] : [];
  if (reg.state === "CACHED") {
    const then = reg.promoted ? "it became champion then" : "it stayed challenger then";
    return [
      `${name} version ${reg.version}, from cache: an earlier run with the same inputs registered it (${then})`,
      ...why,
    ];
  }
  const role = reg.promoted ? "became champion" : "stays challenger, not champion";
  return [`${name} version ${reg.version} ${role}`, ...why];
}

/** The demo's results from the recorded run. */
function collect(doc) {
  const byName = (name) => doc.artifacts.filter((a) => a.name === name);
  const best = byName("best_model").at(-1);
  const meta = best?.metadata ?? {};
  const report = byName("report").find((a) => a.metadata?.kind === meta.kind) ?? byName("report")[0];
  const onnx = byName("onnx_model")[0];
  const oracle = typeof meta.oracle_roc_auc === "number" && meta.oracle_roc_auc >= 0 ? meta.oracle_roc_auc : null;
  const reg = registration(doc, byName("decision").at(-1));
  return {
    run_id: doc.run.id,
    state: doc.run.state,
    roc_auc: meta.rocAuc ?? null,
    pr_auc: meta.prAuc ?? null,
    f1: meta.f1 ?? null,
    precision: meta.precision ?? null,
    recall: meta.recall ?? null,
    threshold: meta.threshold ?? null,
    oracle_roc_auc: oracle,
    auc_gap_to_oracle: oracle !== null && typeof meta.rocAuc === "number" ? oracle - meta.rocAuc : null,
    gate_passed: meta.gate_passed === true,
    best_model_kind: meta.kind ?? null,
    model_uri: onnx?.uri ?? best?.uri ?? null,
    triton_repository_uri: byName("triton_repository")[0]?.uri ?? null,
    transactions_uri: byName("transactions")[0]?.uri ?? null,
    test_split_uri: byName("test")[0]?.uri ?? null,
    kserve_manifest_uri: byName("manifest")[0]?.uri ?? null,
    report_uri: report?.uri ?? null,
    summary_uri: byName("summary")[0]?.uri ?? null,
    shap_report_uri: byName("shap_report")[0]?.uri ?? null,
    max_abs_diff_onnx_vs_tfjs: onnx?.metadata?.max_abs_diff_vs_tfjs ?? null,
    registered_model: reg.version !== null && reg.version !== undefined ? (reg.model_name ?? "fraud-detector") : null,
    registered_version: reg.version ?? null,
    registered_model_uri: reg.model_uri ?? null,
    champion: reg.promoted === true,
    registry_decision: reg.decided_by ?? reg.error ?? null,
    registration: reg,
    cached_tasks: doc.tasks.filter((t) => t.kind === "container" && t.cache === "hit").length,
    tasks: doc.tasks.filter((t) => t.kind === "container").length,
  };
}

const TRANSFORMER = join("examples", "fraud-detection", "serving", "transformer.ts");
const q = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

/** What to serve: the champion when this run's version is it, else this run's version (its encoders are this run's). */
const modelUriOf = (result) =>
  result.champion
    ? `models:/${result.registered_model}@champion`
    : `models:/${result.registered_model}/${result.registered_version}`;

/** The command that serves the model with the fraud transformer in front. */
function serveCommand(uri, name, testSplit) {
  const rel = relative(root, testSplit);
  const split = rel && !rel.startsWith("..") ? rel : testSplit;
  return `FRAUD_ENCODERS=${q(split)} node bin/weft.js serve ${q(uri)} --transformer ${q(`${name}=${TRANSFORMER}`)}`;
}

let tsRegistered = false;

/**
 * Imports a TypeScript module of the example through tsx, with imports of `weft` resolved
 * to the repository's sources (the `weft-source` export condition), as `bin/weft.js` does:
 * a checkout has no built `dist/`.
 */
async function importTs(file) {
  if (!tsRegistered) {
    const { register } = await import("tsx/esm/api");
    register();
    const hook =
      "export async function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, 'weft-source'] }); }";
    registerHooks(`data:text/javascript,${encodeURIComponent(hook)}`);
    tsRegistered = true;
  }
  return import(pathToFileURL(join(root, file)).href);
}

/** Starts `weft serve` for the model on a free port; resolves with its URL and the child. */
function startServer(uri, name, testSplit) {
  const args = [weft, "serve", uri, "--transformer", `${name}=${TRANSFORMER}`];
  args.push("--port", "0", "--no-grpc");
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, FRAUD_ENCODERS: testSplit },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      fail(new Error(`weft serve did not start in 120 s: ${err.trim().split("\n").pop() ?? ""}`));
    }, 120_000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const url = /REST (http:\/\/\S+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        done({ url, child });
      }
    });
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      fail(new Error(`weft serve exited with ${code}: ${err.trim() || out.trim()}`));
    });
  });
}

/** `--serve`: serves the model, scores the test split over HTTP, stops the server. */
async function serveAndScore(result, name, out) {
  const testSplit = toPath(result.test_split_uri);
  const transactions = toPath(result.transactions_uri);
  const uri = modelUriOf(result);
  const { url, child } = await startServer(uri, name, testSplit);
  try {
    const { scoreOverHttp } = await importTs(join("examples", "fraud-detection", "serving", "score-over-http.ts"));
    const scored = await scoreOverHttp({ url, model: name, transactionsPath: transactions, testSplitPath: testSplit });
    result.served_roc_auc = scored.rocAuc;
    result.served_url = url;
    out.write(`  served at      ${url} (${uri}, fraud transformer)\n`);
    out.write(
      `  served ROC-AUC ${fmt(scored.rocAuc)}   (pipeline ${fmt(result.roc_auc)}; ${scored.testRows} test rows, all ${scored.requests} requests of raw transactions in ${scored.seconds.toFixed(1)} s)\n`,
    );
  } finally {
    const closed = new Promise((done) => child.on("close", done));
    child.kill("SIGTERM");
    await closed;
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const runName = `fraud-demo-${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}`;
  const args = [weft, "run", pipelineFile, "--param", `rows=${opts.rows}`, "--run-name", runName];
  for (const p of opts.params) args.push("--param", p);
  if (!opts.cache) args.push("--no-cache");
  const started = Date.now();
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  let code = await new Promise((done) => child.on("close", (c) => done(c ?? 1)));
  const wall = (Date.now() - started) / 1000;
  const doc = await loadRun(runName);
  if (!doc) {
    process.stderr.write(`demo: the run did not start (weft exited with ${code}); see the messages above.\n`);
    process.exit(code || 1);
  }
  const result = { ...collect(doc), rows: opts.rows, wall_seconds: Math.round(wall * 10) / 10 };
  const out = process.stdout;
  out.write("\nFraud detection demo\n");
  out.write(`  run            ${result.run_id} (${result.state}) in ${result.wall_seconds} s`);
  out.write(result.cached_tasks > 0 ? `, ${result.cached_tasks}/${result.tasks} tasks from cache\n` : "\n");
  out.write(`  rows           ${opts.rows}\n`);
  out.write(`  best model     ${result.best_model_kind ?? "n/a"}\n`);
  out.write(
    `  ROC-AUC        ${fmt(result.roc_auc)}   (oracle ${fmt(result.oracle_roc_auc)}, gap ${fmt(result.auc_gap_to_oracle)})\n`,
  );
  out.write(`  PR-AUC         ${fmt(result.pr_auc)}\n`);
  out.write(
    `  F1             ${fmt(result.f1)}   (precision ${fmt(result.precision)}, recall ${fmt(result.recall)})\n`,
  );
  out.write(
    `  quality gate   ${result.gate_passed ? "passed: exported to ONNX and Triton" : "not passed: export skipped"}\n`,
  );
  out.write(`  model          ${toPath(result.model_uri) ?? "n/a"}\n`);
  if (result.triton_repository_uri) out.write(`  triton repo    ${toPath(result.triton_repository_uri)}\n`);
  out.write(`  report         ${toPath(result.report_uri) ?? "n/a"}\n`);
  out.write(`  summary        ${toPath(result.summary_uri) ?? "n/a"}\n`);
  if (result.shap_report_uri) out.write(`  SHAP ranking   ${toPath(result.shap_report_uri)}\n`);
  const [registered, why] = registryLines(result.registration);
  out.write(`  registry       ${registered}\n`);
  if (why) out.write(`  decided by     ${why}\n`);
  if (result.kserve_manifest_uri) out.write(`  KServe         ${toPath(result.kserve_manifest_uri)}\n`);
  const name = result.registered_model;
  const testSplit = toPath(result.test_split_uri);
  if (name && testSplit && result.transactions_uri) {
    out.write(`  serve it       ${serveCommand(modelUriOf(result), name, testSplit)}\n`);
    try {
      const { firstTransactionJson } = await importTs(
        join("examples", "fraud-detection", "serving", "score-over-http.ts"),
      );
      const body = JSON.stringify({ instances: [await firstTransactionJson(toPath(result.transactions_uri))] });
      out.write(`  score one      curl -s localhost:8000/v1/models/${name}:predict -d ${q(body)}\n`);
    } catch {
      // the curl line is a convenience: a transactions file that cannot be read leaves it out
    }
    if (opts.serve) {
      try {
        await serveAndScore(result, name, out);
      } catch (err) {
        process.stderr.write(`demo: --serve: ${err instanceof Error ? err.message : String(err)}\n`);
        if (code === 0) code = 1;
      }
    }
  } else if (opts.serve) {
    process.stderr.write("demo: --serve: no model was registered in this run, so there is nothing to serve\n");
    if (code === 0) code = 1;
  }
  if (opts.json) out.write(`${JSON.stringify(result)}\n`);
  process.exit(code);
}

main().catch((err) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
