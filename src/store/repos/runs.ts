/** Runs: creation, listing, state changes with history, ownership and orphan detection. */
import { randomUUID } from "node:crypto";
import type { PipelineSpec } from "../../ir/index.ts";
import { ACTIVE_RUN_STATES, isTerminalRunState } from "../../ir/states.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { type ListSpec, runList } from "../list-query.ts";
import { RunErrorSchema, RuntimeStateSchema, TagsSchema } from "../schemas.ts";
import { fromJsonValue, guardWrite, putSpec, type SqlContext, specText, toJson } from "../sql.ts";
import { decodeRow, encodeRow, insertSql, listSpec, type RowOf } from "../table.ts";
import { RUN_METRICS_TABLE } from "../tables/lineage.ts";
import { RUNS_TABLE, type RunFields } from "../tables/runs.ts";
import type {
  ListQuery,
  ListResult,
  Run,
  RunInput,
  RunOwnerIdentity,
  RunPatch,
  RunRepository,
  RunStateExtra,
  RunSummary,
  RuntimeState,
} from "../types.ts";
import type { createExperimentRepository } from "./experiments.ts";

type RunRow = RowOf<typeof RUNS_TABLE.columns>;

/** The columns a summary reads: every declared column but the specs. */
const SPEC_COLUMNS: readonly string[] = ["pipeline_spec", "spec_digest", "platform_spec"];
const SUMMARY_COLUMNS = Object.keys(RUNS_TABLE.columns).filter((c) => !SPEC_COLUMNS.includes(c));

const RUNS: ListSpec = listSpec(RUNS_TABLE, {
  counts: { table: "run_counts", fields: new Set(["experimentId", "namespace", "state", "storageState"]) },
  // `metric:NAME` sorts and filters by a run metric
  metrics: { table: RUN_METRICS_TABLE.table, owner: "run_id" },
});

function toRun(ctx: SqlContext, r: RunRow): Run {
  const where = { table: "runs", id: r.id, column: "pipeline_spec" };
  const spec = specText(ctx, r.pipeline_spec, r.spec_digest, where);
  // Specs are validated by the IR module before they are stored.
  return { ...decodeRow(RUNS_TABLE, r), pipelineSpec: fromJsonValue(spec, where) as PipelineSpec };
}

/** A run without its specs, from a row of {@link SUMMARY_COLUMNS}. */
function toRunSummary(r: Record<string, unknown>): RunSummary {
  return decodeRow(RUNS_TABLE, r);
}

/** The columns a new run writes; the others keep their defaults. */
const INSERT_RUN = insertSql(RUNS_TABLE, [
  "id",
  "experiment_id",
  "display_name",
  "description",
  "pipeline_version_id",
  "pipeline_spec",
  "spec_digest",
  "platform_spec",
  "parameters",
  "pipeline_root",
  "state",
  "state_history",
  "created_at",
  "scheduled_at",
  "recurring_run_id",
  "enable_cache",
  "namespace",
  "tags",
  "service_account",
  "input_artifacts",
]);

function checkTags(where: string, tags: unknown): Record<string, string> {
  if (!TagsSchema.safeParse(tags).success) {
    throw new InvalidInputError(`${where}: tags must be an object of string keys to string values`);
  }
  return tags as Record<string, string>;
}

// One statement: the state, the appended history entry, the timestamps and the error move together.
const UPDATE_STATE = `UPDATE runs SET
  state = @state,
  state_history = json_insert(state_history, '$[#]', json_object('state', @state, 'at', @at)),
  started_at = CASE WHEN @state = 'RUNNING' THEN COALESCE(started_at, @started_at) ELSE COALESCE(@explicit_started_at, started_at) END,
  finished_at = CASE WHEN @terminal THEN @finished_at ELSE NULL END,
  error = CASE WHEN @set_error THEN @error ELSE error END
  WHERE id = @id`;

