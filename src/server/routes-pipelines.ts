/**
 * KFP v2beta1 pipeline routes: create, upload (multipart field `uploadfile`), get by id and
 * by name, list, delete, and the same for pipeline versions.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { PipelinePackage } from "../ir/index.ts";
import type { Pipeline, PipelineVersion } from "../store/index.ts";
import { PipelineAndVersionBody, PipelineBody, PipelineVersionBody, parseBody } from "./bodies.ts";
import type { ServerContext } from "./context.ts";
import { ApiError, badRequest, notFound } from "./errors.ts";
import { boolParam, listParams, listResponse, pathParam, queryParam } from "./http-util.ts";
import { PIPELINE_FIELDS, pipelineJson, VERSION_FIELDS, versionJson } from "./kfp-json.ts";
import { pipelineFromObject, pipelineFromText } from "./pipeline-input.ts";
import { buildListQuery } from "./query.ts";

const API = "/apis/v2beta1";
const MAX_UPLOAD_BYTES = 32 * 1024 * 1024;

async function readUpload(req: FastifyRequest): Promise<{ text: string; filename: string }> {
  try {
    return await readUploadPart(req);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw badRequest(
      `upload: the multipart body could not be read (${(err as Error).message}); send multipart/form-data with the pipeline file in the field "uploadfile".`,
    );
  }
}

async function readUploadPart(req: FastifyRequest): Promise<{ text: string; filename: string }> {
  if (!req.isMultipart()) {
    throw badRequest('upload must be a multipart/form-data request with the pipeline file in the field "uploadfile".');
  }
  const part = await req.file({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });
  if (!part) throw badRequest('upload has no file; send the pipeline YAML in the multipart field "uploadfile".');
  if (part.fieldname !== "uploadfile") {
    throw badRequest(`upload: the file is in field "${part.fieldname}"; send it in the field "uploadfile".`);
  }
  const buf = await part.toBuffer();
  if (part.file.truncated) throw badRequest(`upload: ${part.filename} is larger than ${MAX_UPLOAD_BYTES} bytes.`);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    throw badRequest(`upload: ${part.filename} is a gzip archive; upload the compiled pipeline YAML or JSON instead.`);
  }
  return { text: buf.toString("utf8"), filename: part.filename || "uploadfile" };
}

async function specFromVersionBody(
  body: {
    pipeline_spec?: Record<string, unknown> | undefined;
    package_url?: { pipeline_url?: string | undefined } | undefined;
  },
  field: string,
): Promise<PipelinePackage> {
  if (body.pipeline_spec) return pipelineFromObject(body.pipeline_spec, `${field}.pipeline_spec`);
  const url = body.package_url?.pipeline_url;
  if (!url) throw badRequest(`${field}.package_url.pipeline_url is required (or pipeline_spec inline).`);
  if (!/^https?:\/\//.test(url)) throw badRequest(`${field}.package_url.pipeline_url "${url}" must be an http(s) URL.`);
  let text: string;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    text = await res.text();
  } catch (err) {
    throw badRequest(`${field}.package_url.pipeline_url "${url}" could not be fetched (${(err as Error).message}).`);
  }
  return pipelineFromText(text, url);
}

function createVersion(
  ctx: ServerContext,
  pipeline: Pipeline,
  pkg: PipelinePackage,
  meta: {
    name?: string | undefined;
    display_name?: string | undefined;
    description?: string | undefined;
    code_source_url?: string | undefined;
  },
): PipelineVersion {
  const name = meta.name || meta.display_name || `${pipeline.name}-${new Date(ctx.clock()).toISOString()}`;
  return ctx.store.pipelines.createVersion({
    pipelineId: pipeline.id,
    name,
    displayName: meta.display_name || name,
    description: meta.description ?? pkg.pipelineSpec.pipelineInfo.description ?? "",
    spec: pkg.pipelineSpec,
    ...(pkg.platformSpec ? { platformSpec: pkg.platformSpec } : {}),
    ...(meta.code_source_url ? { codeSourceUrl: meta.code_source_url } : {}),
  });
}

function requirePipeline(ctx: ServerContext, id: string): Pipeline {
  const p = ctx.store.pipelines.get(id);
  if (!p) throw notFound("pipeline", id, "pipeline_id");
  return p;
}

/** Registers the pipeline and pipeline version routes. */
export function registerPipelineRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;

  app.post(`${API}/pipelines`, async (req) => {
    const body = parseBody(PipelineBody, req.body, "pipeline");
    const name = body.name || body.display_name;
    if (!name) throw badRequest("pipeline.name is required (or display_name).");
    return pipelineJson(
      store.pipelines.create({
        name,
        displayName: body.display_name || name,
        description: body.description ?? "",
        namespace: body.namespace ?? "",
      }),
    );
  });

  app.post(`${API}/pipelines/create`, async (req) => {
    const body = parseBody(PipelineAndVersionBody, req.body, "request");
    const name = body.pipeline.name || body.pipeline.display_name;
    if (!name) throw badRequest("request.pipeline.name is required (or display_name).");
    const pkg = await specFromVersionBody(body.pipeline_version, "request.pipeline_version");
    const pipeline = store.transaction(() => {
      const p = store.pipelines.create({
        name,
        displayName: body.pipeline.display_name || name,
        description: body.pipeline.description ?? "",
        namespace: body.pipeline.namespace ?? "",
      });
      createVersion(ctx, p, pkg, { ...body.pipeline_version, name: body.pipeline_version.name || name });
      return p;
    });
    return pipelineJson(pipeline);
  });

  app.post(`${API}/pipelines/upload`, async (req) => {
    const { text, filename } = await readUpload(req);
    const pkg = pipelineFromText(text, filename);
    const name = queryParam(req, "name") || queryParam(req, "display_name") || pkg.pipelineSpec.pipelineInfo.name;
    const displayName = queryParam(req, "display_name") || name;
    const description = queryParam(req, "description") ?? pkg.pipelineSpec.pipelineInfo.description ?? "";
    const pipeline = store.transaction(() => {
      const p = store.pipelines.create({
        name,
        displayName,
        description,
        namespace: queryParam(req, "namespace") ?? "",
      });
      createVersion(ctx, p, pkg, {
        name,
        display_name: displayName,
        description,
        code_source_url: queryParam(req, "code_source_url"),
      });
      return p;
    });
    return pipelineJson(pipeline);
  });

  app.post(`${API}/pipelines/upload_version`, async (req) => {
    const pipelineId = queryParam(req, "pipelineid") ?? queryParam(req, "pipeline_id");
    if (!pipelineId) throw badRequest("upload_version: query parameter pipelineid is required.");
    const { text, filename } = await readUpload(req);
    const pipeline = requirePipeline(ctx, pipelineId);
    const pkg = pipelineFromText(text, filename);
    return versionJson(
      createVersion(ctx, pipeline, pkg, {
        name: queryParam(req, "name"),
        display_name: queryParam(req, "display_name"),
        description: queryParam(req, "description"),
        code_source_url: queryParam(req, "code_source_url"),
      }),
    );
  });

  app.get(`${API}/pipelines/names/:name`, async (req) => {
    const name = pathParam(req, "name");
    const p = store.pipelines.getByName(name, queryParam(req, "namespace") ?? "");
    if (!p) throw notFound("pipeline", name, "name");
    return pipelineJson(p);
  });

  app.get(`${API}/pipelines`, async (req) => {
    const ns = queryParam(req, "namespace");
    const extra = ns ? [{ field: "namespace", op: "EQUALS" as const, value: ns }] : [];
    const q = buildListQuery(PIPELINE_FIELDS, listParams(req), extra);
    return listResponse("pipelines", store.pipelines.list(q), pipelineJson, PIPELINE_FIELDS, q);
  });

  app.get(`${API}/pipelines/:pipeline_id`, async (req) =>
    pipelineJson(requirePipeline(ctx, pathParam(req, "pipeline_id"))),
  );

  app.delete(`${API}/pipelines/:pipeline_id`, async (req) => {
    const id = pathParam(req, "pipeline_id");
    requirePipeline(ctx, id);
    store.pipelines.delete(id, { cascade: boolParam(req, "cascade") });
    return {};
  });

  app.post(`${API}/pipelines/:pipeline_id/versions`, async (req) => {
    const pipeline = requirePipeline(ctx, pathParam(req, "pipeline_id"));
    const body = parseBody(PipelineVersionBody, req.body, "pipeline_version");
    if (body.pipeline_id && body.pipeline_id !== pipeline.id) {
      throw badRequest(`pipeline_version.pipeline_id '${body.pipeline_id}' differs from the path's '${pipeline.id}'.`);
    }
    const pkg = await specFromVersionBody(body, "pipeline_version");
    return versionJson(createVersion(ctx, pipeline, pkg, body));
  });

  app.get(`${API}/pipelines/:pipeline_id/versions`, async (req) => {
    const pipeline = requirePipeline(ctx, pathParam(req, "pipeline_id"));
    const extra = [{ field: "pipelineId", op: "EQUALS" as const, value: pipeline.id }];
    const q = buildListQuery(VERSION_FIELDS, listParams(req), extra);
    return listResponse("pipeline_versions", store.pipelines.listVersions(q), (v) => versionJson(v), VERSION_FIELDS, q);
  });

  const versionOf = (req: FastifyRequest): PipelineVersion => {
    const pipelineId = pathParam(req, "pipeline_id");
    const id = pathParam(req, "pipeline_version_id");
    const v = store.pipelines.getVersion(id);
    if (!v || v.pipelineId !== pipelineId) throw notFound("pipeline version", id, "pipeline_version_id");
    return v;
  };

  app.get(`${API}/pipelines/:pipeline_id/versions/:pipeline_version_id`, async (req) => versionJson(versionOf(req)));

  app.delete(`${API}/pipelines/:pipeline_id/versions/:pipeline_version_id`, async (req) => {
    store.pipelines.deleteVersion(versionOf(req).id);
    return {};
  });
}
