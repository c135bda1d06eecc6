/** Runs: creation, listing, state changes with history, ownership and orphan detection. */
import { randomUUID } from "node:crypto";
import { ACTIVE_RUN_STATES, isTerminalRunState, type PipelineSpec, type PlatformSpec } from "../../ir/index.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { type ListSpec, runList } from "../list-query.ts";
import { RunErrorSchema, RunStateHistorySchema, RuntimeStateSchema } from "../schemas.ts";
import {
  fromJson,
  fromJsonObject,
  fromJsonValue,
  guardWrite,
  opt,
  putSpec,
  type SqlContext,
  specText,
  toJson,
} from "../sql.ts";
import type {
  ListQuery,
  ListResult,
  Run,
  RunInput,
  RunOwnerIdentity,
  RunRepository,
  RunStateExtra,
  RunSummary,
  RuntimeState,
  StorageState,
} from "../types.ts";
import type { createExperimentRepository } from "./experiments.ts";

interface RunRow {
  id: string;
  experiment_id: string;
  display_name: string;
  description: string;
  pipeline_version_id: string | null;
  /** '' when the spec is in `pipeline_specs` under `spec_digest`. */
  pipeline_spec: string;
  spec_digest: string | null;
  platform_spec: string | null;
  parameters: string;
  pipeline_root: string | null;
  state: RuntimeState;
  state_history: string;
  storage_state: StorageState;
  created_at: number;
  scheduled_at: number;
  started_at: number | null;
  finished_at: number | null;
  error: string | null;
  owner_pid: number | null;
  owner_host: string | null;
  /** Absent in rows written before migration 3 was applied by this reader. */
  owner_instance?: string | null;
  owner_boot_id?: string | null;
  owner_start_time?: string | null;
  heartbeat_at: number | null;
  cancel_requested: number;
  recurring_run_id: string | null;
  enable_cache: number;
  namespace: string;
}

const RUNS: ListSpec = {
  table: "runs",
  entity: "runs",
  fields: {
    id: { column: "id", type: "text" },
    experimentId: { column: "experiment_id", type: "text" },
    displayName: { column: "display_name", type: "text" },
    state: { column: "state", type: "text", values: RuntimeStateSchema.options },
    storageState: { column: "storage_state", type: "text", values: ["AVAILABLE", "ARCHIVED"] },
    namespace: { column: "namespace", type: "text" },
    pipelineVersionId: { column: "pipeline_version_id", type: "text", nullable: true },
    recurringRunId: { column: "recurring_run_id", type: "text", nullable: true },
    createdAt: { column: "created_at", type: "time" },
    scheduledAt: { column: "scheduled_at", type: "time" },
    startedAt: { column: "started_at", type: "time", nullable: true },
    finishedAt: { column: "finished_at", type: "time", nullable: true },
  },
  counts: { table: "run_counts", fields: new Set(["experimentId", "namespace", "state", "storageState"]) },
};

/** The columns a summary reads: all but the specs (`pipeline_spec`, `spec_digest`, `platform_spec`). */
const SUMMARY_COLUMNS = [
  "id",
  "experiment_id",
  "display_name",
  "description",
  "pipeline_version_id",
  "parameters",
  "pipeline_root",
  "state",
  "state_history",
  "storage_state",
  "created_at",
  "scheduled_at",
  "started_at",
  "finished_at",
  "error",
  "owner_pid",
  "owner_host",
  "owner_instance",
  "owner_boot_id",
  "owner_start_time",
  "heartbeat_at",
  "cancel_requested",
  "recurring_run_id",
  "enable_cache",
  "namespace",
] as const;

type SummaryRow = Omit<RunRow, "pipeline_spec" | "spec_digest" | "platform_spec">;

function toRun(ctx: SqlContext, r: RunRow): Run {
  const where = (column: string) => ({ table: "runs", id: r.id, column });
  const spec = specText(ctx, r.pipeline_spec, r.spec_digest, where("pipeline_spec"));
  // Specs are validated by the IR module before they are stored.
  const pipelineSpec = fromJsonValue(spec, where("pipeline_spec")) as PipelineSpec;
  // the spec keeps its place after the description
  const { id, experimentId, displayName, description, ...rest } = toRunSummary(r);
  const run: Run = { id, experimentId, displayName, description, pipelineSpec, ...rest };
  if (r.platform_spec !== null) {
    run.platformSpec = fromJsonValue(r.platform_spec, where("platform_spec")) as PlatformSpec;
  }
  return run;
}

