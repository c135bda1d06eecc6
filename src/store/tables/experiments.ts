/** The `experiments` table: named groups of runs, unique per namespace. */
import { defineTable, type FieldsOf, int, text } from "../table.ts";
import { storageState } from "./columns.ts";

/** The experiments table. */
export const EXPERIMENTS_TABLE = defineTable({
  table: "experiments",
  entity: "experiments",
  columns: {
    id: { sql: "TEXT", field: "id", codec: text, list: { type: "text", wire: ["experiment_id"] } },
    name: { sql: "TEXT", field: "name", codec: text, list: { type: "text" } },
    display_name: { sql: "TEXT", field: "displayName", codec: text, list: { type: "text" } },
    description: { sql: "TEXT", field: "description", codec: text },
    namespace: { sql: "TEXT", field: "namespace", codec: text, list: { type: "text" } },
    storage_state: storageState,
    created_at: { sql: "INTEGER", field: "createdAt", codec: int, list: { type: "time" } },
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
