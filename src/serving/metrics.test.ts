import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { combineObservers, createServingMetrics, metricsRoute } from "./metrics.ts";
import type { InferEvent, ModelService, RepositoryIndexEntry } from "./types.ts";

const event = (over: Partial<InferEvent> = {}): InferEvent => ({
  model: "fraud",
  version: "3",
  role: "primary",
  ok: true,
  queueSeconds: 0.0001,
  computeSeconds: 0.0002,
  totalSeconds: 0.0004,
  ...over,
});

/** The value of one sample line of the exposition, e.g. `weft_inference_requests_total{...}`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",");
  for (const line of text.split("\n")) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m && m[1] === name && m[2] === want) return Number(m[3]);
  }
  return undefined;
}

describe("serving metrics", () => {
  it("counts requests and failures per model, version and role, with Prometheus names", async () => {
    const m = createServingMetrics();
    m.observer.infer?.(event());
    m.observer.infer?.(event());
    m.observer.infer?.(event({ ok: false, error: "INVALID_ARGUMENT" }));
    m.observer.infer?.(event({ version: "4", role: "canary" }));
    m.observer.infer?.(event({ version: "4", role: "shadow", ok: false, error: "INTERNAL" }));
    const text = await m.render();
    const p = { model: "fraud", version: "3", role: "primary" };
    expect(sample(text, "weft_inference_requests_total", p)).toBe(3);
    expect(sample(text, "weft_inference_failures_total", p)).toBe(1);
    expect(sample(text, "weft_inference_requests_total", { ...p, version: "4", role: "canary" })).toBe(1);
    expect(sample(text, "weft_inference_failures_total", { ...p, version: "4", role: "canary" })).toBe(0);
    expect(sample(text, "weft_inference_failures_total", { ...p, version: "4", role: "shadow" })).toBe(1);
    expect(sample(text, "weft_inference_request_seconds_count", p)).toBe(3);
    // queue and compute times are those of the requests that ran
    expect(sample(text, "weft_inference_queue_seconds_count", { model: "fraud", version: "3" })).toBe(2);
    expect(sample(text, "weft_inference_compute_seconds_sum", { model: "fraud", version: "3" })).toBeCloseTo(0.0004);
    expect(text).toContain("# TYPE weft_inference_requests_total counter");
    expect(text).toContain("# TYPE weft_inference_request_seconds histogram");
  });

  it("observes the batch sizes the batcher formed", async () => {
    const m = createServingMetrics();
    for (const size of [1, 3, 8, 8]) m.observer.batch?.({ model: "fraud", version: "3", size, requests: size });
    const text = await m.render();
    const v = { model: "fraud", version: "3" };
    expect(sample(text, "weft_inference_batch_size_count", v)).toBe(4);
    expect(sample(text, "weft_inference_batch_size_sum", v)).toBe(20);
    expect(sample(text, "weft_inference_batch_size_bucket", { le: "1", ...v })).toBe(1);
    expect(sample(text, "weft_inference_batch_size_bucket", { le: "4", ...v })).toBe(2);
    expect(sample(text, "weft_inference_batch_size_bucket", { le: "8", ...v })).toBe(4);
  });

  it("writes histograms with cumulative buckets up to +Inf, and keeps counting after a reset", async () => {
    const m = createServingMetrics();
    const v = { model: "fraud", version: "3" };
    for (const size of [1, 2000]) m.observer.batch?.({ ...v, size, requests: 1 });
    let text = await m.render();
    expect(sample(text, "weft_inference_batch_size_bucket", { le: "1", ...v })).toBe(1);
    expect(sample(text, "weft_inference_batch_size_bucket", { le: "1024", ...v })).toBe(1);
    expect(sample(text, "weft_inference_batch_size_bucket", { le: "+Inf", ...v })).toBe(2);
    expect(text).toContain("# TYPE weft_inference_batch_size histogram");
    expect(text).toContain("# HELP weft_inference_batch_size Rows in each runtime call the dynamic batcher formed.");
    m.registry.resetMetrics();
    m.observer.batch?.({ ...v, size: 4, requests: 1 });
    m.observer.infer?.(event({ ok: false, error: "INTERNAL" }));
    text = await m.render();
    expect(sample(text, "weft_inference_batch_size_count", v)).toBe(1);
    expect(sample(text, "weft_inference_batch_size_sum", v)).toBe(4);
    expect(sample(text, "weft_inference_failures_total", { ...v, role: "primary" })).toBe(1);
  });

  it("reads model readiness from the service's repository index at each scrape", async () => {
    const m = createServingMetrics();
    let index: RepositoryIndexEntry[] = [
      { name: "fraud", version: "3", state: "READY" },
      { name: "fraud", version: "4", state: "LOADING" },
    ];
    m.watch({ repositoryIndex: () => index } as unknown as ModelService);
    let text = await m.render();
    expect(sample(text, "weft_model_ready", { model: "fraud", version: "3" })).toBe(1);
    expect(sample(text, "weft_model_ready", { model: "fraud", version: "4" })).toBe(0);
    index = [{ name: "fraud", version: "4", state: "READY" }];
    text = await m.render();
    expect(sample(text, "weft_model_ready", { model: "fraud", version: "3" })).toBeUndefined();
    expect(sample(text, "weft_model_ready", { model: "fraud", version: "4" })).toBe(1);
  });

  it("keeps each server's metrics in its own registry", async () => {
    const a = createServingMetrics();
    const b = createServingMetrics();
    a.observer.infer?.(event());
    const p = { model: "fraud", version: "3", role: "primary" };
    expect(sample(await a.render(), "weft_inference_requests_total", p)).toBe(1);
    expect(sample(await b.render(), "weft_inference_requests_total", p)).toBeUndefined();
  });

  it("forwards events to every combined observer", () => {
    const seen: string[] = [];
    const o = combineObservers({ infer: (e) => seen.push(`a:${e.version}`) }, undefined, {
      infer: (e) => seen.push(`b:${e.version}`),
      batch: (e) => seen.push(`b:batch${e.size}`),
    });
    o.infer?.(event());
    o.batch?.({ model: "fraud", version: "3", size: 2, requests: 2 });
    expect(seen).toEqual(["a:3", "b:3", "b:batch2"]);
  });
});

describe("the /metrics route", () => {
  const m = createServingMetrics();
  m.observer.infer?.(event());
  const route = metricsRoute(m);
  let server: Server;
  let base = "";
  afterAll(async () => {
    server?.close();
  });

  it("answers GET /metrics over HTTP and leaves other routes to the server", async () => {
    server = createServer((req, res) => {
      if (route(req, res)) return;
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"error":"not found"}');
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    expect(sample(text, "weft_inference_requests_total", { model: "fraud", version: "3", role: "primary" })).toBe(1);
    expect((await fetch(`${base}/v2/health/live`)).status).toBe(404);
    const post = await fetch(`${base}/metrics`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(await post.json()).toEqual({ error: "POST /metrics is not allowed; use GET" });
  });
});
