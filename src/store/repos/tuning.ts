/**
 * Tuning experiments, trials and intermediate values. An experiment's owner is recorded
 * with the columns and identity a run's owner uses, so `ownerGone` (engine/owner.ts)
 * judges both; a claim is a compare-and-set on the owner instance.
 */
import { randomUUID } from "node:crypto";
import { isTerminalState, TERMINAL_EXPERIMENT_STATES, TRIAL_STATES } from "../../ir/states.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { type ListSpec, runList } from "../list-query.ts";
import { guardWrite, type SqlContext } from "../sql.ts";
import { decodeRow, encodePatch, encodeRow, insertSql, listSpec, type RowOf } from "../table.ts";
import { TUNING_EXPERIMENTS_TABLE, TUNING_TRIALS_TABLE } from "../tables/index.ts";
import type {
  ListQuery,
  ListResult,
  TuningExperiment,
  TuningExperimentInput,
  TuningObservation,
  TuningObservationInput,
  TuningRepository,
  TuningTrial,
  TuningTrialPatch,
} from "../types.ts";

type ExperimentRow = RowOf<typeof TUNING_EXPERIMENTS_TABLE.columns>;
type TrialRow = RowOf<typeof TUNING_TRIALS_TABLE.columns>;

const EXPERIMENTS: ListSpec = listSpec(TUNING_EXPERIMENTS_TABLE, { defaultSort: { field: "createdAt", desc: true } });

const INSERT_EXPERIMENT = insertSql(TUNING_EXPERIMENTS_TABLE, [
  "id",
  "name",
  "source",
  "source_digest",
  "spec",
  "algorithm",
  "state",
  "created_at",
]);

const INSERT_TRIAL = insertSql(TUNING_TRIALS_TABLE, [
  "experiment_id",
  "number",
  "name",
  "params",
  "meta",
  "state",
  "metrics",
  "created_at",
]);

const CLEAR_OWNER =
  "owner_pid = NULL, owner_host = NULL, owner_instance = NULL, owner_boot_id = NULL, owner_start_time = NULL, heartbeat_at = NULL";

function toExperiment(r: ExperimentRow): TuningExperiment {
  return decodeRow(TUNING_EXPERIMENTS_TABLE, r);
}

function toTrial(r: TrialRow): TuningTrial {
  return decodeRow(TUNING_TRIALS_TABLE, { ...r, id: `${r.experiment_id}/${r.number}` });
}

