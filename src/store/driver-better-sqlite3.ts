/**
 * The better-sqlite3 driver (Node < 24). The native addon is loaded only when a database
 * is opened with this driver, so Node 24 never loads it.
 */
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import {
  bindParams,
  type SqliteDatabase,
  type SqliteRunResult,
  type SqliteStatement,
  type SqliteTransaction,
} from "./driver.ts";
import { StoreError } from "./errors.ts";

let BetterDatabase: typeof BetterSqlite3 | undefined;

function load(): typeof BetterSqlite3 {
  try {
    BetterDatabase ??= createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
  } catch (cause) {
    // an optional dependency of the package: its native build may have been skipped or failed
    if ((cause as { code?: string }).code !== "MODULE_NOT_FOUND") throw cause;
    throw new StoreError(
      "OPEN_FAILED",
      `better-sqlite3 is not installed (Node ${process.versions.node} needs it; Node >= 24 uses the built-in node:sqlite); run \`npm install better-sqlite3\` (it builds a native module), or use Node >= 24`,
      { cause },
    );
  }
  return BetterDatabase;
}

// better-sqlite3 refuses booleans; both drivers bind them as 1/0.
function needsBinding(params: unknown[]): boolean {
  for (const p of params) {
    if (typeof p === "boolean" || Array.isArray(p)) return true;
    if (typeof p === "object" && p !== null && !ArrayBuffer.isView(p)) {
      for (const v of Object.values(p)) if (typeof v === "boolean") return true;
    }
  }
  return false;
}

function args(params: unknown[]): unknown[] {
  if (!needsBinding(params)) return params;
  const { named, positional } = bindParams(params);
  return named === undefined ? positional : [...positional, named];
}

class BetterStatement implements SqliteStatement {
  private readonly stmt: BetterSqlite3.Statement;

  constructor(stmt: BetterSqlite3.Statement) {
    this.stmt = stmt;
  }

  run(...params: unknown[]): SqliteRunResult {
    const r = this.stmt.run(...args(params));
    return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
  }

  get(...params: unknown[]): unknown {
    return this.stmt.get(...args(params));
  }

  all(...params: unknown[]): unknown[] {
    return this.stmt.all(...args(params));
  }
}

class BetterSqliteDatabase implements SqliteDatabase {
  readonly driver = "better-sqlite3" as const;
  private readonly db: BetterSqlite3.Database;

  constructor(file: string) {
    this.db = new (load())(file);
  }

  get open(): boolean {
    return this.db.open;
  }

  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  prepare(sql: string): SqliteStatement {
    return new BetterStatement(this.db.prepare(sql));
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  pragma(text: string, options?: { simple?: boolean }): unknown {
    return this.db.pragma(text, { simple: options?.simple === true });
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqliteTransaction<A, R> {
    return this.db.transaction(fn) as unknown as SqliteTransaction<A, R>;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Opens `file` with better-sqlite3. */
export function openBetterSqlite3(file: string): SqliteDatabase {
  return new BetterSqliteDatabase(file);
}
