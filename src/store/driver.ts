/**
 * The SQLite driver layer: one small interface ({@link SqliteDatabase}) the store uses
 * everywhere, with two implementations picked when a database is opened. Node >= 24 gets
 * the built-in `node:sqlite` (better-sqlite3 12 aborts the process there when its
 * statements are collected); older Node gets better-sqlite3 (`node:sqlite` is missing or
 * experimental there). `WEFT_SQLITE_DRIVER=better-sqlite3|node:sqlite` overrides the choice.
 * Both behave alike: `undefined` binds as NULL, booleans as 1/0, unknown named
 * parameters are ignored, rows are plain objects, and transactions follow better-sqlite3.
 */
import { StoreError } from "./errors.ts";

/** What a write statement reports. */
export interface SqliteRunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
  /** The rowid of the last inserted row. */
  lastInsertRowid: number | bigint;
}

/**
 * A prepared statement. Parameters are positional values and/or one object of named
 * values (`@name`, `:name` or `$name` in the SQL, the bare name as the key).
 */
export interface SqliteStatement {
  run(...params: unknown[]): SqliteRunResult;
  /** The first row, or undefined when there is none. */
  get(...params: unknown[]): unknown;
  /** All rows. */
  all(...params: unknown[]): unknown[];
}

/** A function wrapped by {@link SqliteDatabase.transaction}; calling it runs a DEFERRED transaction. */
export interface SqliteTransaction<A extends unknown[], R> {
  (...args: A): R;
  deferred(...args: A): R;
  immediate(...args: A): R;
  exclusive(...args: A): R;
}

/** An open SQLite database, whichever driver serves it. */
export interface SqliteDatabase {
  /** Which driver serves this database. */
  readonly driver: SqliteDriverName;
  /** False once closed. */
  readonly open: boolean;
  /** True while a transaction is open. */
  readonly inTransaction: boolean;
  prepare(sql: string): SqliteStatement;
  /** Runs one or more statements without parameters. */
  exec(sql: string): void;
  /** Runs `PRAGMA <text>`: all rows, or with `simple` the first column of the first row. */
  pragma(text: string, options?: { simple?: boolean }): unknown;
  /**
   * Wraps `fn` in BEGIN/COMMIT (ROLLBACK when it throws); nested calls become savepoints.
   * A function returning a Promise is refused (rolled back with a TypeError).
   */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqliteTransaction<A, R>;
  close(): void;
}

/** The two drivers. */
export type SqliteDriverName = "better-sqlite3" | "node:sqlite";

const DRIVERS: readonly SqliteDriverName[] = ["better-sqlite3", "node:sqlite"];

/** The driver a database opened now would use: `WEFT_SQLITE_DRIVER`, else by Node version. */
export function selectedDriver(env: NodeJS.ProcessEnv = process.env): SqliteDriverName {
  const wanted = env.WEFT_SQLITE_DRIVER;
  if (wanted !== undefined && wanted !== "") {
    if ((DRIVERS as readonly string[]).includes(wanted)) return wanted as SqliteDriverName;
    throw new StoreError(
      "OPEN_FAILED",
      `WEFT_SQLITE_DRIVER: '${wanted}' is not a SQLite driver; use one of ${DRIVERS.join(", ")} or unset it`,
    );
  }
  const major = Number(process.versions.node.split(".")[0]);
  return major >= 24 ? "node:sqlite" : "better-sqlite3";
}

/** A parameter value as both drivers accept it: `undefined` → NULL, booleans → 1/0. */
function bindValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  return v;
}

function isNamedParams(p: unknown): p is Record<string, unknown> {
  return typeof p === "object" && p !== null && !Array.isArray(p) && !ArrayBuffer.isView(p);
}

/** Bound parameters split into the named object (if any) and the positional values. */
export interface BoundParams {
  named: Record<string, unknown> | undefined;
  positional: unknown[];
}

/** Normalizes statement parameters the same way for both drivers. */
export function bindParams(params: readonly unknown[]): BoundParams {
  let named: Record<string, unknown> | undefined;
  const positional: unknown[] = [];
  for (const p of params) {
    if (Array.isArray(p)) {
      for (const v of p) positional.push(bindValue(v));
    } else if (isNamedParams(p)) {
      named = {};
      for (const key of Object.keys(p)) named[key] = bindValue(p[key]);
    } else {
      positional.push(bindValue(p));
    }
  }
  return { named, positional };
}

/** The SQL one transaction wrapper runs around its function. */
export interface TransactionSteps {
  begin: { deferred: () => void; immediate: () => void; exclusive: () => void };
  commit: () => void;
  rollback: () => void;
  savepoint: () => void;
  release: () => void;
  rollbackTo: () => void;
  inTransaction: () => boolean;
}

/**
 * Builds a transaction function with better-sqlite3's semantics: BEGIN <mode> / COMMIT at
 * the top level, SAVEPOINT / RELEASE when nested, and on an exception a ROLLBACK (or
 * ROLLBACK TO + RELEASE) when SQLite has not already rolled back.
 */
export function wrapTransaction<A extends unknown[], R>(
  steps: TransactionSteps,
  fn: (...args: A) => R,
): SqliteTransaction<A, R> {
  const make =
    (begin: () => void) =>
    (...args: A): R => {
      const nested = steps.inTransaction();
      if (nested) steps.savepoint();
      else begin();
      try {
        const result = fn(...args);
        if (
          result !== null &&
          typeof result === "object" &&
          typeof (result as { then?: unknown }).then === "function"
        ) {
          throw new TypeError("Transaction function cannot return a promise");
        }
        if (nested) steps.release();
        else steps.commit();
        return result;
      } catch (err) {
        if (steps.inTransaction()) {
          if (nested) {
            steps.rollbackTo();
            steps.release();
          } else {
            steps.rollback();
          }
        }
        throw err;
      }
    };
  const tx = make(steps.begin.deferred) as SqliteTransaction<A, R>;
  tx.deferred = make(steps.begin.deferred);
  tx.immediate = make(steps.begin.immediate);
  tx.exclusive = make(steps.begin.exclusive);
  return tx;
}
