/** The execution cache: finished tasks' outputs under their fingerprint. */
import { InvalidInputError } from "../errors.ts";
import { CacheOutputsSchema } from "../schemas.ts";
import { fromJson, fromJsonObject, guardWrite, type SqlContext } from "../sql.ts";
import type { CacheEntry, CacheEntryInput, CacheRepository } from "../types.ts";

interface CacheRow {
  key: string;
  component_digest: string;
  parts: string;
  task_id: string;
  run_id: string;
  outputs: string;
  created_at: number;
}

function toEntry(r: CacheRow): CacheEntry {
  const where = (column: string) => ({ table: "cache_entries", id: r.key, column });
  const parts = fromJsonObject(r.parts, where("parts"));
  return {
    key: r.key,
    componentDigest: r.component_digest,
    parts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, String(v)])),
    taskId: r.task_id,
    runId: r.run_id,
    outputs: fromJson(CacheOutputsSchema, r.outputs, where("outputs")),
    createdAt: r.created_at,
  };
}

/** The cache repository over `ctx`. */
export function createCacheRepository(ctx: SqlContext): CacheRepository {
  return {
    put(entry: CacheEntryInput): CacheEntry {
      if (!entry.key) throw new InvalidInputError(`cache entry of task '${entry.taskId}': key is required`);
      const checked = CacheOutputsSchema.safeParse(entry.outputs);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        throw new InvalidInputError(
          `cache entry of task '${entry.taskId}': outputs.${issue?.path.join(".") ?? ""} ${issue?.message ?? "is invalid"}`,
        );
      }
      const row: CacheRow = {
        key: entry.key,
        component_digest: entry.componentDigest,
        parts: JSON.stringify(entry.parts),
        task_id: entry.taskId,
        run_id: entry.runId,
        outputs: JSON.stringify(checked.data),
        created_at: entry.createdAt ?? Date.now(),
      };
      guardWrite(
        ctx,
        {
          entity: `cache entry of task '${entry.taskId}'`,
          unique: `cache key '${entry.key}'`,
          refs: [
            { field: "runId", table: "runs", value: row.run_id },
            { field: "taskId", table: "tasks", value: row.task_id },
          ],
        },
        () =>
          ctx
            .stmt(
              "INSERT OR REPLACE INTO cache_entries (key, component_digest, parts, task_id, run_id, outputs, created_at) VALUES (@key, @component_digest, @parts, @task_id, @run_id, @outputs, @created_at)",
            )
            .run(row),
      );
      return toEntry(row);
    },

    get(key: string, options?: { maxStalenessMs?: number; now?: number }): CacheEntry | undefined {
      const r = ctx.stmt("SELECT * FROM cache_entries WHERE key = ?").get(key) as CacheRow | undefined;
      if (r === undefined) return undefined;
      const max = options?.maxStalenessMs;
      if (max !== undefined && (options?.now ?? Date.now()) - r.created_at > max) return undefined;
      return toEntry(r);
    },

    closest(componentDigest: string): CacheEntry | undefined {
      return this.recent(componentDigest, 1)[0];
    },

    recent(componentDigest: string, limit: number): CacheEntry[] {
      const rows = ctx
        .stmt("SELECT * FROM cache_entries WHERE component_digest = ? ORDER BY created_at DESC, rowid DESC LIMIT ?")
        .all(componentDigest, Math.max(0, Math.floor(limit))) as CacheRow[];
      return rows.map(toEntry);
    },

    delete(key: string): boolean {
      return ctx.stmt("DELETE FROM cache_entries WHERE key = ?").run(key).changes > 0;
    },
  };
}
