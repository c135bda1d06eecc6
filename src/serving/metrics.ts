/**
 * Prometheus metrics of one `weft serve` process, in a prom-client `Registry` of its own
 * (never the global one, so two servers in one process keep their counts apart):
 *
 * - `weft_inference_requests_total{model,version,role}` and
 *   `weft_inference_failures_total{model,version,role}`: requests answered, and those
 *   that failed (a request counts once in each it belongs to);
 * - `weft_inference_request_seconds{model,version,role}`: from the service receiving a
 *   request to its result;
 * - `weft_inference_queue_seconds{model,version}` and
 *   `weft_inference_compute_seconds{model,version}`: waiting in the batch queue, and the
 *   runtime call that ran the request (shared by its batch);
 * - `weft_inference_batch_size{model,version}`: rows in each runtime call the batcher formed;
 * - `weft_model_ready{model,version}`: 1 while a version is loaded and ready, read from the
 *   model service's repository index when scraped.
 *
 * The observer keeps one labelled child per label set, so a request costs a map lookup and
 * a few additions.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { BatchEvent, InferEvent, ModelService, ServingObserver } from "./types.ts";

/** Buckets of the latency histograms, in seconds: 50 µs to 10 s. */
export const LATENCY_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
];

/** Buckets of the batch size histogram, in rows. */
export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** The metrics of one server. */
export interface ServingMetrics {
  /** The registry holding them (the server's own). */
  readonly registry: Registry;
  /** Feeds the metrics from the service's and the batchers' events. */
  readonly observer: ServingObserver;
  /** Reads `weft_model_ready` from this service's repository index at each scrape. */
  watch(service: ModelService): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  /** Its content type (`text/plain; version=0.0.4; charset=utf-8`). */
  readonly contentType: string;
}

type RequestChild = {
  requests: Counter.Internal;
  failures: Counter.Internal;
  seconds: Histogram.Internal<string>;
};
type VersionChild = {
  queue: Histogram.Internal<string>;
  compute: Histogram.Internal<string>;
  batch: Histogram.Internal<string>;
};

/** Creates the metrics of one server in a registry of their own. */
export function createServingMetrics(): ServingMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: "weft_inference_requests_total",
    help: "Inference requests answered, by model, version and role (primary, canary, shadow).",
    labelNames: ["model", "version", "role"],
    registers: [registry],
  });
  const failures = new Counter({
    name: "weft_inference_failures_total",
    help: "Inference requests that failed, by model, version and role.",
    labelNames: ["model", "version", "role"],
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: "weft_inference_request_seconds",
    help: "Time from the service receiving an inference request to its result.",
    labelNames: ["model", "version", "role"],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const queueSeconds = new Histogram({
    name: "weft_inference_queue_seconds",
    help: "Time an inference request waited in its model's batch queue.",
    labelNames: ["model", "version"],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const computeSeconds = new Histogram({
    name: "weft_inference_compute_seconds",
    help: "Time of the runtime call that ran an inference request (shared by its batch).",
    labelNames: ["model", "version"],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: "weft_inference_batch_size",
    help: "Rows in each runtime call the dynamic batcher formed.",
    labelNames: ["model", "version"],
    buckets: BATCH_SIZE_BUCKETS,
    registers: [registry],
  });
  let service: ModelService | undefined;
  const ready = new Gauge({
    name: "weft_model_ready",
    help: "1 while a model version is loaded and ready to infer, 0 otherwise.",
    labelNames: ["model", "version"],
    registers: [registry],
    collect() {
      if (!service) return;
      this.reset();
      for (const entry of service.repositoryIndex()) {
        if (entry.version === undefined) continue;
        this.labels(entry.name, entry.version).set(entry.state === "READY" ? 1 : 0);
      }
    },
  });
  void ready;

  const requestChildren = new Map<string, RequestChild>();
  const versionChildren = new Map<string, VersionChild>();
  const requestChild = (e: InferEvent): RequestChild => {
    const key = `${e.model}\u0000${e.version}\u0000${e.role}`;
    let child = requestChildren.get(key);
    if (!child) {
      child = {
        requests: requests.labels(e.model, e.version, e.role),
        failures: failures.labels(e.model, e.version, e.role),
        seconds: requestSeconds.labels(e.model, e.version, e.role),
      };
      // a failure count of 0 is written from the first request, so rates divide cleanly
      child.failures.inc(0);
      requestChildren.set(key, child);
    }
    return child;
  };
  const versionChild = (model: string, version: string): VersionChild => {
    const key = `${model}\u0000${version}`;
    let child = versionChildren.get(key);
    if (!child) {
      child = {
        queue: queueSeconds.labels(model, version),
        compute: computeSeconds.labels(model, version),
        batch: batchSize.labels(model, version),
      };
      versionChildren.set(key, child);
    }
    return child;
  };

  const observer: ServingObserver = {
    infer(e: InferEvent) {
      const r = requestChild(e);
      r.requests.inc();
      if (!e.ok) r.failures.inc();
      r.seconds.observe(e.totalSeconds);
      if (e.ok) {
        const v = versionChild(e.model, e.version);
        v.queue.observe(e.queueSeconds);
        v.compute.observe(e.computeSeconds);
      }
    },
    batch(e: BatchEvent) {
      versionChild(e.model, e.version).batch.observe(e.size);
    },
  };

  return {
    registry,
    observer,
    watch(s) {
      service = s;
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/**
 * The `/metrics` route for the REST server's extra-route hook: answers `GET /metrics`
 * (and `HEAD`) with the exposition and returns true; returns false for any other request.
 */
export function metricsRoute(metrics: ServingMetrics): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = req.url ?? "";
    if (url !== "/metrics" && !url.startsWith("/metrics?")) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { "content-type": "application/json", allow: "GET, HEAD" });
      res.end(JSON.stringify({ error: `${req.method} /metrics is not allowed; use GET` }));
      return true;
    }
    metrics.render().then(
      (text) => {
        res.writeHead(200, { "content-type": metrics.contentType, "content-length": Buffer.byteLength(text) });
        res.end(req.method === "HEAD" ? undefined : text);
      },
      (err: unknown) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ error: `cannot render metrics: ${err instanceof Error ? err.message : String(err)}` }),
        );
      },
    );
    return true;
  };
}

/** One observer that forwards every event to each of `observers` (those given). */
export function combineObservers(...observers: (ServingObserver | undefined)[]): ServingObserver {
  const infer = observers.flatMap((o) => (o?.infer ? [o.infer.bind(o)] : []));
  const batch = observers.flatMap((o) => (o?.batch ? [o.batch.bind(o)] : []));
  return {
    infer(e) {
      for (const f of infer) f(e);
    },
    batch(e) {
      for (const f of batch) f(e);
    },
  };
}
