/**
 * One declaration per stored entity: a table's columns with their SQL type, nullability,
 * codec and entity field. The row type, the entity's stored fields, the row → entity
 * mapper, the entity → row writer and the list-field map are all derived from it, and a
 * test checks it against the schema the migrations build.
 */
import type { z } from "zod";
import type { JsonValue } from "../ir/index.ts";
import type { FieldDef, ListSpec } from "./list-query.ts";
import { fromJson, fromJsonObject, fromJsonValue } from "./sql.ts";

type Where = { table: string; id: string; column: string };

/** How a column's SQL value becomes a field value and back. */
export interface Codec<T, S extends string | number = string | number> {
  decode(value: S, where: Where): T;
  encode(value: T): S;
}

/** A TEXT column holding text as it is. */
export const text: Codec<string, string> = { decode: (v) => v, encode: (v) => v };
/** A TEXT column holding one of a fixed set of strings (the schema's CHECK or the caller's rule). */
export const textOf = <T extends string>(): Codec<T, string> => ({ decode: (v) => v as T, encode: (v) => v });
/** An INTEGER (or REAL) column holding a number. */
export const int: Codec<number, number> = { decode: (v) => v, encode: (v) => v };
/** An INTEGER column holding 0 or 1. */
export const bool: Codec<boolean, number> = { decode: (v) => v !== 0, encode: (v) => (v ? 1 : 0) };
/** A TEXT column holding JSON checked by `schema` on every read. */
export const json = <S extends z.ZodType>(schema: S): Codec<z.infer<S>, string> => ({
  decode: (v, where) => fromJson(schema, v, where),
  encode: (v) => JSON.stringify(v),
});
/** A TEXT column holding a JSON object (checked to be an object). */
export const jsonObject: Codec<Record<string, JsonValue>, string> = {
  decode: (v, where) => fromJsonObject(v, where),
  encode: (v) => JSON.stringify(v),
};
/**
 * A TEXT column holding JSON of type `T` that another module validates before it is
 * stored (pipeline and platform specs), so reads only parse it.
 */
export const jsonAs = <T>(): Codec<T, string> => ({
  decode: (v, where) => fromJsonValue(v, where) as T,
  encode: (v) => JSON.stringify(v),
});

/** How a list field filters and sorts. */
export interface ListDecl {
  type: FieldDef["type"];
  /** Allowed values of an enum-like text field. */
  values?: readonly string[];
  /** Names the KFP API accepts for it, besides the snake_case column name. */
  wire?: readonly string[];
}

/** One column. */
export interface ColumnDecl {
  /** The type `PRAGMA table_info` reports. */
  sql: "TEXT" | "INTEGER" | "REAL";
  /** NULL allowed; the field is then optional and NULL reads as absent. */
  nullable?: boolean;
  /** The entity field it maps to; without one, the repository handles the column itself. */
  field?: string;
  // biome-ignore lint/suspicious/noExplicitAny: any codec; the field type is read from it
  codec?: Codec<any, any>;
  /** A list field (filter and sort). */
  list?: ListDecl;
}

/** A table: its name, the entity name used in messages and its columns. */
export interface TableDecl<C extends Record<string, ColumnDecl> = Record<string, ColumnDecl>> {
  table: string;
  /** Plural, as messages name it: `runs`. */
  entity: string;
  columns: C;
}

type SqlValue<D extends ColumnDecl> = D["sql"] extends "TEXT" ? string : number;

/** The row type `SELECT *` returns. */
export type RowOf<C extends Record<string, ColumnDecl>> = {
  -readonly [K in keyof C]: C[K]["nullable"] extends true ? SqlValue<C[K]> | null : SqlValue<C[K]>;
};

type ValueOf<D extends ColumnDecl> = D["codec"] extends Codec<infer T, infer _> ? T : SqlValue<D>;
type FieldName<D> = D extends { field: infer F extends string } ? F : never;
type Required<C extends Record<string, ColumnDecl>> = {
  [K in keyof C]: C[K]["nullable"] extends true ? never : C[K] extends { field: string } ? K : never;
}[keyof C];
type Optional<C extends Record<string, ColumnDecl>> = {
  [K in keyof C]: C[K]["nullable"] extends true ? (C[K] extends { field: string } ? K : never) : never;
}[keyof C];

