/**
 * Errors raised by the metadata store. Each has a stable `code`; messages name the entity
 * and field involved and say what to do. The server maps `NOT_FOUND` to 404,
 * `ALREADY_EXISTS` to 409, `INTEGRITY` to 409/400 and `INVALID_QUERY` to 400.
 */
import { WeftError } from "../ir/index.ts";

/** Codes used by {@link StoreError}. */
export type StoreErrorCode =
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "INTEGRITY"
  | "INVALID_QUERY"
  | "INVALID_INPUT"
  | "SCHEMA_TOO_NEW"
  | "CORRUPT_DATA"
  | "OPEN_FAILED";

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

/** Translates a better-sqlite3 constraint error into a store error, or returns undefined. */
export function constraintKind(err: unknown): "unique" | "foreignkey" | "check" | "notnull" | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") return "unique";
  if (code === "SQLITE_CONSTRAINT_FOREIGNKEY") return "foreignkey";
  if (code === "SQLITE_CONSTRAINT_CHECK") return "check";
  if (code === "SQLITE_CONSTRAINT_NOTNULL") return "notnull";
  return undefined;
}
