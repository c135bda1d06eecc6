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
import { fromJson, fromJsonValue, guardWrite, type SqlContext, toJson } from "../sql.ts";
import type {
  Task,
  TaskAttempt,
  TaskError,
  TaskInput,
  TaskKind,
  TaskPatch,
  TaskRepository,
  TaskState,
} from "../types.ts";

interface TaskRow {
  id: string;
  run_id: string;
  parent_id: string | null;
  name: string;
  display_name: string;
  path: string;
  kind: TaskKind;
  component_name: string | null;
  iteration_index: number | null;
  state: TaskState;
  attempt: number;
  attempts: string;
  started_at: number | null;
  finished_at: number | null;
  exit_code: number | null;
  error: string | null;
  inputs: string;
  outputs: string;
  cache: string | null;
  log_path: string | null;
  pid: number | null;
  resources: string | null;
  created_at: number;
  updated_at: number;
}

const KINDS: readonly TaskKind[] = ["container", "importer", "dag", "loop", "iteration", "condition", "exit-handler"];

/** Patchable fields: column and whether the value is stored as JSON. */
const COLUMNS: Record<keyof TaskPatch, [string, boolean]> = {
  parentId: ["parent_id", false],
  name: ["name", false],
  displayName: ["display_name", false],
  kind: ["kind", false],
  componentName: ["component_name", false],
  iterationIndex: ["iteration_index", false],
  state: ["state", false],
  attempt: ["attempt", false],
  attempts: ["attempts", true],
  startedAt: ["started_at", false],
  finishedAt: ["finished_at", false],
  exitCode: ["exit_code", false],
  error: ["error", true],
  inputs: ["inputs", true],
  outputs: ["outputs", true],
  cache: ["cache", true],
  logPath: ["log_path", false],
  pid: ["pid", false],
  resources: ["resources", true],
};

/** Fields that may not be null because the column is NOT NULL. */
const REQUIRED: ReadonlySet<string> = new Set([
  "name",
  "displayName",
  "kind",
  "state",
  "attempt",
  "attempts",
  "inputs",
  "outputs",
]);

const JSON_SCHEMAS: Record<string, z.ZodType | undefined> = {
  attempts: TaskAttemptsSchema,
  error: TaskErrorSchema,
  inputs: TaskInputsSchema,
  outputs: TaskOutputsSchema,
  cache: TaskCacheInfoSchema,
};

function toTask(r: TaskRow): Task {
  const where = (column: string) => ({ table: "tasks", id: r.id, column });
  const t: Task = {
    id: r.id,
    runId: r.run_id,
    name: r.name,
    displayName: r.display_name,
    path: r.path,
    kind: r.kind,
    state: r.state,
    attempt: r.attempt,
    attempts: fromJson(TaskAttemptsSchema, r.attempts, where("attempts")),
    inputs: fromJson(TaskInputsSchema, r.inputs, where("inputs")),
    outputs: fromJson(TaskOutputsSchema, r.outputs, where("outputs")),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.parent_id !== null) t.parentId = r.parent_id;
  if (r.component_name !== null) t.componentName = r.component_name;
  if (r.iteration_index !== null) t.iterationIndex = r.iteration_index;
  if (r.started_at !== null) t.startedAt = r.started_at;
  if (r.finished_at !== null) t.finishedAt = r.finished_at;
  if (r.exit_code !== null) t.exitCode = r.exit_code;
  if (r.error !== null) t.error = fromJson(TaskErrorSchema, r.error, where("error"));
  if (r.cache !== null) t.cache = fromJson(TaskCacheInfoSchema, r.cache, where("cache"));
  if (r.log_path !== null) t.logPath = r.log_path;
  if (r.pid !== null) t.pid = r.pid;
  if (r.resources !== null) t.resources = fromJsonValue(r.resources, where("resources"));
  return t;
}

function checkPatch(where: string, patch: TaskPatch): void {
  if (patch.state !== undefined && patch.state !== null && !TaskStateSchema.options.includes(patch.state)) {
    throw new InvalidInputError(`${where}: state '${patch.state}' is not one of ${TaskStateSchema.options.join(", ")}`);
  }
  if (patch.kind !== undefined && patch.kind !== null && !KINDS.includes(patch.kind)) {
    throw new InvalidInputError(`${where}: kind '${patch.kind}' is not one of ${KINDS.join(", ")}`);
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
    const row: TaskRow = {
      id: randomUUID(),
      run_id: input.runId,
      parent_id: input.parentId ?? null,
      name: input.name,
      display_name: input.displayName ?? input.name,
      path: input.path,
      kind: input.kind,
      component_name: input.componentName ?? null,
      iteration_index: input.iterationIndex ?? null,
      state: input.state ?? "PENDING",
      attempt: input.attempt ?? 1,
      attempts: JSON.stringify(input.attempts ?? []),
      started_at: input.startedAt ?? null,
      finished_at: input.finishedAt ?? null,
      exit_code: input.exitCode ?? null,
      error: toJson(input.error),
      inputs: JSON.stringify(input.inputs ?? { parameters: {}, artifacts: {} }),
      outputs: JSON.stringify(input.outputs ?? { parameters: {} }),
      cache: toJson(input.cache),
      log_path: input.logPath ?? null,
      pid: input.pid ?? null,
      resources: toJson(input.resources),
      created_at: now,
      updated_at: now,
    };
    const columns = Object.keys(row);
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
      () =>
        ctx
          .stmt(`INSERT INTO tasks (${columns.join(", ")}) VALUES (${columns.map((c) => `@${c}`).join(", ")})`)
          .run(row),
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
      const sets: string[] = [];
      const params: Record<string, unknown> = { id, updated_at: Date.now() };
      for (const key of Object.keys(COLUMNS) as (keyof TaskPatch)[]) {
        const value = patch[key];
        if (value === undefined) continue;
        const [column, json] = COLUMNS[key];
        sets.push(`${column} = @${column}`);
        params[column] = json ? toJson(value) : value;
      }
      sets.push("updated_at = @updated_at");
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
