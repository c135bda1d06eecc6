/**
 * KFP v2beta1 resources: runs, experiments, pipelines and versions, recurring runs.
 */
import { request } from "./http.ts";
import type { Experiment, Json, Page, Pipeline, PipelineVersion, RecurringRun, Run, RunSummary } from "./types.ts";

const API = "/apis/v2beta1";

/** List parameters KFP understands; `filter` is a v2beta1Filter object. */
export interface ListParams {
  pageSize?: number;
  pageToken?: string | undefined;
  sortBy?: string | undefined;
  filter?: { predicates: Array<Record<string, Json>> } | undefined;
  experimentId?: string | undefined;
}

async function list<T>(path: string, key: string, p: ListParams, signal?: AbortSignal): Promise<Page<T>> {
  const body = await request<Record<string, unknown>>(path, {
    query: {
      page_size: p.pageSize,
      page_token: p.pageToken,
      sort_by: p.sortBy,
      filter: p.filter && p.filter.predicates.length > 0 ? JSON.stringify(p.filter) : undefined,
      experiment_id: p.experimentId,
    },
    ...(signal ? { signal } : {}),
  });
  return {
    items: (body[key] as T[] | undefined) ?? [],
    totalSize: Number(body.total_size ?? 0),
    nextPageToken: (body.next_page_token as string | undefined) || undefined,
  };
}

/** One page of runs, without their pipeline specs (as KFP's list): {@link getRun} has the spec. */
export const listRuns = (p: ListParams, signal?: AbortSignal): Promise<Page<RunSummary>> =>
  list<RunSummary>(`${API}/runs`, "runs", p, signal);
/** A run with its task details. */
export const getRun = (id: string, signal?: AbortSignal): Promise<Run> =>
  request<Run>(`${API}/runs/${encodeURIComponent(id)}`, signal ? { signal } : {});

/** What a new run needs: a name, and a pipeline version or an inline spec. */
export interface CreateRunInput {
  displayName: string;
  experimentId?: string | undefined;
  pipelineId?: string;
  pipelineVersionId?: string;
  pipelineSpec?: Json;
  parameters: Record<string, Json>;
  description?: string;
  tags?: Record<string, string>;
}

/** Creates (and queues) a run. */
export function createRun(input: CreateRunInput): Promise<Run> {
  const body: Record<string, unknown> = {
    display_name: input.displayName,
    runtime_config: { parameters: input.parameters },
  };
  if (input.experimentId) body.experiment_id = input.experimentId;
  if (input.description) body.description = input.description;
  if (input.tags && Object.keys(input.tags).length > 0) body.tags = input.tags;
  if (input.pipelineVersionId) {
    body.pipeline_version_reference = { pipeline_id: input.pipelineId, pipeline_version_id: input.pipelineVersionId };
  } else if (input.pipelineSpec !== undefined) {
    body.pipeline_spec = input.pipelineSpec;
  }
  return request<Run>(`${API}/runs`, { method: "POST", body });
}

/** Asks the server to stop an active run. */
export const terminateRun = (id: string): Promise<unknown> =>
  request(`${API}/runs/${encodeURIComponent(id)}:terminate`, { method: "POST", body: {} });
/** Re-runs the failed or canceled tasks of a run. */
export const retryRun = (id: string): Promise<unknown> =>
  request(`${API}/runs/${encodeURIComponent(id)}:retry`, { method: "POST", body: {} });
/** Archives a run: it leaves the default runs list (the "Archived" view shows it). */
export const archiveRun = (id: string): Promise<unknown> =>
  request(`${API}/runs/${encodeURIComponent(id)}:archive`, { method: "POST", body: {} });
/** Brings an archived run back. */
export const unarchiveRun = (id: string): Promise<unknown> =>
  request(`${API}/runs/${encodeURIComponent(id)}:unarchive`, { method: "POST", body: {} });
/** Deletes a finished run (the server refuses an active one). */
export const deleteRun = (id: string): Promise<unknown> =>
  request(`${API}/runs/${encodeURIComponent(id)}`, { method: "DELETE" });
/** Changes a run's name, description or tags (tags are replaced whole). */
export const updateRun = (
  id: string,
  patch: { display_name?: string; description?: string; tags?: Record<string, string> },
): Promise<Run> => request<Run>(`${API}/runs/${encodeURIComponent(id)}`, { method: "PATCH", body: patch });

/** One page of experiments. */
export const listExperiments = (p: ListParams, signal?: AbortSignal): Promise<Page<Experiment>> =>
  list<Experiment>(`${API}/experiments`, "experiments", p, signal);
/** One experiment. */
export const getExperiment = (id: string): Promise<Experiment> =>
  request<Experiment>(`${API}/experiments/${encodeURIComponent(id)}`);
/** Archives an experiment and its runs. */
export const archiveExperiment = (id: string): Promise<unknown> =>
  request(`${API}/experiments/${encodeURIComponent(id)}:archive`, { method: "POST", body: {} });
/** Brings an archived experiment back (its runs stay archived). */
export const unarchiveExperiment = (id: string): Promise<unknown> =>
  request(`${API}/experiments/${encodeURIComponent(id)}:unarchive`, { method: "POST", body: {} });
/** Deletes an experiment; with `cascade`, its runs and recurring runs too (refused while a run is active). */
export const deleteExperiment = (id: string, cascade: boolean): Promise<unknown> =>
  request(`${API}/experiments/${encodeURIComponent(id)}`, {
    method: "DELETE",
    ...(cascade ? { query: { cascade: "true" } } : {}),
  });
