/**
 * KFP v2beta1 `PATCH` of pipelines and pipeline versions (`UpdatePipeline`,
 * `UpdatePipelineVersion`). The body is the resource; its mutable fields are
 * `display_name` and `tags`. Other input fields may be repeated with their current values
 * (a client may send back what it read), but a different value is a 400 naming the field;
 * output-only fields (`created_at`, `error`) are ignored, as on create.
 */
import type { FastifyInstance } from "fastify";
import type { Pipeline, PipelinePatch, PipelineVersion } from "../store/index.ts";
import { PipelineBody, PipelineVersionBody, parseBody } from "./bodies.ts";
import type { ServerContext } from "./context.ts";
import { badRequest, notFound } from "./errors.ts";
import { pathParam } from "./http-util.ts";
import { pipelineJson, versionJson } from "./kfp-json.ts";

const API = "/apis/v2beta1";
const MUTABLE = "display_name and tags";

/** A 400 when `given` is set and differs from the resource's current value of an immutable field. */
function unchanged(field: string, given: unknown, current: unknown): void {
  if (given === undefined || given === "") return;
  if (JSON.stringify(given) === JSON.stringify(current ?? "")) return;
  throw badRequest(
    `${field} cannot be changed by an update; only ${MUTABLE} are mutable. Leave ${field.split(".").pop()} out of the body or send its current value.`,
  );
}

/** The patch of the mutable fields; a body that changes nothing is a 400. */
function patchOf(
  message: string,
  body: { display_name?: string | undefined; tags?: Record<string, string> | undefined },
): PipelinePatch {
  const patch: PipelinePatch = {};
  if (body.display_name) patch.displayName = body.display_name;
  if (body.tags !== undefined) patch.tags = body.tags;
  if (patch.displayName === undefined && patch.tags === undefined) {
    throw badRequest(`${message}: nothing to update; set display_name or tags (the mutable fields).`);
  }
  return patch;
}

/** Registers `PATCH /pipelines/{id}` and `PATCH /pipelines/{id}/versions/{version_id}`. */
export function registerPipelinePatchRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;

  app.patch(`${API}/pipelines/:pipeline_id`, async (req) => {
    const id = pathParam(req, "pipeline_id");
    const body = parseBody(PipelineBody, req.body, "pipeline");
    const p: Pipeline | undefined = store.pipelines.get(id);
    if (!p) throw notFound("pipeline", id, "pipeline_id");
    unchanged("pipeline.pipeline_id", body.pipeline_id, p.id);
    unchanged("pipeline.name", body.name, p.name);
    unchanged("pipeline.description", body.description, p.description);
    unchanged("pipeline.namespace", body.namespace, p.namespace);
    return pipelineJson(store.pipelines.update(id, patchOf("pipeline", body)));
  });

  app.patch(`${API}/pipelines/:pipeline_id/versions/:pipeline_version_id`, async (req) => {
    const pipelineId = pathParam(req, "pipeline_id");
    const id = pathParam(req, "pipeline_version_id");
    const body = parseBody(PipelineVersionBody, req.body, "pipeline_version");
    const v: PipelineVersion | undefined = store.pipelines.getVersion(id);
    if (!v || v.pipelineId !== pipelineId) throw notFound("pipeline version", id, "pipeline_version_id");
    unchanged("pipeline_version.pipeline_id", body.pipeline_id, v.pipelineId);
    unchanged("pipeline_version.pipeline_version_id", body.pipeline_version_id, v.id);
    unchanged("pipeline_version.name", body.name, v.name);
    unchanged("pipeline_version.description", body.description, v.description);
    unchanged("pipeline_version.code_source_url", body.code_source_url, v.codeSourceUrl);
    unchanged("pipeline_version.package_url", body.package_url?.pipeline_url, undefined);
    unchanged("pipeline_version.pipeline_spec", body.pipeline_spec, v.spec);
    return versionJson(store.pipelines.updateVersion(id, patchOf("pipeline_version", body)));
  });
}
