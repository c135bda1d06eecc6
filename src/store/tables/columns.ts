/** Column declarations more than one table shares. */
import { textOf } from "../table.ts";

/** Whether an entity is listed normally or archived. */
export type StorageState = "AVAILABLE" | "ARCHIVED";
/** The values of a `storage_state` column (its CHECK constraint). */
export const STORAGE_STATES: readonly StorageState[] = ["AVAILABLE", "ARCHIVED"];

/** A `storage_state` column, listable. */
export const storageState = {
  sql: "TEXT",
  field: "storageState",
  codec: textOf<StorageState>(),
  list: { type: "text", values: STORAGE_STATES },
} as const;
