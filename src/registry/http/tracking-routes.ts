/**
 * MLflow's tracking REST calls (`/api/2.0/mlflow/experiments/...`, `runs/...`,
 * `metrics/get-history`) over `store.tracking`, with MLflow's request fields and response
 * shapes; Weft's binary metrics batch that `ctx.log` sends
 * (`/apis/weft/v1/tracking/runs/:run_id/metrics`, see `executor/metrics-wire.ts`); and Weft's
 * read of a run's step metrics for live curves (`/apis/weft/v1/runs/:run_id/step-metrics`). MLflow experiments are Weft experiments.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  decodeMetricColumns,
  METRICS_CONTENT_TYPE,
  type MetricColumns,
  MetricsWireError,
} from "../../executor/metrics-wire.ts";
import type {
  Store,
  TrackingExperiment,
  TrackingMetric,
  TrackingRun,
  TrackingRunDetail,
  TrackingTag,
} from "../../store/index.ts";
import {
  checkKeyName,
  compactJson,
  numberOf,
  objectList,
  optEnum,
  optInt,
  optString,
  reqNumber,
  reqString,
  runIdParam,
  stringList,
} from "./params.ts";
import { MlflowError, type RegistryRoute, type RouteRequest } from "./route.ts";

const API = "/api/2.0/mlflow";

/** MLflow's limits of one `runs/log-batch` request. */
export const LOG_BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;
/** The longest param value MLflow accepts. */
export const MAX_PARAM_VALUE = 6000;
const MAX_TAG_VALUE = 8000;

const VIEW_TYPES = ["ACTIVE_ONLY", "DELETED_ONLY", "ALL"] as const;
const RUN_STATUSES = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"] as const;

function artifactRoot(store: Store): string {
  return pathToFileURL(join(store.home, "artifacts")).href;
}

function experimentJson(store: Store, e: TrackingExperiment) {
  return compactJson({
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: artifactRoot(store),
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: e.tags.map((t) => ({ key: t.key, value: t.value })),
  });
}

function runInfoJson(store: Store, r: TrackingRun) {
  return compactJson({
    run_id: r.runId,
    run_uuid: r.runId,
    run_name: r.runName,
    experiment_id: r.experimentId,
    user_id: r.userId,
    status: r.status,
    start_time: r.startTime,
    end_time: r.endTime,
    artifact_uri: `${artifactRoot(store)}/${r.weftRunId ?? r.runId}${r.weftTaskId ? `/${r.weftTaskId}` : ""}`,
    lifecycle_stage: r.lifecycleStage,
  });
}

function metricJson(m: TrackingMetric) {
  // JSON has no NaN or infinities: written as MLflow's JSON writes them, as strings
  return {
    key: m.key,
    value: Number.isFinite(m.value) ? m.value : String(m.value),
    timestamp: m.timestamp,
    step: m.step,
  };
}

function runJson(store: Store, d: TrackingRunDetail) {
  return {
    info: runInfoJson(store, d.info),
    data: compactJson({
      metrics: d.metrics.map(metricJson),
      params: d.params.map((p) => ({ key: p.key, value: p.value })),
      tags: d.tags.map((t) => ({ key: t.key, value: t.value })),
    }),
    inputs: {},
  };
}

function requireExperiment(store: Store, id: string): TrackingExperiment {
  const e = store.tracking.getExperiment(id);
  if (!e) {
    throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `No Experiment with id=${id} exists`);
  }
  return e;
}

function runNotFound(runId: string): MlflowError {
  return new MlflowError("RESOURCE_DOES_NOT_EXIST", `Run with id=${runId} not found`);
}

/** The run a write goes to: an existing tracking run, or the run of a Weft task or run, made on first write. */
function writableRun(store: Store, runId: string): string {
  if (!store.tracking.ensureWeftRun(runId)) throw runNotFound(runId);
  return runId;
}

function tagsOf(list: Record<string, unknown>[], field: string): TrackingTag[] {
  return list.map((t, i) => {
    const key = checkKeyName("tag", reqString(t, "key"));
    const value = t.value === undefined || t.value === null ? "" : t.value;
    if (typeof value !== "string") {
      throw new MlflowError("INVALID_PARAMETER_VALUE", `${field}[${i}].value of tag '${key}' must be a string`);
    }
    if (value.length > MAX_TAG_VALUE) {
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `${field}[${i}].value of tag '${key}' is longer than ${MAX_TAG_VALUE} characters`,
      );
    }
    return { key, value };
  });
}

