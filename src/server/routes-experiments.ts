/**
 * KFP v2beta1 experiment routes: create, get, list, delete, archive and unarchive.
 * Archiving an experiment archives its runs too, as in KFP. Deleting one that still has
 * runs or recurring runs is refused unless `?cascade=true` (a Weft extension), which
 * deletes them with it; an experiment with active runs is never deleted.
 */
import type { FastifyInstance } from "fastify";
import { ACTIVE_RUN_STATES } from "../ir/index.ts";
import { ExperimentBody, parseBody } from "./bodies.ts";
import { requireExperiment, type ServerContext } from "./context.ts";
import { ApiError, GrpcCode } from "./errors.ts";
import { boolParam, listPage, listParams, pathParam, queryParam, registerVerbs } from "./http-util.ts";
import { EXPERIMENT_FIELDS, experimentJson } from "./kfp-json.ts";
import { buildListQuery } from "./query.ts";

const API = "/apis/v2beta1";

function forEachRun(ctx: ServerContext, experimentId: string, fn: (id: string) => void): void {
  let pageToken: string | undefined;
  do {
    const page = ctx.store.runs.listSummaries({
      filter: [{ field: "experimentId", op: "EQUALS", value: experimentId }],
      pageSize: 500,
      ...(pageToken ? { pageToken } : {}),
    });
    for (const r of page.items) fn(r.id);
    pageToken = page.nextPageToken;
  } while (pageToken);
}

/** Registers the experiment routes. */
export function registerExperimentRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;

  app.post(`${API}/experiments`, async (req) => {
    const body = parseBody(ExperimentBody, req.body, "experiment");
    return experimentJson(
      store.experiments.create({
        name: body.display_name,
        displayName: body.display_name,
        description: body.description ?? "",
        namespace: body.namespace ?? "",
      }),
    );
  });

  app.get(`${API}/experiments`, async (req) => {
    const ns = queryParam(req, "namespace");
    const extra = ns ? [{ field: "namespace", op: "EQUALS" as const, value: ns }] : [];
    const q = buildListQuery(EXPERIMENT_FIELDS, listParams(req), extra);
    return listPage("experiments", q, (query) => store.experiments.list(query), experimentJson, EXPERIMENT_FIELDS);
  });

  app.get(`${API}/experiments/:experiment_id`, async (req) =>
    experimentJson(requireExperiment(ctx, pathParam(req, "experiment_id"))),
  );

  app.delete(`${API}/experiments/:experiment_id`, async (req) => {
    const e = requireExperiment(ctx, pathParam(req, "experiment_id"));
    const cascade = boolParam(req, "cascade");
    if (cascade) {
      const active = store.runs.listSummaries({
        filter: [
          { field: "experimentId", op: "EQUALS", value: e.id },
          { field: "state", op: "IN", value: [...ACTIVE_RUN_STATES] },
        ],
        pageSize: 1,
      });
      if (active.totalSize > 0) {
        throw new ApiError(
          "API_FAILED_PRECONDITION",
          GrpcCode.FAILED_PRECONDITION,
          `experiment ${e.id} has ${active.totalSize} active run(s); terminate them first, then delete it.`,
        );
      }
    }
    // without cascade, an experiment that still has runs or recurring runs is refused
    store.experiments.delete(e.id, { cascade });
    return {};
  });

  registerVerbs(app, `${API}/experiments`, "experiment_id", {
    archive(id) {
      const e = requireExperiment(ctx, id);
      store.transaction(() => {
        store.experiments.archive(e.id);
        forEachRun(ctx, e.id, (runId) => store.runs.archive(runId));
      });
      return {};
    },
    unarchive(id) {
      store.experiments.unarchive(requireExperiment(ctx, id).id);
      return {};
    },
  });
}
