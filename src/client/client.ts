/**
 * A typed client for the KFP v2beta1 REST API. The same calls work against Weft's server
 * and against a Kubeflow Pipelines endpoint; Weft's extension calls (graph, logs,
 * artifacts) are in {@link WeftClient}'s `weft*` methods and need a Weft server.
 *
 * @example
 * const client = new WeftClient({ host: "http://127.0.0.1:8888" });
 * const exp = await client.getOrCreateExperiment("nightly");
 * const run = await client.createRun({ displayName: "r1", experimentId: exp.experiment_id, pipeline: "pipeline.yaml", parameters: { rows: 1000 } });
 * const done = await client.waitForRunCompletion(run.run_id);
 */
import { existsSync, readFileSync } from "node:fs";
import { type JsonValue, type PipelinePackage, parsePipelineYaml, serializePipeline } from "../ir/index.ts";
import { ClientError } from "./errors.ts";
import { type ConnectionOptions, Http, listQuery } from "./http.ts";
import { ModelRegistryClient } from "./models.ts";
import {
  type ApiExperiment,
  type ApiPipeline,
  type ApiPipelineVersion,
  type ApiRecurringRun,
  type ApiRun,
  FINAL_RUN_STATES,
  type ListOptions,
  type Page,
  type PipelineSource,
} from "./types.ts";
import { WeftExtensions } from "./weft-extensions.ts";

const API = "/apis/v2beta1";

/** Resolves any {@link PipelineSource} to a validated pipeline package. */
export async function resolvePipelineSource(source: PipelineSource): Promise<PipelinePackage> {
  if (typeof source === "function" && (source as { kind?: unknown }).kind === "pipeline") {
    // loaded on demand: only pipeline functions need the compiler (and esbuild)
    const { compilePipeline } = await import("../compiler/index.ts");
    return compilePipeline(source as unknown as Parameters<typeof compilePipeline>[0]);
  }
  if (typeof source === "function") {
    return resolvePipelineSource(await (source as () => PipelinePackage | Promise<PipelinePackage>)());
  }
  if (typeof source === "string") {
    const looksLikePath = !source.includes("\n") && /\.(ya?ml|json)$/i.test(source.trim());
    if (looksLikePath) {
      if (!existsSync(source)) throw new ClientError("CLIENT_BAD_INPUT", `pipeline file ${source} does not exist.`);
      return parsePipelineYaml(readFileSync(source, "utf8"), source);
    }
    return parsePipelineYaml(source, "<pipeline text>");
  }
  if ("pipelineSpec" in source && source.pipelineSpec) return source as PipelinePackage;
  if ("pipelineInfo" in source) return { pipelineSpec: source };
  throw new ClientError(
    "CLIENT_BAD_INPUT",
    "pipeline must be IR (a PipelinePackage or PipelineSpec), YAML/JSON text or a file path.",
  );
}

function page<T>(body: Record<string, unknown>, key: string): Page<T> {
  const items = (body[key] as T[] | undefined) ?? [];
  const token = body.next_page_token as string | undefined;
  return { items, totalSize: Number(body.total_size ?? items.length), ...(token ? { nextPageToken: token } : {}) };
}

/** Where a run or recurring run takes its pipeline from: IR or text, or an uploaded version. */
export type PipelineRef =
  | { pipeline: PipelineSource; pipelineVersion?: undefined }
  | { pipeline?: undefined; pipelineVersion: { pipelineId: string; pipelineVersionId?: string } };

/** Fields of {@link WeftClient.createRun}. */
export type CreateRunOptions = PipelineRef & {
  displayName: string;
  description?: string;
  /** User-defined labels (a Weft extension). */
  tags?: Record<string, string>;
  experimentId?: string;
  parameters?: Record<string, JsonValue>;
  /** Where the run's artifacts go: `file:///abs/dir` or an absolute path on the server. */
  pipelineRoot?: string;
  /** KFP's service account: recorded and shown (no permission changes on a local server). */
  serviceAccount?: string;
  /**
   * Artifacts for the pipeline's artifact inputs: input name to an absolute path or a URI
   * on the server's machine (a Weft extension, sent as `runtime_config.input_artifacts`).
   */
  inputArtifacts?: Record<string, string>;
};

