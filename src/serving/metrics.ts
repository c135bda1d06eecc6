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
 * The per-request metrics are plain numbers per label set that the registry formats when
 * scraped, so a request costs a map lookup and a few additions.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Gauge, type Metric, Registry } from "prom-client";
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

/** One labelled series of a counter or histogram: plain numbers, added to per request. */
interface Series {
  labels: Record<string, string>;
  /** Counter: the count. Histogram: the sum of the values. */
  value: number;
  /** Histogram: observations per bucket (not cumulative), the last one `+Inf`. */
  buckets?: Float64Array;
  count: number;
}

/**
 * A counter or histogram kept as plain numbers per label set and handed to the prom-client
 * registry, which formats it, at each scrape. prom-client's own metrics check and hash the
 * label values on every update (about 2 µs each, five updates a request); here an update is
 * an addition to a series the observer holds.
 */
class FastMetric {
  readonly series = new Map<string, Series>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "histogram",
    private readonly labelNames: readonly string[],
    private readonly upperBounds: readonly number[] = [],
  ) {}

  /** The series of these label values (created at 0 on first use). */
  child(values: readonly string[]): Series {
    const key = values.join("\u0000");
    let series = this.series.get(key);
    if (!series) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((n, i) => {
        labels[n] = values[i] as string;
      });
      series = { labels, value: 0, count: 0 };
      if (this.type === "histogram") series.buckets = new Float64Array(this.upperBounds.length + 1);
      this.series.set(key, series);
    }
    return series;
  }

  /** Adds one observation to a histogram series. */
  observe(series: Series, value: number): void {
    const bounds = this.upperBounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    const buckets = series.buckets as Float64Array;
    buckets[i] = (buckets[i] as number) + 1;
    series.value += value;
    series.count++;
  }

  /** What prom-client's registry formats (the shape its own metrics' `get()` returns). */
  get() {
    const values: { metricName?: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const s of this.series.values()) {
      if (this.type === "counter") {
        values.push({ labels: s.labels, value: s.value });
        continue;
      }
      let cumulative = 0;
      const buckets = s.buckets as Float64Array;
      for (let i = 0; i <= this.upperBounds.length; i++) {
        cumulative += buckets[i] as number;
        const le = i < this.upperBounds.length ? (this.upperBounds[i] as number) : "+Inf";
        values.push({ metricName: `${this.name}_bucket`, labels: { le, ...s.labels }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.value });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: "sum" };
  }

  /** Zeroes every series (`registry.resetMetrics()`); the observer keeps the series it holds. */
  reset(): void {
    for (const s of this.series.values()) {
      s.value = 0;
      s.count = 0;
      s.buckets?.fill(0);
    }
  }
}

type RequestChild = { requests: Series; failures: Series; seconds: Series };
type VersionChild = { queue: Series; compute: Series; batch: Series };

/** Creates the metrics of one server in a registry of their own. */
export function createServingMetrics(): ServingMetrics {
  const registry = new Registry();
  const ROLE = ["model", "version", "role"];
  const VERSION = ["model", "version"];
  const requests = new FastMetric(
    "weft_inference_requests_total",
    "Inference requests answered, by model, version and role (primary, canary, shadow).",
    "counter",
    ROLE,
  );
  const failures = new FastMetric(
    "weft_inference_failures_total",
    "Inference requests that failed, by model, version and role.",
    "counter",
    ROLE,
  );
  const requestSeconds = new FastMetric(
    "weft_inference_request_seconds",
    "Time from the service receiving an inference request to its result.",
    "histogram",
    ROLE,
    LATENCY_BUCKETS,
  );
  const queueSeconds = new FastMetric(
    "weft_inference_queue_seconds",
    "Time an inference request waited in its model's batch queue.",
    "histogram",
    VERSION,
    LATENCY_BUCKETS,
  );
  const computeSeconds = new FastMetric(
    "weft_inference_compute_seconds",
    "Time of the runtime call that ran an inference request (shared by its batch).",
    "histogram",
    VERSION,
    LATENCY_BUCKETS,
  );
  const batchSize = new FastMetric(
    "weft_inference_batch_size",
    "Rows in each runtime call the dynamic batcher formed.",
    "histogram",
    VERSION,
    BATCH_SIZE_BUCKETS,
  );
  for (const m of [requests, failures, requestSeconds, queueSeconds, computeSeconds, batchSize]) {
    registry.registerMetric(m as unknown as Metric);
  }
  let service: ModelService | undefined;
  new Gauge({
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

  // the observer keeps the series of each label set it has seen: one map lookup a request
  const requestChildren = new Map<string, RequestChild>();
  const versionChildren = new Map<string, VersionChild>();
  const requestChild = (e: InferEvent): RequestChild => {
    const key = `${e.model}\u0000${e.version}\u0000${e.role}`;
    let child = requestChildren.get(key);
    if (!child) {
      const values = [e.model, e.version, e.role];
      // the failure count is written (as 0) from the first request, so rates divide cleanly
      child = {
        requests: requests.child(values),
        failures: failures.child(values),
        seconds: requestSeconds.child(values),
      };
      requestChildren.set(key, child);
    }
    return child;
  };
  const versionChild = (model: string, version: string): VersionChild => {
    const key = `${model}\u0000${version}`;
    let child = versionChildren.get(key);
    if (!child) {
      const values = [model, version];
      child = {
        queue: queueSeconds.child(values),
        compute: computeSeconds.child(values),
        batch: batchSize.child(values),
      };
      versionChildren.set(key, child);
    }
    return child;
  };

  const observer: ServingObserver = {
    infer(e: InferEvent) {
      const r = requestChild(e);
      r.requests.value++;
      if (!e.ok) r.failures.value++;
      requestSeconds.observe(r.seconds, e.totalSeconds);
      if (e.ok) {
        const v = versionChild(e.model, e.version);
        queueSeconds.observe(v.queue, e.queueSeconds);
        computeSeconds.observe(v.compute, e.computeSeconds);
      }
    },
    batch(e: BatchEvent) {
      const v = versionChild(e.model, e.version);
      batchSize.observe(v.batch, e.size);
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
