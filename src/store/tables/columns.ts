/** Column declarations more than one table shares. */
import { TagsSchema } from "../schemas.ts";
import { int, json, text, textOf } from "../table.ts";

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

/** An `id` primary key, listable, with the KFP name `wire` (`run_id`) besides `id`. */
export const idColumn = (wire: string) =>
  ({ sql: "TEXT", field: "id", codec: text, list: { type: "text", wire: [wire] } }) as const;
/** A `name` column, listable. */
export const name = { sql: "TEXT", field: "name", codec: text, list: { type: "text" } } as const;
/** A `display_name` column, listable. */
export const displayName = { sql: "TEXT", field: "displayName", codec: text, list: { type: "text" } } as const;
/** A `description` column. */
export const description = { sql: "TEXT", field: "description", codec: text } as const;
/** A `namespace` column, listable. */
export const namespace = { sql: "TEXT", field: "namespace", codec: text, list: { type: "text" } } as const;
/** A `created_at` column (epoch ms), listable. */
export const createdAt = { sql: "INTEGER", field: "createdAt", codec: int, list: { type: "time" } } as const;
/** A `tags` column: user-defined labels (string to string), `{}` when none. */
export const tags = { sql: "TEXT", field: "tags", codec: json(TagsSchema) } as const;
/** A `tags` column whose keys are list fields: `tags.KEY` filters and sorts by one tag's value. */
export const listedTags = { ...tags, list: { type: "tags" } } as const;
