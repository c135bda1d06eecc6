/** The `experiments` table: named groups of runs, unique per namespace. */
import { defineTable, type FieldsOf, int } from "../table.ts";
import { createdAt, description, displayName, idColumn, name, namespace, storageState } from "./columns.ts";

/** The experiments table. */
export const EXPERIMENTS_TABLE = defineTable({
  table: "experiments",
  entity: "experiments",
  columns: {
    id: idColumn("experiment_id"),
    name,
    display_name: displayName,
    description,
    namespace,
    storage_state: storageState,
    created_at: createdAt,
    last_run_created_at: {
      sql: "INTEGER",
      nullable: true,
      field: "lastRunCreatedAt",
      codec: int,
      list: { type: "time" },
    },
  },
});

/** The fields of an experiment. */
export type ExperimentFields = FieldsOf<typeof EXPERIMENTS_TABLE.columns>;
