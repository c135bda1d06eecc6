/**
 * The model registry and step metrics, as the UI reads them: registered models and their
 * versions through MLflow's REST API (`/api/2.0/mlflow/...`, MLflow's own field names), and
 * Weft's records beside them (`/apis/weft/v1/...`): a version's digest, signature, metrics
 * and lineage, an alias's history, the versions a run produced, and a run's step metrics
 * for training curves. Weft's records are read through small normalizers into the UI's
 * types, so a page never depends on how a field is spelled on the wire.
 */
import { request } from "./http.ts";

/** Prefix of MLflow's REST API. */
export const MLFLOW_API = "/api/2.0/mlflow";
const WEFT = "/apis/weft/v1";
const enc = encodeURIComponent;
const sig = (signal?: AbortSignal): { signal?: AbortSignal } => (signal ? { signal } : {});

/** MLflow's `{key, value}` tag. */
export interface MlflowTag {
  key: string;
  value: string;
}

/** MLflow's `ModelVersion`. */
export interface MlflowModelVersion {
  name: string;
  /** A string on the wire, as in MLflow. */
  version: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: string;
  status_message?: string;
  tags?: MlflowTag[];
  run_link?: string;
  aliases?: string[];
}

/** MLflow's `RegisteredModel`. */
export interface MlflowRegisteredModel {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  description?: string;
  /** The latest version in each stage. */
  latest_versions?: MlflowModelVersion[];
  tags?: MlflowTag[];
  aliases?: Array<{ alias: string; version: string }>;
}

/** One page of MLflow search results. */
export interface MlflowPage<T> {
  items: T[];
  nextPageToken: string | undefined;
}

/** A quoted string literal of MLflow's search filter grammar. */
export function filterString(s: string): string {
  return s.includes("'") ? `"${s.replace(/"/g, '\\"')}"` : `'${s}'`;
}

/** The page size of the models list (and of the request `index.html` sends ahead for it). */
export const MODELS_PAGE_SIZE = 100;

/** Registered models, newest change first, a page at a time (`registered-models/search`). */
export async function searchModels(
  p: { maxResults?: number; pageToken?: string | undefined; filter?: string | undefined },
  signal?: AbortSignal,
): Promise<MlflowPage<MlflowRegisteredModel>> {
  const body = await request<{ registered_models?: MlflowRegisteredModel[]; next_page_token?: string }>(
    `${MLFLOW_API}/registered-models/search`,
    {
      query: {
        max_results: p.maxResults ?? MODELS_PAGE_SIZE,
        order_by: "last_updated_timestamp DESC",
        filter: p.filter,
        page_token: p.pageToken,
      },
      ...sig(signal),
    },
  );
  return { items: body.registered_models ?? [], nextPageToken: body.next_page_token || undefined };
}

/** One registered model (`registered-models/get`). */
export async function getModel(name: string, signal?: AbortSignal): Promise<MlflowRegisteredModel> {
  const body = await request<{ registered_model: MlflowRegisteredModel }>(`${MLFLOW_API}/registered-models/get`, {
    query: { name },
    ...sig(signal),
  });
  return body.registered_model;
}

/** A model's versions, newest first (`model-versions/search`, up to `maxResults`). */
export async function searchModelVersions(
  name: string,
  p: { maxResults?: number; pageToken?: string | undefined } = {},
  signal?: AbortSignal,
): Promise<MlflowPage<MlflowModelVersion>> {
  const body = await request<{ model_versions?: MlflowModelVersion[]; next_page_token?: string }>(
    `${MLFLOW_API}/model-versions/search`,
    {
      query: {
        filter: `name = ${filterString(name)}`,
        max_results: p.maxResults ?? 100,
        order_by: "version_number DESC",
        page_token: p.pageToken,
      },
      ...sig(signal),
    },
  );
  return { items: body.model_versions ?? [], nextPageToken: body.next_page_token || undefined };
}

/** A tensor of a model's signature. */
export interface TensorSpec {
  name: string;
  dtype: string;
  /** Dimensions: a number, or a symbolic name (`batch`), or `null` when unknown. */
  shape: Array<number | string | null>;
}

