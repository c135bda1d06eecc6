/** Pipelines and pipeline versions. */
import { randomUUID } from "node:crypto";
import type { PipelineSpec } from "../../ir/index.ts";
import { IntegrityError, InvalidInputError, NotFoundError } from "../errors.ts";
import { type ListSpec, runList } from "../list-query.ts";
import { TagsSchema } from "../schemas.ts";
import { digestOfSpecText, fromJsonValue, guardWrite, putSpec, type SqlContext, specJson, specText } from "../sql.ts";
import { decodeRow, encodeRow, insertSql, listSpec, type RowOf } from "../table.ts";
import { PIPELINE_VERSIONS_TABLE, PIPELINES_TABLE, type PipelineVersionFields } from "../tables/index.ts";
import type {
  ListQuery,
  ListResult,
  Pipeline,
  PipelineInput,
  PipelinePatch,
  PipelineRegistration,
  PipelineRepository,
  PipelineVersion,
  PipelineVersionInput,
  RegisteredPipeline,
} from "../types.ts";

/** The default name of a version created without one: the pipeline's name and the time. */
export function defaultVersionName(pipelineName: string, at: number): string {
  return `${pipelineName}-${new Date(at).toISOString()}`;
}

type PipelineRow = RowOf<typeof PIPELINES_TABLE.columns>;
type VersionRow = RowOf<typeof PIPELINE_VERSIONS_TABLE.columns>;

const PIPELINES: ListSpec = listSpec(PIPELINES_TABLE);
const VERSIONS: ListSpec = listSpec(PIPELINE_VERSIONS_TABLE);

function toPipeline(r: PipelineRow): Pipeline {
  return decodeRow(PIPELINES_TABLE, r);
}

function checkTags(entity: string, tags: unknown): Record<string, string> {
  if (!TagsSchema.safeParse(tags).success) {
    throw new InvalidInputError(`${entity}: tags must be an object of string keys to string values`);
  }
  return tags as Record<string, string>;
}

function toVersion(ctx: SqlContext, r: VersionRow): PipelineVersion {
  const where = { table: "pipeline_versions", id: r.id, column: "spec" };
  // Specs are validated by the IR module before they are stored.
  const spec = fromJsonValue(specText(ctx, r.spec, r.spec_digest, where), where) as PipelineSpec;
  return { ...decodeRow(PIPELINE_VERSIONS_TABLE, r), spec };
}

const INSERT_PIPELINE = insertSql(PIPELINES_TABLE, [
  "id",
  "name",
  "display_name",
  "description",
  "namespace",
  "created_at",
  "tags",
]);

const INSERT_VERSION = insertSql(PIPELINE_VERSIONS_TABLE, [
  "id",
  "pipeline_id",
  "name",
  "display_name",
  "description",
  "created_at",
  "spec",
  "spec_digest",
  "platform_spec",
  "code_source_url",
  "tags",
]);

function requireName(entity: string, name: string): void {
  if (typeof name !== "string" || name.trim() === "") {
    throw new InvalidInputError(`${entity}: name is required and must not be empty`);
  }
}

