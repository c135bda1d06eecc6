/**
 * Opening the SQLite file: pragmas, and migrations applied under a write lock so that
 * several processes opening the same store at once agree on one schema.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type SqliteDatabase, type SqliteDriverName, selectedDriver } from "./driver.ts";
import { openBetterSqlite3 } from "./driver-better-sqlite3.ts";
import { openNodeSqlite } from "./driver-node-sqlite.ts";
import { SchemaTooNewError, StoreError } from "./errors.ts";
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from "./migrations/migration.ts";

/** The database file name inside the Weft home. */
export const DATABASE_FILE = "weft.db";

/**
 * Opens (creating if needed) `<home>/weft.db` with WAL, a 5 s busy timeout and foreign
 * keys on, and brings its schema up to date. `driver` defaults to {@link selectedDriver}.
 */
export function openDatabase(
  home: string,
  migrations: readonly Migration[] = MIGRATIONS,
  driver: SqliteDriverName = selectedDriver(),
): SqliteDatabase {
  const file = join(home, DATABASE_FILE);
  let db: SqliteDatabase;
  try {
    mkdirSync(home, { recursive: true });
    db = driver === "node:sqlite" ? openNodeSqlite(file) : openBetterSqlite3(file);
  } catch (err) {
    throw new StoreError(
      "OPEN_FAILED",
      `${file}: cannot open the metadata database with ${driver} (${(err as Error).message}); check that WEFT_HOME points at a writable directory`,
      { cause: err },
    );
  }
  try {
    // The busy timeout comes first: switching to WAL takes a lock another process may hold.
    db.pragma("busy_timeout = 5000");
    if (db.pragma("journal_mode", { simple: true }) !== "wal") db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    // After a checkpoint the WAL file shrinks back to this size instead of keeping the
    // largest transaction's size (a 50 MB spec would otherwise leave a 50 MB WAL behind).
    db.pragma("journal_size_limit = 8388608");
    db.pragma("foreign_keys = ON");
    migrate(db, file, migrations);
    refreshStatistics(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Lets SQLite refresh the planner statistics it finds stale (bounded work), so filtered
 * lists pick the index that avoids sorting. Skipped when another process holds the lock.
 */
function refreshStatistics(db: SqliteDatabase): void {
  try {
    db.pragma("analysis_limit = 1000");
    db.pragma("optimize = 0x10002");
  } catch {
    // Statistics are an optimization; a busy database is not an error here.
  }
}

/** The highest migration version recorded in the database (0 for a new file). */
export function schemaVersion(db: SqliteDatabase): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (table === undefined) return 0;
  const row = db.prepare("SELECT max(version) AS v FROM schema_migrations").get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Applies the missing migrations in one IMMEDIATE transaction. A process that loses the
 * race waits on the lock, then finds nothing left to do.
 */
function migrate(db: SqliteDatabase, file: string, migrations: readonly Migration[]): void {
  const known = migrations[migrations.length - 1]?.version ?? LATEST_SCHEMA_VERSION;
  const current = schemaVersion(db);
  if (current > known) throw new SchemaTooNewError(file, current, known);
  if (current === known) return;
  const apply = db.transaction(() => {
    db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    );
    const now = schemaVersion(db);
    if (now > known) throw new SchemaTooNewError(file, now, known);
    const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
    for (const m of migrations) {
      if (m.version <= now) continue;
      db.exec(m.sql);
      m.data?.(db);
      record.run(m.version, m.name, Date.now());
    }
  });
  apply.immediate();
}
