/**
 * `ctx.log`: step metrics, params and tags a TypeScript component logs while it runs,
 * sent to the MLflow tracking server in `MLFLOW_TRACKING_URI` (the engine's task service
 * when Weft runs the task). Calls are synchronous and only buffer. Metrics are written into
 * typed-array columns and go to Weft's binary metrics route (`metrics-wire.ts`) in batches
 * of {@link METRIC_BATCH}; a server without that route (an MLflow server answers 404) gets
 * MLflow's JSON `runs/log-batch` requests instead, from then on. Params and tags always go
 * as `runs/log-batch`. A batch goes out when it is full or every second, on up to four
 * connections at once, and once more before the executor writes outputs. A failed send
 * is retried, then reported on stderr; it never fails the task. Without
 * `MLFLOW_TRACKING_URI` logging is a no-op that says so once on stderr.
 */

import { createPost, type Post } from "./http-post.ts";
import { encodeMetricColumns, METRICS_CONTENT_TYPE, type MetricColumns, metricsRoutePath } from "./metrics-wire.ts";

/** How a component logs metrics, params and tags (MLflow tracking). */
export interface TaskLog {
  /** Logs one value of a metric; `step` defaults to 0 and `timestamp` to now (ms), as in MLflow. */
  metric(key: string, value: number, opts?: { step?: number; timestamp?: number }): void;
  /** Logs several metrics at the same step. */
  metrics(values: Record<string, number>, opts?: { step?: number }): void;
  /** Logs a param (a run's param is set once; logging another value for it is refused by the server). */
  param(key: string, value: string | number | boolean): void;
  /** Sets a tag on the task's run. */
  tag(key: string, value: string): void;
  /** Sends what is buffered now; the executor also flushes before it writes outputs. */
  flush(): Promise<void>;
}

/** The third argument of a component's `run`: logging, and which run and task this is. */
export interface TaskContext {
  log: TaskLog;
  /** The Weft run id (`WEFT_RUN_ID`), when Weft runs the task. */
  runId?: string;
  /** The Weft task id (`WEFT_TASK_ID`), also the task's MLflow run id. */
  taskId?: string;
  /** The task's name in the pipeline (`WEFT_TASK_NAME`). */
  taskName?: string;
}

/** Limits of one `runs/log-batch` request (MLflow's). */
export const BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;
/** Metrics in one request to Weft's binary metrics route. */
export const METRIC_BATCH = 2500;
/** How often buffered values are sent while the component runs. */
export const FLUSH_INTERVAL_MS = 1000;
const RETRY_DELAYS_MS = [200, 1000, 3000];

interface KeyValue {
  key: string;
  value: string;
}

/**
 * Metrics being gathered: columns of {@link METRIC_BATCH} rows. While it fills, `key[i]`
 * indexes the client's list of every key logged so far, so a new batch never meets a new
 * key (that branch, first taken inside a training loop's optimised code, would send the
 * loop back to the interpreter); {@link seal} then renumbers them into the batch's own keys.
 */
class MetricBatch implements MetricColumns {
  keys: string[] = [];
  count = 0;
  readonly value = new Float64Array(METRIC_BATCH);
  readonly timestamp = new Float64Array(METRIC_BATCH);
  readonly step = new Float64Array(METRIC_BATCH);
  readonly key = new Uint32Array(METRIC_BATCH);

  /** Renumbers the key column from indexes into `allKeys` to indexes into this batch's `keys`. */
  seal(allKeys: readonly string[]): this {
    const local = new Map<number, number>();
    const keys: string[] = [];
    for (let i = 0; i < this.count; i++) {
      const g = this.key[i] as number;
      let k = local.get(g);
      if (k === undefined) {
        k = keys.length;
        keys.push(allKeys[g] as string);
        local.set(g, k);
      }
      this.key[i] = k;
    }
    this.keys = keys;
    return this;
  }

  /** Empties the batch to be filled again. */
  reset(): this {
    this.count = 0;
    this.keys = [];
    return this;
  }
}

/** One request's worth: a metrics batch, or params and tags for `runs/log-batch`. */
type Batch = { metrics: MetricBatch } | { params: KeyValue[]; tags: KeyValue[] };

/** Requests sent at once. */
export const MAX_IN_FLIGHT = 4;

/** Where to send, from the task's environment. */
export interface TrackingTarget {
  uri: string;
  token?: string;
  runId?: string;
  experimentId?: string;
}

type Write = (text: string) => void;

export type { Post } from "./http-post.ts";

function checkKey(kind: string, key: unknown): string {
  if (typeof key !== "string" || key === "") {
    throw new TypeError(`ctx.log.${kind}: the key must be a non-empty string, got ${JSON.stringify(key)}`);
  }
  return key;
}