/** Fields of {@link WeftClient.createRecurringRun}: `cron` (6-field KFP or 5-field crontab) or `intervalSeconds`. */
export type CreateRecurringRunOptions = PipelineRef & {
  displayName: string;
  description?: string;
  experimentId?: string;
  parameters?: Record<string, JsonValue>;
  cron?: string;
  intervalSeconds?: number;
  startTime?: Date;
  endTime?: Date;
  maxConcurrency?: number;
  noCatchup?: boolean;
  enabled?: boolean;
  /** Given to every run it starts, as {@link CreateRunOptions}. */
  pipelineRoot?: string;
  serviceAccount?: string;
};

async function pipelineFields(ref: PipelineRef): Promise<Record<string, unknown>> {
  if (ref.pipelineVersion) {
    return {
      pipeline_version_reference: {
        pipeline_id: ref.pipelineVersion.pipelineId,
        ...(ref.pipelineVersion.pipelineVersionId
          ? { pipeline_version_id: ref.pipelineVersion.pipelineVersionId }
          : {}),
      },
    };
  }
  const pkg = await resolvePipelineSource(ref.pipeline as PipelineSource);
  return {
    pipeline_spec: pkg.platformSpec
      ? { pipeline_spec: pkg.pipelineSpec, platform_spec: pkg.platformSpec }
      : pkg.pipelineSpec,
  };
}

/** The KFP v2beta1 API client (works with Weft and Kubeflow Pipelines). */
export class WeftClient {
  readonly http: Http;
  /** Weft's extension endpoints (run graph, logs, artifacts, metrics). */
  readonly weft: WeftExtensions;
  /** The model registry (MLflow's REST calls and Weft's model extensions). */
  readonly models: ModelRegistryClient;

  constructor(opts: ConnectionOptions) {
    this.http = new Http(opts);
    this.weft = new WeftExtensions(this.http);
    this.models = new ModelRegistryClient(this.http);
  }

  /** `GET /healthz`. */
  healthz(): Promise<Record<string, unknown>> {
    return this.http.request("GET", `${API}/healthz`);
  }

  // ------------------------------------------------------------ experiments

  /** Creates an experiment (`display_name` is its unique name). */
  createExperiment(e: { displayName: string; description?: string; namespace?: string }): Promise<ApiExperiment> {
    return this.http.request("POST", `${API}/experiments`, {
      display_name: e.displayName,
      ...(e.description ? { description: e.description } : {}),
      ...(e.namespace ? { namespace: e.namespace } : {}),
    });
  }
  /** Gets an experiment by id. */
  getExperiment(id: string): Promise<ApiExperiment> {
    return this.http.request("GET", `${API}/experiments/${encodeURIComponent(id)}`);
  }
  /** Lists experiments (filter, sort, paging). */
  async listExperiments(opts: ListOptions = {}): Promise<Page<ApiExperiment>> {
    return page(await this.http.request("GET", `${API}/experiments${listQuery(opts)}`), "experiments");
  }
  /** The experiment with this display name, created when missing. */
  async getOrCreateExperiment(name: string, namespace?: string): Promise<ApiExperiment> {
    const found = await this.listExperiments({
      filter: [{ key: "display_name", op: "EQUALS", value: name }],
      pageSize: 1,
      ...(namespace ? { namespace } : {}),
    });
    return found.items[0] ?? this.createExperiment({ displayName: name, ...(namespace ? { namespace } : {}) });
  }
  /** Archives an experiment and its runs. */
  async archiveExperiment(id: string): Promise<void> {
    await this.http.request("POST", `${API}/experiments/${encodeURIComponent(id)}:archive`);
  }
  /** Unarchives an experiment. */
  async unarchiveExperiment(id: string): Promise<void> {
    await this.http.request("POST", `${API}/experiments/${encodeURIComponent(id)}:unarchive`);
  }
  /** Deletes an experiment; one with runs is refused unless `cascade` (deletes its runs and recurring runs too). */
  async deleteExperiment(id: string, opts: { cascade?: boolean } = {}): Promise<void> {
    await this.http.request(
      "DELETE",
      `${API}/experiments/${encodeURIComponent(id)}${opts.cascade ? "?cascade=true" : ""}`,
    );
  }

