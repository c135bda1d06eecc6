/**
 * The MLflow tracking routes, through the API server (`app.inject`) and through the
 * engine's task service over real HTTP: every route, MLflow's response shapes, error
 * shapes and statuses, pagination and the filter grammar.
 *
 * The expected field sets are MLflow's REST API reference (mlflow.org/docs/latest/rest-api.html):
 * "Experiment" (experiment_id, name, artifact_location, lifecycle_stage, last_update_time,
 * creation_time, tags), "RunInfo" (run_id, run_uuid, run_name, experiment_id, user_id, status,
 * start_time, end_time, artifact_uri, lifecycle_stage), "Run" (info, data, inputs), "RunData"
 * (metrics, params, tags), "Metric" (key, value, timestamp, step), "Param"/"RunTag" (key, value),
 * and the responses of each endpoint (Create Experiment: experiment_id; Create Run: run;
 * Update Run: run_info; Search Runs: runs, next_page_token; Get Metric History: metrics,
 * next_page_token; Search Experiments: experiments, next_page_token).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeMetricColumns, METRICS_CONTENT_TYPE, metricsRoutePath } from "../../src/executor/metrics-wire.ts";
import { startTaskService, type TaskService } from "../../src/registry/task-service.ts";
import { sampleSpec } from "../../src/store/index.ts";
import { type Harness, makeHarness } from "./harness.ts";

const API = "/api/2.0/mlflow";
const EXPERIMENT_FIELDS = [
  "artifact_location",
  "creation_time",
  "experiment_id",
  "last_update_time",
  "lifecycle_stage",
  "name",
];
const RUN_INFO_FIELDS = [
  "artifact_uri",
  "experiment_id",
  "lifecycle_stage",
  "run_id",
  "run_name",
  "run_uuid",
  "start_time",
  "status",
  "user_id",
];
const METRIC_FIELDS = ["key", "step", "timestamp", "value"];

interface Reply {
  status: number;
  body: Record<string, unknown>;
}
type Call = (method: string, path: string, params?: Record<string, unknown>) => Promise<Reply>;
/** POSTs a binary body with a content type. */
type PostRaw = (path: string, body: Uint8Array, contentType: string) => Promise<Reply>;

function query(params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const item of Array.isArray(v) ? v : [v]) q.append(k, String(item));
  }
  const s = q.toString();
  return s === "" ? "" : `?${s}`;
}

const transports: Array<{
  name: string;
  setup(h: Harness): Promise<{ call: Call; postRaw: PostRaw; close(): Promise<void> }>;
}> = [
  {
    name: "API server (fastify)",
    async setup(h) {
      return {
        call: async (method, path, params = {}) => {
          const res = await h.server.app.inject({
            method: method as "GET",
            url: method === "GET" ? `${path}${query(params)}` : path,
            ...(method === "GET" ? {} : { payload: params }),
          });
          return { status: res.statusCode, body: res.json() as Record<string, unknown> };
        },
        postRaw: async (path, body, contentType) => {
          const res = await h.server.app.inject({
            method: "POST",
            url: path,
            headers: { "content-type": contentType },
            payload: Buffer.from(body),
          });
          return { status: res.statusCode, body: res.json() as Record<string, unknown> };
        },
        close: async () => {},
      };
    },
  },
  {
    name: "task service (node:http)",
    async setup(h) {
      const service: TaskService = await startTaskService(h.store);
      return {
        call: async (method, path, params = {}) => {
          const res = await fetch(`${service.url}${path}${method === "GET" ? query(params) : ""}`, {
            method,
            headers: { authorization: `Bearer ${service.token}`, "content-type": "application/json" },
            ...(method === "GET" ? {} : { body: JSON.stringify(params) }),
          });
          return { status: res.status, body: (await res.json()) as Record<string, unknown> };
        },
        postRaw: async (path, body, contentType) => {
          const res = await fetch(`${service.url}${path}`, {
            method: "POST",
            headers: { authorization: `Bearer ${service.token}`, "content-type": contentType },
            body: Buffer.from(body),
          });
          return { status: res.status, body: (await res.json()) as Record<string, unknown> };
        },
        close: () => service.close(),
      };
    },
  },
];

