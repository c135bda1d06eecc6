/**
 * The model registry of a Weft server (or an MLflow tracking server): MLflow's 2.x REST
 * calls under `/api/2.0/mlflow/` (registered models, versions, aliases, stages, download
 * URIs) and Weft's model extensions under `/apis/weft/v1/models` (lineage, digest,
 * signature, metrics snapshot, alias history). Reached through `client.models`.
 */
import { ClientError } from "./errors.ts";
import type { Http } from "./http.ts";

const MLFLOW = "/api/2.0/mlflow";
const WEFT = "/apis/weft/v1";
const enc = encodeURIComponent;

/** A tag as MLflow sends it. */
export interface MlflowTag {
  key: string;
  value: string;
}

/** MLflow's `ModelVersion` message. */
export interface MlflowModelVersion {
  name: string;
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

/** MLflow's `RegisteredModel` message. */
export interface MlflowRegisteredModel {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  description?: string;
  latest_versions?: MlflowModelVersion[];
  tags?: MlflowTag[];
  aliases?: { alias: string; version: string }[];
}

/** A page of an MLflow search. */
export interface MlflowPage<T> {
  items: T[];
  nextPageToken?: string;
}

/** A dataset a model version was trained on, as Weft records it. */
export interface ApiModelDataset {
  name?: string;
  uri?: string;
  digest?: string;
  task?: string;
}

/** One input or output of a model's signature. */
export interface ApiTensorSpec {
  name: string;
  dtype?: string;
  shape?: (number | string | null)[];
}

/**
 * What Weft records of a model version beyond MLflow's message (`GET
 * /apis/weft/v1/models/NAME/versions/N`): the artifact's digest and format, the signature,
 * the metrics snapshot and the lineage (run, producing task, pipeline version, datasets,
 * upstream artifacts). Times are RFC 3339 strings.
 */
export interface ApiModelVersionDetail {
  name: string;
  version: number;
  status?: string;
  status_message?: string;
  stage?: string;
  aliases?: string[];
  source?: string;
  digest?: string;
  format?: string;
  signature?: { inputs?: ApiTensorSpec[]; outputs?: ApiTensorSpec[] } | null;
  run_id?: string;
  task_name?: string;
  metrics?: Record<string, number>;
  /** The artifact record that holds the source, when it is a Weft artifact. */
  artifact_id?: string;
  lineage?: {
    run?: { run_id: string; display_name?: string } | null;
    task?: { task_id?: string; name?: string } | null;
    pipeline_version?: { pipeline_version_id: string; name?: string } | null;
    datasets?: ApiModelDataset[];
    upstream?: Record<string, unknown>[];
  };
  created_at?: string;
  updated_at?: string;
  [key: string]: unknown;
}

/** One move of an alias: `from_version` null when it was set, `to_version` null when deleted. */
export interface ApiAliasMove {
  alias: string;
  from_version?: string | number | null;
  to_version?: string | number | null;
  moved_by?: string | null;
  moved_at?: number | string;
}

/** Options of the MLflow searches. */
export interface MlflowSearchOptions {
  /** MLflow's filter grammar, e.g. `name LIKE '%fraud%'`. */
  filter?: string;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

function searchQuery(opts: MlflowSearchOptions): string {
  const q = new URLSearchParams();
  if (opts.filter) q.set("filter", opts.filter);
  if (opts.maxResults !== undefined) q.set("max_results", String(opts.maxResults));
  for (const o of opts.orderBy ?? []) q.append("order_by", o);
  if (opts.pageToken) q.set("page_token", opts.pageToken);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The model registry calls; reached through `client.models`. */
export class ModelRegistryClient {
  /** The artifact reads of a model download. */
  readonly artifacts: ModelArtifacts;

  constructor(private readonly http: Http) {
    this.artifacts = new ModelArtifacts(http);
  }

  /** `registered-models/search`: one page of models. */
  async searchModels(opts: MlflowSearchOptions = {}): Promise<MlflowPage<MlflowRegisteredModel>> {
    const body = await this.http.request<{ registered_models?: MlflowRegisteredModel[]; next_page_token?: string }>(
      "GET",
      `${MLFLOW}/registered-models/search${searchQuery(opts)}`,
    );
    return {
      items: body.registered_models ?? [],
      ...(body.next_page_token ? { nextPageToken: body.next_page_token } : {}),
    };
  }

  /** `registered-models/get`. */
  async getModel(name: string): Promise<MlflowRegisteredModel> {
    return (
      await this.http.request<{ registered_model: MlflowRegisteredModel }>(
        "GET",
        `${MLFLOW}/registered-models/get?name=${enc(name)}`,
      )
    ).registered_model;
  }

  /** `model-versions/search`: one page of versions. */
  async searchVersions(opts: MlflowSearchOptions = {}): Promise<MlflowPage<MlflowModelVersion>> {
    const body = await this.http.request<{ model_versions?: MlflowModelVersion[]; next_page_token?: string }>(
      "GET",
      `${MLFLOW}/model-versions/search${searchQuery(opts)}`,
    );
    return {
      items: body.model_versions ?? [],
      ...(body.next_page_token ? { nextPageToken: body.next_page_token } : {}),
    };
  }

  /** Every version a filter selects, following page tokens (at most `limit`). */
  async allVersions(filter: string, limit = 10_000): Promise<MlflowModelVersion[]> {
    const out: MlflowModelVersion[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.searchVersions({
        filter,
        maxResults: Math.min(1000, limit - out.length),
        ...(pageToken ? { pageToken } : {}),
      });
      out.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken && out.length < limit);
    return out;
  }

  /** `model-versions/get`. */
  async getVersion(name: string, version: string): Promise<MlflowModelVersion> {
    return (
      await this.http.request<{ model_version: MlflowModelVersion }>(
        "GET",
        `${MLFLOW}/model-versions/get?name=${enc(name)}&version=${enc(version)}`,
      )
    ).model_version;
  }

  /** `registered-models/alias` (GET): the version an alias points at. */
  async getVersionByAlias(name: string, alias: string): Promise<MlflowModelVersion> {
    return (
      await this.http.request<{ model_version: MlflowModelVersion }>(
        "GET",
        `${MLFLOW}/registered-models/alias?name=${enc(name)}&alias=${enc(alias)}`,
      )
    ).model_version;
  }

  /** `registered-models/alias` (POST): points `alias` at `version`. */
  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.http.request("POST", `${MLFLOW}/registered-models/alias`, { name, alias, version });
  }

  /** `registered-models/alias` (DELETE). */
  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.http.request("DELETE", `${MLFLOW}/registered-models/alias`, { name, alias });
  }

