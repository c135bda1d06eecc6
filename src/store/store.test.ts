import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runStoreContract } from "./contract.ts";
import { LATEST_SCHEMA_VERSION, openStore, StoreError, schemaVersion } from "./index.ts";
import { MIGRATIONS } from "./migrations/migration.ts";

const freshHome = () => mkdtempSync(join(tmpdir(), "weft-store-"));

await runStoreContract("sqlite", () => openStore(freshHome()));

describe("openStore", () => {
  it("creates weft.db in WAL mode with foreign keys and a 5 s busy timeout", () => {
    const store = openStore(join(freshHome(), "nested", "home"));
    try {
      expect(store.path.endsWith("weft.db")).toBe(true);
      expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(store.db.pragma("foreign_keys", { simple: true })).toBe(1);
      expect(store.db.pragma("busy_timeout", { simple: true })).toBe(5000);
    } finally {
      store.close();
    }
  });

  it("runs migrations once: opening twice keeps data and records each version once", () => {
    const home = freshHome();
    const first = openStore(home);
    const e = first.experiments.create({ name: "kept" });
    first.close();
    const second = openStore(home);
    try {
      expect(second.experiments.get(e.id)?.name).toBe("kept");
      expect(schemaVersion(second.db)).toBe(LATEST_SCHEMA_VERSION);
      const rows = second.db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as {
        version: number;
      }[];
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      second.close();
    }
  });

  it("refuses a database written by a newer Weft, naming the file and what to do", () => {
    const home = freshHome();
    const store = openStore(home);
    store.db
      .prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 0)")
      .run(LATEST_SCHEMA_VERSION + 5);
    store.close();
    let caught: unknown;
    try {
      openStore(home);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StoreError);
    expect((caught as StoreError).code).toBe("SCHEMA_TOO_NEW");
    expect((caught as StoreError).message).toContain(join(home, "weft.db"));
    expect((caught as StoreError).message).toContain(`version ${LATEST_SCHEMA_VERSION + 5}`);
    expect((caught as StoreError).message).toContain("upgrade Weft");
  });

  it("keeps run counts equal to the rows they summarize through inserts, updates and deletes", () => {
    const store = openStore(freshHome());
    try {
      const runs = Array.from({ length: 9 }, (_, i) =>
        store.runs.create({
          displayName: `r${i}`,
          pipelineSpec: { pipelineInfo: { name: "p" }, schemaVersion: "2.1.0", root: {} },
        }),
      );
      for (const r of runs.slice(0, 4)) store.runs.updateState(r.id, "FAILED");
      store.runs.archive(runs[0]?.id ?? "");
      store.runs.delete(runs[8]?.id ?? "");
      for (const filter of [
        [],
        [{ field: "state", op: "EQUALS" as const, value: "FAILED" }],
        [{ field: "storageState", op: "EQUALS" as const, value: "ARCHIVED" }],
        [{ field: "state", op: "IN" as const, value: ["PENDING", "FAILED"] }],
      ]) {
        const listed = store.runs.list({ filter, pageSize: 100 });
        expect(listed.totalSize).toBe(listed.items.length);
      }
      expect(store.runs.list({ filter: [{ field: "state", op: "EQUALS", value: "FAILED" }] }).totalSize).toBe(4);
    } finally {
      store.close();
    }
  });

  it("lists a filtered page through an index, without sorting the table", () => {
    const store = openStore(freshHome());
    try {
      const plan = store.db
        .prepare(
          "EXPLAIN QUERY PLAN SELECT * FROM runs WHERE experiment_id IS ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT 51",
        )
        .all("e", 1, "x") as { detail: string }[];
      const text = plan.map((p) => p.detail).join("\n");
      expect(text).toContain("USING INDEX runs_experiment");
      expect(text).not.toContain("TEMP B-TREE");
    } finally {
      store.close();
    }
  });
});
