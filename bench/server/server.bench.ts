/**
 * API server benchmark: `npx tsx bench/server/server.bench.ts [runs]`.
 *
 * Seeds 100,000 runs (default) that carry the fraud-detection pipeline's spec (about 250 KB,
 * stored once; `bench/store/seed-runs.ts`) directly in the store in one transaction, starts the
 * server on 127.0.0.1 (port 0), and drives two scenarios with a concurrent keep-alive
 * load generator (a separate process, 4 connections, BENCH_CONCURRENCY to change) over
 * loopback, bounded by request count and time:
 *  1. GET one run (`GET /apis/v2beta1/runs/{id}`, random ids);
 *  2. list runs, a page of 50 with a filter (`state = SUCCEEDED` within one experiment,
 *     newest first).
 * The baseline of each is the same store call made directly in the same process, so the
 * ratio shows the HTTP and JSON overhead. Goal: p99 <= 20 ms for the filtered list.
 *
 * Prints a table, one JSON line per goal (bench/report.ts, with 1 and with
 * BENCH_CONCURRENCY connections), then one line of details.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { LocalArtifactStore } from "../../src/artifacts/index.ts";
import { Engine } from "../../src/engine/index.ts";
import { createServer } from "../../src/server/index.ts";
import { type ListQuery, openStore, type RuntimeState } from "../../src/store/index.ts";
import { report } from "../report.ts";
import { fraudSpec, seedRuns } from "../store/seed-runs.ts";

const RUNS = Number(process.argv[2] ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const MAX_REQUESTS = 3000;
const MAX_SECONDS = 15;
const STATES: RuntimeState[] = ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED", "CANCELED", "RUNNING"];

const home = mkdtempSync(join(tmpdir(), "weft-bench-server-"));
const store = openStore(home);
const { spec, bytes: specBytes } = fraudSpec();

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function summarize(samples: number[], wallMs: number) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    rps: (samples.length / wallMs) * 1000,
    n: samples.length,
  };
}

// ------------------------------------------------------------------ seed
const seedStart = performance.now();
const experiments = [store.experiments.create({ name: "bench-a" }), store.experiments.create({ name: "bench-b" })];
const t0 = Date.parse("2025-01-01T00:00:00Z");
const ids = seedRuns(store, spec, RUNS, (i) => ({
  experimentId: (experiments[i % 2] ?? experiments[0])?.id ?? "",
  displayName: `run-${i}`,
  parameters: { i },
  state: STATES[i % STATES.length] ?? "SUCCEEDED",
  createdAt: t0 + i * 1000,
}));
const seedMs = performance.now() - seedStart;

// ------------------------------------------------------------------ server
const engine = new Engine({ home, store, artifacts: new LocalArtifactStore(join(home, "artifacts")) });
const server = createServer({
  store,
  engine,
  artifactsRoot: join(home, "artifacts"),
  concurrency: 0,
  schedulerIntervalMs: false,
});
const base = await server.listen(0, "127.0.0.1");
const { port } = new URL(base);

/**
 * The load generator runs in its own process so that it does not share the server's
 * event loop: CONCURRENCY keep-alive connections, each sending its next request as soon
 * as the previous answer arrived, until MAX_REQUESTS or MAX_SECONDS.
 */
const LOADER = `
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
const { port, paths, concurrency, maxRequests, maxSeconds } = JSON.parse(process.argv[1]);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const get = (path) => new Promise((res, rej) => {
  const start = performance.now();
  const req = request({ host: "127.0.0.1", port, path, agent }, (r) => {
    r.on("data", () => {});
    r.on("end", () => (r.statusCode === 200 ? res(performance.now() - start) : rej(new Error(path + " answered " + r.statusCode))));
  });
  req.on("error", rej);
  req.end();
});
for (let i = 0; i < 50; i++) await get(paths[i % paths.length]);
const samples = [];
const start = performance.now();
let next = 0;
const worker = async () => {
  while (next < maxRequests && performance.now() - start < maxSeconds * 1000) {
    const i = next++;
    samples.push(await get(paths[i % paths.length]));
  }
};
await Promise.all(Array.from({ length: concurrency }, worker));
const wallMs = performance.now() - start;
agent.destroy();
process.stdout.write(JSON.stringify({ samples, wallMs }));
`;

