/**
 * KFP v2beta1 run routes: create (from an inline `pipeline_spec` or a
 * `pipeline_version_reference`), get with task details, list, delete, archive, unarchive,
 * terminate and retry. A created run is recorded PENDING and queued for execution.
 */

import type { FastifyInstance, FastifyRequest } from "fastify";
import { pipelineRootDir } from "../artifacts/index.ts";
import type { ApiRun } from "../client/types.ts";
import { checkRootArtifacts, ParameterError } from "../engine/index.ts";
import {
  isActiveRunState,
  isRetryableRunState,
  type JsonValue,
  type PipelinePackage,
  RETRYABLE_RUN_STATES,
} from "../ir/index.ts";
import type { Run, RunSummary } from "../store/index.ts";
import { parseBody, RunBody, RunPatchBody } from "./bodies.ts";
import { pipelineIdOf, requireExperiment, resolveVersion, type ServerContext } from "./context.ts";
import { ApiError, badRequest, GrpcCode, notFound } from "./errors.ts";
import { listPage, listParams, pathParam, queryParam, registerVerbs } from "./http-util.ts";
import { RUN_FIELDS, runJson } from "./kfp-json.ts";
import { checkRunParameters, pipelineFromObject } from "./pipeline-input.ts";
import { buildListQuery } from "./query.ts";

const API = "/apis/v2beta1";

function requireRun(ctx: ServerContext, req: FastifyRequest): Run {
  const id = pathParam(req, "run_id");
  const run = ctx.store.runs.get(id);
  if (!run) throw notFound("run", id, "run_id");
  return run;
}

function precondition(message: string): ApiError {
  return new ApiError("API_FAILED_PRECONDITION", GrpcCode.FAILED_PRECONDITION, message);
}

/** Stops a run: unqueues it if it has not started, otherwise asks the engine to cancel it. */
export function terminateRun(ctx: ServerContext, run: Run): void {
  if (run.state === "PENDING" && ctx.queue.dequeue(run.id)) {
    ctx.store.runs.transitionState(run.id, ["PENDING"], "CANCELED", {
      error: { code: "CANCELED", message: "terminated before it started" },
    });
    return;
  }
  if (run.state === "PENDING" && !ctx.queue.isRunning(run.id) && run.ownerPid === undefined) {
    ctx.store.runs.transitionState(run.id, ["PENDING"], "CANCELED", {
      error: { code: "CANCELED", message: "terminated before it started" },
    });
    return;
  }
  ctx.executor.cancel(run.id);
}

/**
 * `runtime_config.input_artifacts` (a Weft extension): checked like `weft run --artifact`
 * (declared names, content present on this machine, every required input given); a
 * problem is a 400 naming the field.
 */
function checkInputArtifacts(pkg: PipelinePackage, given: Record<string, { uri: string }>): Record<string, string> {
  try {
    return checkRootArtifacts(
      pkg.pipelineSpec,
      Object.fromEntries(Object.entries(given).map(([name, a]) => [name, a.uri])),
    );
  } catch (e) {
    if (!(e instanceof ParameterError)) throw e;
    throw badRequest(`run.runtime_config.input_artifacts.${e.parameter}: ${e.message}.`);
  }
}