/** The JSON text of one metric in a `runs/log-batch` body. JSON has no NaN or Infinity: MLflow's JSON writes them as strings. */
function metricJson(key: string, value: number, timestamp: number, step: number): string {
  const v = Number.isFinite(value) ? String(value) : `"${value}"`;
  return `{"key":${JSON.stringify(key)},"value":${v},"timestamp":${timestamp},"step":${step}}`;
}

/** A failed request: its HTTP status, when there was an answer. */
class SendError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Whether {@link warmMetricPath} has run in this process. */
let warmed = false;

/**
 * Runs a throwaway client through every branch of `metric` once (a new key, a known one,
 * a full batch handed to `sendSoon`) before the task's first logged value is kept. V8
 * keeps its feedback per method, shared by every instance, and a training loop's
 * optimised code inlines `metric`: a branch first taken inside that code (the first full
 * batch, 2,500 steps in) would send the whole loop back to the interpreter until it is
 * optimised again, which cost a 100,000-step loop more than its logging did. The throwaway
 * client sends to nowhere; this costs about 4 ms, once per process.
 */
function warmMetricPath(): void {
  if (warmed) return;
  warmed = true;
  const scratch = new TrackingClient(
    { uri: "http://127.0.0.1:9", runId: "warm-up" },
    { post: async () => ({ status: 200, text: "" }), stderr: () => {} },
  );
  for (let i = 0; i <= METRIC_BATCH; i++) scratch.metric(i === 1 ? "b" : "a", i, { step: i });
  void scratch.close();
}