function toRunSummary(r: SummaryRow): RunSummary {
  const where = (column: string) => ({ table: "runs", id: r.id, column });
  const run: RunSummary = {
    id: r.id,
    experimentId: r.experiment_id,
    displayName: r.display_name,
    description: r.description,
    parameters: fromJsonObject(r.parameters, where("parameters")),
    state: r.state,
    stateHistory: fromJson(RunStateHistorySchema, r.state_history, where("state_history")),
    storageState: r.storage_state,
    createdAt: r.created_at,
    scheduledAt: r.scheduled_at,
    cancelRequested: r.cancel_requested !== 0,
    enableCache: r.enable_cache !== 0,
    namespace: r.namespace,
  };
  if (r.pipeline_version_id !== null) run.pipelineVersionId = r.pipeline_version_id;
  if (r.pipeline_root !== null) run.pipelineRoot = r.pipeline_root;
  if (r.started_at !== null) run.startedAt = r.started_at;
  if (r.finished_at !== null) run.finishedAt = r.finished_at;
  if (r.error !== null) run.error = fromJson(RunErrorSchema, r.error, where("error"));
  if (r.owner_pid !== null) run.ownerPid = r.owner_pid;
  const host = opt(r.owner_host);
  if (host !== undefined) run.ownerHost = host;
  if (r.owner_instance) run.ownerInstance = r.owner_instance;
  if (r.owner_boot_id) run.ownerBootId = r.owner_boot_id;
  if (r.owner_start_time) run.ownerStartTime = r.owner_start_time;
  if (r.heartbeat_at !== null) run.heartbeatAt = r.heartbeat_at;
  if (r.recurring_run_id !== null) run.recurringRunId = r.recurring_run_id;
  return run;
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
        const row: RunRow = {
          id: input.id ?? randomUUID(),
          experiment_id: experiment.id,
          display_name: input.displayName,
          description: input.description ?? "",
          pipeline_version_id: input.pipelineVersionId ?? null,
          pipeline_spec: "",
          spec_digest: stored.digest,
          platform_spec: toJson(input.platformSpec),
          parameters: JSON.stringify(params),
          pipeline_root: input.pipelineRoot ?? null,
          state,
          state_history: JSON.stringify([{ state, at: createdAt }]),
          created_at: createdAt,
          scheduled_at: input.scheduledAt ?? createdAt,
          recurring_run_id: input.recurringRunId ?? null,
          enable_cache: input.enableCache === false ? 0 : 1,
          namespace: input.namespace ?? experiment.namespace,
          storage_state: "AVAILABLE",
          started_at: null,
          finished_at: null,
          error: null,
          owner_pid: null,
          owner_host: null,
          heartbeat_at: null,
          cancel_requested: 0,
        };
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
          () =>
            ctx
              .stmt(
                `INSERT INTO runs (id, experiment_id, display_name, description, pipeline_version_id, pipeline_spec, spec_digest, platform_spec, parameters, pipeline_root, state, state_history, created_at, scheduled_at, recurring_run_id, enable_cache, namespace)
                 VALUES (@id, @experiment_id, @display_name, @description, @pipeline_version_id, @pipeline_spec, @spec_digest, @platform_spec, @parameters, @pipeline_root, @state, @state_history, @created_at, @scheduled_at, @recurring_run_id, @enable_cache, @namespace)`,
              )
              .run(row),
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
      return runList(ctx, RUNS, query, (r) => toRunSummary(r as unknown as SummaryRow), { columns: SUMMARY_COLUMNS });
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
        .all(...ACTIVE_RUN_STATES) as SummaryRow[];
      const orphans: RunSummary[] = [];
      for (const r of rows) {
        if (r.owner_pid === null || r.owner_host === null) {
          // A PENDING run without an owner is queued, not orphaned.
          if (r.state !== "PENDING") orphans.push(toRunSummary(r));
          continue;
        }
        const run = toRunSummary(r);
        if (!isAlive(r.owner_pid, r.owner_host, opt(r.heartbeat_at), run)) orphans.push(run);
      }
      return orphans;
    },
  };
  return repo;
}