function paramValue(key: string, v: unknown): string {
  if (v === undefined || v === null)
    throw new MlflowError("INVALID_PARAMETER_VALUE", `Missing value for parameter 'value' of param '${key}'.`);
  const value = typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
  if (value === undefined) throw new MlflowError("INVALID_PARAMETER_VALUE", `param '${key}': value must be a string`);
  if (value.length > MAX_PARAM_VALUE) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `param '${key}': value is longer than ${MAX_PARAM_VALUE} characters`,
    );
  }
  return value;
}

function metricOf(p: Record<string, unknown>, now: number, checked?: Set<string>): TrackingMetric {
  // the hot path of log-batch: a key seen in this request and plain numbers skip the slow checks
  const { key: k, value: v, timestamp: t, step: st } = p;
  if (
    checked !== undefined &&
    typeof k === "string" &&
    checked.has(k) &&
    typeof v === "number" &&
    Number.isSafeInteger(t) &&
    (st === undefined || Number.isSafeInteger(st))
  ) {
    return { key: k, value: v, timestamp: t as number, step: (st as number | undefined) ?? 0 };
  }
  const key = checkKeyName("metric", reqString(p, "key"));
  checked?.add(key);
  const value =
    p.value === undefined || p.value === null ? reqNumber(p, "value") : numberOf(`value of metric '${key}'`, p.value);
  return { key, value, timestamp: optInt(p, "timestamp") ?? now, step: optInt(p, "step") ?? 0 };
}

function route(
  method: RegistryRoute["method"],
  path: string,
  handle: (req: RouteRequest, store: Store) => unknown,
): RegistryRoute {
  return { method, path, handle: (req, ctx) => handle(req, ctx.store) };
}

