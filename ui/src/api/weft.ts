/**
 * Weft's extension endpoints (`/apis/weft/v1`): run graph, task details and logs (with
 * live Server-Sent Events), run metrics, artifacts with their content, and lineage.
 */
import { ApiRequestError, errorFromResponse, request, requestBytes } from "./http.ts";
import type { Artifact, ArtifactLineage, RunGraph, RunLineage, RunMetric, TaskInfo } from "./types.ts";

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
