/**
 * Weft's extension endpoints (`/apis/weft/v1`): run graph, task details and logs (with
 * live Server-Sent Events), run metrics, artifacts with their content, and lineage.
 */
import { ApiRequestError, errorFromResponse, request, requestBytes } from "./http.ts";
import type {
  Artifact,
  ArtifactLineage,
  DirItem,
  LineageGraph,
  Page,
  RunGraph,
  RunLineage,
  RunMetric,
  TaskInfo,
} from "./types.ts";

/** Prefix of the extension endpoints. */
export const WEFT_API = "/apis/weft/v1";

const enc = encodeURIComponent;

/** The run's tasks with their states, and the edges between sibling tasks. */
export const getRunGraph = (runId: string, signal?: AbortSignal): Promise<RunGraph> =>
  request<RunGraph>(`${WEFT_API}/runs/${enc(runId)}/graph`, signal ? { signal } : {});

/** A task's inputs, outputs, cache decision and attempts; `undefined` when the server does not offer them. */
export async function getTaskInfo(runId: string, taskId: string): Promise<TaskInfo | undefined> {
  try {
    return await request<TaskInfo>(`${WEFT_API}/runs/${enc(runId)}/tasks/${enc(taskId)}`);
  } catch (err) {
    if (
      err instanceof ApiRequestError &&
      err.status === 404 &&
      err.code === "API_NOT_FOUND" &&
      /no route/i.test(err.message)
    ) {
      return undefined;
    }
    throw err;
  }
}

/** The last lines of a task's log. */
export const getTaskLog = (runId: string, taskId: string, tail = 1000): Promise<{ lines: string[]; state?: string }> =>
  request(`${WEFT_API}/runs/${enc(runId)}/tasks/${enc(taskId)}/logs`, { query: { tail } });

/** The URL that streams a task's log as Server-Sent Events (`log` events, then `end`). */
export const taskLogStreamUrl = (runId: string, taskId: string): string =>
  `${WEFT_API}/runs/${enc(runId)}/tasks/${enc(taskId)}/logs?follow=true`;

/** Scalar metrics logged by a run's tasks. */
export const getRunMetrics = (runId: string, signal?: AbortSignal): Promise<{ metrics: RunMetric[] }> =>
  request(`${WEFT_API}/runs/${enc(runId)}/metrics`, signal ? { signal } : {});

/** A run's artifacts. */
export const getRunArtifacts = (runId: string): Promise<{ artifacts: Artifact[] }> =>
  request(`${WEFT_API}/runs/${enc(runId)}/artifacts`);

/** A run's artifacts and input/output events. */
export const getRunLineage = (runId: string, signal?: AbortSignal): Promise<RunLineage> =>
  request<RunLineage>(`${WEFT_API}/runs/${enc(runId)}/lineage`, signal ? { signal } : {});

/** One artifact. */
export const getArtifact = (id: string): Promise<Artifact> => request<Artifact>(`${WEFT_API}/artifacts/${enc(id)}`);

/** Which task made an artifact, from which inputs, and what consumed it. */
export const getArtifactLineage = (id: string): Promise<ArtifactLineage> =>
  request<ArtifactLineage>(`${WEFT_API}/artifacts/${enc(id)}/lineage`);

/** The download URL of an artifact's content (or of a file inside a directory artifact). */
export const artifactContentUrl = (id: string, path?: string): string =>
  `${WEFT_API}/artifacts/${enc(id)}/content${path ? `?path=${enc(path)}` : ""}`;

/** An artifact's content: bytes of a file, or the entries of a directory. */
export async function getArtifactContent(
  id: string,
  path?: string,
): Promise<{ kind: "file"; bytes: ArrayBuffer; path: string | undefined } | { kind: "dir"; entries: string[] }> {
  const res = await fetch(artifactContentUrl(id, path));
  if (!res.ok) throw await errorFromResponse(res);
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("application/json") && !res.headers.get("content-disposition")) {
    const body = (await res.json()) as { entries?: string[] };
    return { kind: "dir", entries: body.entries ?? [] };
  }
  return { kind: "file", bytes: await res.arrayBuffer(), path };
}

/** The first `limit` bytes of an artifact file (whole file when small). */
export const getArtifactBytes = (id: string, path?: string): Promise<ArrayBuffer> =>
  requestBytes(artifactContentUrl(id, path));

/** What the artifacts list selects. */
export interface ArtifactListParams {
  pageSize?: number;
  pageToken?: string | undefined;
  runId?: string | undefined;
  /** `system.Model` or `Model`. */
  type?: string | undefined;
  /** A part of the name. */
  name?: string | undefined;
}

/** One page of artifacts, newest first, with each one's producing task and run name. */
export async function listArtifacts(p: ArtifactListParams, signal?: AbortSignal): Promise<Page<Artifact>> {
  const body = await request<{ artifacts?: Artifact[]; total_size?: number; next_page_token?: string }>(
    `${WEFT_API}/artifacts`,
    {
      query: { page_size: p.pageSize, page_token: p.pageToken, run_id: p.runId, type: p.type, name: p.name },
      ...(signal ? { signal } : {}),
    },
  );
  return {
    items: body.artifacts ?? [],
    totalSize: Number(body.total_size ?? 0),
    nextPageToken: body.next_page_token || undefined,
  };
}

/** Artifacts whose name, id or uri matches `q`. */
export const searchArtifacts = (q: string, signal?: AbortSignal): Promise<{ artifacts: Artifact[] }> =>
  request(`${WEFT_API}/lineage/search`, { query: { q, page_size: 20 }, ...(signal ? { signal } : {}) });

/** The lineage graph around an artifact or an execution, `up` and `down` executions each way. */
export const getLineageGraph = (
  start: { artifactId: string } | { executionId: string },
  up: number,
  down: number,
  signal?: AbortSignal,
): Promise<LineageGraph> =>
  request<LineageGraph>(`${WEFT_API}/lineage/graph`, {
    query: {
      ...("artifactId" in start ? { artifact_id: start.artifactId } : { execution_id: start.executionId }),
      upstream: up,
      downstream: down,
    },
    ...(signal ? { signal } : {}),
  });

/** The URL that downloads an artifact as a file: its bytes, or a tar archive of a directory. */
export const artifactDownloadUrl = (id: string): string => `${WEFT_API}/artifacts/${enc(id)}/content?download=true`;

/** The download URL of a directory artifact (or a folder inside it) as a tar archive. */
export const artifactArchiveUrl = (id: string, path?: string): string =>
  `${WEFT_API}/artifacts/${enc(id)}/content?archive=tar${path ? `&path=${enc(path)}` : ""}`;

/** The entries of a directory artifact's folder (`path` inside it, or its top). */
export const getArtifactDir = (id: string, path?: string, signal?: AbortSignal): Promise<{ items: DirItem[] }> =>
  request(`${WEFT_API}/artifacts/${enc(id)}/content`, {
    query: { path },
    ...(signal ? { signal } : {}),
  });
