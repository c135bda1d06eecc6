/** Tasks: the nodes of a run's execution tree, keyed by (runId, path). */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import {
  TaskAttemptSchema,
  TaskAttemptsSchema,
  TaskCacheInfoSchema,
  TaskErrorSchema,
  TaskInputsSchema,
  TaskOutputsSchema,
  TaskStateSchema,
} from "../schemas.ts";
import { guardWrite, type SqlContext, toJson } from "../sql.ts";
import type { RowOf } from "../table.ts";
import { type ColumnDecl, decodeRow, encodePatch, encodeRow, insertSql } from "../table.ts";
import { TASK_KINDS, TASKS_TABLE, type TaskFields } from "../tables/index.ts";
import type { Task, TaskAttempt, TaskError, TaskInput, TaskPatch, TaskRepository, TaskState } from "../types.ts";

type TaskRow = RowOf<typeof TASKS_TABLE.columns>;

/** Fields that may not be null because the column is NOT NULL. */
const REQUIRED: ReadonlySet<string> = new Set(
  Object.values(TASKS_TABLE.columns as Record<string, ColumnDecl>).flatMap((c) =>
    c.nullable || c.field === undefined ? [] : [c.field],
  ),
);

/** A new task writes every column. */
const INSERT = insertSql(TASKS_TABLE, Object.keys(TASKS_TABLE.columns) as (keyof typeof TASKS_TABLE.columns)[]);

const JSON_SCHEMAS: Record<string, z.ZodType | undefined> = {
  attempts: TaskAttemptsSchema,
  error: TaskErrorSchema,
  inputs: TaskInputsSchema,
  outputs: TaskOutputsSchema,
  cache: TaskCacheInfoSchema,
};

function toTask(r: TaskRow): Task {
  return decodeRow(TASKS_TABLE, r);
}

function checkPatch(where: string, patch: TaskPatch): void {
  if (patch.state !== undefined && patch.state !== null && !TaskStateSchema.options.includes(patch.state)) {
    throw new InvalidInputError(`${where}: state '${patch.state}' is not one of ${TaskStateSchema.options.join(", ")}`);
  }
  if (patch.kind !== undefined && patch.kind !== null && !TASK_KINDS.includes(patch.kind)) {
    throw new InvalidInputError(`${where}: kind '${patch.kind}' is not one of ${TASK_KINDS.join(", ")}`);
  }
  if (
    patch.attempt !== undefined &&
    patch.attempt !== null &&
    (!Number.isInteger(patch.attempt) || patch.attempt < 1)
  ) {
    throw new InvalidInputError(`${where}: attempt must be an integer of at least 1, got ${patch.attempt}`);
  }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null && REQUIRED.has(key)) {
      throw new InvalidInputError(`${where}: ${key} cannot be cleared; pass a value instead of null`);
    }
    // JSON columns are checked on the way in, so what is written can always be read back.
    const schema = JSON_SCHEMAS[key];
    if (schema !== undefined && value !== null && value !== undefined) {
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const at = issue?.path.length ? `.${issue.path.join(".")}` : "";
        throw new InvalidInputError(`${where}: ${key}${at}: ${issue?.message ?? "invalid"}`);
      }
    }
  }
}