/** The name pattern Katib (and Kubernetes) allow for an experiment. */
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The tuning repository over `ctx`. */
export function createTuningRepository(ctx: SqlContext): TuningRepository {
  function mustGetExperiment(id: string): TuningExperiment {
    const e = repo.getExperiment(id);
    if (e === undefined) throw new NotFoundError("tuning experiment", id);
    return e;
  }

  function mustGetTrial(experimentId: string, number: number): TuningTrial {
    const t = repo.getTrial(experimentId, number);
    if (t === undefined) throw new NotFoundError("tuning trial", `${experimentId}/${number}`);
    return t;
  }

  const repo: TuningRepository = {
    createExperiment(input: TuningExperimentInput): TuningExperiment {
      if (typeof input.name !== "string" || !NAME.test(input.name) || input.name.length > 63) {
        throw new InvalidInputError(
          `tuning experiment: name '${String(input.name)}' must be lower-case letters, digits and '-', start and end with a letter or digit, at most 63 characters`,
        );
      }
      if (typeof input.sourceDigest !== "string" || input.sourceDigest === "") {
        throw new InvalidInputError(`tuning experiment '${input.name}': sourceDigest is required`);
      }
      if (typeof input.spec !== "object" || input.spec === null || Array.isArray(input.spec)) {
        throw new InvalidInputError(`tuning experiment '${input.name}': spec must be a JSON object`);
      }
      const row = encodeRow(TUNING_EXPERIMENTS_TABLE, {
        id: input.id ?? randomUUID(),
        name: input.name,
        source: input.source ?? "",
        sourceDigest: input.sourceDigest,
        spec: input.spec,
        algorithm: input.algorithm,
        state: "RUNNING",
        createdAt: input.createdAt ?? Date.now(),
      }) as ExperimentRow;
      guardWrite(ctx, { entity: "tuning experiment", unique: `a tuning experiment named '${row.name}'` }, () =>
        ctx.stmt(INSERT_EXPERIMENT).run(row),
      );
      return mustGetExperiment(row.id);
    },

    getExperiment(id: string): TuningExperiment | undefined {
      const r = ctx.stmt("SELECT * FROM tuning_experiments WHERE id = ?").get(id) as ExperimentRow | undefined;
      return r && toExperiment(r);
    },

    getExperimentByName(name: string): TuningExperiment | undefined {
      const r = ctx.stmt("SELECT * FROM tuning_experiments WHERE name = ?").get(name) as ExperimentRow | undefined;
      return r && toExperiment(r);
    },

    listExperiments(query?: ListQuery): ListResult<TuningExperiment> {
      return runList(ctx, EXPERIMENTS, query, (r) => toExperiment(r as unknown as ExperimentRow));
    },

    claimExperiment(id, owner, expectedInstance, at): boolean {
      const res = ctx
        .stmt(
          `UPDATE tuning_experiments SET owner_pid = ?, owner_host = ?, owner_instance = ?, owner_boot_id = ?, owner_start_time = ?, heartbeat_at = ?,
           state = 'RUNNING', reason = NULL, message = NULL, finished_at = NULL
           WHERE id = ? AND owner_instance IS ?`,
        )
        .run(
          owner.pid,
          owner.host,
          owner.identity.instance,
          owner.identity.bootId ?? null,
          owner.identity.startTime ?? null,
          at ?? Date.now(),
          id,
          expectedInstance,
        );
      if (res.changes === 0) mustGetExperiment(id);
      return res.changes > 0;
    },

    heartbeatExperiment(id, instance, at): boolean {
      const res = ctx
        .stmt("UPDATE tuning_experiments SET heartbeat_at = ? WHERE id = ? AND owner_instance = ?")
        .run(at ?? Date.now(), id, instance);
      return res.changes > 0;
    },

    finishExperiment(id, finish): TuningExperiment {
      if (!(TERMINAL_EXPERIMENT_STATES as readonly string[]).includes(finish.state)) {
        throw new InvalidInputError(
          `tuning experiment '${id}': a finished state is one of ${TERMINAL_EXPERIMENT_STATES.join(", ")}, not '${finish.state}'`,
        );
      }
      const res = ctx
        .stmt(
          `UPDATE tuning_experiments SET state = ?, reason = ?, message = ?, best_trial = COALESCE(?, best_trial), finished_at = ?, ${CLEAR_OWNER} WHERE id = ?`,
        )
        .run(
          finish.state,
          finish.reason,
          finish.message ?? null,
          finish.bestTrial ?? null,
          finish.at ?? Date.now(),
          id,
        );
      if (res.changes === 0) throw new NotFoundError("tuning experiment", id);
      return mustGetExperiment(id);
    },

    setBestTrial(id, bestTrial): void {
      const res = ctx.stmt("UPDATE tuning_experiments SET best_trial = ? WHERE id = ?").run(bestTrial, id);
      if (res.changes === 0) throw new NotFoundError("tuning experiment", id);
    },

    deleteExperiment(id: string): void {
      // trials and their observations go with it (ON DELETE CASCADE)
      const res = ctx.stmt("DELETE FROM tuning_experiments WHERE id = ?").run(id);
      if (res.changes === 0) throw new NotFoundError("tuning experiment", id);
    },

    createTrial(input): TuningTrial {
      if (!Number.isInteger(input.number) || input.number < 0) {
        throw new InvalidInputError(`tuning trial: number must be an integer >= 0, not ${input.number}`);
      }
      const state = input.state ?? "PENDING";
      if (!(TRIAL_STATES as readonly string[]).includes(state)) {
        throw new InvalidInputError(
          `tuning trial ${input.number}: state '${state}' is not one of ${TRIAL_STATES.join(", ")}`,
        );
      }
      return ctx.tx(() => {
        const experiment = mustGetExperiment(input.experimentId);
        const row = encodeRow(TUNING_TRIALS_TABLE, {
          experimentId: experiment.id,
          number: input.number,
          name: input.name ?? `${experiment.name}-${input.number}`,
          params: input.params,
          meta: input.meta ?? {},
          state,
          metrics: {},
          createdAt: input.createdAt ?? Date.now(),
        }) as TrialRow;
        guardWrite(
          ctx,
          { entity: "tuning trial", unique: `trial ${input.number} of tuning experiment '${experiment.name}'` },
          () => ctx.stmt(INSERT_TRIAL).run(row),
        );
        return mustGetTrial(experiment.id, input.number);
      });
    },

    getTrial(experimentId, number): TuningTrial | undefined {
      const r = ctx
        .stmt("SELECT * FROM tuning_trials WHERE experiment_id = ? AND number = ?")
        .get(experimentId, number) as TrialRow | undefined;
      return r && toTrial(r);
    },

    updateTrial(experimentId, number, patch: TuningTrialPatch): TuningTrial {
      if (patch.state !== undefined && !(TRIAL_STATES as readonly string[]).includes(patch.state)) {
        throw new InvalidInputError(
          `tuning trial ${experimentId}/${number}: state '${patch.state}' is not one of ${TRIAL_STATES.join(", ")}`,
        );
      }
      if (patch.values?.some((v) => !Number.isFinite(v))) {
        throw new InvalidInputError(`tuning trial ${experimentId}/${number}: values must be finite numbers`);
      }
      const cols = encodePatch(TUNING_TRIALS_TABLE, patch);
      if (patch.state !== undefined && isTerminalState(patch.state) && patch.finishedAt === undefined) {
        cols.finished_at = Date.now();
      }
      const names = Object.keys(cols);
      if (names.length === 0) return mustGetTrial(experimentId, number);
      const res = ctx
        .stmt(
          `UPDATE tuning_trials SET ${names.map((c) => `${c} = @${c}`).join(", ")} WHERE experiment_id = @experiment_id__ AND number = @number__`,
        )
        .run({ ...cols, experiment_id__: experimentId, number__: number });
      if (res.changes === 0) throw new NotFoundError("tuning trial", `${experimentId}/${number}`);
      return mustGetTrial(experimentId, number);
    },

    listTrials(experimentId): TuningTrial[] {
      const rows = ctx
        .stmt("SELECT * FROM tuning_trials WHERE experiment_id = ? ORDER BY number")
        .all(experimentId) as TrialRow[];
      return rows.map(toTrial);
    },

    countTrials(experimentId) {
      const rows = ctx
        .stmt("SELECT state, count(*) AS n FROM tuning_trials WHERE experiment_id = ? GROUP BY state")
        .all(experimentId) as Array<{ state: TuningTrial["state"]; n: number }>;
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    },

    appendObservations(experimentId, number, points: readonly TuningObservationInput[]): void {
      if (points.length === 0) return;
      ctx.tx(() => {
        mustGetTrial(experimentId, number);
        const insert = ctx.stmt(
          "INSERT INTO tuning_observations (experiment_id, number, metric, step, value, timestamp) VALUES (?, ?, ?, ?, ?, ?)",
        );
        const now = Date.now();
        for (const p of points) {
          if (typeof p.metric !== "string" || p.metric === "" || !Number.isFinite(p.step)) {
            throw new InvalidInputError(
              `tuning trial ${experimentId}/${number}: an observation needs a metric name and a finite step`,
            );
          }
          insert.run(
            experimentId,
            number,
            p.metric,
            p.step,
            Number.isNaN(p.value) ? null : p.value,
            p.timestamp ?? now,
          );
        }
      });
    },

    clearObservations(experimentId, number): void {
      ctx.stmt("DELETE FROM tuning_observations WHERE experiment_id = ? AND number = ?").run(experimentId, number);
    },

    listObservations(experimentId, number, metric): TuningObservation[] {
      const rows = (
        metric === undefined
          ? ctx
              .stmt(
                "SELECT seq, metric, step, value, timestamp FROM tuning_observations WHERE experiment_id = ? AND number = ? ORDER BY seq",
              )
              .all(experimentId, number)
          : ctx
              .stmt(
                "SELECT seq, metric, step, value, timestamp FROM tuning_observations WHERE experiment_id = ? AND number = ? AND metric = ? ORDER BY seq",
              )
              .all(experimentId, number, metric)
      ) as Array<{ seq: number; metric: string; step: number; value: number | null; timestamp: number }>;
      return rows.map((r) => ({ ...r, value: r.value === null ? Number.NaN : r.value }));
    },
  };
  return repo;
}
