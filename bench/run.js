#!/usr/bin/env node
// Runs every benchmark under bench/ (files named *.bench.ts or *.bench.js), one after the
// other, each in its own process, streaming its table; then prints one summary line per
// benchmark with its JSON result. `npm run bench` calls this; `node bench/run.js engine`
// runs only the benchmarks whose path contains "engine".
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const filters = process.argv.slice(2);

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
    let lastJson;
    let buffered = "";
    const child = spawn(process.execPath, ["--import", "tsx", file], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith("{")) lastJson = line;
    });
    child.on("close", (code) => {
      if (buffered.startsWith("{")) lastJson = buffered;
      resolve({ code: code ?? 1, json: lastJson });
    });
  });
}

const files = find(benchDir).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(
    `no benchmarks found under ${relative(root, benchDir)}${filters.length ? ` matching ${filters.join(", ")}` : ""}`,
  );
  process.exit(1);
}
const results = [];
for (const file of files) {
  const name = relative(root, file);
  console.log(`\n== ${name}`);
  const started = Date.now();
  const { code, json } = await runOne(file);
  results.push({ name, code, seconds: (Date.now() - started) / 1000, json });
}
console.log("\n== summary");
for (const r of results) {
  console.log(`${r.code === 0 ? "ok  " : "FAIL"} ${r.name} (${r.seconds.toFixed(1)} s)${r.json ? ` ${r.json}` : ""}`);
}
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