  // ------------------------------------------------------------ pipelines

  private async form(source: PipelineSource): Promise<FormData> {
    const pkg = await resolvePipelineSource(source);
    const form = new FormData();
    form.append("uploadfile", new Blob([serializePipeline(pkg)], { type: "application/x-yaml" }), "pipeline.yaml");
    return form;
  }

  /** Uploads a pipeline (multipart `uploadfile`); its first version takes the same name. */
  async uploadPipeline(
    source: PipelineSource,
    meta: { name: string; displayName?: string; description?: string; namespace?: string },
  ): Promise<ApiPipeline> {
    const q = listQuery(
      {},
      { name: meta.name, display_name: meta.displayName, description: meta.description, namespace: meta.namespace },
    );
    return this.http.request("POST", `${API}/pipelines/upload${q}`, await this.form(source));
  }
  /** Uploads a new version of an existing pipeline. */
  async uploadPipelineVersion(
    source: PipelineSource,
    meta: { pipelineId: string; name: string; displayName?: string; description?: string },
  ): Promise<ApiPipelineVersion> {
    const q = listQuery(
      {},
      { pipelineid: meta.pipelineId, name: meta.name, display_name: meta.displayName, description: meta.description },
    );
    return this.http.request("POST", `${API}/pipelines/upload_version${q}`, await this.form(source));
  }
  /** Gets a pipeline by id. */
  getPipeline(id: string): Promise<ApiPipeline> {
    return this.http.request("GET", `${API}/pipelines/${encodeURIComponent(id)}`);
  }
  /** Gets a pipeline by its name. */
  getPipelineByName(name: string, namespace?: string): Promise<ApiPipeline> {
    return this.http.request(
      "GET",
      `${API}/pipelines/names/${encodeURIComponent(name)}${listQuery({}, { namespace })}`,
    );
  }
  /** Lists pipelines. */
  async listPipelines(opts: ListOptions = {}): Promise<Page<ApiPipeline>> {
    return page(await this.http.request("GET", `${API}/pipelines${listQuery(opts)}`), "pipelines");
  }
  /** Deletes a pipeline; `cascade` deletes its versions too. */
  async deletePipeline(id: string, opts: { cascade?: boolean } = {}): Promise<void> {
    await this.http.request(
      "DELETE",
      `${API}/pipelines/${encodeURIComponent(id)}${opts.cascade ? "?cascade=true" : ""}`,
    );
  }
  /** Updates a pipeline's mutable fields (`PATCH`): its display name and/or its tags (replaced whole). */
  updatePipeline(id: string, update: { displayName?: string; tags?: Record<string, string> }): Promise<ApiPipeline> {
    return this.http.request("PATCH", `${API}/pipelines/${encodeURIComponent(id)}`, {
      pipeline_id: id,
      ...(update.displayName !== undefined ? { display_name: update.displayName } : {}),
      ...(update.tags !== undefined ? { tags: update.tags } : {}),
    });
  }
  /** Lists the versions of a pipeline. */
  async listPipelineVersions(pipelineId: string, opts: ListOptions = {}): Promise<Page<ApiPipelineVersion>> {
    return page(
      await this.http.request("GET", `${API}/pipelines/${encodeURIComponent(pipelineId)}/versions${listQuery(opts)}`),
      "pipeline_versions",
    );
  }
  /** Gets one version of a pipeline (with its spec). */
  getPipelineVersion(pipelineId: string, versionId: string): Promise<ApiPipelineVersion> {
    return this.http.request(
      "GET",
      `${API}/pipelines/${encodeURIComponent(pipelineId)}/versions/${encodeURIComponent(versionId)}`,
    );
  }

