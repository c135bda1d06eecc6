#!/usr/bin/env node
// Runs every benchmark under bench/ (files named *.bench.ts or *.bench.js), one after the
// other, each in its own process, streaming its table; then prints a summary table of every
// goal the benches reported (bench/report.ts) and which are not met (bench/summary.ts).
// `npm run bench` calls this; `node bench/run.js engine` runs only the benchmarks whose path
// contains "engine". Exits 1 when a bench process fails; with --strict, also when a goal is
// not met (or a bench states none). The table is printed either way.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register();
const { exitCode, formatSummary, summarize } = await import("./summary.ts");

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const args = process.argv.slice(2);
const strict = args.includes("--strict");
const filters = args.filter((a) => a !== "--strict");

function find(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "node_modules") out.push(...find(path));
    else if (/\.bench\.(ts|js|mjs)$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

function runOne(file) {
  return new Promise((resolve) => {
    let stdout = "";
    const child = spawn(process.execPath, ["--import", "tsx", file], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      stdout += chunk.toString();
    });
    child.on("close", (code) => resolve({ code: code ?? 1, stdout }));
  });
}

const files = find(benchDir).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(
    `no benchmarks found under ${relative(root, benchDir)}${filters.length ? ` matching ${filters.join(", ")}` : ""}`,
  );
  process.exit(1);
}
const processes = [];
for (const path of files) {
  const file = relative(root, path);
  console.log(`\n== ${file}`);
  const started = Date.now();
  const { code, stdout } = await runOne(path);
  const seconds = (Date.now() - started) / 1000;
  console.log(`== ${file}: exited ${code} after ${seconds.toFixed(1)} s`);
  processes.push({ file, code, seconds, stdout });
}
const summary = summarize(processes);
console.log("\n== summary");
console.log(formatSummary(summary));
process.exit(exitCode(summary, strict));