/** A dataset a version was trained on. */
export interface VersionDataset {
  name: string;
  uri: string;
  digest: string | undefined;
  task: string | undefined;
  artifactId: string | undefined;
}

/** An artifact upstream of a version's model artifact. */
export interface UpstreamArtifact {
  name: string;
  uri: string | undefined;
  type: string | undefined;
  digest: string | undefined;
  artifactId: string | undefined;
}

/** A model version with everything Weft records about it. */
export interface ModelVersionRecord {
  name: string;
  version: string;
  description: string;
  source: string;
  digest: string | undefined;
  format: string | undefined;
  signature: { inputs: TensorSpec[]; outputs: TensorSpec[] } | undefined;
  metrics: Record<string, number>;
  status: string;
  statusMessage: string | undefined;
  stage: string;
  aliases: string[];
  tags: Record<string, string>;
  userId: string | undefined;
  createdAt: number | undefined;
  updatedAt: number | undefined;
  runId: string | undefined;
  runName: string | undefined;
  taskId: string | undefined;
  taskName: string | undefined;
  pipelineId: string | undefined;
  pipelineVersionId: string | undefined;
  modelArtifactId: string | undefined;
  datasets: VersionDataset[];
  upstream: UpstreamArtifact[];
}

/** One move of an alias: `from` is undefined when it was set first, `to` when it was deleted. */
export interface AliasMove {
  alias: string;
  from: string | undefined;
  to: string | undefined;
  movedBy: string | undefined;
  movedAt: number | undefined;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The first of `keys` (snake_case or camelCase spellings of one field) that `o` has. */
function field(o: unknown, ...keys: string[]): unknown {
  if (!isObj(o)) return undefined;
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

function text(o: unknown, ...keys: string[]): string | undefined {
  const v = field(o, ...keys);
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

/** A time as milliseconds since the epoch: a number, a numeric string or an RFC 3339 string. */
function millis(o: unknown, ...keys: string[]): number | undefined {
  const v = field(o, ...keys);
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    if (Number.isFinite(n)) return n;
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

const list = (o: unknown, ...keys: string[]): unknown[] => {
  const v = field(o, ...keys);
  return Array.isArray(v) ? v : [];
};

/** `{k: v}` from an object or from MLflow's `[{key, value}]` list. */
function keyValues(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(v)) {
    for (const t of v) {
      const k = text(t, "key");
      if (k !== undefined) out[k] = text(t, "value") ?? "";
    }
  } else if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) out[k] = typeof x === "string" ? x : JSON.stringify(x);
  }
  return out;
}

/** Numeric metrics from `{name: value}` or `[{key|name, value}]`. */
function metricValues(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (k: string | undefined, x: unknown): void => {
    const n = typeof x === "number" ? x : typeof x === "string" ? Number(x) : Number.NaN;
    if (k !== undefined && !Number.isNaN(n)) out[k] = n;
  };
  if (Array.isArray(v)) for (const m of v) put(text(m, "key", "name"), field(m, "value"));
  else if (isObj(v)) for (const [k, x] of Object.entries(v)) put(k, x);
  return out;
}

function tensors(v: unknown): TensorSpec[] {
  if (!Array.isArray(v)) return [];
  return v.map((t) => ({
    name: text(t, "name") ?? "",
    dtype: text(t, "dtype", "type", "elemType", "elem_type") ?? "",
    shape: list(t, "shape", "dims").map((d) =>
      typeof d === "number" || typeof d === "string"
        ? d
        : (text(d, "dim_param", "dimParam") ?? millis(d, "dim_value", "dimValue") ?? null),
    ),
  }));
}

/** The id named by a lineage entry that is either an id or an object carrying one. */
function idOf(v: unknown, ...keys: string[]): string | undefined {
  if (typeof v === "string") return v;
  return text(v, ...keys, "id");
}

/** Reads a Weft model-version record (flat, or with its lineage in a `lineage` object). */
export function normalizeVersionRecord(raw: unknown): ModelVersionRecord {
  const body = field(raw, "model_version", "modelVersion", "version_record") ?? raw;
  const lin = field(body, "lineage") ?? {};
  const run = field(lin, "run") ?? field(body, "run");
  const task = field(lin, "task") ?? field(body, "task");
  const pv = field(lin, "pipeline_version", "pipelineVersion") ?? field(body, "pipeline_version", "pipelineVersion");
  const model = field(lin, "model", "artifact", "model_artifact", "modelArtifact");
  const sigRaw = field(body, "signature");
  const aliasesRaw = list(body, "aliases");
  return {
    name: text(body, "name") ?? "",
    version: text(body, "version") ?? "",
    description: text(body, "description") ?? "",
    source: text(body, "source") ?? "",
    digest: text(body, "digest"),
    format: text(body, "format"),
    signature: isObj(sigRaw)
      ? { inputs: tensors(field(sigRaw, "inputs")), outputs: tensors(field(sigRaw, "outputs")) }
      : undefined,
    metrics: metricValues(field(body, "metrics")),
    status: text(body, "status") ?? "",
    statusMessage: text(body, "status_message", "statusMessage") || undefined,
    stage: text(body, "current_stage", "currentStage", "stage") ?? "None",
    aliases: aliasesRaw.map((a) => (typeof a === "string" ? a : (text(a, "alias") ?? ""))).filter(Boolean),
    tags: keyValues(field(body, "tags")),
    userId: text(body, "user_id", "userId") || undefined,
    createdAt: millis(body, "creation_timestamp", "creationTimestamp", "created_at", "createdAt"),
    updatedAt: millis(body, "last_updated_timestamp", "lastUpdatedTimestamp", "updated_at", "updatedAt"),
    runId: idOf(run, "run_id", "runId") ?? text(body, "run_id", "runId"),
    runName: text(run, "display_name", "displayName", "name") ?? text(body, "run_name", "runName"),
    taskId: idOf(task, "task_id", "taskId") ?? text(body, "task_id", "taskId"),
    taskName: text(task, "name", "task_name", "taskName", "path") ?? text(body, "task_name", "taskName"),
    pipelineId: text(pv, "pipeline_id", "pipelineId") ?? text(body, "pipeline_id", "pipelineId"),
    pipelineVersionId:
      idOf(pv, "pipeline_version_id", "pipelineVersionId") ?? text(body, "pipeline_version_id", "pipelineVersionId"),
    modelArtifactId:
      idOf(model, "artifact_id", "artifactId") ?? text(body, "artifact_id", "artifactId", "model_artifact_id"),
    datasets: (list(lin, "datasets").length ? list(lin, "datasets") : list(body, "datasets")).map((d) => ({
      name: text(d, "name") ?? "",
      uri: text(d, "uri") ?? "",
      digest: text(d, "digest"),
      task: text(d, "task", "task_name", "taskName"),
      artifactId: text(d, "artifact_id", "artifactId", "id"),
    })),
    upstream: list(lin, "upstream", "upstream_artifacts", "upstreamArtifacts", "artifacts").map((a) => ({
      name: text(a, "name") ?? "",
      uri: text(a, "uri"),
      type: text(a, "schema_title", "schemaTitle", "type"),
      digest: text(a, "digest"),
      artifactId: text(a, "artifact_id", "artifactId", "id"),
    })),
  };
}

/** Reads an alias history answer (`{history: [...]}`, or a bare list), oldest move first. */
export function normalizeAliasHistory(raw: unknown): AliasMove[] {
  const rows = Array.isArray(raw) ? raw : list(raw, "history", "alias_history", "aliasHistory", "moves");
  const moves = rows.map((r) => ({
    alias: text(r, "alias") ?? "",
    from: text(r, "from_version", "fromVersion", "from"),
    to: text(r, "to_version", "toVersion", "to"),
    movedBy: text(r, "moved_by", "movedBy", "user_id", "userId"),
    movedAt: millis(r, "moved_at", "movedAt", "timestamp"),
  }));
  return moves.sort((a, b) => (a.movedAt ?? 0) - (b.movedAt ?? 0));
}

/** A version's full record (`/apis/weft/v1/models/{name}/versions/{version}`). */
export async function getVersionRecord(
  name: string,
  version: string,
  signal?: AbortSignal,
): Promise<ModelVersionRecord> {
  const raw = await request<unknown>(`${WEFT}/models/${enc(name)}/versions/${enc(version)}`, sig(signal));
  return normalizeVersionRecord(raw);
}

/** Every move of a model's aliases, oldest first. */
export async function getAliasHistory(name: string, signal?: AbortSignal): Promise<AliasMove[]> {
  return normalizeAliasHistory(await request<unknown>(`${WEFT}/models/${enc(name)}/aliases/history`, sig(signal)));
}

/** The model versions a run produced. */
export async function getRunModelVersions(runId: string, signal?: AbortSignal): Promise<ModelVersionRecord[]> {
  const raw = await request<unknown>(`${WEFT}/runs/${enc(runId)}/model-versions`, sig(signal));
  const rows = Array.isArray(raw) ? raw : list(raw, "model_versions", "modelVersions", "versions");
  return rows.map(normalizeVersionRecord);
}

/** One point of a training curve. */
export interface StepPoint {
  step: number;
  value: number;
  timestamp: number | undefined;
}

/** The history of one metric key logged by one task. */
export interface StepSeries {
  taskId: string;
  taskName: string;
  key: string;
  points: StepPoint[];
}

/** An answer of the step-metrics route: new points, and the cursor to ask after. */
export interface StepMetricsPage {
  series: StepSeries[];
  /** Pass as `after` to get only what was logged since; `undefined` keeps the previous cursor. */
  cursor: string | undefined;
}

function point(p: unknown): StepPoint | undefined {
  const value = Number(field(p, "value"));
  if (Number.isNaN(value) && field(p, "value") !== "NaN") return undefined;
  return { step: Number(field(p, "step") ?? 0), value, timestamp: millis(p, "timestamp", "ts", "time") };
}

/**
 * Reads a step-metrics answer: `{series: [{task_id, task_name, key, points: [...]}]}`, or
 * flat rows `{metrics: [{task_id, key, step, value, timestamp}]}`, with its cursor.
 */
export function normalizeStepMetrics(raw: unknown): StepMetricsPage {
  const series: StepSeries[] = [];
  const byKey = new Map<string, StepSeries>();
  const add = (taskId: string, taskName: string, key: string, pts: StepPoint[]): void => {
    const id = `${taskId}\u0000${key}`;
    let s = byKey.get(id);
    if (!s) {
      s = { taskId, taskName, key, points: [] };
      byKey.set(id, s);
      series.push(s);
    }
    s.points.push(...pts);
  };
  let lastRow: string | undefined;
  for (const s of list(raw, "series")) {
    const taskId = text(s, "task_id", "taskId", "run_id", "runId") ?? "";
    const pts = list(s, "points", "history", "values")
      .map(point)
      .filter((p): p is StepPoint => p !== undefined);
    add(taskId, text(s, "task_name", "taskName", "task") ?? taskId, text(s, "key", "name") ?? "", pts);
  }
  for (const r of list(raw, "metrics", "rows")) {
    const p = point(r);
    const taskId = text(r, "task_id", "taskId", "run_id", "runId") ?? "";
    if (p) add(taskId, text(r, "task_name", "taskName", "task") ?? taskId, text(r, "key", "name") ?? "", [p]);
    lastRow = text(r, "seq", "id", "cursor") ?? lastRow;
  }
  const cursor = text(raw, "next_after", "nextAfter", "cursor", "after", "next_cursor", "nextCursor") ?? lastRow;
  return { series, cursor };
}

/** A run's step metrics logged after `after` (all of them without it). */
export async function getStepMetrics(
  runId: string,
  after: string | undefined,
  signal?: AbortSignal,
): Promise<StepMetricsPage> {
  const raw = await request<unknown>(`${WEFT}/runs/${enc(runId)}/step-metrics`, {
    query: { after },
    ...sig(signal),
  });
  return normalizeStepMetrics(raw);
}
