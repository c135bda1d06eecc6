import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, schemaVersion } from "./db.ts";
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from "./migrations/migration.ts";
import { openStore } from "./store.ts";

const spec = { pipelineInfo: { name: "p" }, schemaVersion: "2.1.0", root: {} };
let home: string | undefined;

afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

describe("migration 14: tuning", () => {
  it("upgrades a store of schema 13 with runs and tracking runs in it; they stay, and experiments with trials are recorded beside them", () => {
    home = mkdtempSync(join(tmpdir(), "weft-tuning-mig-"));
    const before = MIGRATIONS.filter((m) => m.version < 14);
    const db = openDatabase(home, before);
    expect(schemaVersion(db)).toBe(13);
    db.exec("INSERT INTO experiments (id, name, display_name, created_at) VALUES ('e1', 'lr-search', 'lr-search', 1)");
    db.prepare(
      "INSERT INTO runs (id, experiment_id, display_name, pipeline_spec, state, created_at, scheduled_at) VALUES ('r1', 'e1', 'trial', ?, 'SUCCEEDED', 1, 1)",
    ).run(JSON.stringify(spec));
    db.exec(
      "INSERT INTO tracking_runs (id, experiment_id, status, start_time, weft_run_id) VALUES ('r1', 'e1', 'FINISHED', 1, 'r1')",
    );
    db.close();

    const store = openStore(home);
    try {
      expect(schemaVersion(store.db)).toBe(LATEST_SCHEMA_VERSION);
      expect(store.runs.get("r1")).toMatchObject({ displayName: "trial", state: "SUCCEEDED" });
      expect(store.tuning.listExperiments().totalSize).toBe(0);
      // a tuning experiment may have the name of a KFP experiment: they are separate tables
      const e = store.tuning.createExperiment({
        name: "lr-search",
        sourceDigest: "d",
        spec: {},
        algorithm: "random",
      });
      store.tuning.createTrial({ experimentId: e.id, number: 0, params: { lr: 0.1 } });
      store.tuning.updateTrial(e.id, 0, { state: "SUCCEEDED", runId: "r1", values: [0.5], metrics: { loss: 0.5 } });
      // deleting the run a trial made keeps the trial and its run id
      store.runs.delete("r1");
      expect(store.tuning.getTrial(e.id, 0)).toMatchObject({ runId: "r1", values: [0.5] });
    } finally {
      store.close();
    }
  });
});
