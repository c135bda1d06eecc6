/**
 * Weft's model extension routes under `/apis/weft/v1`: what MLflow's messages have no
 * field for. A version's full record (digest, format, signature, metrics snapshot, stage,
 * aliases and its lineage: run, producing task, pipeline version, datasets and every
 * upstream artifact), the models with their latest versions, an alias's history, the
 * versions a run produced, and a `models:/` URI resolved to its version. JSON in the style
 * of the other `/apis/weft/v1` routes: snake_case keys, times as RFC 3339 strings.
 */
import type { AliasMove, ModelVersion, RegisteredModel, Store } from "../../store/index.ts";
import { locateSource, storeLineage, type UpstreamArtifact } from "../lineage.ts";
import { resolveModelUri } from "../model-uri.ts";
import type { ModelSignature } from "../onnx-signature.ts";
import { fromStoredSignature } from "../register.ts";
import { MlflowError, type RegistryRoute, type RouteRequest } from "./route.ts";

/** The prefix of Weft's extension routes. */
const WEFT_API = "/apis/weft/v1";

const time = (ms: number): string => new Date(ms).toISOString();

/** A version in short: what a list shows. */
export interface WeftVersionSummary {
  name: string;
  version: number;
  status: string;
  status_message?: string;
  stage: string;
  aliases: string[];
  format?: string;
  digest?: string;
  source: string;
  run_id?: string;
  task_name?: string;
  created_at: string;
  updated_at: string;
}

/** A registered model with its latest version. */
export interface WeftModel {
  name: string;
  description: string;
  tags: Record<string, string>;
  /** Alias → the version it points at. */
  aliases: Record<string, number>;
  latest_version: WeftVersionSummary | null;
  created_at: string;
  updated_at: string;
}

/** One dataset a version was made from. */
export interface WeftDataset {
  name: string;
  uri: string;
  digest?: string;
  task?: string;
  artifact_id?: string;
  run_id?: string;
}

/** A version's full record. */
export interface WeftVersion extends WeftVersionSummary {
  description: string;
  tags: Record<string, string>;
  user_id?: string;
  run_link?: string;
  /** The artifact record that holds the source (for downloads), when it is a Weft artifact. */
  artifact_id?: string;
  signature: ModelSignature | null;
  metrics: Record<string, number>;
  lineage: {
    run: { run_id: string; display_name?: string; state?: string; experiment_id?: string } | null;
    task: { task_id?: string; name?: string } | null;
    pipeline_version: {
      pipeline_version_id: string;
      name?: string;
      pipeline_id?: string;
      pipeline_name?: string;
    } | null;
    datasets: WeftDataset[];
    /** Every artifact upstream of the model artifact, read from the store's lineage now. */
    upstream: {
      artifact_id: string;
      name: string;
      type: string;
      uri: string;
      digest?: string;
      run_id: string;
      task_id: string;
      task: string;
    }[];
  };
}

/** One move of an alias. */
export interface WeftAliasMove {
  alias: string;
  from_version: number | null;
  to_version: number | null;
  moved_by?: string;
  moved_at: string;
}

function summaryJson(v: ModelVersion): WeftVersionSummary {
  return {
    name: v.name,
    version: v.version,
    status: v.status,
    ...(v.statusMessage ? { status_message: v.statusMessage } : {}),
    stage: v.currentStage,
    aliases: [...v.aliases].sort(),
    ...(v.format ? { format: v.format } : {}),
    ...(v.digest ? { digest: v.digest } : {}),
    source: v.source,
    ...(v.runId ? { run_id: v.runId } : {}),
    ...(v.taskName ? { task_name: v.taskName } : {}),
    created_at: time(v.createdAt),
    updated_at: time(v.updatedAt),
  };
}

const upstreamJson = (u: UpstreamArtifact) => ({
  artifact_id: u.artifactId,
  name: u.name,
  type: u.type,
  uri: u.uri,
  ...(u.digest ? { digest: u.digest } : {}),
  run_id: u.runId,
  task_id: u.taskId,
  task: u.task,
});

/** A version's full record: the stored registration and its lineage, with the upstream artifacts read now. */
export function weftVersionJson(store: Store, v: ModelVersion): WeftVersion {
  const runId = v.runId ? (store.runs.get(v.runId) ? v.runId : store.tasks.get(v.runId)?.runId) : undefined;
  const run = runId ? store.runs.get(runId) : undefined;
  const pv = v.pipelineVersionId ? store.pipelines.getVersion(v.pipelineVersionId) : undefined;
  const pipeline = pv ? store.pipelines.get(pv.pipelineId) : undefined;
  const location = locateSource(store, v.source);
  const upstream = location.artifact ? storeLineage(store, location.artifact).upstream : [];
  return {
    ...summaryJson(v),
    description: v.description ?? "",
    tags: { ...v.tags },
    ...(v.userId ? { user_id: v.userId } : {}),
    ...(v.runLink ? { run_link: v.runLink } : {}),
    ...(location.artifact ? { artifact_id: location.artifact.id } : {}),
    signature: v.signature ? fromStoredSignature(v.signature) : null,
    metrics: { ...v.metrics },
    lineage: {
      run: runId
        ? {
            run_id: runId,
            ...(run?.displayName ? { display_name: run.displayName } : {}),
            ...(run ? { state: run.state, experiment_id: run.experimentId } : {}),
          }
        : null,
      task:
        v.taskId || v.taskName
          ? { ...(v.taskId ? { task_id: v.taskId } : {}), ...(v.taskName ? { name: v.taskName } : {}) }
          : null,
      pipeline_version: v.pipelineVersionId
        ? {
            pipeline_version_id: v.pipelineVersionId,
            ...(pv ? { name: pv.name, pipeline_id: pv.pipelineId } : {}),
            ...(pipeline ? { pipeline_name: pipeline.name } : {}),
          }
        : null,
      datasets: v.datasets.map((d) => ({
        name: d.name,
        uri: d.uri,
        ...(d.digest ? { digest: d.digest } : {}),
        ...(d.task ? { task: d.task } : {}),
        ...(typeof d.artifactId === "string" ? { artifact_id: d.artifactId } : {}),
        ...(typeof d.runId === "string" ? { run_id: d.runId } : {}),
      })),
      upstream: upstream.map(upstreamJson),
    },
  };
}

