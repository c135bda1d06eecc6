/**
 * Errors raised by the metadata store. Each has a stable `code`; messages name the entity
 * and field involved and say what to do. The server maps `NOT_FOUND` to 404,
 * `ALREADY_EXISTS` to 409, `INTEGRITY` to 409/400 and `INVALID_QUERY` to 400.
 */
import { WeftError } from "../ir/weft-error.ts";

/** Codes used by {@link StoreError}. */
export type StoreErrorCode =
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "INTEGRITY"
  | "INVALID_QUERY"
  | "INVALID_INPUT"
  | "SCHEMA_TOO_NEW"
  | "CORRUPT_DATA"
  | "OPEN_FAILED"
  | "CONFIG_INVALID";

/** Any failure of the metadata store. */
export class StoreError extends WeftError {
  declare readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The entity asked for does not exist. */
export class NotFoundError extends StoreError {
  /** Entity kind, e.g. `run`. */
  readonly entity: string;
  /** The id or name looked up. */
  readonly key: string;

  constructor(entity: string, key: string, field = "id") {
    super(
      "NOT_FOUND",
      `${entity} with ${field} '${key}' was not found; check the ${field} (list ${entity}s to see what exists)`,
    );
    this.entity = entity;
    this.key = key;
  }
}

/** A unique constraint (a name within a namespace, a task path within a run, ...) was violated. */
export class AlreadyExistsError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ALREADY_EXISTS", message, options);
  }
}

/** A reference is missing or a delete would orphan dependent records. */
export class IntegrityError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("INTEGRITY", message, options);
  }
}

/** A list query names an unknown field, an unsupported operator, a bad value or a bad page token. */
export class InvalidQueryError extends StoreError {
  constructor(message: string) {
    super("INVALID_QUERY", message);
  }
}

/** A value handed to the store breaks a rule (e.g. a negative page size, an empty name). */
export class InvalidInputError extends StoreError {
  constructor(message: string) {
    super("INVALID_INPUT", message);
  }
}

/** The database was written by a newer Weft with a schema this version does not know. */
export class SchemaTooNewError extends StoreError {
  constructor(file: string, found: number, known: number) {
    super(
      "SCHEMA_TOO_NEW",
      `${file}: database schema version ${found} is newer than the newest this Weft knows (${known}); upgrade Weft, or point WEFT_HOME at another directory`,
    );
  }
}

/** A stored JSON column does not match its schema. */
export class CorruptDataError extends StoreError {
  constructor(table: string, id: string, column: string, detail: string, options?: { cause?: unknown }) {
    super(
      "CORRUPT_DATA",
      `${table} '${id}': column ${column} holds data that does not match its schema (${detail}); the database was edited by hand or by an incompatible tool`,
      options,
    );
  }
}

// node:sqlite reports the extended result code as a number; better-sqlite3 by name.
const EXTENDED_CODES: Record<number, string> = {
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  19: "SQLITE_CONSTRAINT",
  261: "SQLITE_BUSY_RECOVERY",
  517: "SQLITE_BUSY_SNAPSHOT",
  773: "SQLITE_BUSY_TIMEOUT",
  275: "SQLITE_CONSTRAINT_CHECK",
  787: "SQLITE_CONSTRAINT_FOREIGNKEY",
  1299: "SQLITE_CONSTRAINT_NOTNULL",
  1555: "SQLITE_CONSTRAINT_PRIMARYKEY",
  2067: "SQLITE_CONSTRAINT_UNIQUE",
  1811: "SQLITE_CONSTRAINT_TRIGGER",
  2579: "SQLITE_CONSTRAINT_ROWID",
};

/**
 * The SQLite result code of a driver error by better-sqlite3's name (e.g.
 * `SQLITE_CONSTRAINT_UNIQUE`), whichever driver threw it; undefined for other errors.
 */
export function sqliteErrorCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const { code, errcode } = err as { code?: unknown; errcode?: unknown };
  if (code === "ERR_SQLITE_ERROR" && typeof errcode === "number") {
    return EXTENDED_CODES[errcode] ?? EXTENDED_CODES[errcode & 0xff] ?? `SQLITE_ERROR_${errcode}`;
  }
  if (typeof code === "string" && code.startsWith("SQLITE_")) return code;
  return undefined;
}

/** Classifies a SQLite constraint error from either driver, or returns undefined. */
export function constraintKind(err: unknown): "unique" | "foreignkey" | "check" | "notnull" | undefined {
  const code = sqliteErrorCode(err);
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") return "unique";
  if (code === "SQLITE_CONSTRAINT_FOREIGNKEY") return "foreignkey";
  if (code === "SQLITE_CONSTRAINT_CHECK") return "check";
  if (code === "SQLITE_CONSTRAINT_NOTNULL") return "notnull";
  return undefined;
}
