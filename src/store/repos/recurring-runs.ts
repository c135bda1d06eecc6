/** Recurring runs (schedules) and the compare-and-set that claims a due firing. */
import { randomUUID } from "node:crypto";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { type ListSpec, runList } from "../list-query.ts";
import { TriggerSchema } from "../schemas.ts";
import { guardWrite, type SqlContext, specJson } from "../sql.ts";
import { decodeRow, encodePatch, encodeRow, insertSql, listSpec, type RowOf } from "../table.ts";
import { RECURRING_RUNS_TABLE, type RecurringRunFields } from "../tables/index.ts";
import type {
  ListQuery,
  ListResult,
  RecurringRun,
  RecurringRunInput,
  RecurringRunPatch,
  RecurringRunRepository,
  Trigger,
} from "../types.ts";
import type { createExperimentRepository } from "./experiments.ts";

type RecurringRunRow = RowOf<typeof RECURRING_RUNS_TABLE.columns>;

const RECURRING: ListSpec = listSpec(RECURRING_RUNS_TABLE);

function toRecurringRun(r: RecurringRunRow): RecurringRun {
  return decodeRow(RECURRING_RUNS_TABLE, r);
}

/** Every column: a new recurring run writes them all. */
const INSERT = insertSql(
  RECURRING_RUNS_TABLE,
  Object.keys(RECURRING_RUNS_TABLE.columns) as (keyof typeof RECURRING_RUNS_TABLE.columns)[],
);

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
        if (input.pipelineSpec !== undefined) specJson(where, "pipelineSpec", input.pipelineSpec);
        const fields: RecurringRunFields = {
          id: input.id ?? randomUUID(),
          displayName: input.displayName,
          description: input.description ?? "",
          experimentId,
          parameters: input.parameters ?? {},
          trigger,
          maxConcurrency: input.maxConcurrency ?? 1,
          noCatchup: input.noCatchup === true,
          mode,
          status: input.status ?? (mode === "ENABLE" ? "ENABLED" : "DISABLED"),
          namespace: input.namespace ?? "",
          createdAt: input.createdAt ?? now,
          updatedAt: now,
        };
        if (input.pipelineVersionId !== undefined) fields.pipelineVersionId = input.pipelineVersionId;
        if (input.pipelineSpec !== undefined) fields.pipelineSpec = input.pipelineSpec;
        if (input.nextFireAt !== undefined) fields.nextFireAt = input.nextFireAt;
        if (input.pipelineRoot !== undefined) fields.pipelineRoot = input.pipelineRoot;
        if (input.serviceAccount !== undefined) fields.serviceAccount = input.serviceAccount;
        const row = encodeRow(RECURRING_RUNS_TABLE, fields) as RecurringRunRow;
        guardWrite(
          ctx,
          {
            entity: where,
            unique: `a recurring run with id '${row.id}'`,
            refs: refs(experimentId, row.pipeline_version_id),
          },
          () => ctx.stmt(INSERT).run(row),
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
      // id and created_at are not patchable; updated_at is now
      const { created_at: _created, ...patched } = encodePatch(RECURRING_RUNS_TABLE, p);
      const params: Record<string, string | number | null> = { ...patched, id, updated_at: Date.now() };
      const sets = Object.keys(params)
        .filter((column) => column !== "id")
        .map((column) => `${column} = @${column}`);
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
