/** Artifacts produced by tasks. */
import { randomUUID } from "node:crypto";
import type { JsonValue } from "../../ir/index.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { fromJsonObject, guardWrite, type SqlContext } from "../sql.ts";
import type { Artifact, ArtifactInput, ArtifactRepository } from "../types.ts";

interface ArtifactRow {
  id: string;
  run_id: string;
  task_id: string;
  name: string;
  uri: string;
  schema_title: string;
  schema_version: string;
  metadata: string;
  digest: string | null;
  size_bytes: number | null;
  created_at: number;
}

function toArtifact(r: ArtifactRow): Artifact {
  const a: Artifact = {
    id: r.id,
    runId: r.run_id,
    taskId: r.task_id,
    name: r.name,
    uri: r.uri,
    schemaTitle: r.schema_title,
    schemaVersion: r.schema_version,
    metadata: fromJsonObject(r.metadata, { table: "artifacts", id: r.id, column: "metadata" }),
    createdAt: r.created_at,
  };
  if (r.digest !== null) a.digest = r.digest;
  if (r.size_bytes !== null) a.sizeBytes = r.size_bytes;
  return a;
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
      const row: ArtifactRow = {
        id: input.id ?? randomUUID(),
        run_id: input.runId,
        task_id: input.taskId,
        name: input.name,
        uri: input.uri,
        schema_title: input.schemaTitle,
        schema_version: input.schemaVersion ?? "0.0.1",
        metadata: JSON.stringify(input.metadata ?? {}),
        digest: input.digest ?? null,
        size_bytes: input.sizeBytes ?? null,
        created_at: input.createdAt ?? Date.now(),
      };
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
        () =>
          ctx
            .stmt(
              "INSERT INTO artifacts (id, run_id, task_id, name, uri, schema_title, schema_version, metadata, digest, size_bytes, created_at) VALUES (@id, @run_id, @task_id, @name, @uri, @schema_title, @schema_version, @metadata, @digest, @size_bytes, @created_at)",
            )
            .run(row),
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
