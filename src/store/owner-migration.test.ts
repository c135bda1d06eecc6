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

describe("migration 5: run owner identity", () => {
  it("upgrades a store written by schema 2 with runs in it, keeping their owners, and records identities after", () => {
    home = mkdtempSync(join(tmpdir(), "weft-owner-mig-"));
    // A store as the previous schema wrote it: one finished run and one owned RUNNING run with a task.
    const before = MIGRATIONS.filter((m) => m.version <= 2);
    const db = openDatabase(home, before);
    // Rows written with schema 2's columns, as that version's repositories wrote them.
    db.exec("INSERT INTO experiments (id, name, display_name, created_at) VALUES ('e1', 'Default', 'Default', 1)");
    const insertRun = db.prepare(
      "INSERT INTO runs (id, experiment_id, display_name, pipeline_spec, state, created_at, scheduled_at) VALUES (?, 'e1', ?, ?, ?, 1, 1)",
    );
    const done = { id: "r-done" };
    const owned = { id: "r-owned" };
    insertRun.run(done.id, "done", JSON.stringify(spec), "SUCCEEDED");
    insertRun.run(owned.id, "owned", JSON.stringify(spec), "RUNNING");
    db.prepare("UPDATE runs SET owner_pid = 1, owner_host = 'box', heartbeat_at = 7 WHERE id = ?").run(owned.id);
    db.prepare(
      "INSERT INTO tasks (id, run_id, name, display_name, path, kind, state, inputs, outputs, created_at, updated_at) VALUES ('t1', ?, 'a', 'a', 'root/a', 'container', 'RUNNING', ?, ?, 1, 1)",
    ).run(owned.id, noIO, noIO);
    expect(schemaVersion(db)).toBe(2);
    db.close();

    const store = openStore(home);
    try {
      expect(schemaVersion(store.db)).toBe(LATEST_SCHEMA_VERSION);
      expect(store.runs.get(done.id)).toMatchObject({ displayName: "done", state: "SUCCEEDED" });
      const legacy = store.runs.get(owned.id);
      expect(legacy).toMatchObject({ state: "RUNNING", ownerPid: 1, ownerHost: "box", heartbeatAt: 7 });
      expect(legacy?.ownerInstance).toBeUndefined();
      expect(legacy?.ownerStartTime).toBeUndefined();
      expect(store.tasks.getByPath(owned.id, "root/a")?.state).toBe("RUNNING");
      const seen: (string | undefined)[] = [];
      store.runs.findOrphans((_pid, _host, _at, run) => {
        seen.push(run.ownerInstance);
        return true;
      });
      expect(seen).toEqual([undefined]);

      store.runs.setOwner(owned.id, 1, "box", 8, { instance: "i-1", bootId: "b-1", startTime: "1234" });
      expect(store.runs.get(owned.id)).toMatchObject({
        ownerPid: 1,
        ownerInstance: "i-1",
        ownerBootId: "b-1",
        ownerStartTime: "1234",
        heartbeatAt: 8,
      });
      store.runs.clearOwner(owned.id);
      const cleared = store.runs.get(owned.id);
      expect(cleared?.ownerPid).toBeUndefined();
      expect(cleared?.ownerInstance).toBeUndefined();
      expect(cleared?.ownerBootId).toBeUndefined();
    } finally {
      store.close();
    }
  });
});
