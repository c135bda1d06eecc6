/**
 * Helpers shared by the repositories: a prepared-statement cache, JSON column codecs and
 * the translation of SQLite constraint failures into store errors.
 */
import { createHash } from "node:crypto";
import type { z } from "zod";
import type { JsonValue } from "../ir/index.ts";
import type { SqliteDatabase, SqliteStatement } from "./driver.ts";
import { AlreadyExistsError, CorruptDataError, constraintKind, IntegrityError, InvalidInputError } from "./errors.ts";

const MAX_CACHED_STATEMENTS = 500;

/** What every repository is built from. */
export class SqlContext {
  readonly db: SqliteDatabase;
  private readonly cache = new Map<string, SqliteStatement>();

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  /** The prepared statement for `sql`, prepared once and reused. */
  stmt(sql: string): SqliteStatement {
    let s = this.cache.get(sql);
    if (s === undefined) {
      // Dynamic list queries vary; keep the cache bounded.
      if (this.cache.size >= MAX_CACHED_STATEMENTS) this.cache.clear();
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  /** Runs `fn` in an IMMEDIATE transaction (a savepoint when nested). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}

/** Encodes an optional JSON column. */
export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** Decodes a JSON column and checks it against its schema. */
export function fromJson<S extends z.ZodType>(
  schema: S,
  text: string,
  where: { table: string; id: string; column: string },
): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CorruptDataError(where.table, where.id, where.column, "not valid JSON", { cause: err });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const detail = issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid";
    throw new CorruptDataError(where.table, where.id, where.column, detail, { cause: parsed.error });
  }
  return parsed.data;
}

/**
 * Decodes a JSON object column. `JSON.parse` can only produce JSON values, so checking
 * that the top level is an object is the whole schema check.
 */
export function fromJsonObject(
  text: string,
  where: { table: string; id: string; column: string },
): Record<string, JsonValue> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CorruptDataError(where.table, where.id, where.column, "not valid JSON", { cause: err });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new CorruptDataError(where.table, where.id, where.column, "expected a JSON object");
  }
  return raw as Record<string, JsonValue>;
}

/** Decodes a JSON column holding any JSON value. */
export function fromJsonValue(text: string, where: { table: string; id: string; column: string }): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new CorruptDataError(where.table, where.id, where.column, "not valid JSON", { cause: err });
  }
}

/**
 * Encodes a PipelineSpec column after a structural check. Full validation is the IR
 * module's job before a spec reaches the store; this only keeps non-specs out, cheaply
 * enough for bulk inserts.
 */
export function specJson(where: string, field: string, spec: unknown): string {
  const s = spec as { pipelineInfo?: unknown; root?: unknown } | null;
  const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(s) || !isObject(s?.pipelineInfo) || !isObject(s?.root)) {
    throw new InvalidInputError(
      `${where}: ${field} is not a PipelineSpec (expected an object with pipelineInfo and root); parse the pipeline file with the IR module first`,
    );
  }
  return JSON.stringify(spec);
}

/** The SHA-256 (hex) of a spec's JSON text: the key it is stored under in `pipeline_specs`. */
export function digestOfSpecText(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Stores a pipeline spec once, under the SHA-256 of its JSON text, and returns that
 * digest for the referencing row. Call it inside the transaction that writes the row, so
 * that the reference and the spec commit together.
 */
export function putSpec(
  ctx: SqlContext,
  where: string,
  field: string,
  spec: unknown,
): { digest: string; text: string } {
  const text = specJson(where, field, spec);
  const digest = digestOfSpecText(text);
  ctx.stmt("INSERT INTO pipeline_specs (digest, spec) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING").run(digest, text);
  return { digest, text };
}

/**
 * The JSON text of a row's spec: the row's own column when it holds a copy (rows written
 * before specs were stored once), else the spec its `spec_digest` refers to.
 */
export function specText(
  ctx: SqlContext,
  own: string,
  digest: string | null,
  where: { table: string; id: string; column: string },
): string {
  if (own !== "" || digest === null) return own;
  const row = ctx.stmt("SELECT spec FROM pipeline_specs WHERE digest = ?").get(digest) as { spec: string } | undefined;
  if (row === undefined) {
    throw new CorruptDataError(where.table, where.id, where.column, `spec ${digest} is missing from pipeline_specs`);
  }
  return row.spec;
}

/** Maps SQL NULL to an absent optional field. */
export function opt<T>(v: T | null): T | undefined {
  return v === null ? undefined : v;
}

/** One foreign reference of an insert, checked after a foreign-key failure to name the culprit. */
export interface Reference {
  /** Field name in the API, e.g. `experimentId`. */
  field: string;
  table: string;
  value: string | null | undefined;
}

/**
 * Runs a write and turns SQLite constraint failures into `AlreadyExistsError` /
 * `IntegrityError` with messages naming the entity and field.
 */
export function guardWrite<T>(
  ctx: SqlContext,
  what: { entity: string; unique: string; refs?: Reference[] },
  fn: () => T,
): T {
  try {
    return fn();
  } catch (err) {
    const kind = constraintKind(err);
    if (kind === "unique") {
      throw new AlreadyExistsError(
        `${what.entity}: ${what.unique} already exists; choose another name or reuse the existing one`,
        {
          cause: err,
        },
      );
    }
    if (kind === "foreignkey") {
      for (const ref of what.refs ?? []) {
        if (ref.value === undefined || ref.value === null) continue;
        const found = ctx.stmt(`SELECT 1 FROM ${ref.table} WHERE id = ?`).get(ref.value);
        if (found === undefined) {
          throw new IntegrityError(
            `${what.entity}: ${ref.field} '${ref.value}' does not exist; create it first or pass an existing id`,
            { cause: err },
          );
        }
      }
      throw new IntegrityError(`${what.entity}: a referenced record does not exist or is still referenced`, {
        cause: err,
      });
    }
    if (kind === "check" || kind === "notnull") {
      throw new IntegrityError(`${what.entity}: ${(err as Error).message}; pass a valid value`, { cause: err });
    }
    throw err;
  }
}
