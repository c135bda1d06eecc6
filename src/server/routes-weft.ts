/**
 * Weft's extension endpoints for its UI and CLI, under `/apis/weft/v1` (documented at
 * `/docs`): the run graph with task states, task details (inputs, outputs, cache,
 * attempts), task logs with live streaming (Server-Sent Events), run metrics, artifacts
 * with downloads confined to the artifact store, lineage, and the run queue.
 */
import { constants, createReadStream, fstatSync, lstatSync, openSync, readdirSync, readSync } from "node:fs";
import { basename, join } from "node:path";
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { resolveInside } from "../artifacts/index.ts";
import type { ApiArtifact } from "../client/types.ts";
import { labelledPath, labelsByPath } from "../ir/index.ts";
import type { Artifact, Run, Task } from "../store/index.ts";
import { artifactContentPath } from "./artifact-roots.ts";
import type { ServerContext } from "./context.ts";
import { contentDisposition, downloadName } from "./download-name.ts";
import { badRequest, notFound } from "./errors.ts";
import { boolParam, pathParam, queryParam } from "./http-util.ts";
import { compact, taskRuntimeState, time } from "./kfp-json.ts";
import { runGraph } from "./run-graph.ts";
import { streamTaskLog, tailLog } from "./sse-logs.ts";
import { tarDirectory } from "./tar.ts";
import { taskDetailJson } from "./task-detail.ts";

/** Prefix of Weft's extension endpoints. */
export const WEFT_API = "/apis/weft/v1";

function requireRun(ctx: ServerContext, req: FastifyRequest): Run {
  const id = pathParam(req, "run_id");
  const run = ctx.store.runs.get(id);
  if (!run) throw notFound("run", id, "run_id");
  return run;
}

function requireTask(ctx: ServerContext, req: FastifyRequest, run: Run): Task {
  const id = pathParam(req, "task_id");
  const task = ctx.store.tasks.get(id) ?? ctx.store.tasks.getByPath(run.id, id);
  if (!task || task.runId !== run.id) throw notFound("task", id, "task_id");
  return task;
}

function requireArtifact(ctx: ServerContext, req: FastifyRequest): Artifact {
  const id = pathParam(req, "artifact_id");
  const a = ctx.store.artifacts.get(id);
  if (!a) throw notFound("artifact", id, "artifact_id");
  return a;
}

/** An artifact in extension JSON. */
export function artifactJson(a: Artifact): ApiArtifact {
  return compact({
    artifact_id: a.id,
    run_id: a.runId,
    task_id: a.taskId,
    name: a.name,
    uri: a.uri,
    schema_title: a.schemaTitle,
    schema_version: a.schemaVersion,
    metadata: a.metadata,
    digest: a.digest,
    size_bytes: a.sizeBytes,
    created_at: time(a.createdAt),
  });
}

/**
 * A directory of an artifact: `entries` (names, sorted) and `items` with each entry's kind
 * (`file`, `dir` or `link`; a link is listed, never followed or served) and a file's size.
 */
function directoryJson(a: Artifact, directory: string, path: string): Record<string, unknown> {
  const names = readdirSync(path).sort();
  const items = names.map((name) => {
    let st: ReturnType<typeof lstatSync> | undefined;
    try {
      st = lstatSync(join(path, name));
    } catch {
      st = undefined;
    }
    const kind = st?.isDirectory() ? "dir" : st?.isFile() ? "file" : st?.isSymbolicLink() ? "link" : "other";
    return kind === "file" ? { name, kind, size_bytes: st?.size ?? 0 } : { name, kind };
  });
  return { artifact_id: a.id, directory, entries: names, items };
}

/** Whether the artifact's content is a `file`, a `directory` or `missing` (absent, a link, or outside the store). */
function contentKind(ctx: ServerContext, a: Artifact): "file" | "directory" | "missing" {
  try {
    const st = lstatSync(artifactContentPath(ctx, a));
    return st.isDirectory() ? "directory" : st.isFile() ? "file" : "missing";
  } catch {
    return "missing";
  }
}

