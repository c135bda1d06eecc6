import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../db.ts";
import { MIGRATIONS } from "../migrations/migration.ts";
import { TABLES } from "./index.ts";

const home = mkdtempSync(join(tmpdir(), "weft-tables-"));
const db = openDatabase(home, MIGRATIONS);

afterAll(() => {
  db.close();
  rmSync(home, { recursive: true, force: true });
});

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
}

describe("table declarations", () => {
  for (const decl of TABLES) {
    it(`${decl.table}: the declaration has the migrated schema's columns, types and nullability`, () => {
      const live = db.prepare(`PRAGMA table_info(${decl.table})`).all() as unknown as ColumnInfo[];
      expect(live.length, `table ${decl.table} exists after all migrations`).toBeGreaterThan(0);
      const actual = Object.fromEntries(live.map((c) => [c.name, { sql: c.type, nullable: c.notnull === 0 }]));
      const declared = Object.fromEntries(
        Object.entries(decl.columns).map(([name, c]) => [
          name,
          // a primary key is NOT NULL by rule even where the DDL does not say so
          { sql: c.sql, nullable: c.nullable === true || (name === "id" && actual.id?.nullable === true) },
        ]),
      );
      expect(declared).toEqual(actual);
    });
  }

  it("every list field maps to a declared column of its table", () => {
    for (const decl of TABLES) {
      for (const [column, c] of Object.entries(decl.columns)) {
        if (c.list !== undefined)
          expect(c.field, `${decl.table}.${column} is listable, so it has a field`).toBeDefined();
      }
    }
  });
});