/** The runs repository over `ctx`; runs without an experiment go to the namespace's Default one. */
export function createRunRepository(
  ctx: SqlContext,
  experiments: ReturnType<typeof createExperimentRepository>,
): RunRepository {
  function mustGet(id: string): Run {
    const run = repo.get(id);
    if (run === undefined) throw new NotFoundError("run", id);
    return run;
  }

  function stateParams(id: string, state: RuntimeState, extra: RunStateExtra | undefined) {
    if (!RuntimeStateSchema.options.includes(state)) {
      throw new InvalidInputError(
        `run '${id}': state '${state}' is not one of ${RuntimeStateSchema.options.join(", ")}`,
      );
    }
    if (extra?.error !== undefined && extra.error !== null && !RunErrorSchema.safeParse(extra.error).success) {
      throw new InvalidInputError(`run '${id}': error must be { code: string, message: string }`);
    }
    const at = extra?.at ?? Date.now();
    return {
      id,
      state,
      at,
      started_at: extra?.startedAt ?? at,
      explicit_started_at: extra?.startedAt ?? null,
      terminal: isTerminalRunState(state) ? 1 : 0,
      finished_at: extra?.finishedAt ?? at,
      set_error: extra?.error !== undefined ? 1 : 0,
      error: toJson(extra?.error),
    };
  }

  function setFlag(id: string, sql: string, ...params: (string | number | null)[]): void {
    const res = ctx.stmt(sql).run(...params, id);
    if (res.changes === 0) throw new NotFoundError("run", id);
  }

  const repo: RunRepository = {
    create(input: RunInput): Run {
      if (typeof input.displayName !== "string") {
        throw new InvalidInputError("run: displayName is required");
      }
      const params = input.parameters ?? {};
      if (typeof params !== "object" || params === null || Array.isArray(params)) {
        throw new InvalidInputError(`run '${input.displayName}': parameters must be an object of name to JSON value`);
      }
      return ctx.tx(() => {
        const experiment =
          input.experimentId === undefined
            ? experiments.getDefault(input.namespace ?? "")
            : experiments.get(input.experimentId);
        if (experiment === undefined) throw new NotFoundError("experiment", input.experimentId ?? "");
        const createdAt = input.createdAt ?? Date.now();
        const state = input.state ?? "PENDING";
        const stored = putSpec(ctx, `run '${input.displayName}'`, "pipelineSpec", input.pipelineSpec);
        const fields: RunFields = {
          id: input.id ?? randomUUID(),
          experimentId: experiment.id,
          displayName: input.displayName,
          description: input.description ?? "",
          pipelineSpec: input.pipelineSpec,
          parameters: params,
          state,
          stateHistory: [{ state, at: createdAt }],
          storageState: "AVAILABLE",
          createdAt,
          scheduledAt: input.scheduledAt ?? createdAt,
          cancelRequested: false,
          enableCache: input.enableCache !== false,
          namespace: input.namespace ?? experiment.namespace,
          tags: checkTags(`run '${input.displayName}'`, input.tags ?? {}),
          inputArtifacts: input.inputArtifacts ?? {},
        };
        if (input.pipelineVersionId !== undefined) fields.pipelineVersionId = input.pipelineVersionId;
        if (input.platformSpec !== undefined) fields.platformSpec = input.platformSpec;
        if (input.pipelineRoot !== undefined) fields.pipelineRoot = input.pipelineRoot;
        if (input.serviceAccount !== undefined) fields.serviceAccount = input.serviceAccount;
        if (input.recurringRunId !== undefined) fields.recurringRunId = input.recurringRunId;
        const row = { ...encodeRow(RUNS_TABLE, fields), pipeline_spec: "", spec_digest: stored.digest } as RunRow;
        guardWrite(
          ctx,
          {
            entity: "run",
            unique: `a run with id '${row.id}'`,
            refs: [
              { field: "pipelineVersionId", table: "pipeline_versions", value: row.pipeline_version_id },
              { field: "recurringRunId", table: "recurring_runs", value: row.recurring_run_id },
            ],
          },
          () => ctx.stmt(INSERT_RUN).run(row),
        );
        ctx
          .stmt("UPDATE experiments SET last_run_created_at = max(COALESCE(last_run_created_at, 0), ?) WHERE id = ?")
          .run(createdAt, experiment.id);
        // The row as written, decoded like any read: no second query.
        return toRun(ctx, { ...row, pipeline_spec: stored.text });
      });
    },

    get(id: string): Run | undefined {
      const r = ctx.stmt("SELECT * FROM runs WHERE id = ?").get(id) as RunRow | undefined;
      return r && toRun(ctx, r);
    },

    list(query?: ListQuery): ListResult<Run> {
      return runList(ctx, RUNS, query, (r) => toRun(ctx, r as unknown as RunRow));
    },

    listSummaries(query?: ListQuery): ListResult<RunSummary> {
      return runList(ctx, RUNS, query, (r) => toRunSummary(r), { columns: SUMMARY_COLUMNS });
    },

    updateState(id: string, state: RuntimeState, extra?: RunStateExtra): Run {
      const res = ctx.stmt(UPDATE_STATE).run(stateParams(id, state, extra));
      if (res.changes === 0) throw new NotFoundError("run", id);
      return mustGet(id);
    },

    transitionState(
      id: string,
      from: readonly RuntimeState[],
      state: RuntimeState,
      extra?: RunStateExtra,
    ): Run | undefined {
      if (from.length === 0) return undefined;
      const params: Record<string, string | number | null> = stateParams(id, state, extra);
      from.forEach((s, i) => {
        params[`from${i}`] = s;
      });
      const sql = `${UPDATE_STATE} AND state IN (${from.map((_, i) => `@from${i}`).join(", ")})`;
      const res = ctx.stmt(sql).run(params);
      if (res.changes === 0) {
        mustGet(id);
        return undefined;
      }
      return mustGet(id);
    },

    setOwner(id: string, pid: number, host: string, at?: number, identity?: RunOwnerIdentity): void {
      setFlag(
        id,
        // A claim starts a new execution: a cancel requested of an earlier one is spent.
        "UPDATE runs SET owner_pid = ?, owner_host = ?, heartbeat_at = ?, owner_instance = ?, owner_boot_id = ?, owner_start_time = ?, cancel_requested = 0 WHERE id = ?",
        pid,
        host,
        at ?? Date.now(),
        identity?.instance ?? null,
        identity?.bootId ?? null,
        identity?.startTime ?? null,
      );
    },

    heartbeat(id: string, at?: number, instance?: string): boolean {
      if (instance === undefined) {
        setFlag(id, "UPDATE runs SET heartbeat_at = ? WHERE id = ?", at ?? Date.now());
        return true;
      }
      const res = ctx
        .stmt("UPDATE runs SET heartbeat_at = ? WHERE id = ? AND owner_instance = ?")
        .run(at ?? Date.now(), id, instance);
      return res.changes > 0;
    },

    clearOwner(id: string): void {
      setFlag(
        id,
        "UPDATE runs SET owner_pid = NULL, owner_host = NULL, heartbeat_at = NULL, owner_instance = NULL, owner_boot_id = NULL, owner_start_time = NULL WHERE id = ?",
      );
    },

    requestCancel(id: string): Run {
      setFlag(id, "UPDATE runs SET cancel_requested = 1 WHERE id = ?");
      return mustGet(id);
    },

    archive(id: string): Run {
      setFlag(id, "UPDATE runs SET storage_state = 'ARCHIVED' WHERE id = ?");
      return mustGet(id);
    },

    unarchive(id: string): Run {
      setFlag(id, "UPDATE runs SET storage_state = 'AVAILABLE' WHERE id = ?");
      return mustGet(id);
    },

    update(id: string, patch: RunPatch): Run {
      if (
        patch.displayName !== undefined &&
        (typeof patch.displayName !== "string" || patch.displayName.trim() === "")
      ) {
        throw new InvalidInputError(`run '${id}': displayName must be a non-empty string`);
      }
      if (patch.description !== undefined && typeof patch.description !== "string") {
        throw new InvalidInputError(`run '${id}': description must be a string`);
      }
      setFlag(
        id,
        "UPDATE runs SET display_name = COALESCE(?, display_name), description = COALESCE(?, description), tags = COALESCE(?, tags) WHERE id = ?",
        patch.displayName ?? null,
        patch.description ?? null,
        patch.tags === undefined ? null : JSON.stringify(checkTags(`run '${id}'`, patch.tags)),
      );
      return mustGet(id);
    },

    delete(id: string): void {
      // Tasks, artifacts, events, metrics and cache entries go with it (ON DELETE CASCADE).
      setFlag(id, "DELETE FROM runs WHERE id = ?");
    },

    findOrphans(isAlive): RunSummary[] {
      // summaries: recovery needs the owner columns, never the specs
      const rows = ctx
        .stmt(
          `SELECT ${SUMMARY_COLUMNS.join(", ")} FROM runs WHERE state IN (${ACTIVE_RUN_STATES.map(() => "?").join(", ")}) ORDER BY created_at, id`,
        )
        .all(...ACTIVE_RUN_STATES) as Record<string, unknown>[];
      const orphans: RunSummary[] = [];
      for (const row of rows) {
        const run = toRunSummary(row);
        if (run.ownerPid === undefined || run.ownerHost === undefined) {
          // A PENDING run without an owner is queued, not orphaned.
          if (run.state !== "PENDING") orphans.push(run);
          continue;
        }
        if (!isAlive(run.ownerPid, run.ownerHost, run.heartbeatAt, run)) orphans.push(run);
      }
      return orphans;
    },
  };
  return repo;
}