/** Registers the extension routes. */
export function registerWeftRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;

  app.get(`${WEFT_API}/runs/:run_id/graph`, async (req) =>
    runGraph(requireRun(ctx, req), store.tasks.listByRun(pathParam(req, "run_id"))),
  );

  app.get(`${WEFT_API}/runs/:run_id/tasks/:task_id`, async (req) => {
    const run = requireRun(ctx, req);
    const task = requireTask(ctx, req, run);
    return taskDetailJson(task, store.events.listByTask(task.id));
  });

  app.get(`${WEFT_API}/runs/:run_id/tasks/:task_id/logs`, async (req, reply) => {
    const run = requireRun(ctx, req);
    const task = requireTask(ctx, req, run);
    if (boolParam(req, "follow") || (req.headers.accept ?? "").includes("text/event-stream")) {
      streamTaskLog(ctx, req, reply, task);
      return reply;
    }
    const tailText = queryParam(req, "tail");
    const tail = tailText === undefined ? 1000 : Number(tailText);
    if (!Number.isInteger(tail) || tail < 1)
      throw badRequest(`query parameter tail "${tailText}" must be a positive integer.`);
    return {
      task_id: task.id,
      path: task.path,
      state: taskRuntimeState(task.state),
      lines: tailLog(task.logPath, tail),
    };
  });

  app.get(`${WEFT_API}/runs/:run_id/metrics`, async (req) => {
    const run = requireRun(ctx, req);
    const list = store.tasks.listByRun(run.id);
    const tasks = new Map(list.map((t) => [t.id, t]));
    const labels = labelsByPath(list);
    return {
      run_id: run.id,
      metrics: store.metrics.listByRun(run.id).map((m) => {
        const path = tasks.get(m.taskId)?.path;
        return compact({
          task_id: m.taskId,
          task: path,
          task_label: path !== undefined ? labelledPath(path, labels) : undefined,
          artifact_id: m.artifactId,
          name: m.name,
          value: m.value,
        });
      }),
    };
  });

  app.get(`${WEFT_API}/runs/:run_id/artifacts`, async (req) => {
    const run = requireRun(ctx, req);
    return { run_id: run.id, artifacts: store.artifacts.listByRun(run.id).map(artifactJson) };
  });

  app.get(`${WEFT_API}/runs/:run_id/lineage`, async (req) => {
    const run = requireRun(ctx, req);
    return {
      run_id: run.id,
      artifacts: store.artifacts.listByRun(run.id).map(artifactJson),
      events: store.events.listByRun(run.id).map((e) => ({
        task_id: e.taskId,
        artifact_id: e.artifactId,
        type: e.type,
        name: e.name,
        created_at: time(e.createdAt),
      })),
    };
  });

  app.get(`${WEFT_API}/artifacts/:artifact_id`, async (req) => {
    const a = requireArtifact(ctx, req);
    return { ...artifactJson(a), content_kind: contentKind(ctx, a) };
  });

  app.get(`${WEFT_API}/artifacts/:artifact_id/lineage`, async (req) => {
    const a = requireArtifact(ctx, req);
    const events = store.events.listByArtifact(a.id);
    const producerEvent = events.find((e) => e.type === "OUTPUT");
    const producer = producerEvent ? store.tasks.get(producerEvent.taskId) : store.tasks.get(a.taskId);
    const inputs = producer
      ? store.events
          .listByTask(producer.id)
          .filter((e) => e.type === "INPUT")
          .map((e) => ({ name: e.name, artifact: store.artifacts.get(e.artifactId) }))
          .filter((x): x is { name: string; artifact: Artifact } => x.artifact !== undefined)
          .map((x) => ({ name: x.name, artifact: artifactJson(x.artifact) }))
      : [];
    const consumers = events
      .filter((e) => e.type === "INPUT")
      .map((e) => ({ event: e, task: store.tasks.get(e.taskId) }))
      .map(({ event, task }) =>
        compact({ run_id: event.runId, task_id: event.taskId, task: task?.path, input: event.name }),
      );
    return {
      artifact: artifactJson(a),
      producer: producer
        ? compact({ run_id: producer.runId, task_id: producer.id, task: producer.path, inputs })
        : undefined,
      consumers,
    };
  });

  app.get(`${WEFT_API}/artifacts/:artifact_id/content`, async (req, reply) => {
    const a = requireArtifact(ctx, req);
    // resolveInside refuses anything outside the store (or the run's own pipeline root) and any symbolic link on the way,
    // the artifact itself or a member of it included: a link's target is never served.
    const root = artifactContentPath(ctx, a);
    let path = root;
    const sub = queryParam(req, "path");
    if (sub) path = resolveInside(path, sub);
    const archive = queryParam(req, "archive");
    if (archive !== undefined && archive !== "tar") {
      throw badRequest(`query parameter archive "${archive}" is not a format; use archive=tar for a directory.`);
    }
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(path);
    } catch {
      throw notFound("artifact content", sub ? `${a.id}/${sub}` : a.id, "artifact_id");
    }
    if (st.isDirectory()) {
      const name = basename(path);
      if (archive === "tar" || boolParam(req, "download")) {
        reply.header("content-type", "application/x-tar");
        reply.header("content-disposition", contentDisposition(downloadName(a, name, { directory: true })));
        return reply.send(Readable.from(tarDirectory(path, name)));
      }
      return directoryJson(a, sub ?? "", path);
    }
    if (archive !== undefined) {
      throw badRequest(
        `artifact ${a.id} content ${JSON.stringify(sub ?? "")} is a file; archive=tar is for directories.`,
      );
    }
    if (!st.isFile()) {
      throw badRequest(
        `artifact ${a.id} content ${JSON.stringify(sub ?? "")} is not a regular file; only files are served.`,
      );
    }
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      throw badRequest(
        `artifact ${a.id} content ${JSON.stringify(sub ?? "")} cannot be opened as a regular file; links are never served.`,
      );
    }
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 4096));
    readSync(fd, head, 0, head.length, 0);
    const name = downloadName(a, basename(path), { directory: false, head, inside: path !== root });
    reply.header("content-type", "application/octet-stream");
    reply.header("content-length", String(size));
    reply.header("content-disposition", contentDisposition(name));
    return reply.send(createReadStream("", { fd, start: 0 }));
  });

  app.get(`${WEFT_API}/queue`, async () => ctx.queue.stats());
}