function searchExperiments({ params }: RouteRequest, store: Store) {
  const page = store.tracking.searchExperiments({
    ...optional("filter", optString(params, "filter")),
    ...optional("viewType", optEnum(params, "view_type", VIEW_TYPES)),
    ...optional("maxResults", optInt(params, "max_results")),
    ...optional("pageToken", optString(params, "page_token")),
  });
  return compactJson({
    experiments: page.items.map((e) => experimentJson(store, e)),
    next_page_token: page.nextPageToken,
  });
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The tracking routes. */
export const TRACKING_ROUTES: readonly RegistryRoute[] = [
  route("GET", `${API}/experiments/get-by-name`, ({ params }, store) => {
    const name = reqString(params, "experiment_name");
    const e = store.tracking.getExperimentByName(name);
    if (!e) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Could not find experiment with name '${name}'`);
    return { experiment: experimentJson(store, e) };
  }),
  route("GET", `${API}/experiments/get`, ({ params }, store) => ({
    experiment: experimentJson(store, requireExperiment(store, reqString(params, "experiment_id"))),
  })),
  route("POST", `${API}/experiments/create`, ({ params }, store) => {
    const name = reqString(params, "name");
    if (store.tracking.getExperimentByName(name)) {
      throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment '${name}' already exists.`);
    }
    const tags = tagsOf(objectList(params, "tags"), "tags");
    const id = store.transaction(() => {
      const e = store.experiments.create({ name });
      for (const t of tags) store.tracking.setExperimentTag(e.id, t.key, t.value);
      return e.id;
    });
    return { experiment_id: id };
  }),
  route("POST", `${API}/experiments/search`, searchExperiments),
  route("GET", `${API}/experiments/search`, searchExperiments),
  route("POST", `${API}/experiments/update`, ({ params }, store) => {
    const id = reqString(params, "experiment_id");
    requireExperiment(store, id);
    const newName = optString(params, "new_name");
    if (newName !== undefined && newName !== "") {
      const other = store.tracking.getExperimentByName(newName);
      if (other && other.experimentId !== id) {
        throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment '${newName}' already exists.`);
      }
      store.tracking.renameExperiment(id, newName);
    }
    return {};
  }),
  route("POST", `${API}/experiments/delete`, ({ params }, store) => {
    const id = reqString(params, "experiment_id");
    requireExperiment(store, id);
    store.experiments.archive(id);
    return {};
  }),
  route("POST", `${API}/experiments/restore`, ({ params }, store) => {
    const id = reqString(params, "experiment_id");
    requireExperiment(store, id);
    store.experiments.unarchive(id);
    return {};
  }),
  route("POST", `${API}/experiments/set-experiment-tag`, ({ params }, store) => {
    const id = reqString(params, "experiment_id");
    requireExperiment(store, id);
    const [tag] = tagsOf([{ key: reqString(params, "key"), value: params.value ?? "" }], "tag");
    store.tracking.setExperimentTag(id, (tag as TrackingTag).key, (tag as TrackingTag).value);
    return {};
  }),

  route("POST", `${API}/runs/create`, ({ params, user }, store) => {
    const experimentId = optString(params, "experiment_id") || store.experiments.getDefault().id;
    requireExperiment(store, experimentId);
    const runName = optString(params, "run_name");
    const userId = optString(params, "user_id") ?? user;
    const startTime = optInt(params, "start_time");
    const run = store.tracking.createRun({
      experimentId,
      tags: tagsOf(objectList(params, "tags"), "tags"),
      ...optional("runName", runName === "" ? undefined : runName),
      ...optional("userId", userId),
      ...optional("startTime", startTime),
    });
    return { run: runJson(store, store.tracking.getRunDetail(run.runId) as TrackingRunDetail) };
  }),
  route("GET", `${API}/runs/get`, ({ params }, store) => {
    const runId = runIdParam(params);
    const d = store.tracking.getRunDetail(runId);
    if (!d) throw runNotFound(runId);
    return { run: runJson(store, d) };
  }),
  route("POST", `${API}/runs/update`, ({ params }, store) => {
    const runId = writableRun(store, runIdParam(params));
    const status = optEnum(params, "status", RUN_STATUSES);
    const endTime = optInt(params, "end_time");
    const runName = optString(params, "run_name");
    const run = store.tracking.updateRun(runId, {
      ...optional("status", status),
      ...optional("endTime", endTime),
      ...optional("runName", runName),
    });
    return { run_info: runInfoJson(store, run) };
  }),
  route("POST", `${API}/runs/delete`, ({ params }, store) => {
    const runId = runIdParam(params);
    if (!store.tracking.getRun(runId)) throw runNotFound(runId);
    store.tracking.deleteRun(runId);
    return {};
  }),
  route("POST", `${API}/runs/restore`, ({ params }, store) => {
    const runId = runIdParam(params);
    if (!store.tracking.getRun(runId)) throw runNotFound(runId);
    store.tracking.restoreRun(runId);
    return {};
  }),
  route("POST", `${API}/runs/search`, ({ params }, store) => {
    const experimentIds = stringList(params, "experiment_ids");
    if (experimentIds.length === 0)
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        "Missing value for parameter 'experiment_ids'. See the API docs for more information about request parameters.",
      );
    const page = store.tracking.searchRuns({
      experimentIds,
      orderBy: stringList(params, "order_by"),
      ...optional("filter", optString(params, "filter")),
      ...optional("viewType", optEnum(params, "run_view_type", VIEW_TYPES)),
      ...optional("maxResults", optInt(params, "max_results")),
      ...optional("pageToken", optString(params, "page_token")),
    });
    return compactJson({ runs: page.items.map((d) => runJson(store, d)), next_page_token: page.nextPageToken });
  }),
  route("POST", `${API}/runs/log-metric`, ({ params }, store) => {
    const runId = writableRun(store, runIdParam(params));
    store.tracking.logBatch(runId, { metrics: [metricOf(params, Date.now())] });
    return {};
  }),
  {
    method: "POST",
    path: "/apis/weft/v1/tracking/runs/:run_id/metrics",
    binaryBody: METRICS_CONTENT_TYPE,
    handle: ({ pathParams, raw }, { store }) => {
      const runId = writableRun(store, pathParams.run_id as string);
      let c: MetricColumns;
      try {
        c = decodeMetricColumns(raw ?? new Uint8Array(0));
      } catch (e) {
        if (e instanceof MetricsWireError) throw new MlflowError("INVALID_PARAMETER_VALUE", e.message);
        throw e;
      }
      // the columns go to the store as they are: one chunk per key, no object per point
      store.tracking.logMetricColumns(runId, { ...c, keys: c.keys.map((k) => checkKeyName("metric", k)) });
      return {};
    },
  },
  route("POST", `${API}/runs/log-parameter`, ({ params }, store) => {
    const runId = writableRun(store, runIdParam(params));
    const key = checkKeyName("param", reqString(params, "key"));
    store.tracking.logBatch(runId, { params: [{ key, value: paramValue(key, params.value) }] });
    return {};
  }),
  route("POST", `${API}/runs/log-batch`, ({ params }, store) => {
    const runId = writableRun(store, runIdParam(params));
    const metricsIn = objectList(params, "metrics");
    const paramsIn = objectList(params, "params");
    const tagsIn = objectList(params, "tags");
    const total = metricsIn.length + paramsIn.length + tagsIn.length;
    for (const [name, n, max] of [
      ["metrics", metricsIn.length, LOG_BATCH_LIMITS.metrics],
      ["params", paramsIn.length, LOG_BATCH_LIMITS.params],
      ["tags", tagsIn.length, LOG_BATCH_LIMITS.tags],
      ["metrics, params and tags together", total, LOG_BATCH_LIMITS.total],
    ] as const) {
      if (n > max) {
        throw new MlflowError(
          "INVALID_PARAMETER_VALUE",
          `A batch logging request can contain at most ${max} ${name}. Got ${n}; split it into several requests.`,
        );
      }
    }
    const now = Date.now();
    const checked = new Set<string>();
    store.tracking.logBatch(runId, {
      metrics: metricsIn.map((m) => metricOf(m, now, checked)),
      params: paramsIn.map((p) => {
        const key = checkKeyName("param", reqString(p, "key"));
        return { key, value: paramValue(key, p.value) };
      }),
      tags: tagsOf(tagsIn, "tags"),
    });
    return {};
  }),
  route("POST", `${API}/runs/set-tag`, ({ params }, store) => {
    const runId = writableRun(store, runIdParam(params));
    store.tracking.logBatch(runId, {
      tags: tagsOf([{ key: reqString(params, "key"), value: params.value ?? "" }], "tag"),
    });
    return {};
  }),
  route("POST", `${API}/runs/delete-tag`, ({ params }, store) => {
    const runId = runIdParam(params);
    if (!store.tracking.getRun(runId)) throw runNotFound(runId);
    store.tracking.deleteTag(runId, reqString(params, "key"));
    return {};
  }),
  route("GET", `${API}/metrics/get-history`, ({ params }, store) => {
    const runId = runIdParam(params);
    if (!store.tracking.getRun(runId)) throw runNotFound(runId);
    const page = store.tracking.metricHistory(runId, reqString(params, "metric_key"), {
      ...optional("maxResults", optInt(params, "max_results")),
      ...optional("pageToken", optString(params, "page_token")),
    });
    return compactJson({ metrics: page.items.map(metricJson), next_page_token: page.nextPageToken });
  }),

  route("GET", "/apis/weft/v1/runs/:run_id/step-metrics", ({ params, pathParams }, store) => {
    const runId = pathParams.run_id as string;
    if (!store.runs.get(runId)) {
      throw new MlflowError(
        "RESOURCE_DOES_NOT_EXIST",
        `run '${runId}' was not found; check the run id (weft runs list)`,
      );
    }
    const after = optInt(params, "after") ?? 0;
    const limit = optInt(params, "limit");
    if (limit !== undefined && (limit < 1 || limit > 50_000)) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", `limit must be from 1 to 50000, got ${limit}`);
    }
    const page = store.tracking.stepMetrics(runId, after, limit);
    return {
      run_id: runId,
      cursor: page.cursor,
      more: page.more,
      series: page.series.map((s) => ({
        run_id: s.runId,
        ...(s.taskId !== undefined ? { task_id: s.taskId } : {}),
        ...(s.taskName !== undefined ? { task_name: s.taskName } : {}),
        key: s.key,
        points: s.points.map((p) => ({
          step: p.step,
          value: Number.isFinite(p.value) ? p.value : String(p.value),
          timestamp: p.timestamp,
        })),
      })),
    };
  }),
];