/** The highest version of a model, if any (the latest of each stage, highest first). */
function latestOf(store: Store, name: string): ModelVersion | undefined {
  let best: ModelVersion | undefined;
  for (const v of store.models.latestVersions(name)) if (!best || v.version > best.version) best = v;
  return best;
}

function modelJson(store: Store, m: RegisteredModel): WeftModel {
  const latest = latestOf(store, m.name);
  return {
    name: m.name,
    description: m.description ?? "",
    tags: { ...m.tags },
    aliases: { ...m.aliases },
    latest_version: latest ? summaryJson(latest) : null,
    created_at: time(m.createdAt),
    updated_at: time(m.updatedAt),
  };
}

const aliasMoveJson = (a: AliasMove): WeftAliasMove => ({
  alias: a.alias,
  from_version: a.fromVersion,
  to_version: a.toVersion,
  ...(a.movedBy ? { moved_by: a.movedBy } : {}),
  moved_at: time(a.movedAt),
});

function pathParam(req: RouteRequest, name: string): string {
  const v = req.pathParams[name];
  if (v === undefined || v === "") throw new MlflowError("INVALID_PARAMETER_VALUE", `the path names no ${name}`);
  return v;
}

function queryString(req: RouteRequest, name: string): string | undefined {
  const v = req.params[name];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string")
    throw new MlflowError("INVALID_PARAMETER_VALUE", `query parameter '${name}' is given more than once; give it once`);
  return v;
}

function requireModel(store: Store, name: string): RegisteredModel {
  const m = store.models.getModel(name);
  if (!m) {
    throw new MlflowError(
      "RESOURCE_DOES_NOT_EXIST",
      `registered model '${name}' not found; list the models with GET ${WEFT_API}/models (weft models list)`,
    );
  }
  return m;
}

/** Weft's model routes. */
export const WEFT_MODEL_ROUTES: readonly RegistryRoute[] = [
  {
    method: "GET",
    path: `${WEFT_API}/models`,
    handle(req, { store }) {
      const filter = queryString(req, "filter");
      const pageToken = queryString(req, "page_token");
      const max = queryString(req, "max_results");
      if (max !== undefined && !/^\d+$/.test(max)) {
        throw new MlflowError("INVALID_PARAMETER_VALUE", `max_results '${max}' is not a whole number; give 1 to 1000`);
      }
      const page = store.models.searchModels({
        ...(filter ? { filter } : {}),
        ...(pageToken ? { pageToken } : {}),
        ...(max !== undefined ? { maxResults: Number(max) } : {}),
      });
      return {
        models: page.items.map((m) => modelJson(store, m)),
        ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
      };
    },
  },
  {
    method: "GET",
    path: `${WEFT_API}/models/:name/versions/:version`,
    handle(req, { store }) {
      const name = pathParam(req, "name");
      const raw = pathParam(req, "version");
      requireModel(store, name);
      if (!/^\d+$/.test(raw)) {
        throw new MlflowError("INVALID_PARAMETER_VALUE", `version '${raw}' is not a version number; give e.g. 1`);
      }
      const v = store.models.getVersion(name, Number(raw));
      if (!v) {
        throw new MlflowError(
          "RESOURCE_DOES_NOT_EXIST",
          `model '${name}' has no version ${raw}; list its versions with weft models versions ${name}`,
        );
      }
      return weftVersionJson(store, v);
    },
  },
  {
    method: "GET",
    path: `${WEFT_API}/models/:name/aliases/history`,
    handle(req, { store }) {
      const name = pathParam(req, "name");
      requireModel(store, name);
      const alias = queryString(req, "alias");
      return { history: store.models.aliasHistory(name, alias).map(aliasMoveJson) };
    },
  },
  {
    method: "GET",
    path: `${WEFT_API}/runs/:run_id/model-versions`,
    handle(req, { store }) {
      const runId = pathParam(req, "run_id");
      if (!store.runs.get(runId)) {
        throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `run '${runId}' not found; check the run id (weft runs list)`);
      }
      // A version's run_id is the run's id, or one of its tasks' ids (a task's own MLflow run).
      const seen = new Set<string>();
      const versions: ModelVersion[] = [];
      for (const id of [runId, ...store.tasks.listByRun(runId).map((t) => t.id)]) {
        for (const v of store.models.versionsOfRun(id)) {
          const key = `${v.name}\u0000${v.version}`;
          if (!seen.has(key)) {
            seen.add(key);
            versions.push(v);
          }
        }
      }
      versions.sort((a, b) => (a.name === b.name ? a.version - b.version : a.name < b.name ? -1 : 1));
      return { model_versions: versions.map(summaryJson) };
    },
  },
  {
    method: "GET",
    path: `${WEFT_API}/model-uri`,
    handle(req, { store }) {
      const uri = queryString(req, "uri");
      if (!uri) {
        throw new MlflowError(
          "INVALID_PARAMETER_VALUE",
          "Missing value for required parameter 'uri'; give a model URI such as models:/NAME/1 or models:/NAME@champion",
        );
      }
      return weftVersionJson(store, resolveModelUri(store, uri));
    },
  },
];
