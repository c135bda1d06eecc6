/**
 * Migration 8: user-defined tags on runs (a JSON object of string to string), set by
 * `weft run --tag k=v` or the API, filterable as `tags.KEY`.
 */
import type { Migration } from "./migration.ts";

/** The runs' tags column. */
export const migration008: Migration = {
  version: 8,
  name: "run-tags",
  sql: `
ALTER TABLE runs ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
`,
};
