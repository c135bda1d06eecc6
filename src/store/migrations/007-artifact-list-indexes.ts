/**
 * Migration 7: indexes for the artifacts list (newest first, by type) and for lineage walks
 * from a task to the artifacts it read and wrote.
 */
import type { Migration } from "./migration.ts";

/** The artifact list and lineage indexes. */
export const migration007: Migration = {
  version: 7,
  name: "artifact-list-indexes",
  sql: `
CREATE INDEX artifacts_created ON artifacts (created_at, id);
CREATE INDEX artifacts_type ON artifacts (schema_title, created_at, id);
CREATE INDEX events_task ON events (task_id);
`,
};