  /** `model-versions/transition-stage`. */
  async transitionStage(
    name: string,
    version: string,
    stage: string,
    archiveExistingVersions = false,
  ): Promise<MlflowModelVersion> {
    return (
      await this.http.request<{ model_version: MlflowModelVersion }>(
        "POST",
        `${MLFLOW}/model-versions/transition-stage`,
        { name, version, stage, archive_existing_versions: archiveExistingVersions },
      )
    ).model_version;
  }

  /** `model-versions/get-download-uri`. */
  async getDownloadUri(name: string, version: string): Promise<string> {
    return (
      await this.http.request<{ artifact_uri: string }>(
        "GET",
        `${MLFLOW}/model-versions/get-download-uri?name=${enc(name)}&version=${enc(version)}`,
      )
    ).artifact_uri;
  }

  /** Weft's record of a version: digest, format, signature, lineage, metrics. */
  versionDetail(name: string, version: string): Promise<ApiModelVersionDetail> {
    return this.http.request("GET", `${WEFT}/models/${enc(name)}/versions/${enc(version)}`);
  }

  /** The history of a model's aliases (or of one alias), oldest first. */
  async aliasHistory(name: string, alias?: string): Promise<ApiAliasMove[]> {
    const q = alias !== undefined ? `?alias=${enc(alias)}` : "";
    const body = await this.http.request<{ history?: ApiAliasMove[] }>(
      "GET",
      `${WEFT}/models/${enc(name)}/aliases/history${q}`,
    );
    return body.history ?? [];
  }
}

/** What the server says of an artifact's content. */
export interface ApiArtifactContentInfo {
  artifact_id: string;
  uri: string;
  digest?: string;
  content_kind?: "file" | "directory" | "missing";
  [key: string]: unknown;
}

/** One entry of a directory artifact's listing. */
export interface ApiDirectoryEntry {
  name: string;
  kind: "file" | "dir" | "link" | "other";
  size_bytes?: number;
}

/** The artifact reads a model download needs (Weft's artifact routes). */
export class ModelArtifacts {
  constructor(private readonly http: Http) {}

  /** The artifact recorded with this URI, when the server has one. */
  async findByUri(uri: string): Promise<ApiArtifactContentInfo | undefined> {
    const filter = JSON.stringify({ predicates: [{ key: "uri", operation: "EQUALS", string_value: uri }] });
    const body = await this.http.request<{ artifacts?: ApiArtifactContentInfo[] }>(
      "GET",
      `${WEFT}/artifacts?filter=${enc(filter)}&page_size=1`,
    );
    return body.artifacts?.[0];
  }

  /** An artifact with the kind of its content. */
  info(artifactId: string): Promise<ApiArtifactContentInfo> {
    return this.http.request("GET", `${WEFT}/artifacts/${enc(artifactId)}`);
  }

  /**
   * The bytes of a file artifact (or of the file `path` inside a directory artifact) as a
   * stream, so a large model is written as it comes rather than held in memory.
   */
  async open(artifactId: string, path = ""): Promise<ReadableStream<Uint8Array>> {
    const q = path ? `?path=${enc(path)}` : "";
    const res = await this.http.raw("GET", `${WEFT}/artifacts/${enc(artifactId)}/content${q}`, undefined, {
      timeoutMs: 0,
    });
    if (!res.ok || !res.body) {
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      throw new ClientError(
        "CLIENT_HTTP_ERROR",
        `downloading artifact ${artifactId}${path ? ` (${path})` : ""} failed with ${res.status}: ${text.slice(0, 300)}`,
        { status: res.status, body },
      );
    }
    return res.body;
  }

  /** The entries of a directory artifact (or of `path` inside it). */
  async directory(artifactId: string, path = ""): Promise<ApiDirectoryEntry[]> {
    const q = path ? `?path=${enc(path)}` : "";
    const body = await this.http.request<{ items?: ApiDirectoryEntry[] }>(
      "GET",
      `${WEFT}/artifacts/${enc(artifactId)}/content${q}`,
    );
    return body.items ?? [];
  }
}

/** True when `err` is the server saying that what was asked for does not exist. */
export function isNotFound(err: unknown): boolean {
  if (!(err instanceof ClientError)) return false;
  const body = err.body as { error_code?: unknown } | undefined;
  return err.status === 404 || body?.error_code === "RESOURCE_DOES_NOT_EXIST";
}