/** Buffers log calls and sends them to the tracking server. */
export class TrackingClient implements TaskLog {
  private metricsBuf = new MetricBatch();
  /** Batches whose send has ended, to fill again: a long loop allocates a few, not one per batch. */
  private readonly spare: MetricBatch[] = [];
  /** Every metric key logged so far, and each one's index in that list. */
  private readonly keyNames: string[] = [];
  private readonly keyIndex = new Map<string, number>();
  private paramsBuf: KeyValue[] = [];
  private tagsBuf: KeyValue[] = [];
  /** Batches taken off the buffers, waiting for a free connection. */
  private readonly queue: Batch[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private runId: Promise<string | undefined> | undefined;
  /** Whether the server takes binary metrics batches: unknown until the first answer. */
  private binary: boolean | undefined;
  private failures = 0;
  /** After a batch could not be sent even with retries, later batches are tried once each. */
  private down = false;
  private lost = 0;
  private noticed = false;
  private readonly target: TrackingTarget | undefined;
  private readonly stderr: Write;
  private readonly postImpl: Post;
  private readonly ownPost: (Post & { close(): void }) | undefined;
  private readonly retryDelaysMs: readonly number[];

  constructor(
    target: TrackingTarget | undefined,
    opts: { stderr?: Write; post?: Post; retryDelaysMs?: readonly number[] } = {},
  ) {
    this.target = target;
    this.stderr = opts.stderr ?? ((t) => process.stderr.write(t));
    this.ownPost = opts.post === undefined && target !== undefined ? createPost(MAX_IN_FLIGHT) : undefined;
    this.postImpl = opts.post ?? (this.ownPost as Post);
    this.retryDelaysMs = opts.retryDelaysMs ?? RETRY_DELAYS_MS;
  }

  metric(key: string, value: number, opts?: { step?: number; timestamp?: number }): void {
    if (typeof key !== "string" || key === "") checkKey("metric", key);
    if (typeof value !== "number") {
      throw new TypeError(`ctx.log.metric("${key}"): the value must be a number, got ${typeof value}`);
    }
    const step = opts?.step ?? 0;
    if (!Number.isSafeInteger(step)) {
      throw new TypeError(`ctx.log.metric("${key}"): the step must be an integer, got ${String(step)}`);
    }
    const timestamp = opts?.timestamp ?? Date.now();
    if (!Number.isSafeInteger(timestamp)) {
      throw new TypeError(
        `ctx.log.metric("${key}"): the timestamp must be an integer (ms since the epoch), got ${String(timestamp)}`,
      );
    }
    if (this.timer === undefined && !this.enabled()) return;
    const b = this.metricsBuf;
    let k = this.keyIndex.get(key);
    if (k === undefined) {
      k = this.keyNames.length;
      this.keyNames.push(key);
      this.keyIndex.set(key, k);
    }
    const i = b.count++;
    b.value[i] = value;
    b.timestamp[i] = timestamp;
    b.step[i] = step;
    b.key[i] = k;
    if (b.count === METRIC_BATCH) this.sendSoon();
  }

  metrics(values: Record<string, number>, opts: { step?: number } = {}): void {
    const timestamp = Date.now();
    for (const [key, value] of Object.entries(values)) this.metric(key, value, { ...opts, timestamp });
  }

  param(key: string, value: string | number | boolean): void {
    checkKey("param", key);
    if (!this.enabled()) return;
    this.paramsBuf.push({ key, value: String(value) });
    if (this.paramsBuf.length >= BATCH_LIMITS.params) this.sendSoon();
  }

  tag(key: string, value: string): void {
    checkKey("tag", key);
    if (!this.enabled()) return;
    this.tagsBuf.push({ key, value: String(value) });
    if (this.tagsBuf.length >= BATCH_LIMITS.tags) this.sendSoon();
  }

  /** Sends everything buffered and waits for it (and for sends already under way). */
  async flush(): Promise<void> {
    if (this.target === undefined) return;
    while (this.buffered() > 0) this.sendSoon();
    while (this.inflight.size > 0) await Promise.race(this.inflight);
  }

  /** Flushes and stops the timer; says on stderr how many values could not be sent, if any. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    this.ownPost?.close();
    if (this.lost > 0) {
      this.stderr(
        `weft: ${this.lost} logged value(s) could not be sent to ${this.target?.uri}; they are not recorded\n`,
      );
      this.lost = 0;
    }
  }

  private buffered(): number {
    return this.metricsBuf.count + this.paramsBuf.length + this.tagsBuf.length;
  }

  private enabled(): boolean {
    if (this.target === undefined) {
      if (!this.noticed) {
        this.noticed = true;
        this.stderr(
          "weft: MLFLOW_TRACKING_URI is not set, so ctx.log calls are not recorded (Weft sets it for the tasks it runs)\n",
        );
      }
      return false;
    }
    if (this.timer === undefined) {
      warmMetricPath();
      this.timer = setInterval(() => {
        if (this.buffered() > 0) this.sendSoon();
      }, FLUSH_INTERVAL_MS);
      this.timer.unref?.();
    }
    return true;
  }

  /** Takes what is buffered off the buffers (metrics, and params and tags) and queues its sends. */
  private sendSoon(): void {
    if (this.metricsBuf.count > 0) {
      this.queue.push({ metrics: this.metricsBuf.seal(this.keyNames) });
      this.metricsBuf = this.spare.pop() ?? new MetricBatch();
    }
    while (this.paramsBuf.length + this.tagsBuf.length > 0) {
      this.queue.push({
        params: this.paramsBuf.splice(0, BATCH_LIMITS.params),
        tags: this.tagsBuf.splice(0, BATCH_LIMITS.tags),
      });
    }
    this.pump();
  }

  /**
   * Starts queued batches on up to {@link MAX_IN_FLIGHT} connections. A training loop
   * yields rarely, so one batch per round trip would leave a backlog for the last flush;
   * the server orders history by step, so batches may arrive in any order.
   */
  private pump(): void {
    while (this.inflight.size < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.shift() as Batch;
      const p: Promise<void> = this.send(batch).finally(() => {
        this.inflight.delete(p);
        if ("metrics" in batch && this.spare.length <= MAX_IN_FLIGHT) this.spare.push(batch.metrics.reset());
        this.pump();
      });
      this.inflight.add(p);
    }
  }

  private headers(contentType: string): Record<string, string> {
    const h: Record<string, string> = { "content-type": contentType };
    if (this.target?.token) h.authorization = `Bearer ${this.target.token}`;
    return h;
  }

  /** POSTs `body` (an object, JSON text already written, or binary parts) to a path of the server. */
  private async post(path: string, body: unknown, contentType = "application/json"): Promise<unknown> {
    const target = this.target as TrackingTarget;
    const res = await this.postImpl(
      `${target.uri.replace(/\/+$/, "")}${path}`,
      this.headers(contentType),
      typeof body === "string" || Array.isArray(body) ? (body as string | Uint8Array[]) : JSON.stringify(body),
    );
    const text = res.text;
    if (res.status < 200 || res.status > 299) {
      throw new SendError(
        `${path.replace(/^\/api\/2\.0\/mlflow\//, "")} answered ${res.status}: ${text.slice(0, 500)}`,
        res.status,
      );
    }
    return text === "" ? {} : JSON.parse(text);
  }

  /** The run to log to: MLFLOW_RUN_ID, else a run made in MLFLOW_EXPERIMENT_ID on first send. */
  private runIdOf(): Promise<string | undefined> {
    this.runId ??= (async () => {
      const target = this.target as TrackingTarget;
      if (target.runId) return target.runId;
      const made = (await this.post("/api/2.0/mlflow/runs/create", {
        experiment_id: target.experimentId ?? "0",
        start_time: Date.now(),
      })) as { run?: { info?: { run_id?: string } } };
      return made.run?.info?.run_id;
    })().catch((e: unknown) => {
      this.stderr(`weft: could not create a tracking run at ${this.target?.uri} (${(e as Error).message})\n`);
      return undefined;
    });
    return this.runId;
  }

  private async send(batch: Batch): Promise<void> {
    const runId = await this.runIdOf();
    if ("metrics" in batch) {
      const m = batch.metrics;
      if (runId === undefined) {
        this.lost += m.count;
        return;
      }
      if (this.binary !== false) {
        const sent = await this.attempt(
          m.count,
          () => this.post(metricsRoutePath(runId), encodeMetricColumns(m), METRICS_CONTENT_TYPE),
          true,
        );
        if (sent === true) this.binary = true;
        if (sent !== "unsupported") return;
        // an MLflow server: this batch and every later one as runs/log-batch
        this.binary = false;
      }
      for (let from = 0; from < m.count; from += BATCH_LIMITS.metrics) {
        const to = Math.min(m.count, from + BATCH_LIMITS.metrics);
        const parts: string[] = [];
        for (let i = from; i < to; i++) {
          parts.push(
            metricJson(
              m.keys[m.key[i] as number] as string,
              m.value[i] as number,
              m.timestamp[i] as number,
              m.step[i] as number,
            ),
          );
        }
        const body = `{"run_id":${JSON.stringify(runId)},"metrics":[${parts.join(",")}],"params":[],"tags":[]}`;
        await this.attempt(to - from, () => this.post("/api/2.0/mlflow/runs/log-batch", body));
      }
      return;
    }
    const count = batch.params.length + batch.tags.length;
    if (runId === undefined) {
      this.lost += count;
      return;
    }
    const body = `{"run_id":${JSON.stringify(runId)},"metrics":[],"params":${JSON.stringify(batch.params)},"tags":${JSON.stringify(batch.tags)}}`;
    await this.attempt(count, () => this.post("/api/2.0/mlflow/runs/log-batch", body));
  }

  /**
   * Sends with retries. True when sent; "unsupported" when the server has no such route
   * (404, 405 or 415: only the binary metrics route can get it); false when the values are
   * lost (reported on stderr).
   */
  private async attempt(
    count: number,
    request: () => Promise<unknown>,
    binaryRoute = false,
  ): Promise<boolean | "unsupported"> {
    for (let attempt = 0; ; attempt++) {
      try {
        await request();
        this.down = false;
        return true;
      } catch (e) {
        const status = (e as { status?: number }).status;
        if (binaryRoute && this.binary !== true && (status === 404 || status === 405 || status === 415)) {
          return "unsupported";
        }
        // a refusal (a changed param, a bad key) is not retried: the same request fails the same way
        const retryable = status === undefined || status >= 500 || status === 429;
        const delay = this.down ? undefined : this.retryDelaysMs[attempt];
        if (retryable && delay !== undefined) {
          await new Promise((r) => setTimeout(r, delay));
          continue;
        }
        this.failures++;
        this.lost += count;
        if (retryable) this.down = true;
        if (this.failures <= 3) {
          this.stderr(
            `weft: ctx.log could not send ${count} value(s) to ${this.target?.uri}: ${(e as Error).message}\n`,
          );
        }
        return false;
      }
    }
  }
}

/** The tracking target of a task's environment, or undefined without `MLFLOW_TRACKING_URI`. */
export function trackingTargetFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): TrackingTarget | undefined {
  const uri = env.MLFLOW_TRACKING_URI;
  if (!uri || !/^https?:\/\//.test(uri)) return undefined;
  return {
    uri,
    ...(env.MLFLOW_TRACKING_TOKEN ? { token: env.MLFLOW_TRACKING_TOKEN } : {}),
    ...(env.MLFLOW_RUN_ID ? { runId: env.MLFLOW_RUN_ID } : {}),
    ...(env.MLFLOW_EXPERIMENT_ID ? { experimentId: env.MLFLOW_EXPERIMENT_ID } : {}),
  };
}

/** The `ctx` a component's `run` is given, from the task's environment. */
export function createTaskContext(
  env: Readonly<Record<string, string | undefined>> = process.env,
  opts: { stderr?: Write; post?: Post } = {},
): TaskContext & { log: TrackingClient } {
  const uri = env.MLFLOW_TRACKING_URI;
  const target = trackingTargetFromEnv(env);
  const stderr = opts.stderr ?? ((t: string) => process.stderr.write(t));
  if (uri && target === undefined) {
    stderr(`weft: MLFLOW_TRACKING_URI '${uri}' is not an http(s) URL; ctx.log calls are not recorded\n`);
  }
  return {
    log: new TrackingClient(target, { ...opts, stderr }),
    ...(env.WEFT_RUN_ID ? { runId: env.WEFT_RUN_ID } : {}),
    ...(env.WEFT_TASK_ID ? { taskId: env.WEFT_TASK_ID } : {}),
    ...(env.WEFT_TASK_NAME ? { taskName: env.WEFT_TASK_NAME } : {}),
  };
}