/** The pipelines repository over `ctx`. */
export function createPipelineRepository(ctx: SqlContext): PipelineRepository {
  function insertVersion(row: VersionRow): void {
    guardWrite(
      ctx,
      {
        entity: "pipeline version",
        unique: `a version named '${row.name}' of pipeline '${row.pipeline_id}'`,
        refs: [{ field: "pipelineId", table: "pipelines", value: row.pipeline_id }],
      },
      () => ctx.stmt(INSERT_VERSION).run(row),
    );
  }

  function applyPatch(table: string, entity: string, id: string, patch: PipelinePatch): void {
    if (patch.displayName !== undefined && (typeof patch.displayName !== "string" || patch.displayName.trim() === "")) {
      throw new InvalidInputError(`${entity} '${id}': displayName must be a non-empty string`);
    }
    const res = ctx
      .stmt(
        `UPDATE ${table} SET display_name = COALESCE(@display_name, display_name), tags = COALESCE(@tags, tags) WHERE id = @id`,
      )
      .run({
        id,
        display_name: patch.displayName ?? null,
        tags: patch.tags === undefined ? null : JSON.stringify(checkTags(`${entity} '${id}'`, patch.tags)),
      });
    if (res.changes === 0) throw new NotFoundError(entity, id);
  }

  const repo: PipelineRepository = {
    create(input: PipelineInput): Pipeline {
      requireName("pipeline", input.name);
      const row = encodeRow(PIPELINES_TABLE, {
        id: input.id ?? randomUUID(),
        name: input.name,
        displayName: input.displayName ?? input.name,
        description: input.description ?? "",
        namespace: input.namespace ?? "",
        createdAt: input.createdAt ?? Date.now(),
        tags: checkTags(`pipeline '${input.name}'`, input.tags ?? {}),
      }) as PipelineRow;
      const ns = row.namespace === "" ? "the default namespace" : `namespace '${row.namespace}'`;
      guardWrite(ctx, { entity: "pipeline", unique: `a pipeline named '${row.name}' in ${ns}` }, () =>
        ctx.stmt(INSERT_PIPELINE).run(row),
      );
      return toPipeline(row);
    },

    get(id: string): Pipeline | undefined {
      const r = ctx.stmt("SELECT * FROM pipelines WHERE id = ?").get(id) as PipelineRow | undefined;
      return r && toPipeline(r);
    },

    getByName(name: string, namespace = ""): Pipeline | undefined {
      const r = ctx.stmt("SELECT * FROM pipelines WHERE namespace = ? AND name = ?").get(namespace, name) as
        | PipelineRow
        | undefined;
      return r && toPipeline(r);
    },

    list(query?: ListQuery): ListResult<Pipeline> {
      return runList(ctx, PIPELINES, query, (r) => toPipeline(r as unknown as PipelineRow));
    },

    delete(id: string, options?: { cascade?: boolean }): void {
      ctx.tx(() => {
        if (repo.get(id) === undefined) throw new NotFoundError("pipeline", id);
        const n = (
          ctx.stmt("SELECT count(*) AS n FROM pipeline_versions WHERE pipeline_id = ?").get(id) as { n: number }
        ).n;
        if (n > 0 && options?.cascade !== true) {
          throw new IntegrityError(`pipeline '${id}' has ${n} version(s); delete them first or delete with cascade`);
        }
        const versions = ctx.stmt("SELECT id FROM pipeline_versions WHERE pipeline_id = ?").all(id) as { id: string }[];
        for (const v of versions) repo.deleteVersion(v.id);
        ctx.stmt("DELETE FROM pipelines WHERE id = ?").run(id);
      });
    },

    update(id: string, patch: PipelinePatch): Pipeline {
      applyPatch("pipelines", "pipeline", id, patch);
      const p = repo.get(id);
      if (p === undefined) throw new NotFoundError("pipeline", id);
      return p;
    },

    createVersion(input: PipelineVersionInput): PipelineVersion {
      requireName("pipeline version", input.name);
      const fields: Omit<PipelineVersionFields, "spec"> = {
        id: input.id ?? randomUUID(),
        pipelineId: input.pipelineId,
        name: input.name,
        displayName: input.displayName ?? input.name,
        description: input.description ?? "",
        createdAt: input.createdAt ?? Date.now(),
        tags: checkTags(`pipeline version '${input.name}'`, input.tags ?? {}),
      };
      if (input.platformSpec !== undefined) fields.platformSpec = input.platformSpec;
      if (input.codeSourceUrl !== undefined) fields.codeSourceUrl = input.codeSourceUrl;
      const row = { ...encodeRow(PIPELINE_VERSIONS_TABLE, fields), spec: "", spec_digest: null } as VersionRow;
      let text = "";
      ctx.tx(() => {
        const stored = putSpec(ctx, `pipeline version '${input.name}'`, "spec", input.spec);
        row.spec_digest = stored.digest;
        text = stored.text;
        insertVersion(row);
      });
      return toVersion(ctx, { ...row, spec: text });
    },

    getVersion(id: string): PipelineVersion | undefined {
      const r = ctx.stmt("SELECT * FROM pipeline_versions WHERE id = ?").get(id) as VersionRow | undefined;
      return r && toVersion(ctx, r);
    },

    getVersionByName(pipelineId: string, name: string): PipelineVersion | undefined {
      const r = ctx.stmt("SELECT * FROM pipeline_versions WHERE pipeline_id = ? AND name = ?").get(pipelineId, name) as
        | VersionRow
        | undefined;
      return r && toVersion(ctx, r);
    },

    listVersions(query?: ListQuery): ListResult<PipelineVersion> {
      return runList(ctx, VERSIONS, query, (r) => toVersion(ctx, r as unknown as VersionRow));
    },

    updateVersion(id: string, patch: PipelinePatch): PipelineVersion {
      applyPatch("pipeline_versions", "pipeline version", id, patch);
      const v = repo.getVersion(id);
      if (v === undefined) throw new NotFoundError("pipeline version", id);
      return v;
    },

    deleteVersion(id: string): void {
      ctx.tx(() => {
        if (repo.getVersion(id) === undefined) throw new NotFoundError("pipeline version", id);
        const used = ctx.stmt("SELECT count(*) AS n FROM recurring_runs WHERE pipeline_version_id = ?").get(id) as {
          n: number;
        };
        if (used.n > 0) {
          throw new IntegrityError(
            `pipeline version '${id}' is used by ${used.n} recurring run(s); delete them or point them at another version first`,
          );
        }
        // Runs keep the spec (stored once, referenced by digest); the foreign key clears their
        // pipelineVersionId, and a trigger drops the spec when nothing refers to it any more.
        ctx.stmt("DELETE FROM pipeline_versions WHERE id = ?").run(id);
      });
    },

    register(input: PipelineRegistration): RegisteredPipeline {
      const info = input.spec.pipelineInfo;
      const where = `pipeline '${info?.name}'`;
      const digest = digestOfSpecText(specJson(where, "spec", input.spec));
      const at = input.createdAt ?? Date.now();
      return ctx.tx(() => {
        const namespace = input.namespace ?? "";
        const pipeline =
          repo.getByName(info.name, namespace) ??
          repo.create({
            name: info.name,
            displayName: info.displayName || info.name,
            description: info.description ?? "",
            namespace,
            createdAt: at,
          });
        const same = ctx
          .stmt(
            "SELECT * FROM pipeline_versions WHERE pipeline_id = ? AND spec_digest = ? ORDER BY created_at, id LIMIT 1",
          )
          .get(pipeline.id, digest) as VersionRow | undefined;
        if (same) return { pipeline, version: toVersion(ctx, same), createdVersion: false };
        let name = input.versionName ?? defaultVersionName(pipeline.name, at);
        if (repo.getVersionByName(pipeline.id, name)) name = `${name}-${digest.slice(0, 12)}`;
        const version = repo.createVersion({
          pipelineId: pipeline.id,
          name,
          description: info.description ?? "",
          spec: input.spec,
          ...(input.platformSpec ? { platformSpec: input.platformSpec } : {}),
          createdAt: at,
        });
        return { pipeline, version, createdVersion: true };
      });
    },
  };
  return repo;
}