/** The tasks repository over `ctx`. */
export function createTaskRepository(ctx: SqlContext): TaskRepository {
  function mustGet(id: string): Task {
    const t = repo.get(id);
    if (t === undefined) throw new NotFoundError("task", id);
    return t;
  }

  function insert(input: TaskInput): Task {
    const where = `task '${input.path}' of run '${input.runId}'`;
    checkPatch(where, input);
    const now = Date.now();
    const fields: TaskFields = {
      id: randomUUID(),
      runId: input.runId,
      name: input.name,
      displayName: input.displayName ?? input.name,
      path: input.path,
      kind: input.kind,
      state: input.state ?? "PENDING",
      attempt: input.attempt ?? 1,
      attempts: input.attempts ?? [],
      inputs: input.inputs ?? { parameters: {}, artifacts: {} },
      outputs: input.outputs ?? { parameters: {} },
      createdAt: now,
      updatedAt: now,
    };
    const optional = {
      parentId: input.parentId,
      componentName: input.componentName,
      iterationIndex: input.iterationIndex,
      startedAt: input.startedAt,
      finishedAt: input.finishedAt,
      exitCode: input.exitCode,
      error: input.error,
      cache: input.cache,
      logPath: input.logPath,
      pid: input.pid,
      resources: input.resources,
    };
    for (const [key, value] of Object.entries(optional)) {
      if (value !== undefined && value !== null) (fields as unknown as Record<string, unknown>)[key] = value;
    }
    const row = encodeRow(TASKS_TABLE, fields) as TaskRow;
    guardWrite(
      ctx,
      {
        entity: where,
        unique: `a task at path '${input.path}' in run '${input.runId}'`,
        refs: [
          { field: "runId", table: "runs", value: input.runId },
          { field: "parentId", table: "tasks", value: input.parentId },
        ],
      },
      () => ctx.stmt(INSERT).run(row),
    );
    return toTask(row);
  }

  const repo: TaskRepository = {
    upsert(input: TaskInput): Task {
      return ctx.tx(() => {
        const existing = repo.getByPath(input.runId, input.path);
        if (existing === undefined) return insert(input);
        const { runId: _r, path: _p, ...patch } = input;
        return repo.update(existing.id, patch);
      });
    },

    get(id: string): Task | undefined {
      const r = ctx.stmt("SELECT * FROM tasks WHERE id = ?").get(id) as TaskRow | undefined;
      return r && toTask(r);
    },

    getByPath(runId: string, path: string): Task | undefined {
      const r = ctx.stmt("SELECT * FROM tasks WHERE run_id = ? AND path = ?").get(runId, path) as TaskRow | undefined;
      return r && toTask(r);
    },

    listByRun(runId: string): Task[] {
      const rows = ctx.stmt("SELECT * FROM tasks WHERE run_id = ? ORDER BY rowid").all(runId) as TaskRow[];
      return rows.map(toTask);
    },

    update(id: string, patch: TaskPatch): Task {
      checkPatch(`task '${id}'`, patch);
      // the key columns and created_at are not patchable; updated_at is now
      const {
        id: _id,
        run_id: _run,
        path: _path,
        created_at: _created,
        updated_at: _updated,
        ...patched
      } = encodePatch(TASKS_TABLE, patch);
      const params: Record<string, string | number | null> = { ...patched, id, updated_at: Date.now() };
      const sets = Object.keys(params)
        .filter((column) => column !== "id")
        .map((column) => `${column} = @${column}`);
      guardWrite(
        ctx,
        { entity: `task '${id}'`, unique: "", refs: [{ field: "parentId", table: "tasks", value: patch.parentId }] },
        () => {
          const res = ctx.stmt(`UPDATE tasks SET ${sets.join(", ")} WHERE id = @id`).run(params);
          if (res.changes === 0) throw new NotFoundError("task", id);
        },
      );
      return mustGet(id);
    },

    appendAttempt(id: string, attempt: TaskAttempt): Task {
      const checked = TaskAttemptSchema.safeParse(attempt);
      if (!checked.success) {
        throw new InvalidInputError(`task '${id}': attempt record is invalid (${checked.error.issues[0]?.message})`);
      }
      const res = ctx
        .stmt("UPDATE tasks SET attempts = json_insert(attempts, '$[#]', json(?)), updated_at = ? WHERE id = ?")
        .run(JSON.stringify(checked.data), Date.now(), id);
      if (res.changes === 0) throw new NotFoundError("task", id);
      return mustGet(id);
    },

    markUnfinishedAs(
      runId: string,
      states: readonly TaskState[],
      newState: TaskState,
      at?: number,
      error?: TaskError,
    ): number {
      if (states.length === 0) return 0;
      checkPatch(`tasks of run '${runId}'`, { state: newState, ...(error !== undefined ? { error } : {}) });
      const now = at ?? Date.now();
      const res = ctx
        .stmt(
          `UPDATE tasks SET state = ?, finished_at = COALESCE(finished_at, ?), updated_at = ?, error = COALESCE(?, error) WHERE run_id = ? AND state IN (${states.map(() => "?").join(", ")})`,
        )
        .run(newState, now, now, toJson(error), runId, ...states);
      return res.changes;
    },
  };
  return repo;
}
