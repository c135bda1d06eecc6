/**
 * Migration 3: pipeline specs stored once. A spec is kept in `pipeline_specs` under the
 * SHA-256 of its JSON text, and versions and runs refer to it by `spec_digest` (their old
 * `spec` / `pipeline_spec` column is then ''), so a run of a version, or a thousand runs
 * of the same inline spec, add no copy. Triggers drop a spec when its last reference goes.
 *
 * Existing rows: each version's spec moves under the key `version:<id>`, and a run whose
 * spec is the text of its version's spec refers to that instead of keeping its copy.
 * Other runs keep their inline copy, which reads as before.
 */
import type { Migration } from "./migration.ts";

/** The spec table, the references to it and the existing rows moved over. */
export const migration003: Migration = {
  version: 3,
  name: "pipeline-specs",
  sql: `
CREATE TABLE pipeline_specs (
  digest TEXT PRIMARY KEY,
  spec TEXT NOT NULL
);

ALTER TABLE pipeline_versions ADD COLUMN spec_digest TEXT REFERENCES pipeline_specs (digest);
ALTER TABLE runs ADD COLUMN spec_digest TEXT REFERENCES pipeline_specs (digest);
CREATE INDEX pipeline_versions_spec ON pipeline_versions (spec_digest) WHERE spec_digest IS NOT NULL;
CREATE INDEX runs_spec ON runs (spec_digest) WHERE spec_digest IS NOT NULL;

INSERT INTO pipeline_specs (digest, spec) SELECT 'version:' || id, spec FROM pipeline_versions;
UPDATE runs SET spec_digest = 'version:' || pipeline_version_id, pipeline_spec = ''
  WHERE pipeline_version_id IS NOT NULL
    AND pipeline_spec = (SELECT v.spec FROM pipeline_versions v WHERE v.id = runs.pipeline_version_id);
UPDATE pipeline_versions SET spec_digest = 'version:' || id, spec = '';

CREATE TRIGGER pipeline_versions_spec_release AFTER DELETE ON pipeline_versions
  WHEN OLD.spec_digest IS NOT NULL
BEGIN
  DELETE FROM pipeline_specs WHERE digest = OLD.spec_digest
    AND NOT EXISTS (SELECT 1 FROM pipeline_versions WHERE spec_digest = OLD.spec_digest)
    AND NOT EXISTS (SELECT 1 FROM runs WHERE spec_digest = OLD.spec_digest);
END;

CREATE TRIGGER runs_spec_release AFTER DELETE ON runs
  WHEN OLD.spec_digest IS NOT NULL
BEGIN
  DELETE FROM pipeline_specs WHERE digest = OLD.spec_digest
    AND NOT EXISTS (SELECT 1 FROM pipeline_versions WHERE spec_digest = OLD.spec_digest)
    AND NOT EXISTS (SELECT 1 FROM runs WHERE spec_digest = OLD.spec_digest);
END;
`,
};
