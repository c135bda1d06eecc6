/**
 * Model serving benchmark: `npx tsx bench/serving/serving.bench.ts` (or `node bench/run.js serving`).
 *
 * The fraud-detection model (the example's dense network over its feature width, exported
 * by the example's ONNX exporter, laid out as the pipeline's Triton repository with
 * `dynamic_batching`) is served by `weft serve --repository` in a child process, and
 * autocannon drives `POST /v2/models/fraud_detection/infer` (JSON, one row per request)
 * over loopback from this process. Latencies are autocannon's own per-response times
 * (its histogram keeps whole milliseconds, so they are read from its `response` events).
 *
 *  1. concurrency 1, batch 1: p50 and p99. Goal (the issue's): p50 <= 250 µs, p99 <= 1 ms.
 *     Baseline: the same model called in-process through onnxruntime-node, one row per
 *     `session.run`, measured in this run; the ratio is the HTTP and serving overhead.
 *  2. concurrency 64, one row per request, dynamic batching: inferences per second.
 *     Goal: >= 15,000/s. Baseline: in-process `session.run` of one row at a time, back to
 *     back (what a caller gets without a server and without batching); the batch sizes the
 *     server formed are read from its `/metrics`.
 *  3. memory per loaded model version (reported with the throughput, not judged: the
 *     issue sets no goal): the resident memory of a server with 4 versions of the model
 *     loaded less that of one with 1, divided by 3 (each version has its own ONNX Runtime
 *     sessions in worker threads).
 *
 * WEFT_BENCH_SECONDS (default 10) is the length of each load phase. The machine's cores
 * are shared by the load generator, the server's main thread and its ONNX Runtime
 * workers, so on 2 cores the load generator takes a share of what the server could use.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { tritonConfig } from "../../examples/fraud-detection/lib/onnx.ts";
import { report, skip } from "../report.ts";
import { featureRows, ONNX_INPUT, ONNX_OUTPUT, WIDTH, writeFraudModel } from "./fraud-model.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SECONDS = Number(process.env.WEFT_BENCH_SECONDS ?? 10);
const MODEL = "fraud_detection";
const ROWS = 1024;

type Ort = typeof import("onnxruntime-node");

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** Writes a Triton repository with `versions` copies of the model (all served). */
function writeRepository(dir: string, onnxFile: string, versions: number): string {
  const modelDir = join(dir, MODEL);
  const policy = versions > 1 ? "version_policy: { all { } }\n" : "";
  mkdirSync(modelDir, { recursive: true });
  writeFileSync(join(modelDir, "config.pbtxt"), tritonConfig(WIDTH) + policy);
  for (let v = 1; v <= versions; v++) {
    mkdirSync(join(modelDir, String(v)), { recursive: true });
    copyFileSync(onnxFile, join(modelDir, String(v), "model.onnx"));
  }
  return dir;
}

