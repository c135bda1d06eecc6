/** Every table declaration, each the one description of its entity's columns. */
import type { TableDecl } from "../table.ts";
import { RUNS_TABLE } from "./runs.ts";

export { RUNS_TABLE, type RunFields, STORAGE_STATES, type StorageState } from "./runs.ts";

/** The declared tables, checked against the migrated schema by `tables.test.ts`. */
export const TABLES: readonly TableDecl[] = [RUNS_TABLE];
