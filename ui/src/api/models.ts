/**
 * The model registry and step metrics, as the UI reads them: registered models and their
 * versions through MLflow's REST API (`/api/2.0/mlflow/...`, MLflow's own field names), and
 * Weft's records beside them (`/apis/weft/v1/...`, snake_case, times as RFC 3339): a
 * version's digest, signature, metrics and lineage, an alias's history, the versions a run
 * produced, and a run's step metrics for training curves. Weft's answers are read into the
 * UI's types here (times in milliseconds, versions as strings, NaN values as numbers).
 */
import type { MlflowModelVersion, MlflowRegisteredModel } from "../../../src/client/models.ts";
import type { WeftDataset, WeftVersion, WeftVersionSummary } from "../../../src/registry/http/weft-routes.ts";
import { request } from "./http.ts";

/** Prefix of MLflow's REST API. */
export const MLFLOW_API = "/api/2.0/mlflow";
const WEFT = "/apis/weft/v1";
const enc = encodeURIComponent;
const sig = (signal?: AbortSignal): { signal?: AbortSignal } => (signal ? { signal } : {});

// MLflow's wire types, as the typed client declares them (types only: nothing of the client is bundled)
export type { MlflowModelVersion, MlflowRegisteredModel, MlflowTag } from "../../../src/client/models.ts";

/** One page of MLflow search results. */
export interface MlflowPage<T> {
  items: T[];
  nextPageToken: string | undefined;
}

/** A quoted string literal of the registry's search filter grammar (a doubled quote stands for one). */
export function filterString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
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

/** A tensor of a model's signature; a dimension is a size, a symbolic name, or -1 when unknown. */
export interface TensorSpec {
  name: string;
  dtype: string;
  shape: Array<number | string>;
}

/** A dataset a version was made from, and an artifact upstream of its model artifact (the routes' own types). */
export type VersionDataset = WeftDataset;
export type UpstreamArtifact = WeftVersion["lineage"]["upstream"][number];

/** A version in short and a version's full record, as `/apis/weft/v1` writes them (the routes' own types). */
type WireVersionSummary = WeftVersionSummary;
export type WireVersion = WeftVersion;

/** A model version with what Weft records about it, for the pages. */
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
  pipelineName: string | undefined;
  pipelineVersionId: string | undefined;
  pipelineVersionName: string | undefined;
  /** The Weft artifact that holds the model, when the source is one. */
  artifactId: string | undefined;
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

/** An RFC 3339 time as milliseconds since the epoch. */
function millis(iso: string | undefined): number | undefined {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(t) ? undefined : t;
}

/** A version's record as the pages read it. */
export function versionRecordFromWire(w: WireVersion): ModelVersionRecord {
  const lin = w.lineage ?? { run: null, task: null, pipeline_version: null, datasets: [], upstream: [] };
  return {
    name: w.name,
    version: String(w.version),
    description: w.description ?? "",
    source: w.source ?? "",
    digest: w.digest,
    format: w.format,
    signature: w.signature ?? undefined,
    metrics: w.metrics ?? {},
    status: w.status,
    statusMessage: w.status_message,
    stage: w.stage || "None",
    aliases: w.aliases ?? [],
    tags: w.tags ?? {},
    userId: w.user_id,
    createdAt: millis(w.created_at),
    updatedAt: millis(w.updated_at),
    runId: lin.run?.run_id ?? w.run_id,
    runName: lin.run?.display_name,
    taskId: lin.task?.task_id,
    taskName: lin.task?.name ?? w.task_name,
    pipelineId: lin.pipeline_version?.pipeline_id,
    pipelineName: lin.pipeline_version?.pipeline_name,
    pipelineVersionId: lin.pipeline_version?.pipeline_version_id,
    pipelineVersionName: lin.pipeline_version?.name,
    artifactId: w.artifact_id,
    datasets: lin.datasets ?? [],
    upstream: lin.upstream ?? [],
  };
}

/** An alias history answer, oldest move first (the server's order: the order the moves were made). */
export function aliasHistoryFromWire(body: {
  history?: Array<{
    alias: string;
    from_version: number | null;
    to_version: number | null;
    moved_by?: string;
    moved_at: string;
  }>;
}): AliasMove[] {
  return (body.history ?? []).map((m) => ({
    alias: m.alias,
    from: m.from_version === null || m.from_version === undefined ? undefined : String(m.from_version),
    to: m.to_version === null || m.to_version === undefined ? undefined : String(m.to_version),
    movedBy: m.moved_by,
    movedAt: millis(m.moved_at),
  }));
}

