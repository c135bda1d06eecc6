/**
 * KFP v2beta1 pipeline routes: create, upload (multipart field `uploadfile`), get by id and
 * by name, list, delete, and the same for pipeline versions; updates (`PATCH`) are in
 * `routes-pipeline-patch.ts`.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { PipelinePackage } from "../ir/index.ts";
import { defaultVersionName, type Pipeline, type PipelineVersion } from "../store/index.ts";
import { PipelineAndVersionBody, PipelineBody, PipelineVersionBody, parseBody } from "./bodies.ts";
import type { ServerContext } from "./context.ts";
import { ApiError, badRequest, notFound } from "./errors.ts";
import { boolParam, listPage, listParams, pathParam, queryParam } from "./http-util.ts";
import { PIPELINE_FIELDS, pipelineJson, VERSION_FIELDS, versionJson } from "./kfp-json.ts";
import { checkString, SIZE_LIMITS, tooLarge } from "./limits.ts";
import { pipelineFromObject, pipelineFromText } from "./pipeline-input.ts";
import { buildListQuery } from "./query.ts";
import { registerPipelinePatchRoutes } from "./routes-pipeline-patch.ts";

const API = "/apis/v2beta1";
async function readUpload(req: FastifyRequest): Promise<{ text: string; filename: string }> {
  try {
    return await readUploadPart(req);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if ((err as { statusCode?: unknown }).statusCode === 413) {
      throw tooLarge('upload: the file in "uploadfile"', SIZE_LIMITS.pipelineSpec);
    }
    throw badRequest(
      `upload: the multipart body could not be read (${(err as Error).message}); send multipart/form-data with the pipeline file in the field "uploadfile".`,
    );
  }
}

/** Reads the one file of an upload; a second file, or a file in another field, is a 400. */
async function readUploadPart(req: FastifyRequest): Promise<{ text: string; filename: string }> {
  if (!req.isMultipart()) {
    throw badRequest('upload must be a multipart/form-data request with the pipeline file in the field "uploadfile".');
  }
  let upload: { buf: Buffer; filename: string } | undefined;
  for await (const part of req.parts({ limits: { fileSize: SIZE_LIMITS.pipelineSpec, files: 2 } })) {
    if (part.type !== "file") continue;
    if (upload) {
      part.file.resume();
      throw badRequest(
        `upload: the request has more than one file ("${upload.filename}" and "${part.filename}"); send one pipeline file, in the field "uploadfile".`,
      );
    }
    if (part.fieldname !== "uploadfile") {
      part.file.resume();
      throw badRequest(`upload: the file is in field "${part.fieldname}"; send it in the field "uploadfile".`);
    }
    upload = { buf: await part.toBuffer(), filename: part.filename || "uploadfile" };
  }
  if (!upload) throw badRequest('upload has no file; send the pipeline YAML in the multipart field "uploadfile".');
  const { buf, filename } = upload;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    throw badRequest(`upload: ${filename} is a gzip archive; upload the compiled pipeline YAML or JSON instead.`);
  }
  return { text: buf.toString("utf8"), filename };
}

/** The name, description and code source URL query parameters of an upload, within their limits. */
function uploadMeta(req: FastifyRequest): {
  name?: string | undefined;
  display_name?: string | undefined;
  description?: string | undefined;
  code_source_url?: string | undefined;
  namespace?: string | undefined;
} {
  const meta = {
    name: queryParam(req, "name"),
    display_name: queryParam(req, "display_name"),
    description: queryParam(req, "description"),
    code_source_url: queryParam(req, "code_source_url"),
    namespace: queryParam(req, "namespace"),
  };
  checkString(meta.name, "name", "upload: query parameter name");
  checkString(meta.display_name, "name", "upload: query parameter display_name");
  checkString(meta.description, "description", "upload: query parameter description");
  checkString(meta.code_source_url, "url", "upload: query parameter code_source_url");
  checkString(meta.namespace, "short", "upload: query parameter namespace");
  return meta;
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
    if (Number(res.headers.get("content-length") ?? 0) > SIZE_LIMITS.pipelineSpec) {
      await res.body?.cancel();
      throw tooLarge(`${field}.package_url.pipeline_url "${url}"`, SIZE_LIMITS.pipelineSpec);
    }
    text = await res.text();
  } catch (err) {
    if (err instanceof ApiError) throw err;
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
    tags?: Record<string, string> | undefined;
  },
): PipelineVersion {
  const name = meta.name || meta.display_name || defaultVersionName(pipeline.name, ctx.clock());
  const description = meta.description ?? pkg.pipelineSpec.pipelineInfo.description ?? "";
  checkString(name, "name", "pipeline_version.name");
  checkString(description, "description", "pipeline_version.description (or pipelineInfo.description of the spec)");
  return ctx.store.pipelines.createVersion({
    pipelineId: pipeline.id,
    name,
    displayName: meta.display_name || name,
    description,
    spec: pkg.pipelineSpec,
    ...(pkg.platformSpec ? { platformSpec: pkg.platformSpec } : {}),
    ...(meta.code_source_url ? { codeSourceUrl: meta.code_source_url } : {}),
    ...(meta.tags ? { tags: meta.tags } : {}),
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
        ...(body.tags ? { tags: body.tags } : {}),
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
        ...(body.pipeline.tags ? { tags: body.pipeline.tags } : {}),
      });
      createVersion(ctx, p, pkg, { ...body.pipeline_version, name: body.pipeline_version.name || name });
      return p;
    });
    return pipelineJson(pipeline);
  });

  app.post(`${API}/pipelines/upload`, async (req) => {
    const meta = uploadMeta(req);
    const { text, filename } = await readUpload(req);
    const pkg = pipelineFromText(text, filename);
    const name = meta.name || meta.display_name || pkg.pipelineSpec.pipelineInfo.name;
    checkString(name, "name", `upload: the pipeline name (pipelineInfo.name of ${filename})`);
    const displayName = meta.display_name || name;
    const description = meta.description ?? pkg.pipelineSpec.pipelineInfo.description ?? "";
    checkString(description, "description", `upload: the description (pipelineInfo.description of ${filename})`);
    const pipeline = store.transaction(() => {
      const p = store.pipelines.create({ name, displayName, description, namespace: meta.namespace ?? "" });
      createVersion(ctx, p, pkg, {
        name,
        display_name: displayName,
        description,
        code_source_url: meta.code_source_url,
      });
      return p;
    });
    return pipelineJson(pipeline);
  });

  app.post(`${API}/pipelines/upload_version`, async (req) => {
    const pipelineId = queryParam(req, "pipelineid") ?? queryParam(req, "pipeline_id");
    if (!pipelineId) throw badRequest("upload_version: query parameter pipelineid is required.");
    const meta = uploadMeta(req);
    const { text, filename } = await readUpload(req);
    const pipeline = requirePipeline(ctx, pipelineId);
    const pkg = pipelineFromText(text, filename);
    return versionJson(createVersion(ctx, pipeline, pkg, meta));
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
    return listPage("pipelines", q, (query) => store.pipelines.list(query), pipelineJson, PIPELINE_FIELDS);
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
    return listPage(
      "pipeline_versions",
      q,
      (query) => store.pipelines.listVersions(query),
      (v) => versionJson(v),
      VERSION_FIELDS,
    );
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

  registerPipelinePatchRoutes(app, ctx);
}