/** The entity fields stored in the table's columns. */
export type FieldsOf<C extends Record<string, ColumnDecl>> = {
  -readonly [K in Required<C> as FieldName<C[K]>]: ValueOf<C[K]>;
} & {
  -readonly [K in Optional<C> as FieldName<C[K]>]?: ValueOf<C[K]>;
};

/** Declares a table; the declaration's literal types carry through to the derived types. */
export function defineTable<const C extends Record<string, ColumnDecl>>(decl: TableDecl<C>): TableDecl<C> {
  return decl;
}

/** Decodes the columns that have a field; NULL leaves an optional field absent. */
export function decodeRow<C extends Record<string, ColumnDecl>>(
  decl: TableDecl<C>,
  row: Record<string, unknown>,
): FieldsOf<C> {
  const out: Record<string, unknown> = {};
  const id = String(row.id);
  for (const [column, c] of Object.entries(decl.columns)) {
    if (c.field === undefined) continue;
    const v = row[column];
    if (v === null || v === undefined) continue;
    out[c.field] = c.codec ? c.codec.decode(v, { table: decl.table, id, column }) : v;
  }
  return out as FieldsOf<C>;
}

/** Encodes an entity's fields into a row; an absent optional field writes NULL. */
export function encodeRow<C extends Record<string, ColumnDecl>>(
  decl: TableDecl<C>,
  fields: FieldsOf<C>,
): Partial<RowOf<C>> {
  const out: Record<string, unknown> = {};
  const values = fields as Record<string, unknown>;
  for (const [column, c] of Object.entries(decl.columns)) {
    if (c.field === undefined) continue;
    const v = values[c.field];
    out[column] = v === undefined || v === null ? null : c.codec ? c.codec.encode(v) : v;
  }
  return out as Partial<RowOf<C>>;
}

/**
 * Encodes the fields a patch sets, keyed by column: an absent (`undefined`) field is left
 * out, `null` clears the column.
 */
export function encodePatch<C extends Record<string, ColumnDecl>>(
  decl: TableDecl<C>,
  patch: { [K in keyof FieldsOf<C>]?: FieldsOf<C>[K] | null },
): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  const values = patch as Record<string, unknown>;
  for (const [column, c] of Object.entries(decl.columns)) {
    if (c.field === undefined) continue;
    const v = values[c.field];
    if (v === undefined) continue;
    out[column] = v === null ? null : c.codec ? c.codec.encode(v) : (v as string | number);
  }
  return out;
}

/** `INSERT INTO <table> (<columns>) VALUES (@<column>, ...)` for the given columns. */
export function insertSql<C extends Record<string, ColumnDecl>>(
  decl: TableDecl<C>,
  columns: readonly (keyof C & string)[],
): string {
  return `INSERT INTO ${decl.table} (${columns.join(", ")}) VALUES (${columns.map((c) => `@${c}`).join(", ")})`;
}

/** The list surface of the table: every column declared with `list`, keyed by its field. */
export function listFields(decl: TableDecl): Record<string, FieldDef> {
  const fields: Record<string, FieldDef> = {};
  for (const [column, c] of Object.entries(decl.columns)) {
    if (c.list === undefined || c.field === undefined) continue;
    const def: FieldDef = { column, type: c.list.type };
    if (c.nullable) def.nullable = true;
    if (c.list.values) def.values = c.list.values;
    fields[c.field] = def;
  }
  return fields;
}

/** A list spec over the table's list fields. */
export function listSpec(decl: TableDecl, extra?: Pick<ListSpec, "defaultSort" | "counts" | "metrics">): ListSpec {
  return { table: decl.table, entity: decl.entity, fields: listFields(decl), ...extra };
}

/**
 * The API's names of the list fields, mapped to the entity field: each column's own
 * snake_case name and the names in its `wire` list.
 */
export function wireFields(decl: TableDecl): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [column, c] of Object.entries(decl.columns)) {
    if (c.list === undefined || c.field === undefined) continue;
    for (const name of c.list.wire ?? []) out[name] = c.field;
    out[column] = c.field;
  }
  return out;
}

/** The entity fields of the table's time list fields. */
export function timeFields(decl: TableDecl): ReadonlySet<string> {
  const out = new Set<string>();
  for (const c of Object.values(decl.columns)) {
    if (c.list?.type === "time" && c.field !== undefined) out.add(c.field);
  }
  return out;
}
