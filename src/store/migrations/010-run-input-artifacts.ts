/**
 * Migration 10: the artifacts a run is given for its pipeline's artifact inputs
 * (`root.inputDefinitions.artifacts`), a JSON object of input name to URI, set by
 * `weft run --artifact name=PATH` or the API's `runtime_config.input_artifacts`.
 */
import type { Migration } from "./migration.ts";

/** The runs' input_artifacts column. */
export const migration010: Migration = {
  version: 10,
  name: "run-input-artifacts",
  sql: `
ALTER TABLE runs ADD COLUMN input_artifacts TEXT NOT NULL DEFAULT '{}';
`,
};