  /** Deletes a pipeline version (refused while a recurring run uses it); runs that used it keep their spec. */
  async deletePipelineVersion(pipelineId: string, versionId: string): Promise<void> {
    await this.http.request(
      "DELETE",
      `${API}/pipelines/${encodeURIComponent(pipelineId)}/versions/${encodeURIComponent(versionId)}`,
    );
  }

  /** Updates a pipeline version's mutable fields (`PATCH`): its display name and/or its tags. */
  updatePipelineVersion(
    pipelineId: string,
    versionId: string,
    update: { displayName?: string; tags?: Record<string, string> },
  ): Promise<ApiPipelineVersion> {
    return this.http.request(
      "PATCH",
      `${API}/pipelines/${encodeURIComponent(pipelineId)}/versions/${encodeURIComponent(versionId)}`,
      {
        pipeline_id: pipelineId,
        pipeline_version_id: versionId,
        ...(update.displayName !== undefined ? { display_name: update.displayName } : {}),
        ...(update.tags !== undefined ? { tags: update.tags } : {}),
      },
    );
  }

  // ------------------------------------------------------------ runs

  /** Creates a run from IR, text, a file, a function returning IR, or an uploaded version. */
  async createRun(opts: CreateRunOptions): Promise<ApiRun> {
    const runtime: Record<string, unknown> = {};
    if (opts.parameters) runtime.parameters = opts.parameters;
    if (opts.pipelineRoot) runtime.pipeline_root = opts.pipelineRoot;
    if (opts.inputArtifacts && Object.keys(opts.inputArtifacts).length > 0) {
      runtime.input_artifacts = Object.fromEntries(
        Object.entries(opts.inputArtifacts).map(([name, uri]) => [name, { uri }]),
      );
    }
    return this.http.request("POST", `${API}/runs`, {
      display_name: opts.displayName,
      ...(opts.description ? { description: opts.description } : {}),
      ...(opts.experimentId ? { experiment_id: opts.experimentId } : {}),
      ...(opts.tags && Object.keys(opts.tags).length > 0 ? { tags: opts.tags } : {}),
      ...(opts.serviceAccount ? { service_account: opts.serviceAccount } : {}),
      ...(await pipelineFields(opts)),
      runtime_config: runtime,
    });
  }
  /** Updates a run's mutable fields (`PATCH`, a Weft extension): name, description, tags (replaced whole). */
  updateRun(
    id: string,
    update: { displayName?: string; description?: string; tags?: Record<string, string> },
  ): Promise<ApiRun> {
    return this.http.request("PATCH", `${API}/runs/${encodeURIComponent(id)}`, {
      ...(update.displayName !== undefined ? { display_name: update.displayName } : {}),
      ...(update.description !== undefined ? { description: update.description } : {}),
      ...(update.tags !== undefined ? { tags: update.tags } : {}),
    });
  }
  /** Gets a run with its task details. */
  getRun(id: string): Promise<ApiRun> {
    return this.http.request("GET", `${API}/runs/${encodeURIComponent(id)}`);
  }
  /** Lists runs, optionally of one experiment. */
  async listRuns(opts: ListOptions & { experimentId?: string } = {}): Promise<Page<ApiRun>> {
    return page(
      await this.http.request("GET", `${API}/runs${listQuery(opts, { experiment_id: opts.experimentId })}`),
      "runs",
    );
  }
  /** Terminates a PENDING or RUNNING run. */
  async terminateRun(id: string): Promise<void> {
    await this.http.request("POST", `${API}/runs/${encodeURIComponent(id)}:terminate`);
  }
  /** Retries a FAILED or CANCELED run (finished tasks are reused). */
  async retryRun(id: string): Promise<void> {
    await this.http.request("POST", `${API}/runs/${encodeURIComponent(id)}:retry`);
  }
  /** Archives a run. */
  async archiveRun(id: string): Promise<void> {
    await this.http.request("POST", `${API}/runs/${encodeURIComponent(id)}:archive`);
  }
  /** Unarchives a run. */
  async unarchiveRun(id: string): Promise<void> {
    await this.http.request("POST", `${API}/runs/${encodeURIComponent(id)}:unarchive`);
  }
  /** Deletes a finished run (an active one is refused: terminate it first). */
  async deleteRun(id: string): Promise<void> {
    await this.http.request("DELETE", `${API}/runs/${encodeURIComponent(id)}`);
  }