/** Creates an experiment. */
export const createExperiment = (displayName: string, description: string): Promise<Experiment> =>
  request<Experiment>(`${API}/experiments`, { method: "POST", body: { display_name: displayName, description } });

/** One page of pipelines. */
export const listPipelines = (p: ListParams, signal?: AbortSignal): Promise<Page<Pipeline>> =>
  list<Pipeline>(`${API}/pipelines`, "pipelines", p, signal);
/** One pipeline. */
export const getPipeline = (id: string): Promise<Pipeline> =>
  request<Pipeline>(`${API}/pipelines/${encodeURIComponent(id)}`);
/** One page of a pipeline's versions. */
export const listVersions = (pipelineId: string, p: ListParams): Promise<Page<PipelineVersion>> =>
  list<PipelineVersion>(`${API}/pipelines/${encodeURIComponent(pipelineId)}/versions`, "pipeline_versions", p);
/** One pipeline version, with its spec. */
export const getVersion = (pipelineId: string, versionId: string): Promise<PipelineVersion> =>
  request<PipelineVersion>(
    `${API}/pipelines/${encodeURIComponent(pipelineId)}/versions/${encodeURIComponent(versionId)}`,
  );

/** Deletes a pipeline; with `cascade`, its versions too (runs keep their specs). */
export const deletePipeline = (id: string, cascade: boolean): Promise<unknown> =>
  request(`${API}/pipelines/${encodeURIComponent(id)}`, {
    method: "DELETE",
    ...(cascade ? { query: { cascade: "true" } } : {}),
  });
/** Deletes one pipeline version (runs that used it keep their spec). */
export const deletePipelineVersion = (pipelineId: string, versionId: string): Promise<unknown> =>
  request(`${API}/pipelines/${encodeURIComponent(pipelineId)}/versions/${encodeURIComponent(versionId)}`, {
    method: "DELETE",
  });

/** Uploads a compiled pipeline file as a new pipeline (or a new version of `pipelineId`). */
export function uploadPipeline(
  file: File,
  opts: { name?: string; pipelineId?: string },
): Promise<Pipeline | PipelineVersion> {
  const form = new FormData();
  form.append("uploadfile", file, file.name);
  const path = opts.pipelineId ? `${API}/pipelines/upload_version` : `${API}/pipelines/upload`;
  const query: Record<string, string | undefined> = { name: opts.name || undefined, pipelineid: opts.pipelineId };
  const qs = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
  const suffix = qs.toString() ? `?${qs}` : "";
  return request(`${path}${suffix}`, { method: "POST", body: form });
}

/** One page of recurring runs. */
export const listRecurringRuns = (p: ListParams, signal?: AbortSignal): Promise<Page<RecurringRun>> =>
  list<RecurringRun>(`${API}/recurringruns`, "recurringRuns", p, signal);

/** One recurring run. */
export const getRecurringRun = (id: string, signal?: AbortSignal): Promise<RecurringRun> =>
  request<RecurringRun>(`${API}/recurringruns/${encodeURIComponent(id)}`, signal ? { signal } : {});
/** Deletes a recurring run; the runs it created stay. */
export const deleteRecurringRun = (id: string): Promise<unknown> =>
  request(`${API}/recurringruns/${encodeURIComponent(id)}`, { method: "DELETE" });

/** What a new recurring run needs. */
export interface CreateRecurringRunInput {
  displayName: string;
  pipelineId: string;
  pipelineVersionId: string;
  parameters: Record<string, Json>;
  cron?: string | undefined;
  intervalSeconds?: number | undefined;
  maxConcurrency: number;
  experimentId?: string | undefined;
  enabled: boolean;
  /** RFC 3339 times bounding the schedule. */
  startTime?: string | undefined;
  endTime?: string | undefined;
  /** Fire once for missed times after a pause, instead of once per missed time. */
  noCatchup?: boolean;
}

/** Creates a recurring run. */
export function createRecurringRun(input: CreateRecurringRunInput): Promise<RecurringRun> {
  const window = {
    ...(input.startTime ? { start_time: input.startTime } : {}),
    ...(input.endTime ? { end_time: input.endTime } : {}),
  };
  const trigger = input.cron
    ? { cron_schedule: { cron: input.cron, ...window } }
    : { periodic_schedule: { interval_second: String(input.intervalSeconds ?? 3600), ...window } };
  return request<RecurringRun>(`${API}/recurringruns`, {
    method: "POST",
    body: {
      display_name: input.displayName,
      pipeline_version_reference: { pipeline_id: input.pipelineId, pipeline_version_id: input.pipelineVersionId },
      runtime_config: { parameters: input.parameters },
      trigger,
      max_concurrency: String(input.maxConcurrency),
      mode: input.enabled ? "ENABLE" : "DISABLE",
      ...(input.noCatchup ? { no_catchup: true } : {}),
      ...(input.experimentId ? { experiment_id: input.experimentId } : {}),
    },
  });
}

/** Enables or disables a recurring run. */
export const setRecurringRunEnabled = (id: string, enabled: boolean): Promise<unknown> =>
  request(`${API}/recurringruns/${encodeURIComponent(id)}:${enabled ? "enable" : "disable"}`, {
    method: "POST",
    body: {},
  });
