/**
 * Calls to Weft's extension endpoints (`/apis/weft/v1`): the run graph, task logs (and
 * their live stream over Server-Sent Events), metrics, artifacts and lineage. A Kubeflow
 * Pipelines endpoint does not have them.
 */
import { ClientError } from "./errors.ts";
import { type Http, listQuery } from "./http.ts";
import type { ApiArtifact, ApiTaskMetric, ListOptions, Page } from "./types.ts";

const WEFT = "/apis/weft/v1";
const enc = encodeURIComponent;

/** A node of the run graph. */
export interface GraphNode {
  task_id: string;
  name: string;
  display_name: string;
  path: string;
  kind: string;
  state: string;
  parent_id?: string;
  started_at?: string;
  finished_at?: string;
  attempt: number;
  cached?: boolean;
  error?: string;
}

/** The run graph: task nodes with states and dependency edges. */
export interface RunGraph {
  run_id: string;
  state: string;
  nodes: GraphNode[];
  edges: { from: string; to: string }[];
}

/** One event of a followed log. */
export type LogEvent = { type: "log"; line: string } | { type: "end"; state: string };

/** Weft's extension calls; reached through `client.weft`. */
export class WeftExtensions {
  constructor(private readonly http: Http) {}

  /** The run graph with task states. */
  runGraph(runId: string): Promise<RunGraph> {
    return this.http.request("GET", `${WEFT}/runs/${enc(runId)}/graph`);
  }

  /** The last `tail` lines of a task's log; `taskId` may be the task path. */
  async taskLogs(runId: string, taskId: string, tail = 1000): Promise<string[]> {
    const body = await this.http.request<{ lines: string[] }>(
      "GET",
      `${WEFT}/runs/${enc(runId)}/tasks/${enc(taskId)}/logs?tail=${tail}`,
    );
    return body.lines;
  }

  /** Streams a task's log until the task finishes (Server-Sent Events). */
  async *followTaskLogs(runId: string, taskId: string): AsyncGenerator<LogEvent> {
    const res = await this.http.raw(
      "GET",
      `${WEFT}/runs/${enc(runId)}/tasks/${enc(taskId)}/logs?follow=true`,
      undefined,
      {
        timeoutMs: 0,
        headers: { accept: "text/event-stream" },
      },
    );
    if (!res.ok || !res.body) {
      throw new ClientError(
        "CLIENT_HTTP_ERROR",
        `following logs of ${runId}/${taskId} failed with ${res.status}: ${await res.text()}`,
        { status: res.status },
      );
    }
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let sep = buffer.indexOf("\n\n");
      while (sep >= 0) {
        const block = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        sep = buffer.indexOf("\n\n");
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!event || data === undefined) continue;
        const parsed = JSON.parse(data) as { line?: string; state?: string };
        if (event === "log") yield { type: "log", line: parsed.line ?? "" };
        if (event === "end") {
          yield { type: "end", state: parsed.state ?? "" };
          return;
        }
      }
    }
  }

  /** Scalar metrics of a run. */
  async runMetrics(runId: string): Promise<ApiTaskMetric[]> {
    return (await this.http.request<{ metrics: ApiTaskMetric[] }>("GET", `${WEFT}/runs/${enc(runId)}/metrics`)).metrics;
  }

  /** Artifacts of a run. */
  async runArtifacts(runId: string): Promise<Record<string, unknown>[]> {
    return (
      await this.http.request<{ artifacts: Record<string, unknown>[] }>("GET", `${WEFT}/runs/${enc(runId)}/artifacts`)
    ).artifacts;
  }

  /**
   * A page of artifacts, newest first: KFP list options (filter keys `run_id`, `type`,
   * `name`, `uri`, `created_at`, ...) and the shortcuts `runId`, `type` (`system.Model` or
   * `Model`) and `name` (a substring).
   */
  async listArtifacts(
    opts: ListOptions & { runId?: string; type?: string; name?: string } = {},
  ): Promise<Page<ApiArtifact>> {
    const body = await this.http.request<{ artifacts?: ApiArtifact[]; total_size?: number; next_page_token?: string }>(
      "GET",
      `${WEFT}/artifacts${listQuery(opts, { run_id: opts.runId, type: opts.type, name: opts.name })}`,
    );
    const items = body.artifacts ?? [];
    return {
      items,
      totalSize: Number(body.total_size ?? items.length),
      ...(body.next_page_token ? { nextPageToken: body.next_page_token } : {}),
    };
  }

  /** Producer, its inputs, and consumers of an artifact. */
  artifactLineage(artifactId: string): Promise<Record<string, unknown>> {
    return this.http.request("GET", `${WEFT}/artifacts/${enc(artifactId)}/lineage`);
  }

  /** The bytes of a file artifact (or of `path` inside a directory artifact). */
  async downloadArtifact(artifactId: string, path?: string): Promise<Uint8Array> {
    const q = path ? `?path=${enc(path)}` : "";
    const res = await this.http.raw("GET", `${WEFT}/artifacts/${enc(artifactId)}/content${q}`);
    if (!res.ok) {
      throw new ClientError(
        "CLIENT_HTTP_ERROR",
        `downloading artifact ${artifactId} failed with ${res.status}: ${await res.text()}`,
        { status: res.status },
      );
    }
    return new Uint8Array(await res.arrayBuffer());
  }
}