/** Registers the run routes. */
export function registerRunRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;
  const json = (run: Run, withTasks = false) =>
    runJson(run, {
      ...(run.pipelineVersionId ? { pipelineId: pipelineIdOf(ctx, run.pipelineVersionId) } : {}),
      ...(withTasks ? { tasks: store.tasks.listByRun(run.id), events: store.events.listByRun(run.id) } : {}),
      metrics: store.metrics.runMetricsOf([run.id])[run.id] ?? [],
    });

  app.post(`${API}/runs`, async (req, reply) => {
    const body = parseBody(RunBody, req.body, "run");
    const experimentId = body.experiment_id || queryParam(req, "experiment_id");
    const experiment = experimentId ? requireExperiment(ctx, experimentId) : store.experiments.getDefault("");
    let pkg: PipelinePackage;
    let versionId: string | undefined;
    const ref =
      body.pipeline_version_reference ??
      (body.pipeline_version_id ? { pipeline_version_id: body.pipeline_version_id } : undefined);
    if (body.pipeline_spec && ref) {
      throw badRequest("run: set either pipeline_spec or pipeline_version_reference, not both.");
    }
    if (ref) {
      const version = resolveVersion(ctx, ref);
      versionId = version.id;
      pkg = { pipelineSpec: version.spec, ...(version.platformSpec ? { platformSpec: version.platformSpec } : {}) };
    } else if (body.pipeline_spec) {
      pkg = pipelineFromObject(body.pipeline_spec, "run.pipeline_spec");
    } else {
      throw badRequest("run: set pipeline_spec (the compiled pipeline) or pipeline_version_reference.pipeline_id.");
    }
    // an object-store root is refused, not accepted and ignored: the local engine writes
    // only to local directories
    pipelineRootDir(body.runtime_config?.pipeline_root, "run.runtime_config.pipeline_root");
    const parameters = checkRunParameters(
      pkg,
      (body.runtime_config?.parameters ?? {}) as Record<string, JsonValue>,
      "run.runtime_config.parameters",
    );
    const inputArtifacts = checkInputArtifacts(pkg, body.runtime_config?.input_artifacts ?? {});
    const run = store.runs.create({
      experimentId: experiment.id,
      displayName: body.display_name,
      description: body.description ?? "",
      ...(versionId ? { pipelineVersionId: versionId } : {}),
      pipelineSpec: pkg.pipelineSpec,
      ...(pkg.platformSpec ? { platformSpec: pkg.platformSpec } : {}),
      parameters,
      ...(body.runtime_config?.pipeline_root ? { pipelineRoot: body.runtime_config.pipeline_root } : {}),
      ...(body.service_account ? { serviceAccount: body.service_account } : {}),
      namespace: experiment.namespace,
      ...(body.tags ? { tags: body.tags } : {}),
      inputArtifacts,
    });
    ctx.queue.enqueue(run.id);
    reply.status(200);
    return json(run);
  });

  app.get(`${API}/runs`, async (req) => {
    const extra = [];
    const experimentId = queryParam(req, "experiment_id");
    if (experimentId) extra.push({ field: "experimentId", op: "EQUALS" as const, value: experimentId });
    const ns = queryParam(req, "namespace");
    if (ns) extra.push({ field: "namespace", op: "EQUALS" as const, value: ns });
    const q = buildListQuery(RUN_FIELDS, listParams(req), extra);
    const versions = new Map<string, string | undefined>();
    // a page of summaries: no spec is read (a realistic one is hundreds of KB); GET one run for it
    const toJson = (run: RunSummary) => {
      if (run.pipelineVersionId && !versions.has(run.pipelineVersionId)) {
        versions.set(run.pipelineVersionId, pipelineIdOf(ctx, run.pipelineVersionId));
      }
      const pipelineId = run.pipelineVersionId ? versions.get(run.pipelineVersionId) : undefined;
      return runJson(run, pipelineId ? { pipelineId } : {});
    };
    const body = listPage("runs", q, (query) => store.runs.listSummaries(query), toJson, RUN_FIELDS);
    // the page's run metrics in one query, not one request per run
    const runs = (body.runs ?? []) as ApiRun[];
    const metrics = store.metrics.runMetricsOf(runs.map((r) => r.run_id));
    for (const r of runs) r.metrics = (metrics[r.run_id] ?? []).map((m) => ({ name: m.name, number_value: m.value }));
    return body;
  });

  app.get(`${API}/runs/:run_id`, async (req) => json(requireRun(ctx, req), true));

  app.patch(`${API}/runs/:run_id`, async (req) => {
    const run = requireRun(ctx, req);
    const body = parseBody(RunPatchBody, req.body, "run");
    if (body.run_id && body.run_id !== run.id) {
      throw badRequest(`run.run_id "${body.run_id}" differs from the run in the path (${run.id}); leave it out.`);
    }
    if (body.display_name === undefined && body.description === undefined && body.tags === undefined) {
      throw badRequest("run: nothing to update; set display_name, description or tags (the mutable fields).");
    }
    return json(
      store.runs.update(run.id, {
        ...(body.display_name !== undefined ? { displayName: body.display_name } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.tags !== undefined ? { tags: body.tags } : {}),
      }),
    );
  });

  app.delete(`${API}/runs/:run_id`, async (req) => {
    const run = requireRun(ctx, req);
    // a run that executes would go on writing tasks and artifacts of a deleted run: stop it first
    if (isActiveRunState(run.state)) {
      throw precondition(
        `run ${run.id} is ${run.state}; terminate it first (POST /runs/${run.id}:terminate, or 'weft runs cancel'), then delete it.`,
      );
    }
    store.runs.delete(run.id);
    return {};
  });

  registerVerbs(app, `${API}/runs`, "run_id", {
    archive(_id, req) {
      store.runs.archive(requireRun(ctx, req).id);
      return {};
    },
    unarchive(_id, req) {
      store.runs.unarchive(requireRun(ctx, req).id);
      return {};
    },
    terminate(_id, req) {
      const run = requireRun(ctx, req);
      if (!isActiveRunState(run.state)) {
        throw precondition(`run ${run.id} is already ${run.state}; only PENDING or RUNNING runs can be terminated.`);
      }
      terminateRun(ctx, run);
      return {};
    },
    retry(_id, req) {
      const run = requireRun(ctx, req);
      if (!isRetryableRunState(run.state)) {
        throw precondition(`run ${run.id} is ${run.state}; only FAILED or CANCELED runs can be retried.`);
      }
      const moved = store.runs.transitionState(run.id, RETRYABLE_RUN_STATES, "PENDING", { error: null });
      if (!moved) throw precondition(`run ${run.id} changed state while retrying; get it and try again.`);
      ctx.queue.enqueue(run.id);
      return {};
    },
  });
}
