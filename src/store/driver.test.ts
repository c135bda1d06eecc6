import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./db.ts";
import { type SqliteDatabase, type SqliteDriverName, selectedDriver } from "./driver.ts";
import { constraintKind, StoreError, sqliteErrorCode } from "./errors.ts";

const major = Number(process.versions.node.split(".")[0]);
// better-sqlite3 12 aborts Node 24 at exit, so it is exercised only below 24.
const drivers: SqliteDriverName[] = [
  ...(major < 24 ? (["better-sqlite3"] as const) : []),
  ...(process.getBuiltinModule("node:sqlite") !== undefined ? (["node:sqlite"] as const) : []),
];

describe("selectedDriver", () => {
  it("follows WEFT_SQLITE_DRIVER, else the Node version", () => {
    expect(selectedDriver({ WEFT_SQLITE_DRIVER: "node:sqlite" })).toBe("node:sqlite");
    expect(selectedDriver({ WEFT_SQLITE_DRIVER: "better-sqlite3" })).toBe("better-sqlite3");
    expect(selectedDriver({})).toBe(major >= 24 ? "node:sqlite" : "better-sqlite3");
  });

  it("names the variable and the choices for an unknown driver", () => {
    expect(() => selectedDriver({ WEFT_SQLITE_DRIVER: "sqlite4" })).toThrow(StoreError);
    expect(() => selectedDriver({ WEFT_SQLITE_DRIVER: "sqlite4" })).toThrow(
      /WEFT_SQLITE_DRIVER: 'sqlite4'.*better-sqlite3, node:sqlite/,
    );
  });
});

describe.each(drivers)("driver %s", (driver) => {
  const open = (home = mkdtempSync(join(tmpdir(), "weft-driver-"))): SqliteDatabase => {
    const db = openDatabase(home, [], driver);
    db.exec(`CREATE TABLE p (id TEXT PRIMARY KEY, n INTEGER CHECK (n >= 0), label TEXT NOT NULL DEFAULT 'x');
      CREATE TABLE c (id INTEGER PRIMARY KEY, p_id TEXT REFERENCES p(id), v, UNIQUE (p_id, v))`);
    return db;
  };

  it("binds undefined as NULL and booleans as 1/0, ignores unused names, returns plain rows", () => {
    const db = open();
    try {
      expect(db.driver).toBe(driver);
      db.prepare("INSERT INTO p (id, n) VALUES (@id, @n)").run({ id: "a", n: 1, unused: "z" });
      const ins = db.prepare("INSERT INTO c (p_id, v) VALUES (?, @v)");
      expect(ins.run("a", { v: true })).toEqual({ changes: 1, lastInsertRowid: 1 });
      ins.run(undefined, { v: false });
      db.prepare("INSERT INTO c (p_id, v) VALUES (?, ?)").run(["a", undefined]);
      const rows = db.prepare("SELECT p_id, v FROM c ORDER BY id").all();
      expect(rows).toEqual([
        { p_id: "a", v: 1 },
        { p_id: null, v: 0 },
        { p_id: "a", v: null },
      ]);
      const row = db.prepare("SELECT * FROM p WHERE id = ?").get("a");
      expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
      expect(row).toEqual({ id: "a", n: 1, label: "x" });
      expect(db.prepare("SELECT * FROM p WHERE id = ?").get("missing")).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it("classifies constraint failures the same way", () => {
    const db = open();
    const failure = (sql: string, ...params: unknown[]) => {
      try {
        db.prepare(sql).run(...params);
      } catch (err) {
        return err;
      }
      throw new Error(`${sql} did not fail`);
    };
    try {
      db.prepare("INSERT INTO p (id, n) VALUES ('a', 1)").run();
      db.prepare("INSERT INTO c (p_id, v) VALUES ('a', 1)").run();
      const pk = failure("INSERT INTO p (id, n) VALUES ('a', 2)");
      expect(sqliteErrorCode(pk)).toBe("SQLITE_CONSTRAINT_PRIMARYKEY");
      expect(constraintKind(pk)).toBe("unique");
      expect(constraintKind(failure("INSERT INTO c (p_id, v) VALUES ('a', 1)"))).toBe("unique");
      expect((failure("INSERT INTO c (p_id, v) VALUES ('a', 1)") as Error).message).toMatch(
        /UNIQUE constraint failed: c.p_id, c.v/,
      );
      expect(constraintKind(failure("INSERT INTO c (p_id, v) VALUES ('nope', 2)"))).toBe("foreignkey");
      expect(constraintKind(failure("INSERT INTO p (id, n) VALUES ('b', -1)"))).toBe("check");
      expect(constraintKind(failure("INSERT INTO p (id, n, label) VALUES ('b', 1, ?)", null))).toBe("notnull");
      expect(constraintKind(failure("INSERT INTO nowhere VALUES (1)"))).toBeUndefined();
      expect(constraintKind(new Error("plain"))).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it("commits, rolls back, nests as savepoints and refuses a Promise", () => {
    const db = open();
    try {
      const add = db.prepare("INSERT INTO p (id, n) VALUES (?, 0)");
      const ids = () => (db.prepare("SELECT id FROM p ORDER BY id").all() as { id: string }[]).map((r) => r.id);
      expect(db.transaction((id: string) => add.run(id).changes).immediate("a")).toBe(1);
      expect(() =>
        db
          .transaction(() => {
            add.run("b");
            throw new Error("boom");
          })
          .immediate(),
      ).toThrow("boom");
      expect(ids()).toEqual(["a"]);
      db.transaction(() => {
        add.run("c");
        expect(db.inTransaction).toBe(true);
        expect(() =>
          db.transaction(() => {
            add.run("d");
            throw new Error("inner");
          })(),
        ).toThrow("inner");
        db.transaction(() => add.run("e")).immediate();
      }).immediate();
      expect(ids()).toEqual(["a", "c", "e"]);
      expect(db.inTransaction).toBe(false);
      expect(() => db.transaction(async () => add.run("f")).immediate()).toThrow(TypeError);
      expect(ids()).toEqual(["a", "c", "e"]);
      expect(db.inTransaction).toBe(false);
    } finally {
      db.close();
    }
  });

  it("takes the write lock at BEGIN IMMEDIATE and reports a busy database by code", () => {
    const home = mkdtempSync(join(tmpdir(), "weft-driver-"));
    const first = open(home);
    const second = openDatabase(home, [], driver);
    try {
      second.pragma("busy_timeout = 0");
      expect(second.pragma("busy_timeout", { simple: true })).toBe(0);
      expect(first.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(first.pragma("foreign_keys")).toEqual([{ foreign_keys: 1 }]);
      first
        .transaction(() => {
          let busy: unknown;
          try {
            second.transaction(() => undefined).immediate();
          } catch (err) {
            busy = err;
          }
          expect(sqliteErrorCode(busy)).toBe("SQLITE_BUSY");
          expect(second.inTransaction).toBe(false);
        })
        .immediate();
      second.transaction(() => second.prepare("INSERT INTO p (id, n) VALUES ('z', 0)").run()).immediate();
      expect(first.prepare("SELECT count(*) AS n FROM p").get()).toEqual({ n: 1 });
    } finally {
      second.close();
      first.close();
    }
    expect(first.open).toBe(false);
    first.close();
  });
});
