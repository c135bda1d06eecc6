/** Artifacts produced by tasks. */
import { randomUUID } from "node:crypto";
import type { JsonValue } from "../../ir/index.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { type ListSpec, runList } from "../list-query.ts";
import { guardWrite, type SqlContext } from "../sql.ts";
import { decodeRow, encodeRow, insertSql, listSpec, type RowOf } from "../table.ts";
import { ARTIFACTS_TABLE, type ArtifactFields } from "../tables/index.ts";
import type { Artifact, ArtifactInput, ArtifactRepository, ListQuery, ListResult } from "../types.ts";

type ArtifactRow = RowOf<typeof ARTIFACTS_TABLE.columns>;

const ARTIFACTS: ListSpec = listSpec(ARTIFACTS_TABLE);

/** The most artifacts one search returns. */
export const MAX_SEARCH_RESULTS = 200;

const INSERT = insertSql(ARTIFACTS_TABLE, Object.keys(ARTIFACTS_TABLE.columns) as (keyof ArtifactRow)[]);

function toArtifact(r: ArtifactRow): Artifact {
  return decodeRow(ARTIFACTS_TABLE, r);
}

function isPlainObject(v: unknown): v is Record<string, JsonValue> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The artifacts repository over `ctx`. */
export function createArtifactRepository(ctx: SqlContext): ArtifactRepository {
  const repo: ArtifactRepository = {
    create(input: ArtifactInput): Artifact {
      if (!input.uri)
        throw new InvalidInputError(`artifact '${input.name}' of task '${input.taskId}': uri is required`);
      if (input.metadata !== undefined && !isPlainObject(input.metadata)) {
        throw new InvalidInputError(
          `artifact '${input.name}' of task '${input.taskId}': metadata must be a JSON object`,
        );
      }
      const fields: ArtifactFields = {
        id: input.id ?? randomUUID(),
        runId: input.runId,
        taskId: input.taskId,
        name: input.name,
        uri: input.uri,
        schemaTitle: input.schemaTitle,
        schemaVersion: input.schemaVersion ?? "0.0.1",
        metadata: input.metadata ?? {},
        createdAt: input.createdAt ?? Date.now(),
      };
      if (input.digest !== undefined && input.digest !== null) fields.digest = input.digest;
      if (input.sizeBytes !== undefined && input.sizeBytes !== null) fields.sizeBytes = input.sizeBytes;
      const row = encodeRow(ARTIFACTS_TABLE, fields) as ArtifactRow;
      guardWrite(
        ctx,
        {
          entity: `artifact '${input.name}' of task '${input.taskId}'`,
          unique: `an artifact with id '${row.id}'`,
          refs: [
            { field: "runId", table: "runs", value: row.run_id },
            { field: "taskId", table: "tasks", value: row.task_id },
          ],
        },
        () => ctx.stmt(INSERT).run(row),
      );
      return toArtifact(row);
    },

    get(id: string): Artifact | undefined {
      const r = ctx.stmt("SELECT * FROM artifacts WHERE id = ?").get(id) as ArtifactRow | undefined;
      return r && toArtifact(r);
    },

    getByUri(uri: string): Artifact | undefined {
      const r = ctx.stmt("SELECT * FROM artifacts WHERE uri = ? ORDER BY rowid LIMIT 1").get(uri) as
        | ArtifactRow
        | undefined;
      return r && toArtifact(r);
    },

    listByRun(runId: string): Artifact[] {
      return (ctx.stmt("SELECT * FROM artifacts WHERE run_id = ? ORDER BY rowid").all(runId) as ArtifactRow[]).map(
        toArtifact,
      );
    },

    listByTask(taskId: string): Artifact[] {
      return (ctx.stmt("SELECT * FROM artifacts WHERE task_id = ? ORDER BY rowid").all(taskId) as ArtifactRow[]).map(
        toArtifact,
      );
    },

    list(query?: ListQuery): ListResult<Artifact> {
      return runList(ctx, ARTIFACTS, query, (r) => toArtifact(r as unknown as ArtifactRow));
    },

    search(text: string, limit = 50): Artifact[] {
      const q = text.trim();
      if (q === "") return [];
      const n = Math.max(1, Math.min(Math.trunc(limit) || 1, MAX_SEARCH_RESULTS));
      // Exact id and uri first, then names and uris that contain the text, newest first.
      const rows = ctx
        .stmt(
          `SELECT *, CASE WHEN id = @q OR uri = @q THEN 0 WHEN lower(name) = lower(@q) THEN 1 ELSE 2 END AS rank__
           FROM artifacts
           WHERE id = @q OR uri = @q OR instr(lower(name), lower(@q)) > 0 OR instr(uri, @q) > 0 OR id LIKE @prefix ESCAPE '\\'
           ORDER BY rank__, created_at DESC, id DESC LIMIT @n`,
        )
        .all({ q, prefix: `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, n }) as (ArtifactRow & { rank__?: number })[];
      return rows.map(({ rank__: _rank, ...r }) => toArtifact(r as ArtifactRow));
    },

    updateMetadata(id: string, metadata: Record<string, JsonValue>, options?: { merge?: boolean }): Artifact {
      if (!isPlainObject(metadata)) throw new InvalidInputError(`artifact '${id}': metadata must be a JSON object`);
      // json_patch merges in one statement, so concurrent merges of different keys both survive.
      const sql =
        options?.merge === true
          ? "UPDATE artifacts SET metadata = json_patch(metadata, json(?)) WHERE id = ?"
          : "UPDATE artifacts SET metadata = json(?) WHERE id = ?";
      const res = ctx.stmt(sql).run(JSON.stringify(metadata), id);
      if (res.changes === 0) throw new NotFoundError("artifact", id);
      return repo.get(id) as Artifact;
    },
  };
  return repo;
}
