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

describe("migration 13: metric chunks", () => {
  it("moves a home's metric rows into chunks: history, NaN, infinities, sequence numbers and cursors kept", () => {
    home = mkdtempSync(join(tmpdir(), "weft-chunks-mig-"));
    const before = MIGRATIONS.filter((m) => m.version < 13);
    const db = openDatabase(home, before);
    db.exec("INSERT INTO experiments (id, name, display_name, created_at) VALUES ('e1', 'fraud', 'fraud', 1)");
    db.prepare(
      "INSERT INTO runs (id, experiment_id, display_name, pipeline_spec, state, created_at, scheduled_at) VALUES ('r1', 'e1', 'nightly', ?, 'RUNNING', 1, 1)",
    ).run(JSON.stringify(spec));
    db.prepare(
      "INSERT INTO tasks (id, run_id, name, display_name, path, kind, state, inputs, outputs, created_at, updated_at) VALUES ('t1', 'r1', 'train', 'train', 'root/train', 'container', 'RUNNING', ?, ?, 1, 1)",
    ).run(noIO, noIO);
    db.exec(`INSERT INTO tracking_runs (id, experiment_id, status, start_time, weft_run_id) VALUES ('r1', 'e1', 'RUNNING', 1, 'r1');
      INSERT INTO tracking_runs (id, experiment_id, status, start_time, weft_run_id, weft_task_id, parent_run_id)
        VALUES ('t1', 'e1', 'RUNNING', 2, 'r1', 't1', 'r1');
      INSERT INTO tracking_runs (id, experiment_id, status, start_time) VALUES ('solo', 'e1', 'RUNNING', 3);`);
    // the previous version's rows: keys interleaved in a batch, NULL for NaN, a gap left by a deleted run
    const insert = db.prepare(
      "INSERT INTO tracking_metrics (seq, run_id, key, value, timestamp, step) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const rows: Array<[number, string, string, number | null, number, number]> = [
      [1, "t1", "loss", 0.9, 10, 0],
      [2, "t1", "acc", null, 10, 0],
      [3, "t1", "loss", 0.7, 11, 1],
      [4, "t1", "acc", 0.5, 11, 1],
      [5, "t1", "loss", Number.POSITIVE_INFINITY, 12, 2],
      [6, "t1", "loss", Number.NEGATIVE_INFINITY, 13, 1],
      [7, "solo", "x", 1, 1, 5],
      [8, "solo", "x", 2, 2, 4],
      [10, "t1", "loss", 0.1, 14, 3],
    ];
    for (const r of rows) insert.run(...r);
    db.exec(`INSERT INTO tracking_latest_metrics (run_id, key, value, timestamp, step) VALUES
      ('t1', 'loss', 0.1, 14, 3), ('t1', 'acc', 0.5, 11, 1), ('solo', 'x', 1, 1, 5)`);
    expect(schemaVersion(db)).toBe(12);
    db.close();

    const store = openStore(home);
    try {
      expect(schemaVersion(store.db)).toBe(LATEST_SCHEMA_VERSION);
      expect(store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'tracking_metrics'").get()).toBeUndefined();
      // consecutive numbers of one run and key share a chunk
      expect(
        store.db.prepare("SELECT first_seq, run_id, key, count FROM tracking_metric_chunks ORDER BY first_seq").all(),
      ).toEqual([
        { first_seq: 1, run_id: "t1", key: "loss", count: 1 },
        { first_seq: 2, run_id: "t1", key: "acc", count: 1 },
        { first_seq: 3, run_id: "t1", key: "loss", count: 1 },
        { first_seq: 4, run_id: "t1", key: "acc", count: 1 },
        { first_seq: 5, run_id: "t1", key: "loss", count: 2 },
        { first_seq: 7, run_id: "solo", key: "x", count: 2 },
        { first_seq: 10, run_id: "t1", key: "loss", count: 1 },
      ]);
      const history = (run: string, key: string) =>
        store.tracking.metricHistory(run, key).items.map((m) => [m.step, m.timestamp, m.value]);
      expect(history("t1", "loss")).toEqual([
        [0, 10, 0.9],
        [1, 11, 0.7],
        [1, 13, Number.NEGATIVE_INFINITY],
        [2, 12, Number.POSITIVE_INFINITY],
        [3, 14, 0.1],
      ]);
      expect(history("t1", "acc")).toEqual([
        [0, 10, Number.NaN],
        [1, 11, 0.5],
      ]);
      expect(history("solo", "x")).toEqual([
        [4, 2, 2],
        [5, 1, 1],
      ]);
      // a cursor taken before the upgrade goes on where it was
      const after4 = store.tracking.stepMetrics("r1", 4);
      expect(after4.series.map((s) => [s.key, s.points.map((p) => p.value)])).toEqual([
        ["loss", [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.1]],
      ]);
      expect(after4.cursor).toBe(10);
      // new points come after every moved one
      store.tracking.logBatch("t1", { metrics: [{ key: "acc", value: 0.8, timestamp: 15, step: 2 }] });
      const next = store.tracking.stepMetrics("r1", 10);
      expect(next.series.map((s) => [s.key, s.points.map((p) => p.value)])).toEqual([["acc", [0.8]]]);
      expect(next.cursor).toBe(11);
      // deleting the Weft run removes its chunks; the standalone run's stay
      store.runs.delete("r1");
      expect(store.db.prepare("SELECT DISTINCT run_id FROM tracking_metric_chunks").all()).toEqual([
        { run_id: "solo" },
      ]);
    } finally {
      store.close();
    }
  });
});
