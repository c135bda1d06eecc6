/**
 * KFP v2beta1 recurring run routes: create, get, list, delete, enable and disable. Fire
 * times are computed by `schedule/`; the scheduler fires them.
 */

import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { pipelineRootDir } from "../artifacts/index.ts";
import type { JsonValue, PipelinePackage } from "../ir/index.ts";
import { buildTrigger, firstFireTime, nextFireAfter, substituteParameterMacros } from "../schedule/index.ts";
import type { RecurringRun } from "../store/index.ts";
import { parseBody, RecurringRunBody } from "./bodies.ts";
import { pipelineIdOf, requireExperiment, resolveVersion, type ServerContext } from "./context.ts";
import { badRequest, notFound } from "./errors.ts";
import { listPage, listParams, pathParam, queryParam, registerVerbs } from "./http-util.ts";
import { RECURRING_RUN_FIELDS, recurringRunJson } from "./kfp-json.ts";
import { checkRunParameters, pipelineFromObject } from "./pipeline-input.ts";
import { buildListQuery } from "./query.ts";

const API = "/apis/v2beta1";

const ms = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));

function requireRecurring(ctx: ServerContext, req: FastifyRequest): RecurringRun {
  const id = pathParam(req, "recurring_run_id");
  const rr = ctx.store.recurringRuns.get(id);
  if (!rr) throw notFound("recurring run", id, "recurring_run_id");
  return rr;
}

/** Parameters as a fired run would get them (macros such as `[[Index]]` substituted), for type checks. */
function asFired(params: Record<string, JsonValue>, now: number): Record<string, JsonValue> {
  return substituteParameterMacros(params, { scheduledAt: now, currentAt: now, index: 1, runId: randomUUID() });
}

/** Registers the recurring run routes. */
export function registerRecurringRunRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;
  const json = (rr: RecurringRun) => {
    const pipelineId = pipelineIdOf(ctx, rr.pipelineVersionId);
    return recurringRunJson(rr, { now: ctx.clock(), ...(pipelineId ? { pipelineId } : {}) });
  };

  app.post(`${API}/recurringruns`, async (req) => {
    const body = parseBody(RecurringRunBody, req.body, "recurring_run");
    const cron = body.trigger.cron_schedule;
    const periodic = body.trigger.periodic_schedule;
    if (cron && periodic) throw badRequest("recurring_run.trigger: set cron_schedule or periodic_schedule, not both.");
    const window = cron ?? periodic ?? {};
    const trigger = buildTrigger(
      {
        ...(cron?.cron !== undefined ? { cron: cron.cron } : {}),
        ...(periodic ? { intervalSeconds: Number(periodic.interval_second ?? 0) } : {}),
        ...(window.start_time ? { startTime: ms(window.start_time) } : {}),
        ...(window.end_time ? { endTime: ms(window.end_time) } : {}),
      },
      "recurring_run.trigger",
    );
    const maxConcurrency = body.max_concurrency === undefined ? 1 : Number(body.max_concurrency);
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > 10) {
      throw badRequest(`recurring_run.max_concurrency ${body.max_concurrency} must be from 1 to 10.`);
    }
    const experiment = body.experiment_id
      ? requireExperiment(ctx, body.experiment_id)
      : store.experiments.getDefault("");
    const ref =
      body.pipeline_version_reference ??
      (body.pipeline_version_id ? { pipeline_version_id: body.pipeline_version_id } : undefined);
    if (body.pipeline_spec && ref) {
      throw badRequest("recurring_run: set either pipeline_spec or pipeline_version_reference, not both.");
    }
    let pkg: PipelinePackage;
    let versionId: string | undefined;
    if (ref) {
      const version = resolveVersion(ctx, ref);
      versionId = version.id;
      pkg = { pipelineSpec: version.spec };
    } else if (body.pipeline_spec) {
      pkg = pipelineFromObject(body.pipeline_spec, "recurring_run.pipeline_spec");
    } else {
      throw badRequest("recurring_run: set pipeline_spec or pipeline_version_reference.pipeline_id.");
    }
    const given = (body.runtime_config?.parameters ?? {}) as Record<string, JsonValue>;
    // refused here, not at each fire: the local engine writes only to local directories
    const pipelineRoot = body.runtime_config?.pipeline_root;
    pipelineRootDir(pipelineRoot, "recurring_run.runtime_config.pipeline_root");
    const now = ctx.clock();
    const checked = checkRunParameters(pkg, asFired(given, now), "recurring_run.runtime_config.parameters");
    const parameters = { ...checked, ...given };
    const mode = body.mode === "DISABLE" ? "DISABLE" : "ENABLE";
    const next = mode === "ENABLE" ? firstFireTime(trigger, now) : undefined;
    const rr = store.recurringRuns.create({
      displayName: body.display_name,
      description: body.description ?? "",
      experimentId: experiment.id,
      ...(versionId ? { pipelineVersionId: versionId } : { pipelineSpec: pkg.pipelineSpec }),
      parameters,
      trigger,
      maxConcurrency,
      noCatchup: body.no_catchup ?? false,
      mode,
      ...(next !== undefined ? { nextFireAt: next } : {}),
      namespace: experiment.namespace,
      createdAt: now,
      ...(pipelineRoot ? { pipelineRoot } : {}),
      ...(body.service_account ? { serviceAccount: body.service_account } : {}),
    });
    return json(rr);
  });

  app.get(`${API}/recurringruns`, async (req) => {
    const extra = [];
    const experimentId = queryParam(req, "experiment_id");
    if (experimentId) extra.push({ field: "experimentId", op: "EQUALS" as const, value: experimentId });
    const ns = queryParam(req, "namespace");
    if (ns) extra.push({ field: "namespace", op: "EQUALS" as const, value: ns });
    const q = buildListQuery(RECURRING_RUN_FIELDS, listParams(req), extra);
    return listPage("recurringRuns", q, (query) => store.recurringRuns.list(query), json, RECURRING_RUN_FIELDS);
  });

  app.get(`${API}/recurringruns/:recurring_run_id`, async (req) => json(requireRecurring(ctx, req)));

  app.delete(`${API}/recurringruns/:recurring_run_id`, async (req) => {
    store.recurringRuns.delete(requireRecurring(ctx, req).id);
    return {};
  });

  registerVerbs(app, `${API}/recurringruns`, "recurring_run_id", {
    enable(_id, req) {
      const rr = requireRecurring(ctx, req);
      if (rr.mode !== "ENABLE") {
        const next = nextFireAfter(rr.trigger, ctx.clock(), rr.createdAt);
        store.recurringRuns.update(rr.id, { mode: "ENABLE", status: "ENABLED", nextFireAt: next ?? null });
      }
      return {};
    },
    disable(_id, req) {
      const rr = requireRecurring(ctx, req);
      store.recurringRuns.update(rr.id, { mode: "DISABLE", status: "DISABLED" });
      return {};
    },
  });
}