/** A version's full record (`/apis/weft/v1/models/{name}/versions/{version}`). */
export async function getVersionRecord(
  name: string,
  version: string,
  signal?: AbortSignal,
): Promise<ModelVersionRecord> {
  return versionRecordFromWire(
    await request<WireVersion>(`${WEFT}/models/${enc(name)}/versions/${enc(version)}`, sig(signal)),
  );
}

/** Every move of a model's aliases, oldest first. */
export async function getAliasHistory(name: string, signal?: AbortSignal): Promise<AliasMove[]> {
  return aliasHistoryFromWire(await request(`${WEFT}/models/${enc(name)}/aliases/history`, sig(signal)));
}

/** A version a run produced, in short. */
export interface RunModelVersion {
  name: string;
  version: string;
  status: string;
  stage: string;
  aliases: string[];
  taskName: string | undefined;
}

/** The model versions a run (or one of its tasks) registered. */
export async function getRunModelVersions(runId: string, signal?: AbortSignal): Promise<RunModelVersion[]> {
  const body = await request<{ model_versions?: WireVersionSummary[] }>(
    `${WEFT}/runs/${enc(runId)}/model-versions`,
    sig(signal),
  );
  return (body.model_versions ?? []).map((v) => ({
    name: v.name,
    version: String(v.version),
    status: v.status,
    stage: v.stage || "None",
    aliases: v.aliases ?? [],
    taskName: v.task_name,
  }));
}

/** One point of a training curve. */
export interface StepPoint {
  step: number;
  value: number;
  timestamp: number;
}

/** The history of one metric key logged by one task (or one MLflow run outside a pipeline). */
export interface StepSeries {
  taskId: string;
  taskName: string;
  key: string;
  points: StepPoint[];
}

/** An answer of the step-metrics route: new points, and the cursor to ask after. */
export interface StepMetricsPage {
  series: StepSeries[];
  /** Pass as `after` to get only what was logged since. */
  cursor: string;
  /** True when the answer was full and more points wait after its cursor already. */
  more: boolean;
}

/** `GET /apis/weft/v1/runs/{run_id}/step-metrics` as the server writes it. */
export interface WireStepMetrics {
  run_id: string;
  cursor: number;
  more: boolean;
  series: Array<{
    /** The MLflow run that logged: a task's id, for a pipeline task. */
    run_id: string;
    task_id?: string;
    task_name?: string;
    key: string;
    /** NaN and infinities are written as strings ("NaN", "Infinity", "-Infinity"). */
    points: Array<{ step: number; value: number | string; timestamp: number }>;
  }>;
}

/** A step-metrics answer as the charts read it. */
export function stepMetricsFromWire(w: WireStepMetrics): StepMetricsPage {
  return {
    cursor: String(w.cursor),
    more: w.more === true,
    series: (w.series ?? []).map((s) => ({
      taskId: s.task_id ?? s.run_id,
      taskName: s.task_name ?? s.task_id ?? s.run_id,
      key: s.key,
      points: s.points.map((p) => ({ step: p.step, value: Number(p.value), timestamp: p.timestamp })),
    })),
  };
}

/** A run's step metrics logged after `after` (from the first without it). */
export async function getStepMetrics(
  runId: string,
  after: string | undefined,
  signal?: AbortSignal,
): Promise<StepMetricsPage> {
  const w = await request<WireStepMetrics>(`${WEFT}/runs/${enc(runId)}/step-metrics`, {
    query: { after },
    ...sig(signal),
  });
  return stepMetricsFromWire(w);
}

/** The most pages {@link getAllStepMetrics} reads (the server answers up to 50,000 points a page). */
export const STEP_PAGES_MAX = 40;

/** All of a run's step metrics so far: pages read one after another while the server says there are more. */
export async function getAllStepMetrics(runId: string, signal?: AbortSignal): Promise<StepSeries[]> {
  let after: string | undefined;
  const byKey = new Map<string, StepSeries>();
  for (let i = 0; i < STEP_PAGES_MAX; i++) {
    const page = await getStepMetrics(runId, after, signal);
    for (const s of page.series) {
      const id = `${s.taskId}\u0000${s.key}`;
      const old = byKey.get(id);
      if (old) old.points.push(...s.points);
      else byKey.set(id, { ...s, points: [...s.points] });
    }
    if (!page.more || page.cursor === after) break;
    after = page.cursor;
  }
  return [...byKey.values()];
}
