/**
 * The ctx.log client against real HTTP servers: binary metrics batches to Weft's task
 * service, MLflow's runs/log-batch to a server without that route, batching, the no-op
 * without a server, retries and reports.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startTaskService } from "../registry/task-service.ts";
import { openStore, sampleSpec } from "../store/index.ts";
import { METRICS_CONTENT_TYPE } from "./metrics-wire.ts";
import { createTaskContext, METRIC_BATCH, TrackingClient } from "./tracking.ts";

interface Received {
  path: string;
  auth: string | undefined;
  body: { run_id?: string; metrics?: unknown[]; params?: unknown[]; tags?: unknown[]; experiment_id?: string };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/**
 * A server that records each request and answers with `answer(n)` (the n-th request, from
 * 0). Like an MLflow server, it has no binary metrics route: those requests get 404 and
 * are recorded apart.
 */
async function recorder(
  answer: (n: number, req: IncomingMessage) => { status: number; body: unknown } = () => ({ status: 200, body: {} }),
) {
  const received: Received[] = [];
  const binary: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.headers["content-type"] === METRICS_CONTENT_TYPE) {
        binary.push(req.url ?? "");
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error_code: "ENDPOINT_NOT_FOUND", message: "no such endpoint" }));
        return;
      }
      const n = received.length;
      received.push({
        path: req.url ?? "",
        auth: req.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString() || "{}"),
      });
      const a = answer(n, req);
      res.writeHead(a.status, { "content-type": "application/json" });
      res.end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, binary };
}