interface Served {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `weft serve --repository repo` on a free port; resolves once it prints its URL. */
function startServe(repo: string): Promise<Served> {
  const child = spawn(
    process.execPath,
    [join(ROOT, "bin/weft.js"), "serve", "--repository", repo, "--port", "0", "--no-grpc"],
    { cwd: ROOT, env: { ...process.env, WEFT_HOME: join(repo, ".weft") }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  };
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`weft serve printed no URL in 60 s: ${out}${err}`)), 60_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /weft serve: REST (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        res({ url: m[1], child, stop });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`weft serve exited with ${code}: ${err.trim()}`));
    });
  });
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : Number.NaN;
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const res = await fetch(`${url}/v2/models/${MODEL}/ready`).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${MODEL} never became ready at ${url}`);
}

function body(rows: Float32Array, i: number): string {
  const data = Array.from(rows.subarray(i * WIDTH, (i + 1) * WIDTH));
  return JSON.stringify({ inputs: [{ name: ONNX_INPUT, datatype: "FP32", shape: [1, WIDTH], data }] });
}

interface Load {
  latenciesMs: Float64Array;
  perSecond: number;
  non2xx: number;
  errors: number;
}

/** Drives the infer route with `connections` connections for `seconds`, cycling through 64 bodies. */
async function load(url: string, connections: number, seconds: number, rows: Float32Array): Promise<Load> {
  const bodies = Array.from({ length: 64 }, (_, i) => body(rows, i));
  let next = 0;
  const latencies: number[] = [];
  const instance = autocannon({
    url: `${url}/v2/models/${MODEL}/infer`,
    connections,
    duration: seconds,
    method: "POST",
    headers: { "content-type": "application/json" },
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          req.body = bodies[next++ % bodies.length];
          return req;
        },
      },
    ],
  });
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status === 200) latencies.push(ms);
  });
  const result = await instance;
  const sorted = Float64Array.from(latencies).sort();
  return {
    latenciesMs: sorted,
    perSecond: latencies.length / seconds,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** In-process baseline: one row per `session.run`, back to back, for `seconds`. */
async function inProcess(ort: Ort, file: string, rows: Float32Array, seconds: number) {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const one = (i: number) =>
    session.run({ [ONNX_INPUT]: new ort.Tensor("float32", rows.slice(i * WIDTH, (i + 1) * WIDTH), [1, WIDTH]) });
  for (let i = 0; i < 2000; i++) await one(i % ROWS);
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  let i = 0;
  const started = performance.now();
  while (performance.now() < end) {
    const t = performance.now();
    await one(i++ % ROWS);
    times.push(performance.now() - t);
  }
  const wall = (performance.now() - started) / 1000;
  const first = await one(0);
  const expected = Array.from((first[ONNX_OUTPUT] as { data: Float32Array }).data);
  await session.release();
  const sorted = Float64Array.from(times).sort();
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), perSecond: times.length / wall, expected };
}

/** Reads `weft_inference_batch_size` sum and count from the server's /metrics. */
async function batchSizes(url: string): Promise<{ mean: number; batches: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => {
    const m = new RegExp(`^${name}\\{[^}]*model="${MODEL}"[^}]*\\} (\\S+)$`, "m").exec(text);
    return m ? Number(m[1]) : Number.NaN;
  };
  const sum = value("weft_inference_batch_size_sum");
  const count = value("weft_inference_batch_size_count");
  return { mean: sum / count, batches: count };
}

let ort: Ort;
try {
  ort = await import("onnxruntime-node");
} catch (err) {
  skip("serving.rest-latency", `onnxruntime-node is not installed (${(err as Error).message})`);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "weft-bench-serving-"));
const servers: Served[] = [];
try {
  const onnxFile = await writeFraudModel(join(dir, "model"));
  const rows = featureRows(ROWS);
  const base = await inProcess(ort, onnxFile, rows, Math.max(2, SECONDS / 2));

  const served = await startServe(writeRepository(join(dir, "repo1"), onnxFile, 1));
  servers.push(served);
  await waitReady(served.url);
  // the server answers what the model computes in-process
  const check = (await (
    await fetch(`${served.url}/v2/models/${MODEL}/infer`, { method: "POST", body: body(rows, 0) })
  ).json()) as { outputs: { name: string; data: number[] }[] };
  const answered = check.outputs.find((o) => o.name === ONNX_OUTPUT)?.data ?? [];
  const same = answered.length === 1 && Math.abs((answered[0] as number) - (base.expected[0] as number)) < 1e-6;

  await load(served.url, 1, Math.min(2, SECONDS), rows); // warm-up
  const c1 = await load(served.url, 1, SECONDS, rows);
  const p50 = quantile(c1.latenciesMs, 0.5) * 1000;
  const p99 = quantile(c1.latenciesMs, 0.99) * 1000;
  const before = await batchSizes(served.url);
  const c64 = await load(served.url, 64, SECONDS, rows);
  const after = await batchSizes(served.url);
  const meanBatch = (after.mean * after.batches - before.mean * before.batches) / (after.batches - before.batches);
  const rssOne = rssKiB(served.child.pid as number);
  await served.stop();

  const four = await startServe(writeRepository(join(dir, "repo4"), onnxFile, 4));
  servers.push(four);
  await waitReady(four.url);
  // the same requests through it, so both processes have run the same code paths
  await load(four.url, 1, 1, rows);
  const one = await startServe(writeRepository(join(dir, "repo1b"), onnxFile, 1));
  servers.push(one);
  await waitReady(one.url);
  await load(one.url, 1, 1, rows);
  const perVersionMiB = (rssKiB(four.child.pid as number) - rssKiB(one.child.pid as number)) / 3 / 1024;
  await four.stop();
  await one.stop();

  const us = (v: number) => `${Math.round(v)} µs`;
  console.log(
    `| c=1 batch 1 | in-process p50 ${us(base.p50 * 1000)}, p99 ${us(base.p99 * 1000)} | REST p50 ${us(p50)}, p99 ${us(p99)} | ${(p50 / (base.p50 * 1000)).toFixed(1)}x |`,
  );
  console.log(
    `| c=64 batch 1 | in-process ${Math.round(base.perSecond)} inferences/s | REST ${Math.round(c64.perSecond)} inferences/s, mean batch ${meanBatch.toFixed(1)} | |`,
  );
  console.log(
    `| memory | ${perVersionMiB.toFixed(1)} MiB per loaded version | server RSS ${Math.round(rssOne / 1024)} MiB with one | |`,
  );
  const common = { cores: availableParallelism(), seconds: SECONDS, width: WIDTH };
  report({
    name: "serving.rest-latency-p50",
    value: p50,
    unit: "µs",
    baseline: base.p50 * 1000,
    goal: "<= 250 µs",
    require: { "answers equal the in-process model": same, "no failed requests": c1.non2xx + c1.errors === 0 },
    details: { ...common, requests: c1.latenciesMs.length },
  });
  report({
    name: "serving.rest-latency-p99",
    value: p99,
    unit: "µs",
    baseline: base.p99 * 1000,
    goal: "<= 1000 µs",
    details: common,
  });
  report({
    name: "serving.rest-throughput-c64",
    value: c64.perSecond,
    unit: "inferences/s",
    baseline: base.perSecond,
    goal: ">= 15000 inferences/s",
    require: { "no failed requests": c64.non2xx + c64.errors === 0, "requests were batched": meanBatch > 1 },
    details: {
      ...common,
      meanBatchSize: Number(meanBatch.toFixed(2)),
      p99Ms: quantile(c64.latenciesMs, 0.99),
      // memory is reported, not judged: the issue sets no goal for it
      memoryPerVersionMiB: Number(perVersionMiB.toFixed(1)),
      serverRssMiBWithOneVersion: Math.round(rssOne / 1024),
      modelBytes: readFileSync(onnxFile).length,
    },
  });
} finally {
  for (const s of servers) await s.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
