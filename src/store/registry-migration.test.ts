import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, schemaVersion } from "./db.ts";
import type { SqliteDatabase } from "./driver.ts";
import { MIGRATIONS } from "./migrations/migration.ts";
import { openStore } from "./store.ts";

const spec = { pipelineInfo: { name: "p" }, schemaVersion: "2.1.0", root: {} };
const io = JSON.stringify({ parameters: { n: 1 }, artifacts: {} });
let home: string | undefined;

afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

/** Every row of every table, by table name. */
function dump(db: SqliteDatabase): Record<string, string[]> {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    if (name === "schema_migrations") continue;
    out[name] = db
      .prepare(`SELECT * FROM ${name}`)
      .all()
      .map((r) => JSON.stringify(r))
      .sort();
  }
  return out;
}

describe("migration 11: registry", () => {
  it("upgrades a store written by schema 10 with experiments, pipelines, runs, tasks, artifacts and metrics, keeping every row", () => {
    home = mkdtempSync(join(tmpdir(), "weft-registry-mig-"));
    const before = MIGRATIONS.filter((m) => m.version <= 10);
    const db = openDatabase(home, before);
    db.exec(`
      INSERT INTO experiments (id, name, display_name, created_at) VALUES ('e1', 'Default', 'Default', 1), ('e2', 'fraud', 'Fraud', 2);
      INSERT INTO pipelines (id, name, display_name, created_at, tags) VALUES ('p1', 'fraud', 'Fraud', 2, '{"team":"risk"}');
      INSERT INTO pipeline_specs (digest, spec) VALUES ('d1', '${JSON.stringify(spec)}');
      INSERT INTO pipeline_versions (id, pipeline_id, name, display_name, created_at, spec, spec_digest)
        VALUES ('pv1', 'p1', 'v1', 'V1', 3, '', 'd1');
      INSERT INTO runs (id, experiment_id, display_name, pipeline_spec, spec_digest, parameters, state, state_history, created_at, scheduled_at, finished_at, tags, input_artifacts, pipeline_version_id)
        VALUES ('r1', 'e2', 'train', '', 'd1', '{"seed":1}', 'SUCCEEDED', '[{"state":"SUCCEEDED","at":5}]', 4, 4, 5, '{"k":"v"}', '{"data":"file:///d"}', 'pv1'),
               ('r2', 'e1', 'other', '', 'd1', '{}', 'FAILED', '[]', 6, 6, 7, '{}', '{}', NULL);
      INSERT INTO tasks (id, run_id, name, display_name, path, kind, state, inputs, outputs, created_at, updated_at)
        VALUES ('t1', 'r1', 'train', 'train', 'root/train', 'container', 'SUCCEEDED', '${io}', '{"parameters":{}}', 4, 5);
      INSERT INTO artifacts (id, run_id, task_id, name, uri, schema_title, schema_version, metadata, created_at, size_bytes)
        VALUES ('a1', 'r1', 't1', 'model', 'file:///m.onnx', 'system.Model', '0.0.1', '{"format":"onnx"}', 5, 100);
      INSERT INTO events (id, run_id, task_id, artifact_id, type, name, created_at) VALUES ('ev1', 'r1', 't1', 'a1', 'OUTPUT', 'model', 5);
      INSERT INTO metrics (run_id, task_id, artifact_id, name, value, created_at) VALUES ('r1', 't1', NULL, 'roc_auc', 0.93, 5);
    `);
    expect(schemaVersion(db)).toBe(10);
    const rows = dump(db);
    db.close();

    const store = openStore(home);
    try {
      expect(schemaVersion(store.db)).toBe(11);
      const after = dump(store.db);
      for (const [table, old] of Object.entries(rows)) expect(after[table], table).toEqual(old);
      for (const table of [
        "registered_models",
        "registered_model_tags",
        "model_versions",
        "model_version_tags",
        "registered_model_aliases",
        "model_alias_history",
      ]) {
        expect(after[table], table).toEqual([]);
      }
      expect(store.runs.get("r1")).toMatchObject({ state: "SUCCEEDED", parameters: { seed: 1 }, tags: { k: "v" } });
      expect(store.metrics.listByRun("r1")).toHaveLength(1);

      // The registry works on the upgraded store, bound to the runs it already held.
      store.models.createModel({ name: "fraud-detector" });
      const v = store.models.createVersion({
        name: "fraud-detector",
        source: "file:///m.onnx",
        runId: "r1",
        taskId: "t1",
        pipelineVersionId: "pv1",
      });
      store.models.setAlias("fraud-detector", "champion", v.version, "ann");
      expect(store.models.versionsOfRun("r1").map((x) => x.version)).toEqual([1]);
      expect(store.db.pragma("foreign_key_check")).toEqual([]);
      expect(store.db.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      store.close();
    }
  });
});
