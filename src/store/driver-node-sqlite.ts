/**
 * The `node:sqlite` driver (Node >= 24). The module is fetched only when a database is
 * opened with this driver, so Node 20 never touches it.
 */
import {
  bindParams,
  type SqliteDatabase,
  type SqliteRunResult,
  type SqliteStatement,
  type SqliteTransaction,
  wrapTransaction,
} from "./driver.ts";

// The few parts of node:sqlite used here (the Node 20 type definitions do not describe it).
interface NodeStatementSync {
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: unknown[]): Record<string, unknown> | undefined;
  all(...params: unknown[]): Record<string, unknown>[];
  setAllowUnknownNamedParameters(enabled: boolean): void;
}
interface NodeDatabaseSync {
  readonly isOpen: boolean;
  readonly isTransaction: boolean;
  prepare(sql: string): NodeStatementSync;
  exec(sql: string): void;
  close(): void;
}
interface NodeSqliteModule {
  DatabaseSync: new (path: string) => NodeDatabaseSync;
}

function loadModule(): NodeSqliteModule {
  const mod = process.getBuiltinModule("node:sqlite") as NodeSqliteModule | undefined;
  if (mod === undefined) {
    throw new Error(
      `node:sqlite is not available in Node ${process.versions.node}; use Node >= 22.13 or set WEFT_SQLITE_DRIVER=better-sqlite3`,
    );
  }
  return mod;
}

// node:sqlite rows have a null prototype; callers get ordinary objects, as with better-sqlite3.
function plain(row: Record<string, unknown>): Record<string, unknown> {
  return { ...row };
}

function args(params: unknown[]): unknown[] {
  const { named, positional } = bindParams(params);
  return named === undefined ? positional : [named, ...positional];
}

class NodeStatement implements SqliteStatement {
  private readonly stmt: NodeStatementSync;

  constructor(stmt: NodeStatementSync) {
    // better-sqlite3 ignores named values the SQL does not use; so does this driver.
    stmt.setAllowUnknownNamedParameters(true);
    this.stmt = stmt;
  }

  run(...params: unknown[]): SqliteRunResult {
    const r = this.stmt.run(...args(params));
    return { changes: Number(r.changes), lastInsertRowid: r.lastInsertRowid };
  }

  get(...params: unknown[]): unknown {
    const row = this.stmt.get(...args(params));
    return row === undefined ? undefined : plain(row);
  }

  all(...params: unknown[]): unknown[] {
    return this.stmt.all(...args(params)).map(plain);
  }
}

class NodeSqliteDatabase implements SqliteDatabase {
  readonly driver = "node:sqlite" as const;
  private readonly db: NodeDatabaseSync;
  private readonly steps: Parameters<typeof wrapTransaction>[0];

  constructor(file: string) {
    this.db = new (loadModule().DatabaseSync)(file);
    const sql = (text: string) => {
      let s: NodeStatementSync | undefined;
      return () => {
        s ??= this.db.prepare(text);
        s.run();
      };
    };
    this.steps = {
      begin: { deferred: sql("BEGIN DEFERRED"), immediate: sql("BEGIN IMMEDIATE"), exclusive: sql("BEGIN EXCLUSIVE") },
      commit: sql("COMMIT"),
      rollback: sql("ROLLBACK"),
      savepoint: sql('SAVEPOINT "weft.tx"'),
      release: sql('RELEASE "weft.tx"'),
      rollbackTo: sql('ROLLBACK TO "weft.tx"'),
      inTransaction: () => this.db.isTransaction,
    };
  }

  get open(): boolean {
    return this.db.isOpen;
  }

  get inTransaction(): boolean {
    return this.db.isOpen && this.db.isTransaction;
  }

  prepare(sql: string): SqliteStatement {
    return new NodeStatement(this.db.prepare(sql));
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  pragma(text: string, options?: { simple?: boolean }): unknown {
    const rows = this.db.prepare(`PRAGMA ${text}`).all();
    if (options?.simple === true) {
      const first = rows[0];
      return first === undefined ? undefined : Object.values(first)[0];
    }
    return rows.map(plain);
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqliteTransaction<A, R> {
    return wrapTransaction(this.steps, fn);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

/** Opens `file` with the built-in `node:sqlite` module. */
export function openNodeSqlite(file: string): SqliteDatabase {
  return new NodeSqliteDatabase(file);
}
