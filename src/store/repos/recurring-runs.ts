/** Recurring runs (schedules) and the compare-and-set that claims a due firing. */
import { randomUUID } from "node:crypto";
import type { PipelineSpec } from "../../ir/index.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { type ListSpec, runList } from "../list-query.ts";
import { TriggerSchema } from "../schemas.ts";
import { fromJson, fromJsonObject, fromJsonValue, guardWrite, type SqlContext, specJson, toJson } from "../sql.ts";
import type {
  ListQuery,
  ListResult,
  RecurringRun,
  RecurringRunInput,
  RecurringRunMode,
  RecurringRunPatch,
  RecurringRunRepository,
  RecurringRunStatus,
  Trigger,
} from "../types.ts";
import type { createExperimentRepository } from "./experiments.ts";

interface RecurringRunRow {
  id: string;
  display_name: string;
  description: string;
  experiment_id: string;
  pipeline_version_id: string | null;
  pipeline_spec: string | null;
  parameters: string;
  trigger: string;
  max_concurrency: number;
  no_catchup: number;
  mode: RecurringRunMode;
  status: RecurringRunStatus;
  last_fired_at: number | null;
  next_fire_at: number | null;
  namespace: string;
  created_at: number;
  updated_at: number;
}

const RECURRING: ListSpec = {
  table: "recurring_runs",
  entity: "recurring runs",
  fields: {
    id: { column: "id", type: "text" },
    displayName: { column: "display_name", type: "text" },
    experimentId: { column: "experiment_id", type: "text" },
    pipelineVersionId: { column: "pipeline_version_id", type: "text", nullable: true },
    mode: { column: "mode", type: "text", values: ["ENABLE", "DISABLE"] },
    status: { column: "status", type: "text", values: ["STATUS_UNSPECIFIED", "ENABLED", "DISABLED"] },
    namespace: { column: "namespace", type: "text" },
    createdAt: { column: "created_at", type: "time" },
    nextFireAt: { column: "next_fire_at", type: "time", nullable: true },
  },
};

/** Patchable fields: column and how the value is encoded. */
const COLUMNS: Record<keyof RecurringRunPatch, [string, "plain" | "json" | "bool"]> = {
  displayName: ["display_name", "plain"],
  description: ["description", "plain"],
  experimentId: ["experiment_id", "plain"],
  pipelineVersionId: ["pipeline_version_id", "plain"],
  pipelineSpec: ["pipeline_spec", "json"],
  parameters: ["parameters", "json"],
  trigger: ["trigger", "json"],
  maxConcurrency: ["max_concurrency", "plain"],
  noCatchup: ["no_catchup", "bool"],
  mode: ["mode", "plain"],
  status: ["status", "plain"],
  lastFiredAt: ["last_fired_at", "plain"],
  nextFireAt: ["next_fire_at", "plain"],
  namespace: ["namespace", "plain"],
};

function toRecurringRun(r: RecurringRunRow): RecurringRun {
  const where = (column: string) => ({ table: "recurring_runs", id: r.id, column });
  const rr: RecurringRun = {
    id: r.id,
    displayName: r.display_name,
    description: r.description,
    experimentId: r.experiment_id,
    parameters: fromJsonObject(r.parameters, where("parameters")),
    trigger: fromJson(TriggerSchema, r.trigger, where("trigger")),
    maxConcurrency: r.max_concurrency,
    noCatchup: r.no_catchup !== 0,
    mode: r.mode,
    status: r.status,
    namespace: r.namespace,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.pipeline_version_id !== null) rr.pipelineVersionId = r.pipeline_version_id;
  if (r.pipeline_spec !== null)
    rr.pipelineSpec = fromJsonValue(r.pipeline_spec, where("pipeline_spec")) as PipelineSpec;
  if (r.last_fired_at !== null) rr.lastFiredAt = r.last_fired_at;
  if (r.next_fire_at !== null) rr.nextFireAt = r.next_fire_at;
  return rr;
}

function checkTrigger(where: string, trigger: Trigger): Trigger {
  const parsed = TriggerSchema.safeParse(trigger);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInputError(`${where}: trigger.${issue?.path.join(".") ?? ""} ${issue?.message ?? "is invalid"}`);
  }
  if ((parsed.data.cron === undefined) === (parsed.data.periodic === undefined)) {
    throw new InvalidInputError(`${where}: trigger needs exactly one of cron or periodic`);
  }
  return parsed.data;
}

function checkConcurrency(where: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidInputError(`${where}: maxConcurrency must be an integer of at least 1, got ${n}`);
  }
}

