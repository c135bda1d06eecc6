/**
 * Artifact lists and lineage graphs under `/apis/weft/v1`: every artifact a page at a
 * time (KFP list conventions plus `run_id`, `type` and `name` shortcuts, filtered and paged
 * in SQL), a search by id, uri or name, and the multi-hop lineage graph around an
 * artifact or an execution.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ApiArtifact } from "../client/types.ts";
import type { Artifact, LineageStart, Predicate, Task } from "../store/index.ts";
import { ARTIFACTS_TABLE, timeFields, walkLineage, wireFields } from "../store/index.ts";
import type { ServerContext } from "./context.ts";
import { badRequest, notFound } from "./errors.ts";
import { listPage, listParams, queryParam } from "./http-util.ts";
import { DEFAULT_LINEAGE_HOPS, lineageGraphJson, MAX_LINEAGE_HOPS } from "./lineage-graph.ts";
import { buildListQuery, parsePageSize, type ResourceFields } from "./query.ts";
import { artifactJson, WEFT_API } from "./routes-weft.ts";

/** Filter and sort keys of `GET /apis/weft/v1/artifacts` (`type` is `schema_title`). */
export const ARTIFACT_FIELDS: ResourceFields = {
  resource: "artifact",
  fields: wireFields(ARTIFACTS_TABLE),
  timeFields: timeFields(ARTIFACTS_TABLE),
  defaultSort: { field: "createdAt", desc: true },
};

/** An artifact in a list: its record, the path of the task that made it and its run's name. */
function listedArtifactJson(
  ctx: ServerContext,
  tasks: Map<string, Task | undefined>,
  runs: Map<string, string | undefined>,
  a: Artifact,
): ApiArtifact {
  if (!tasks.has(a.taskId)) tasks.set(a.taskId, ctx.store.tasks.get(a.taskId));
  if (!runs.has(a.runId)) runs.set(a.runId, ctx.store.runs.get(a.runId)?.displayName);
  const task = tasks.get(a.taskId);
  const runName = runs.get(a.runId);
  return {
    ...artifactJson(a),
    ...(task ? { task: task.path } : {}),
    ...(runName !== undefined ? { run_name: runName } : {}),
  };
}

function hopsParam(req: FastifyRequest, name: string): number {
  const raw = queryParam(req, name);
  if (raw === undefined || raw === "") return DEFAULT_LINEAGE_HOPS;
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n > MAX_LINEAGE_HOPS) {
    throw badRequest(`query parameter ${name} "${raw}" must be a whole number from 0 to ${MAX_LINEAGE_HOPS}.`);
  }
  return n;
}

/** Registers the artifact list and lineage graph routes. */
export function registerArtifactRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;

  app.get(`${WEFT_API}/artifacts`, async (req) => {
    const extra: Predicate[] = [];
    const runId = queryParam(req, "run_id");
    const type = queryParam(req, "type");
    const name = queryParam(req, "name");
    if (runId) extra.push({ field: "runId", op: "EQUALS", value: runId });
    if (type) extra.push({ field: "schemaTitle", op: "EQUALS", value: type.includes(".") ? type : `system.${type}` });
    if (name) extra.push({ field: "name", op: "IS_SUBSTRING", value: name });
    const q = buildListQuery(ARTIFACT_FIELDS, listParams(req), extra);
    const tasks = new Map<string, Task | undefined>();
    const runs = new Map<string, string | undefined>();
    return listPage(
      "artifacts",
      q,
      (query) => store.artifacts.list(query),
      (a) => listedArtifactJson(ctx, tasks, runs, a),
      ARTIFACT_FIELDS,
    );
  });

  app.get(`${WEFT_API}/lineage/search`, async (req) => {
    const text = queryParam(req, "q") ?? "";
    if (text.trim() === "") throw badRequest("query parameter q is empty; give an artifact name, id or uri.");
    const limit = parsePageSize(queryParam(req, "page_size"));
    const tasks = new Map<string, Task | undefined>();
    const runs = new Map<string, string | undefined>();
    return {
      artifacts: store.artifacts.search(text, limit).map((a) => listedArtifactJson(ctx, tasks, runs, a)),
    };
  });

  app.get(`${WEFT_API}/lineage/graph`, async (req) => {
    const artifactId = queryParam(req, "artifact_id");
    const taskId = queryParam(req, "execution_id") ?? queryParam(req, "task_id");
    if ((artifactId === undefined) === (taskId === undefined)) {
      throw badRequest("give exactly one of artifact_id and execution_id (a task id) to start the lineage graph from.");
    }
    let start: LineageStart;
    if (artifactId !== undefined) {
      const artifact = store.artifacts.get(artifactId);
      if (!artifact) throw notFound("artifact", artifactId, "artifact_id");
      start = { artifact };
    } else {
      const task = store.tasks.get(taskId as string);
      if (!task) throw notFound("execution", taskId as string, "execution_id");
      start = { task };
    }
    const graph = walkLineage(store, start, {
      upstream: hopsParam(req, "upstream"),
      downstream: hopsParam(req, "downstream"),
    });
    return lineageGraphJson(store, graph, artifactJson);
  });
}
