/**
 * Migration 9: KFP's `service_account` on runs and recurring runs, and the recurring run's
 * `runtime_config.pipeline_root` (given to each run it starts).
 */
import type { Migration } from "./migration.ts";

/** The service account columns and the recurring run's pipeline root. */
export const migration009: Migration = {
  version: 9,
  name: "service-account-root",
  sql: `
ALTER TABLE runs ADD COLUMN service_account TEXT;
ALTER TABLE recurring_runs ADD COLUMN service_account TEXT;
ALTER TABLE recurring_runs ADD COLUMN pipeline_root TEXT;
`,
};