  /**
   * Polls a run until it is SUCCEEDED, SKIPPED, FAILED or CANCELED and returns it.
   * @throws ClientError `CLIENT_TIMEOUT` after `timeoutMs` (default 1 hour).
   */
  async waitForRunCompletion(
    id: string,
    opts: { timeoutMs?: number; pollIntervalMs?: number; onPoll?: (run: ApiRun) => void } = {},
  ): Promise<ApiRun> {
    const deadline = Date.now() + (opts.timeoutMs ?? 3_600_000);
    let interval = Math.max(50, opts.pollIntervalMs ?? 500);
    for (;;) {
      const run = await this.getRun(id);
      opts.onPoll?.(run);
      if (run.state && FINAL_RUN_STATES.has(run.state)) return run;
      if (Date.now() + interval > deadline) {
        throw new ClientError(
          "CLIENT_TIMEOUT",
          `run ${id} is still ${run.state ?? "unknown"} after ${opts.timeoutMs ?? 3_600_000} ms; wait longer or terminate it.`,
        );
      }
      await new Promise((r) => setTimeout(r, interval));
      interval = Math.min(interval * 1.5, opts.pollIntervalMs ?? 5000);
    }
  }

  // ------------------------------------------------------------ recurring runs

  /** Creates a recurring run; cron has 6 fields (KFP, seconds first) or 5 (crontab). */
  async createRecurringRun(opts: CreateRecurringRunOptions): Promise<ApiRecurringRun> {
    const window = {
      ...(opts.startTime ? { start_time: opts.startTime.toISOString() } : {}),
      ...(opts.endTime ? { end_time: opts.endTime.toISOString() } : {}),
    };
    const trigger =
      opts.cron !== undefined
        ? { cron_schedule: { cron: opts.cron, ...window } }
        : { periodic_schedule: { interval_second: String(opts.intervalSeconds ?? 0), ...window } };
    return this.http.request("POST", `${API}/recurringruns`, {
      display_name: opts.displayName,
      ...(opts.description ? { description: opts.description } : {}),
      ...(opts.experimentId ? { experiment_id: opts.experimentId } : {}),
      ...(await pipelineFields(opts)),
      runtime_config: {
        parameters: opts.parameters ?? {},
        ...(opts.pipelineRoot ? { pipeline_root: opts.pipelineRoot } : {}),
      },
      ...(opts.serviceAccount ? { service_account: opts.serviceAccount } : {}),
      trigger,
      max_concurrency: String(opts.maxConcurrency ?? 1),
      no_catchup: opts.noCatchup ?? false,
      mode: opts.enabled === false ? "DISABLE" : "ENABLE",
    });
  }
  /** Gets a recurring run. */
  getRecurringRun(id: string): Promise<ApiRecurringRun> {
    return this.http.request("GET", `${API}/recurringruns/${encodeURIComponent(id)}`);
  }
  /** Lists recurring runs, optionally of one experiment. */
  async listRecurringRuns(opts: ListOptions & { experimentId?: string } = {}): Promise<Page<ApiRecurringRun>> {
    return page(
      await this.http.request("GET", `${API}/recurringruns${listQuery(opts, { experiment_id: opts.experimentId })}`),
      "recurringRuns",
    );
  }
  /** Enables a recurring run (fires from the next due time on). */
  async enableRecurringRun(id: string): Promise<void> {
    await this.http.request("POST", `${API}/recurringruns/${encodeURIComponent(id)}:enable`);
  }
  /** Disables a recurring run. */
  async disableRecurringRun(id: string): Promise<void> {
    await this.http.request("POST", `${API}/recurringruns/${encodeURIComponent(id)}:disable`);
  }
  /** Deletes a recurring run (its runs stay). */
  async deleteRecurringRun(id: string): Promise<void> {
    await this.http.request("DELETE", `${API}/recurringruns/${encodeURIComponent(id)}`);
  }
}