for (const transport of transports) {
  describe(`MLflow tracking routes: ${transport.name}`, () => {
    let h: Harness;
    let call: Call;
    let postRaw: PostRaw;
    let close: () => Promise<void>;
    beforeAll(async () => {
      h = makeHarness();
      ({ call, postRaw, close } = await transport.setup(h));
    });
    afterAll(async () => {
      await close();
      await h.dispose();
    });

    async function ok(method: string, path: string, params?: Record<string, unknown>) {
      const r = await call(method, path, params);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body;
    }

    it("experiments: create, get, get-by-name, search, update, set-experiment-tag, delete, restore", async () => {
      const created = await ok("POST", `${API}/experiments/create`, {
        name: "fraud",
        tags: [{ key: "team", value: "risk" }],
      });
      expect(Object.keys(created)).toEqual(["experiment_id"]);
      const id = created.experiment_id as string;
      const got = (await ok("GET", `${API}/experiments/get`, { experiment_id: id })).experiment as Record<
        string,
        unknown
      >;
      expect(Object.keys(got).sort()).toEqual([...EXPERIMENT_FIELDS, "tags"].sort());
      expect(got).toMatchObject({
        experiment_id: id,
        name: "fraud",
        lifecycle_stage: "active",
        tags: [{ key: "team", value: "risk" }],
      });
      const byName = await ok("GET", `${API}/experiments/get-by-name`, { experiment_name: "fraud" });
      expect((byName.experiment as Record<string, unknown>).experiment_id).toBe(id);

      const dup = await call("POST", `${API}/experiments/create`, { name: "fraud" });
      expect(dup).toEqual({
        status: 400,
        body: { error_code: "RESOURCE_ALREADY_EXISTS", message: expect.stringContaining("fraud") },
      });

      await ok("POST", `${API}/experiments/set-experiment-tag`, { experiment_id: id, key: "stage", value: "dev" });
      await ok("POST", `${API}/experiments/update`, { experiment_id: id, new_name: "fraud-detection" });
      const search = await ok("POST", `${API}/experiments/search`, { filter: "name LIKE 'fraud%'", max_results: 10 });
      expect((search.experiments as Array<Record<string, unknown>>).map((e) => e.name)).toEqual(["fraud-detection"]);
      const searchGet = await ok("GET", `${API}/experiments/search`, { filter: "tags.stage = 'dev'" });
      expect((searchGet.experiments as Array<Record<string, unknown>>).map((e) => e.experiment_id)).toEqual([id]);

      await ok("POST", `${API}/experiments/delete`, { experiment_id: id });
      const deleted = (await ok("GET", `${API}/experiments/get`, { experiment_id: id })).experiment as Record<
        string,
        unknown
      >;
      expect(deleted.lifecycle_stage).toBe("deleted");
      expect(await ok("POST", `${API}/experiments/search`, { filter: "name = 'fraud-detection'" })).toEqual({});
      await ok("POST", `${API}/experiments/restore`, { experiment_id: id });
      const restored = (await ok("GET", `${API}/experiments/get`, { experiment_id: id })).experiment as Record<
        string,
        unknown
      >;
      expect(restored.lifecycle_stage).toBe("active");

      expect(await call("GET", `${API}/experiments/get`, { experiment_id: "nope" })).toEqual({
        status: 404,
        body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "No Experiment with id=nope exists" },
      });
      expect(await call("GET", `${API}/experiments/get-by-name`, { experiment_name: "nope" })).toMatchObject({
        status: 404,
        body: { error_code: "RESOURCE_DOES_NOT_EXIST" },
      });
      expect(await call("POST", `${API}/experiments/create`, {})).toEqual({
        status: 400,
        body: {
          error_code: "INVALID_PARAMETER_VALUE",
          message:
            "Missing value for parameter 'name'. See the API docs for more information about request parameters.",
        },
      });
    });

    it("runs: create, get, log-metric, log-parameter, log-batch, set-tag, delete-tag, update, delete, restore, get-history", async () => {
      const experimentId = (await ok("POST", `${API}/experiments/create`, { name: "runs-exp" }))
        .experiment_id as string;
      const created = await ok("POST", `${API}/runs/create`, {
        experiment_id: experimentId,
        run_name: "trial",
        start_time: 1_700_000_000_000,
        tags: [{ key: "team", value: "risk" }],
      });
      const run = created.run as { info: Record<string, unknown>; data: Record<string, unknown>; inputs: unknown };
      expect(Object.keys(run).sort()).toEqual(["data", "info", "inputs"]);
      expect(Object.keys(run.info).sort()).toEqual(RUN_INFO_FIELDS);
      expect(run.info).toMatchObject({
        run_name: "trial",
        experiment_id: experimentId,
        status: "RUNNING",
        lifecycle_stage: "active",
        start_time: 1_700_000_000_000,
      });
      const runId = run.info.run_id as string;
      expect(run.info.run_uuid).toBe(runId);
      expect(run.data).toEqual({
        tags: [
          { key: "mlflow.runName", value: "trial" },
          { key: "team", value: "risk" },
        ],
      });

      expect(
        await ok("POST", `${API}/runs/log-metric`, { run_id: runId, key: "loss", value: 0.5, timestamp: 10, step: 1 }),
      ).toEqual({});
      await ok("POST", `${API}/runs/log-parameter`, { run_id: runId, key: "lr", value: "0.01" });
      await ok("POST", `${API}/runs/log-batch`, {
        run_id: runId,
        metrics: [
          { key: "loss", value: 0.25, timestamp: 11, step: 2 },
          { key: "acc", value: 0.9, timestamp: 11, step: 2 },
        ],
        params: [{ key: "depth", value: "6" }],
        tags: [{ key: "note", value: "x" }],
      });
      await ok("POST", `${API}/runs/set-tag`, { run_id: runId, key: "owner", value: "ana" });
      await ok("POST", `${API}/runs/delete-tag`, { run_id: runId, key: "note" });

      const got = (await ok("GET", `${API}/runs/get`, { run_id: runId })).run as {
        info: Record<string, unknown>;
        data: { metrics: Array<Record<string, unknown>>; params: unknown; tags: Array<{ key: string }> };
      };
      expect(got.data.metrics.map((m) => Object.keys(m).sort())).toEqual([METRIC_FIELDS, METRIC_FIELDS]);
      expect(got.data.metrics).toEqual([
        { key: "acc", value: 0.9, timestamp: 11, step: 2 },
        { key: "loss", value: 0.25, timestamp: 11, step: 2 },
      ]);
      expect(got.data.params).toEqual([
        { key: "depth", value: "6" },
        { key: "lr", value: "0.01" },
      ]);
      expect(got.data.tags.map((t) => t.key)).toEqual(["mlflow.runName", "owner", "team"]);

      const history = await ok("GET", `${API}/metrics/get-history`, { run_id: runId, metric_key: "loss" });
      expect(history).toEqual({
        metrics: [
          { key: "loss", value: 0.5, timestamp: 10, step: 1 },
          { key: "loss", value: 0.25, timestamp: 11, step: 2 },
        ],
      });
      const page1 = await ok("GET", `${API}/metrics/get-history`, {
        run_id: runId,
        metric_key: "loss",
        max_results: 1,
      });
      expect((page1.metrics as unknown[]).length).toBe(1);
      const page2 = await ok("GET", `${API}/metrics/get-history`, {
        run_id: runId,
        metric_key: "loss",
        max_results: 1,
        page_token: page1.next_page_token,
      });
      expect(page2).toEqual({ metrics: [{ key: "loss", value: 0.25, timestamp: 11, step: 2 }] });

      const updated = await ok("POST", `${API}/runs/update`, {
        run_id: runId,
        status: "FINISHED",
        end_time: 1_700_000_100_000,
        run_name: "done",
      });
      expect(Object.keys(updated)).toEqual(["run_info"]);
      expect(Object.keys(updated.run_info as object).sort()).toEqual([...RUN_INFO_FIELDS, "end_time"].sort());
      expect(updated.run_info).toMatchObject({ status: "FINISHED", end_time: 1_700_000_100_000, run_name: "done" });

      await ok("POST", `${API}/runs/delete`, { run_id: runId });
      expect(
        ((await ok("GET", `${API}/runs/get`, { run_id: runId })).run as { info: { lifecycle_stage: string } }).info
          .lifecycle_stage,
      ).toBe("deleted");
      await ok("POST", `${API}/runs/restore`, { run_id: runId });
      expect(
        ((await ok("GET", `${API}/runs/get`, { run_id: runId })).run as { info: { lifecycle_stage: string } }).info
          .lifecycle_stage,
      ).toBe("active");
    });

    it("runs: errors name the field and use MLflow's codes and statuses", async () => {
      const experimentId = (await ok("POST", `${API}/experiments/create`, { name: "errors-exp" }))
        .experiment_id as string;
      const runId = (
        (await ok("POST", `${API}/runs/create`, { experiment_id: experimentId })).run as { info: { run_id: string } }
      ).info.run_id;
      expect(await call("GET", `${API}/runs/get`, { run_id: "missing" })).toEqual({
        status: 404,
        body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Run with id=missing not found" },
      });
      expect(await call("POST", `${API}/runs/log-metric`, { run_id: "missing", key: "a", value: 1 })).toMatchObject({
        status: 404,
      });
      const noValue = await call("POST", `${API}/runs/log-metric`, { run_id: runId, key: "a" });
      expect(noValue).toMatchObject({
        status: 400,
        body: { error_code: "INVALID_PARAMETER_VALUE", message: expect.stringContaining("'value'") },
      });
      const badValue = await call("POST", `${API}/runs/log-metric`, { run_id: runId, key: "a", value: "high" });
      expect(badValue).toMatchObject({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE" } });
      const badKey = await call("POST", `${API}/runs/log-metric`, { run_id: runId, key: "../up", value: 1 });
      expect(badKey).toMatchObject({ status: 400, body: { message: expect.stringContaining("Invalid metric name") } });
      await ok("POST", `${API}/runs/log-parameter`, { run_id: runId, key: "lr", value: "0.1" });
      const changed = await call("POST", `${API}/runs/log-parameter`, { run_id: runId, key: "lr", value: "0.2" });
      expect(changed).toMatchObject({
        status: 400,
        body: { error_code: "INVALID_PARAMETER_VALUE", message: expect.stringContaining("'lr'") },
      });
      const tooMany = await call("POST", `${API}/runs/log-batch`, {
        run_id: runId,
        metrics: Array.from({ length: 1001 }, (_, i) => ({ key: "m", value: i, timestamp: 1, step: i })),
      });
      expect(tooMany).toMatchObject({
        status: 400,
        body: { error_code: "INVALID_PARAMETER_VALUE", message: expect.stringContaining("at most 1000 metrics") },
      });
      const badStatus = await call("POST", `${API}/runs/update`, { run_id: runId, status: "DONE" });
      expect(badStatus).toMatchObject({ status: 400, body: { message: expect.stringContaining("'status'") } });
      expect(await call("POST", `${API}/runs/search`, {})).toMatchObject({
        status: 400,
        body: { message: expect.stringContaining("'experiment_ids'") },
      });
      const badFilter = await call("POST", `${API}/runs/search`, {
        experiment_ids: [experimentId],
        filter: "metrics.a >",
      });
      expect(badFilter).toMatchObject({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE" } });
      expect(await call("POST", `${API}/runs/delete-tag`, { run_id: runId, key: "nope" })).toMatchObject({
        status: 404,
      });
      expect(await call("POST", `${API}/no/such/route`, {})).toMatchObject({
        status: 404,
        body: { error_code: "ENDPOINT_NOT_FOUND" },
      });
    });

    it("runs/search: filter on metrics, params, tags and attributes, order_by and page tokens", async () => {
      const experimentId = (await ok("POST", `${API}/experiments/create`, { name: "search-exp" }))
        .experiment_id as string;
      for (let i = 0; i < 5; i++) {
        const runId = (
          (
            await ok("POST", `${API}/runs/create`, {
              experiment_id: experimentId,
              run_name: `r${i}`,
              start_time: 1000 + i,
            })
          ).run as { info: { run_id: string } }
        ).info.run_id;
        await ok("POST", `${API}/runs/log-batch`, {
          run_id: runId,
          metrics: [{ key: "auc", value: i / 10, timestamp: 1, step: 0 }],
          params: [{ key: "depth", value: String(i % 2) }],
          tags: [{ key: "size", value: i < 3 ? "small" : "big" }],
        });
        if (i === 4) await ok("POST", `${API}/runs/update`, { run_id: runId, status: "FINISHED" });
      }
      const names = async (body: Record<string, unknown>) =>
        (
          ((await ok("POST", `${API}/runs/search`, { experiment_ids: [experimentId], ...body })).runs ?? []) as Array<{
            info: { run_name: string };
          }>
        ).map((r) => r.info.run_name);
      expect(await names({ filter: "metrics.auc > 0.15", order_by: ["metrics.auc DESC"] })).toEqual(["r4", "r3", "r2"]);
      expect(await names({ filter: "params.depth = '1' and tags.size = 'small'" })).toEqual(["r1"]);
      expect(await names({ filter: "attributes.status = 'FINISHED'" })).toEqual(["r4"]);
      expect(await names({ filter: "attributes.run_name = 'r2'" })).toEqual(["r2"]);
      const first = await ok("POST", `${API}/runs/search`, {
        experiment_ids: [experimentId],
        max_results: 3,
        order_by: ["start_time ASC"],
      });
      expect((first.runs as Array<{ info: { run_name: string } }>).map((r) => r.info.run_name)).toEqual([
        "r0",
        "r1",
        "r2",
      ]);
      expect(typeof first.next_page_token).toBe("string");
      const second = await ok("POST", `${API}/runs/search`, {
        experiment_ids: [experimentId],
        max_results: 3,
        order_by: ["start_time ASC"],
        page_token: first.next_page_token,
      });
      expect((second.runs as Array<{ info: { run_name: string } }>).map((r) => r.info.run_name)).toEqual(["r3", "r4"]);
      expect(second.next_page_token).toBeUndefined();
    });

    it("a Weft task's id is a run on first write: a child of its pipeline run's run; step metrics read after a cursor", async () => {
      const weftRun = h.store.runs.create({ displayName: "pipeline", pipelineSpec: sampleSpec() });
      const task = h.store.tasks.upsert({ runId: weftRun.id, path: "root/train", name: "train", kind: "container" });
      await ok("POST", `${API}/runs/log-batch`, {
        run_id: task.id,
        metrics: [
          { key: "loss", value: 1, timestamp: 1, step: 0 },
          { key: "loss", value: 0.5, timestamp: 2, step: 1 },
        ],
      });
      const child = (await ok("GET", `${API}/runs/get`, { run_id: task.id })).run as {
        info: Record<string, unknown>;
        data: { tags: unknown[] };
      };
      expect(child.info).toMatchObject({ run_id: task.id, run_name: "train", experiment_id: weftRun.experimentId });
      expect(child.data.tags).toContainEqual({ key: "mlflow.parentRunId", value: weftRun.id });
      const parent = (await ok("GET", `${API}/runs/get`, { run_id: weftRun.id })).run as {
        info: Record<string, unknown>;
      };
      expect(parent.info).toMatchObject({ run_id: weftRun.id, run_name: "pipeline" });

      const steps = await ok("GET", `/apis/weft/v1/runs/${weftRun.id}/step-metrics`);
      expect(steps).toEqual({
        run_id: weftRun.id,
        cursor: expect.any(Number),
        more: false,
        series: [
          {
            run_id: task.id,
            task_id: task.id,
            task_name: "train",
            key: "loss",
            points: [
              { step: 0, value: 1, timestamp: 1 },
              { step: 1, value: 0.5, timestamp: 2 },
            ],
          },
        ],
      });
      const none = await ok("GET", `/apis/weft/v1/runs/${weftRun.id}/step-metrics`, { after: steps.cursor });
      expect(none.series).toEqual([]);
      expect(await call("GET", "/apis/weft/v1/runs/nope/step-metrics")).toMatchObject({
        status: 404,
        body: { error_code: "RESOURCE_DOES_NOT_EXIST" },
      });
    });

    it("takes ctx.log's binary metrics batch: every value (NaN and infinities too) under its key; bad bodies are 400, another content type 415", async () => {
      const weftRun = h.store.runs.create({ displayName: "binary", pipelineSpec: sampleSpec() });
      const task = h.store.tasks.upsert({ runId: weftRun.id, path: "root/fit", name: "fit", kind: "container" });
      const n = 3000;
      const cols = {
        keys: ["loss", "acc"],
        count: n,
        value: Float64Array.from({ length: n }, (_, i) =>
          i === 5 ? Number.NaN : i === 6 ? Number.POSITIVE_INFINITY : i / 7,
        ),
        timestamp: Float64Array.from({ length: n }, (_, i) => 1000 + i),
        step: Float64Array.from({ length: n }, (_, i) => Math.floor(i / 2)),
        key: Uint32Array.from({ length: n }, (_, i) => i % 2),
      };
      const body = Buffer.concat(encodeMetricColumns(cols));
      const path = metricsRoutePath(task.id);
      expect(await postRaw(path, body, METRICS_CONTENT_TYPE)).toEqual({ status: 200, body: {} });
      const loss = await ok("GET", `${API}/metrics/get-history`, {
        run_id: task.id,
        metric_key: "loss",
        max_results: 5000,
      });
      const points = loss.metrics as Array<{ value: unknown; step: number; timestamp: number }>;
      expect(points).toHaveLength(n / 2);
      expect(points[0]).toEqual({ key: "loss", value: 0, timestamp: 1000, step: 0 });
      expect(points[2]).toMatchObject({ value: 4 / 7, step: 2 });
      expect(points[3]).toMatchObject({ value: "Infinity", step: 3 });
      const acc = await ok("GET", `${API}/metrics/get-history`, {
        run_id: task.id,
        metric_key: "acc",
        max_results: 5000,
      });
      expect((acc.metrics as unknown[]).length).toBe(n / 2);
      expect((acc.metrics as Array<{ value: unknown }>)[2]?.value).toBe("NaN");

      expect(await postRaw(path, body.subarray(0, body.length - 4), METRICS_CONTENT_TYPE)).toMatchObject({
        status: 400,
        body: { error_code: "INVALID_PARAMETER_VALUE", message: expect.stringMatching(/3000 metrics/) },
      });
      expect(await postRaw(path, Buffer.from("not a batch at all"), METRICS_CONTENT_TYPE)).toMatchObject({
        status: 400,
        body: { message: expect.stringMatching(/WFM1/) },
      });
      const badKey = Buffer.concat(encodeMetricColumns({ ...cols, key: Uint32Array.from({ length: n }, () => 9) }));
      expect(await postRaw(path, badKey, METRICS_CONTENT_TYPE)).toMatchObject({
        status: 400,
        body: { message: expect.stringMatching(/names key 9, but the batch has 2 key/) },
      });
      expect((await postRaw(path, body, "application/octet-stream")).status).toBe(415);
      expect(await postRaw(metricsRoutePath("no-such-run"), body, METRICS_CONTENT_TYPE)).toMatchObject({
        status: 404,
        body: { error_code: "RESOURCE_DOES_NOT_EXIST" },
      });
    });
  });
}

describe("task service", () => {
  let h: Harness;
  let service: TaskService;
  beforeAll(async () => {
    h = makeHarness();
    service = await startTaskService(h.store);
  });
  afterAll(async () => {
    await service.close();
    await h.dispose();
  });

  it("listens on 127.0.0.1 and refuses a request without the bearer token (401) or with another one", async () => {
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const url = `${service.url}${API}/experiments/get-by-name?experiment_name=Default`;
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error_code: "UNAUTHENTICATED" });
    expect((await fetch(url, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${service.token}` } })).status).toBe(404);
  });

  it("answers malformed JSON with INVALID_PARAMETER_VALUE, and a known path under another method with 405", async () => {
    const bad = await fetch(`${service.url}${API}/runs/log-batch`, {
      method: "POST",
      headers: { authorization: `Bearer ${service.token}` },
      body: "{not json",
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error_code: "INVALID_PARAMETER_VALUE" });
    const wrongMethod = await fetch(`${service.url}${API}/runs/get`, {
      method: "POST",
      headers: { authorization: `Bearer ${service.token}` },
      body: "{}",
    });
    expect(wrongMethod.status).toBe(405);
  });

  it("closes: no request is answered after close", async () => {
    const other = await startTaskService(h.store);
    await other.close();
    await expect(
      fetch(`${other.url}${API}/runs/get?run_id=x`, { headers: { authorization: `Bearer ${other.token}` } }),
    ).rejects.toThrow();
  });
});
