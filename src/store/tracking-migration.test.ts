import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, schemaVersion } from "./db.ts";
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from "./migrations/migration.ts";
import { openStore } from "./store.ts";

const noIO = JSON.stringify({ parameters: {}, artifacts: {} });
const spec = { pipelineInfo: { name: "p" }, schemaVersion: "2.1.0", root: {} };
let home: string | undefined;

afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

describe("migration 12: tracking", () => {
  it("upgrades a store of the previous schema with runs and tasks in it; their tasks then log as MLflow runs", () => {
    home = mkdtempSync(join(tmpdir(), "weft-tracking-mig-"));
    const before = MIGRATIONS.filter((m) => m.version < 12);
    const db = openDatabase(home, before);
    db.exec("INSERT INTO experiments (id, name, display_name, created_at) VALUES ('e1', 'fraud', 'fraud', 1)");
    db.prepare(
      "INSERT INTO runs (id, experiment_id, display_name, pipeline_spec, state, created_at, scheduled_at) VALUES ('r1', 'e1', 'nightly', ?, 'SUCCEEDED', 1, 1)",
    ).run(JSON.stringify(spec));
    db.prepare(
      "INSERT INTO tasks (id, run_id, name, display_name, path, kind, state, inputs, outputs, created_at, updated_at, finished_at) VALUES ('t1', 'r1', 'train', 'train', 'root/train', 'container', 'SUCCEEDED', ?, ?, 1, 1, 9)",
    ).run(noIO, noIO);
    const previous = schemaVersion(db);
    expect(previous).toBe(before[before.length - 1]?.version);
    db.close();

    const store = openStore(home);
    try {
      expect(schemaVersion(store.db)).toBe(LATEST_SCHEMA_VERSION);
      expect(store.runs.get("r1")).toMatchObject({ displayName: "nightly", state: "SUCCEEDED" });
      expect(store.tracking.getExperiment("e1")).toMatchObject({ name: "fraud", lifecycleStage: "active", tags: [] });
      expect(store.tracking.getRun("t1")).toBeUndefined();
      expect(store.tracking.ensureWeftRun("t1")).toBe(true);
      store.tracking.logBatch("t1", { metrics: [{ key: "loss", value: 0.5, timestamp: 5, step: 3 }] });
      expect(store.tracking.getRun("t1")).toMatchObject({ parentRunId: "r1", status: "FINISHED", endTime: 9 });
      expect(store.tracking.latestMetrics("t1")).toEqual([{ key: "loss", value: 0.5, timestamp: 5, step: 3 }]);
      // deleting the Weft run removes its tracking runs and their metrics
      store.runs.delete("r1");
      expect(store.tracking.getRun("t1")).toBeUndefined();
      expect(store.db.prepare("SELECT count(*) AS n FROM tracking_metric_chunks").get()).toEqual({ n: 0 });
    } finally {
      store.close();
    }
  });
});
