/**
 * Migration 4: user-defined tags (a JSON object of string to string) on pipelines and
 * pipeline versions, as KFP's v2beta1 API has them.
 */
import type { Migration } from "./migration.ts";

/** The tags columns. */
export const migration004: Migration = {
  version: 4,
  name: "pipeline-tags",
  sql: `
ALTER TABLE pipelines ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
ALTER TABLE pipeline_versions ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
`,
};