/** The recurring runs repository over `ctx`. */
export function createRecurringRunRepository(
  ctx: SqlContext,
  experiments: ReturnType<typeof createExperimentRepository>,
): RecurringRunRepository {
  function mustGet(id: string): RecurringRun {
    const rr = repo.get(id);
    if (rr === undefined) throw new NotFoundError("recurring run", id);
    return rr;
  }

  const refs = (experimentId: unknown, versionId: unknown) => [
    { field: "experimentId", table: "experiments", value: typeof experimentId === "string" ? experimentId : null },
    { field: "pipelineVersionId", table: "pipeline_versions", value: typeof versionId === "string" ? versionId : null },
  ];

  const repo: RecurringRunRepository = {
    create(input: RecurringRunInput): RecurringRun {
      const where = `recurring run '${input.displayName}'`;
      const trigger = checkTrigger(where, input.trigger);
      checkConcurrency(where, input.maxConcurrency ?? 1);
      if (input.pipelineSpec === undefined && input.pipelineVersionId === undefined) {
        throw new InvalidInputError(`${where}: give a pipelineVersionId or a pipelineSpec`);
      }
      return ctx.tx(() => {
        const experimentId = input.experimentId ?? experiments.getDefault(input.namespace ?? "").id;
        const mode = input.mode ?? "ENABLE";
        const now = Date.now();
        const row: RecurringRunRow = {
          id: input.id ?? randomUUID(),
          display_name: input.displayName,
          description: input.description ?? "",
          experiment_id: experimentId,
          pipeline_version_id: input.pipelineVersionId ?? null,
          pipeline_spec: input.pipelineSpec === undefined ? null : specJson(where, "pipelineSpec", input.pipelineSpec),
          parameters: JSON.stringify(input.parameters ?? {}),
          trigger: JSON.stringify(trigger),
          max_concurrency: input.maxConcurrency ?? 1,
          no_catchup: input.noCatchup === true ? 1 : 0,
          mode,
          status: input.status ?? (mode === "ENABLE" ? "ENABLED" : "DISABLED"),
          last_fired_at: null,
          next_fire_at: input.nextFireAt ?? null,
          namespace: input.namespace ?? "",
          created_at: input.createdAt ?? now,
          updated_at: now,
        };
        const columns = Object.keys(row);
        guardWrite(
          ctx,
          {
            entity: where,
            unique: `a recurring run with id '${row.id}'`,
            refs: refs(experimentId, row.pipeline_version_id),
          },
          () =>
            ctx
              .stmt(
                `INSERT INTO recurring_runs (${columns.join(", ")}) VALUES (${columns.map((c) => `@${c}`).join(", ")})`,
              )
              .run(row),
        );
        return toRecurringRun(row);
      });
    },

    get(id: string): RecurringRun | undefined {
      const r = ctx.stmt("SELECT * FROM recurring_runs WHERE id = ?").get(id) as RecurringRunRow | undefined;
      return r && toRecurringRun(r);
    },

    list(query?: ListQuery): ListResult<RecurringRun> {
      return runList(ctx, RECURRING, query, (r) => toRecurringRun(r as unknown as RecurringRunRow));
    },

    update(id: string, patch: RecurringRunPatch): RecurringRun {
      const where = `recurring run '${id}'`;
      const p: RecurringRunPatch = { ...patch };
      if (p.trigger !== undefined) {
        if (p.trigger === null) throw new InvalidInputError(`${where}: trigger cannot be cleared`);
        p.trigger = checkTrigger(where, p.trigger);
      }
      if (p.maxConcurrency !== undefined && p.maxConcurrency !== null) checkConcurrency(where, p.maxConcurrency);
      if (p.pipelineSpec !== undefined && p.pipelineSpec !== null) specJson(where, "pipelineSpec", p.pipelineSpec);
      if (p.mode !== undefined && p.mode !== null && p.status === undefined) {
        p.status = p.mode === "ENABLE" ? "ENABLED" : "DISABLED";
      }
      const sets: string[] = ["updated_at = @updated_at"];
      const params: Record<string, unknown> = { id, updated_at: Date.now() };
      for (const key of Object.keys(COLUMNS) as (keyof RecurringRunPatch)[]) {
        const value = p[key];
        if (value === undefined) continue;
        const [column, enc] = COLUMNS[key];
        sets.push(`${column} = @${column}`);
        params[column] = enc === "json" ? toJson(value) : enc === "bool" ? (value ? 1 : 0) : value;
      }
      guardWrite(ctx, { entity: where, unique: "", refs: refs(p.experimentId, p.pipelineVersionId) }, () => {
        const res = ctx.stmt(`UPDATE recurring_runs SET ${sets.join(", ")} WHERE id = @id`).run(params);
        if (res.changes === 0) throw new NotFoundError("recurring run", id);
      });
      return mustGet(id);
    },

    delete(id: string): void {
      // Runs it created stay; their recurringRunId is cleared by the foreign key.
      const res = ctx.stmt("DELETE FROM recurring_runs WHERE id = ?").run(id);
      if (res.changes === 0) throw new NotFoundError("recurring run", id);
    },

    claimDue(
      now: number,
      id: string,
      expectedNextFireAt: number | undefined,
      newNextFireAt: number | undefined,
    ): boolean {
      // One statement: of several processes claiming the same firing, exactly one changes the row.
      const res = ctx
        .stmt(
          `UPDATE recurring_runs SET last_fired_at = @now, next_fire_at = @next, updated_at = @now
           WHERE id = @id AND mode = 'ENABLE' AND next_fire_at IS @expected AND (@expected IS NULL OR @expected <= @now)`,
        )
        .run({ now, id, expected: expectedNextFireAt ?? null, next: newNextFireAt ?? null });
      return res.changes === 1;
    },
  };
  return repo;
}
