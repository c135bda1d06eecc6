import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase, schemaVersion } from "./db.ts";
import { CorruptDataError, SchemaTooNewError } from "./errors.ts";
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from "./migrations/migration.ts";
import { openStore } from "./store.ts";

const freshHome = () => mkdtempSync(join(tmpdir(), "weft-db-"));
const spec = { pipelineInfo: { name: "p" }, schemaVersion: "2.1.0", root: {} };

describe("migrations", () => {
  it("upgrades an existing database with a newer migration and keeps its rows", () => {
    const home = freshHome();
    const store = openStore(home);
    const run = store.runs.create({ displayName: "before", pipelineSpec: spec });
    store.close();
    const next = { version: LATEST_SCHEMA_VERSION + 1, name: "add-note", sql: "ALTER TABLE runs ADD COLUMN note TEXT" };
    const db = openDatabase(home, [...MIGRATIONS, next]);
    try {
      expect(schemaVersion(db)).toBe(next.version);
      const row = db.prepare("SELECT display_name, note FROM runs WHERE id = ?").get(run.id);
      expect(row).toEqual({ display_name: "before", note: null });
    } finally {
      db.close();
    }
    // This version of Weft knows one migration less: the file is now too new for it.
    expect(() => openStore(home)).toThrow(SchemaTooNewError);
  });

  it("rolls a failing migration back entirely and leaves the version unchanged", () => {
    const home = freshHome();
    openStore(home).close();
    const broken = {
      version: LATEST_SCHEMA_VERSION + 1,
      name: "broken",
      sql: "CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);",
    };
    expect(() => openDatabase(home, [...MIGRATIONS, broken])).toThrow(/no_such_table/);
    const store = openStore(home);
    try {
      expect(schemaVersion(store.db)).toBe(LATEST_SCHEMA_VERSION);
      const table = store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get();
      expect(table).toBeUndefined();
    } finally {
      store.close();
    }
  });
});

describe("reading back", () => {
  it("reports a JSON column edited into an invalid shape, naming the table, row and column", () => {
    const store = openStore(freshHome());
    try {
      const run = store.runs.create({ displayName: "r", pipelineSpec: spec });
      store.db.prepare("UPDATE runs SET state_history = ? WHERE id = ?").run('[{"state":"NOPE","at":1}]', run.id);
      let caught: unknown;
      try {
        store.runs.get(run.id);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(CorruptDataError);
      expect((caught as CorruptDataError).code).toBe("CORRUPT_DATA");
      expect((caught as CorruptDataError).message).toContain(`runs '${run.id}': column state_history`);
    } finally {
      store.close();
    }
  });

  it("enforces a unique task path per run in SQLite itself", () => {
    const store = openStore(freshHome());
    try {
      const run = store.runs.create({ displayName: "r", pipelineSpec: spec });
      store.tasks.upsert({ runId: run.id, path: "root/a", name: "a", kind: "container" });
      const insert = store.db.prepare(
        "INSERT INTO tasks (id, run_id, name, display_name, path, kind, state, inputs, outputs, created_at, updated_at) VALUES ('x', ?, 'a', 'a', 'root/a', 'container', 'PENDING', '{}', '{}', 0, 0)",
      );
      expect(() => insert.run(run.id)).toThrow(/UNIQUE constraint failed: tasks.run_id, tasks.path/);
    } finally {
      store.close();
    }
  });
});
