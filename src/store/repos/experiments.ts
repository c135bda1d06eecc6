/** Experiments: named groups of runs, unique per namespace. */
import { randomUUID } from "node:crypto";
import { IntegrityError, InvalidInputError, NotFoundError } from "../errors.ts";
import { type ListSpec, runList } from "../list-query.ts";
import { guardWrite, type SqlContext } from "../sql.ts";
import { decodeRow, encodeRow, insertSql, listSpec, type RowOf } from "../table.ts";
import { EXPERIMENTS_TABLE } from "../tables/index.ts";
import type {
  Experiment,
  ExperimentInput,
  ExperimentRepository,
  ListQuery,
  ListResult,
  StorageState,
} from "../types.ts";

/** The name of the experiment runs go to when none is given. */
export const DEFAULT_EXPERIMENT_NAME = "Default";

type ExperimentRow = RowOf<typeof EXPERIMENTS_TABLE.columns>;

const EXPERIMENTS: ListSpec = listSpec(EXPERIMENTS_TABLE);

function toExperiment(r: ExperimentRow): Experiment {
  return decodeRow(EXPERIMENTS_TABLE, r);
}

const INSERT = insertSql(EXPERIMENTS_TABLE, [
  "id",
  "name",
  "display_name",
  "description",
  "namespace",
  "storage_state",
  "created_at",
]);

/** The experiments repository over `ctx`. */
export function createExperimentRepository(ctx: SqlContext): ExperimentRepository {
  function rowFor(input: ExperimentInput) {
    if (typeof input.name !== "string" || input.name.trim() === "") {
      throw new InvalidInputError("experiment: name is required and must not be empty");
    }
    return encodeRow(EXPERIMENTS_TABLE, {
      id: input.id ?? randomUUID(),
      name: input.name,
      displayName: input.displayName ?? input.name,
      description: input.description ?? "",
      namespace: input.namespace ?? "",
      storageState: "AVAILABLE",
      createdAt: input.createdAt ?? Date.now(),
    }) as ExperimentRow;
  }

  function setStorage(id: string, state: StorageState): Experiment {
    return ctx.tx(() => {
      const res = ctx.stmt("UPDATE experiments SET storage_state = ? WHERE id = ?").run(state, id);
      if (res.changes === 0) throw new NotFoundError("experiment", id);
      if (state === "ARCHIVED") {
        // As in KFP: archiving an experiment archives its runs and disables its recurring
        // runs; restoring it leaves them as they are.
        ctx.stmt("UPDATE runs SET storage_state = 'ARCHIVED' WHERE experiment_id = ?").run(id);
        ctx
          .stmt(
            "UPDATE recurring_runs SET mode = 'DISABLE', status = 'DISABLED', updated_at = ? WHERE experiment_id = ? AND mode = 'ENABLE'",
          )
          .run(Date.now(), id);
      }
      return repo.get(id) as Experiment;
    });
  }

  const repo: ExperimentRepository = {
    create(input: ExperimentInput): Experiment {
      const row = rowFor(input);
      const ns = row.namespace === "" ? "the default namespace" : `namespace '${row.namespace}'`;
      guardWrite(ctx, { entity: "experiment", unique: `an experiment named '${row.name}' in ${ns}` }, () =>
        ctx.stmt(INSERT).run(row),
      );
      return repo.get(row.id) as Experiment;
    },

    get(id: string): Experiment | undefined {
      const r = ctx.stmt("SELECT * FROM experiments WHERE id = ?").get(id) as ExperimentRow | undefined;
      return r && toExperiment(r);
    },

    getByName(name: string, namespace = ""): Experiment | undefined {
      const r = ctx.stmt("SELECT * FROM experiments WHERE namespace = ? AND name = ?").get(namespace, name) as
        | ExperimentRow
        | undefined;
      return r && toExperiment(r);
    },

    getOrCreateByName(name: string, namespace = ""): Experiment {
      const existing = repo.getByName(name, namespace);
      if (existing) return existing;
      // ON CONFLICT DO NOTHING: a process that loses the race reads the winner's row.
      ctx.stmt(`${INSERT} ON CONFLICT (namespace, name) DO NOTHING`).run(rowFor({ name, namespace }));
      return repo.getByName(name, namespace) as Experiment;
    },

    getDefault(namespace = ""): Experiment {
      return repo.getOrCreateByName(DEFAULT_EXPERIMENT_NAME, namespace);
    },

    list(query?: ListQuery): ListResult<Experiment> {
      return runList(ctx, EXPERIMENTS, query, (r) => toExperiment(r as unknown as ExperimentRow));
    },

    archive(id: string): Experiment {
      return setStorage(id, "ARCHIVED");
    },

    unarchive(id: string): Experiment {
      return setStorage(id, "AVAILABLE");
    },

    delete(id: string, options?: { cascade?: boolean }): void {
      ctx.tx(() => {
        if (repo.get(id) === undefined) throw new NotFoundError("experiment", id);
        const runs = (ctx.stmt("SELECT count(*) AS n FROM runs WHERE experiment_id = ?").get(id) as { n: number }).n;
        const recurring = (
          ctx.stmt("SELECT count(*) AS n FROM recurring_runs WHERE experiment_id = ?").get(id) as { n: number }
        ).n;
        if ((runs > 0 || recurring > 0) && options?.cascade !== true) {
          throw new IntegrityError(
            `experiment '${id}' has ${runs} run(s) and ${recurring} recurring run(s); delete them first or delete with cascade`,
          );
        }
        ctx.stmt("DELETE FROM runs WHERE experiment_id = ?").run(id);
        ctx.stmt("DELETE FROM recurring_runs WHERE experiment_id = ?").run(id);
        ctx.stmt("DELETE FROM experiments WHERE id = ?").run(id);
      });
    },
  };
  return repo;
}