describe("ctx.log", () => {
  it("is a no-op without MLFLOW_TRACKING_URI and says so once on stderr", async () => {
    const lines: string[] = [];
    const ctx = createTaskContext({ WEFT_TASK_NAME: "train" }, { stderr: (t) => lines.push(t) });
    ctx.log.metric("loss", 1, { step: 0 });
    ctx.log.param("lr", 0.1);
    ctx.log.tag("k", "v");
    await ctx.log.close();
    expect(ctx.taskName).toBe("train");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/MLFLOW_TRACKING_URI is not set/);
  });

  it("sends metrics as binary batches to Weft's task service: every value once, in the store", async () => {
    const home = mkdtempSync(join(tmpdir(), "weft-ctxlog-"));
    const store = openStore(home);
    const service = await startTaskService(store);
    try {
      const run = store.runs.create({ displayName: "p", pipelineSpec: sampleSpec() });
      const task = store.tasks.upsert({ runId: run.id, path: "root/train", name: "train", kind: "container" });
      const client = new TrackingClient({ uri: service.url, token: service.token, runId: task.id });
      const n = METRIC_BATCH * 2 + 17;
      for (let i = 0; i < n; i++) {
        client.metric("loss", 1 / (i + 1), { step: i });
        if (i % 1000 === 0) client.metric("lr", i === 0 ? Number.NaN : 0.1, { step: i, timestamp: 5 });
      }
      // a key first logged in the last batch, which has no "lr": each batch names only its own keys
      client.metric("auc", 0.9, { step: n });
      client.param("seed", 7);
      await client.close();
      const loss = store.tracking.metricHistory(task.id, "loss", { maxResults: 25_000 }).items;
      expect(loss.map((m) => m.step)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(loss[9]?.value).toBe(1 / 10);
      const lr = store.tracking.metricHistory(task.id, "lr", { maxResults: 100 }).items;
      expect(lr.map((m) => [m.step, m.timestamp])).toEqual(Array.from({ length: 6 }, (_, i) => [i * 1000, 5]));
      expect(lr[0]?.value).toBeNaN();
      const auc = store.tracking.metricHistory(task.id, "auc", { maxResults: 100 }).items;
      expect(auc.map((m) => [m.step, m.value])).toEqual([[n, 0.9]]);
      expect(store.tracking.getRunDetail(task.id)?.params).toEqual([{ key: "seed", value: "7" }]);
    } finally {
      await service.close();
      store.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("to a server without the binary route (MLflow): log-batch requests of at most 1000 metrics and 100 params, with the token, every value once", async () => {
    const server = await recorder();
    const ctx = createTaskContext({
      MLFLOW_TRACKING_URI: server.url,
      MLFLOW_TRACKING_TOKEN: "secret",
      MLFLOW_RUN_ID: "task-1",
    });
    for (let i = 0; i < 2500; i++) ctx.log.metric("loss", 1 / (i + 1), { step: i });
    for (let i = 0; i < 150; i++) ctx.log.param(`p${i}`, i);
    ctx.log.metrics({ a: 1, b: Number.NaN }, { step: 7 });
    await ctx.log.close();
    // the binary route is tried once per batch until the first 404, then never again
    expect(server.binary.length).toBeGreaterThanOrEqual(1);
    expect(server.binary.length).toBeLessThanOrEqual(4);
    expect(server.binary[0]).toBe("/apis/weft/v1/tracking/runs/task-1/metrics");
    expect(server.received.every((r) => r.path === "/api/2.0/mlflow/runs/log-batch")).toBe(true);
    expect(server.received.every((r) => r.auth === "Bearer secret" && r.body.run_id === "task-1")).toBe(true);
    for (const r of server.received) {
      expect(r.body.metrics?.length ?? 0).toBeLessThanOrEqual(1000);
      expect(r.body.params?.length ?? 0).toBeLessThanOrEqual(100);
      expect(
        (r.body.metrics?.length ?? 0) + (r.body.params?.length ?? 0) + (r.body.tags?.length ?? 0),
      ).toBeLessThanOrEqual(1000);
    }
    const metrics = server.received.flatMap(
      (r) => (r.body.metrics ?? []) as Array<{ key: string; step: number; value: unknown }>,
    );
    // batches may arrive in any order (several are sent at once)
    const steps = metrics.filter((m) => m.key === "loss").map((m) => m.step);
    expect([...steps].sort((a, b) => a - b)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect(metrics.find((m) => m.key === "b")?.value).toBe("NaN");
    expect(server.received.flatMap((r) => r.body.params ?? [])).toHaveLength(150);
  });

  it("sends a full batch while the component still runs, without waiting for flush", async () => {
    const server = await recorder();
    const client = new TrackingClient({ uri: server.url, runId: "r" });
    for (let i = 0; i < METRIC_BATCH; i++) client.metric("x", i, { step: i });
    await vi.waitFor(() => expect(server.binary).toHaveLength(1), { timeout: 10_000, interval: 20 });
    await client.close();
  });

  it("sends what is buffered on its own, every second, while the component runs", async () => {
    const server = await recorder();
    const client = new TrackingClient({ uri: server.url, runId: "r" });
    client.metric("x", 1);
    await vi.waitFor(() => expect(server.received).toHaveLength(1), { timeout: 10_000, interval: 50 });
    await client.close();
  });

  it("retries a failed send, then reports it on stderr without throwing; later sends are tried once", async () => {
    const server = await recorder(() => ({ status: 503, body: { error_code: "INTERNAL_ERROR", message: "down" } }));
    const lines: string[] = [];
    const client = new TrackingClient(
      { uri: server.url, runId: "r" },
      { stderr: (t) => lines.push(t), retryDelaysMs: [1, 1] },
    );
    client.metric("x", 1);
    await client.flush();
    expect(server.received).toHaveLength(3);
    client.metric("x", 2);
    await client.close();
    expect(server.received).toHaveLength(4);
    expect(lines[0]).toMatch(/could not send 1 value\(s\) .* 503/);
    expect(lines.at(-1)).toMatch(/2 logged value\(s\) could not be sent/);
  });

  it("does not retry a refusal (a changed param), and reports the server's message", async () => {
    const server = await recorder(() => ({
      status: 400,
      body: { error_code: "INVALID_PARAMETER_VALUE", message: "param 'lr' was already logged" },
    }));
    const lines: string[] = [];
    const client = new TrackingClient(
      { uri: server.url, runId: "r" },
      { stderr: (t) => lines.push(t), retryDelaysMs: [1, 1] },
    );
    client.param("lr", 2);
    await client.close();
    expect(server.received).toHaveLength(1);
    expect(lines.join("")).toMatch(/param 'lr' was already logged/);
  });

  it("reports an unreachable server and goes on", async () => {
    const server = await recorder();
    const url = server.url;
    await new Promise((r) => servers.pop()?.close(r));
    const lines: string[] = [];
    const client = new TrackingClient({ uri: url, runId: "r" }, { stderr: (t) => lines.push(t), retryDelaysMs: [1] });
    client.metric("x", 1);
    await client.close();
    expect(lines.join("")).toMatch(/could not send 1 value/);
  });

  it("creates a run in MLFLOW_EXPERIMENT_ID when no MLFLOW_RUN_ID is given", async () => {
    const server = await recorder((n) =>
      n === 0 ? { status: 200, body: { run: { info: { run_id: "made" } } } } : { status: 200, body: {} },
    );
    const ctx = createTaskContext({ MLFLOW_TRACKING_URI: server.url, MLFLOW_EXPERIMENT_ID: "7" });
    ctx.log.metric("x", 1);
    await ctx.log.close();
    expect(server.received.map((r) => r.path)).toEqual([
      "/api/2.0/mlflow/runs/create",
      "/api/2.0/mlflow/runs/log-batch",
    ]);
    expect(server.received[0]?.body.experiment_id).toBe("7");
    expect(server.received[1]?.body.run_id).toBe("made");
  });

  it("refuses a non-number value or an empty key at the call", () => {
    const client = new TrackingClient(undefined, { stderr: () => {} });
    expect(() => client.metric("x", "1" as unknown as number)).toThrow(/must be a number/);
    expect(() => client.metric("x", 1, { step: Number.NaN })).toThrow(/the step must be an integer/);
    expect(() => client.metric("x", 1, { step: 1.5 })).toThrow(/the step must be an integer/);
    expect(() => client.metric("x", 1, { timestamp: 1.5 })).toThrow(/the timestamp must be an integer/);
    expect(() => client.param("", 1)).toThrow(/non-empty string/);
  });
});
