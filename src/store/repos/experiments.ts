/** Experiments: named groups of runs, unique per namespace. */
import { randomUUID } from "node:crypto";
import { IntegrityError, InvalidInputError, NotFoundError } from "../errors.ts";
import { type ListSpec, runList } from "../list-query.ts";
import { guardWrite, opt, type SqlContext } from "../sql.ts";
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

interface ExperimentRow {
  id: string;
  name: string;
  display_name: string;
  description: string;
  namespace: string;
  storage_state: StorageState;
  created_at: number;
  last_run_created_at: number | null;
}

const EXPERIMENTS: ListSpec = {
  table: "experiments",
  entity: "experiments",
  fields: {
    id: { column: "id", type: "text" },
    name: { column: "name", type: "text" },
    displayName: { column: "display_name", type: "text" },
    namespace: { column: "namespace", type: "text" },
    storageState: { column: "storage_state", type: "text", values: ["AVAILABLE", "ARCHIVED"] },
    createdAt: { column: "created_at", type: "time" },
    lastRunCreatedAt: { column: "last_run_created_at", type: "time", nullable: true },
  },
};

function toExperiment(r: ExperimentRow): Experiment {
  const e: Experiment = {
    id: r.id,
    name: r.name,
    displayName: r.display_name,
    description: r.description,
    namespace: r.namespace,
    storageState: r.storage_state,
    createdAt: r.created_at,
  };
  const last = opt(r.last_run_created_at);
  if (last !== undefined) e.lastRunCreatedAt = last;
  return e;
}

const INSERT =
  "INSERT INTO experiments (id, name, display_name, description, namespace, storage_state, created_at) VALUES (@id, @name, @display_name, @description, @namespace, 'AVAILABLE', @created_at)";

/** The experiments repository over `ctx`. */
export function createExperimentRepository(ctx: SqlContext): ExperimentRepository {
  function rowFor(input: ExperimentInput) {
    if (typeof input.name !== "string" || input.name.trim() === "") {
      throw new InvalidInputError("experiment: name is required and must not be empty");
    }
    return {
      id: input.id ?? randomUUID(),
      name: input.name,
      display_name: input.displayName ?? input.name,
      description: input.description ?? "",
      namespace: input.namespace ?? "",
      created_at: input.createdAt ?? Date.now(),
    };
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
