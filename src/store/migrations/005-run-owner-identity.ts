/**
 * Migration 5: who owns a run, beyond a pid. A pid alone is reused (a restarted server in
 * a container is PID 1 again), so the owner's claim also records a per-process instance
 * id, the kernel boot id and the process start time; recovery compares them.
 */
import type { Migration } from "./migration.ts";

/** The run owner identity columns. */
export const migration005: Migration = {
  version: 5,
  name: "run-owner-identity",
  sql: `
ALTER TABLE runs ADD COLUMN owner_instance TEXT;
ALTER TABLE runs ADD COLUMN owner_boot_id TEXT;
ALTER TABLE runs ADD COLUMN owner_start_time TEXT;
`,
};