function load(paths: string[], concurrency: number): Promise<{ p50: number; p99: number; rps: number; n: number }> {
  const args = JSON.stringify({
    port: Number(port),
    paths,
    concurrency,
    maxRequests: MAX_REQUESTS,
    maxSeconds: MAX_SECONDS,
  });
  return new Promise((res, rej) => {
    // asynchronous spawn: the server in this process keeps answering while the loader runs
    const child = spawn(process.execPath, ["--input-type=module", "-e", LOADER, args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("exit", (code) => {
      if (code !== 0) return rej(new Error(`load generator exited with ${code}`));
      const { samples, wallMs } = JSON.parse(out) as { samples: number[]; wallMs: number };
      res(summarize(samples, wallMs));
    });
  });
}

function direct(fn: (i: number) => void): { p50: number; p99: number; rps: number; n: number } {
  for (let i = 0; i < 50; i++) fn(i);
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < MAX_REQUESTS / 2 && performance.now() - start < MAX_SECONDS * 500; i++) {
    const s = performance.now();
    fn(i);
    samples.push(performance.now() - s);
  }
  return summarize(samples, performance.now() - start);
}

const pick = (i: number) => ids[(i * 7919) % ids.length] as string;
const expId = experiments[0]?.id ?? "";
const filter = JSON.stringify({
  predicates: [
    { key: "state", operation: "EQUALS", string_value: "SUCCEEDED" },
    { key: "experiment_id", operation: "EQUALS", string_value: expId },
  ],
});
const listPath = `/apis/v2beta1/runs?page_size=50&sort_by=created_at%20desc&filter=${encodeURIComponent(filter)}`;
const listQuery: ListQuery = {
  filter: [
    { field: "state", op: "EQUALS", value: "SUCCEEDED" },
    { field: "experimentId", op: "EQUALS", value: expId },
  ],
  sort: { field: "createdAt", desc: true },
  pageSize: 50,
};

const getPaths = Array.from({ length: 2000 }, (_, i) => `/apis/v2beta1/runs/${pick(i)}`);
const getHttp1 = await load(getPaths, 1);
const getHttp = await load(getPaths, CONCURRENCY);
const getDirect = direct((i) => store.runs.get(pick(i)));
const listHttp1 = await load([listPath], 1);
const listHttp = await load([listPath], CONCURRENCY);
const listDirect = direct(() => store.runs.listSummaries(listQuery));

await server.close();
store.close();
rmSync(home, { recursive: true, force: true });

// ------------------------------------------------------------------ report
const f = (v: number) => `${v.toFixed(2)} ms`;
const rows = [
  ["GET run (HTTP, 1 connection)", getHttp1],
  [`GET run (HTTP, ${CONCURRENCY} connections)`, getHttp],
  ["GET run (store baseline)", getDirect],
  ["list 50 filtered (HTTP, 1 connection)", listHttp1],
  [`list 50 filtered (HTTP, ${CONCURRENCY} connections)`, listHttp],
  ["list 50 filtered (store baseline)", listDirect],
] as const;
console.log(
  `server benchmark: ${RUNS.toLocaleString("en-US")} runs (spec ${(specBytes / 1024).toFixed(0)} KB, stored once) seeded in ${(seedMs / 1000).toFixed(1)} s; ${CONCURRENCY} concurrent keep-alive connections; ${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(1)}`,
);
console.log(
  `${"scenario".padEnd(44)}${"p50".padStart(10)}${"p99".padStart(10)}${"req/s".padStart(10)}${"n".padStart(7)}`,
);
for (const [name, r] of rows) {
  console.log(
    `${name.padEnd(44)}${f(r.p50).padStart(10)}${f(r.p99).padStart(10)}${r.rps.toFixed(0).padStart(10)}${String(r.n).padStart(7)}`,
  );
}
// the baseline is the same list read from the store in this process: the HTTP and JSON cost
report({
  name: "server.list-filtered-1conn",
  value: listHttp1.p99,
  unit: "ms",
  baseline: listDirect.p99,
  goal: "<= 20 ms",
  details: { runs: RUNS },
});
report({
  name: `server.list-filtered-${CONCURRENCY}conn`,
  value: listHttp.p99,
  unit: "ms",
  baseline: listDirect.p99,
  goal: "<= 20 ms",
  details: { runs: RUNS },
});
console.log(
  JSON.stringify({
    bench: "server",
    runs: RUNS,
    spec_bytes: specBytes,
    seed_ms: Math.round(seedMs),
    concurrency: CONCURRENCY,
    cpus: cpus().length,
    load_avg_1m: loadavg()[0],
    get_1conn_p50_ms: getHttp1.p50,
    get_1conn_p99_ms: getHttp1.p99,
    get_p50_ms: getHttp.p50,
    get_p99_ms: getHttp.p99,
    get_rps: Math.round(getHttp.rps),
    get_store_p50_ms: getDirect.p50,
    list_1conn_p50_ms: listHttp1.p50,
    list_1conn_p99_ms: listHttp1.p99,
    list_1conn_rps: Math.round(listHttp1.rps),
    list_p50_ms: listHttp.p50,
    list_p99_ms: listHttp.p99,
    list_rps: Math.round(listHttp.rps),
    list_store_p50_ms: listDirect.p50,
    list_store_p99_ms: listDirect.p99,
    list_http_overhead_ratio: listHttp1.p50 / listDirect.p50,
  }),
);
