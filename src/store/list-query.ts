/**
 * List queries: whitelisted filter and sort fields compiled to parameterized SQL, and
 * keyset pagination with an opaque token bound to the query that produced it.
 */
import { createHash } from "node:crypto";
import type { JsonValue } from "../ir/index.ts";
import { InvalidQueryError } from "./errors.ts";
import type { SqlContext } from "./sql.ts";
import type { ListQuery, ListResult, Predicate } from "./types.ts";

/** How a list field maps to a column. */
export interface FieldDef {
  column: string;
  /** `tags`: a JSON object column; each key is a text field `tags.KEY`. */
  type: "text" | "number" | "time" | "tags";
  nullable?: boolean;
  /** Allowed values of an enum-like text field. */
  values?: readonly string[];
  /** What a NULL sorts as (default `''` for text, -1 for numbers and times). */
  sentinel?: string;
}

/** The prefix of a metric field: `metric:evaluate.f1`. */
export const METRIC_FIELD_PREFIX = "metric:";

/**
 * Splits a sort text (`field`, `field asc`, `field desc`) into its field and direction, the
 * one grammar of the API's `sort_by` and the CLI's `--sort`; a metric's name may hold spaces
 * (an iteration's label: `metric:evaluate[kind=mlp, slope=3].f1 desc`). `undefined` when the
 * text is not of that form.
 */
export function splitSortText(text: string): { field: string; dir?: "asc" | "desc" } | undefined {
  const m = /^\s*(.+?)(?:\s+(asc|desc))?\s*$/i.exec(text);
  const field = m?.[1];
  if (field === undefined || (/\s/.test(field) && !field.startsWith(METRIC_FIELD_PREFIX))) return undefined;
  return m?.[2] === undefined ? { field } : { field, dir: m[2].toLowerCase() as "asc" | "desc" };
}

/** The list surface of one table. */
export interface ListSpec {
  table: string;
  /** Entity name used in messages, e.g. `runs`. */
  entity: string;
  fields: Record<string, FieldDef>;
  /** Default `createdAt` descending. */
  defaultSort?: { field: string; desc: boolean };
  /**
   * A summary table with an `n` column, kept by triggers, that has the same columns as the
   * listed fields: filters only on those fields take `totalSize` from it.
   */
  counts?: { table: string; fields: ReadonlySet<string> };
  /**
   * A table of named numbers per row (`run_metrics`: owner column, `name`, `value`): the
   * fields `metric:NAME` filter and sort by the row's value of NAME, in SQL, with rows
   * that lack it sorting below every value.
   */
  metrics?: { table: string; owner: string };
}

/** Options of {@link runList}. */
export interface ListRead {
  /** The columns to read (trusted names, never user input); default all (`*`). */
  columns?: readonly string[];
}

/** Default and maximum page sizes. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;
/** Rows read by the first query of a page with a byte budget; each further query reads twice as many. */
const BUDGET_BATCH = 16;

type SqlValue = string | number | null;

function snakeToCamel(s: string): string {
  return s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** A string as an SQL literal (quotes doubled): metric names are data, never SQL. */
function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function metricField(spec: ListSpec, name: string): [string, FieldDef] | undefined {
  if (!spec.metrics || !name.startsWith(METRIC_FIELD_PREFIX)) return undefined;
  const metric = name.slice(METRIC_FIELD_PREFIX.length);
  if (metric === "" || metric.length > 1024 || metric.includes("\0")) {
    throw new InvalidQueryError(
      `${spec.entity}: '${name}' names no metric; use ${METRIC_FIELD_PREFIX}NAME with the metric's name, e.g. ${METRIC_FIELD_PREFIX}f1`,
    );
  }
  const { table, owner } = spec.metrics;
  const column = `(SELECT value FROM ${table} WHERE ${table}.${owner} = ${spec.table}.id AND ${table}.name = ${sqlString(metric)})`;
  return [name, { column, type: "number", nullable: true, sentinel: "-1e308" }];
}

/** Tag keys a filter or sort may name: they become part of a JSON path in the SQL. */
const TAG_KEY = /^[A-Za-z0-9_.\-/]{1,200}$/;

function resolveField(spec: ListSpec, name: string, role: "filter" | "sort"): [string, FieldDef] {
  const metric = metricField(spec, name);
  if (metric) return metric;
  const dot = name.indexOf(".");
  const tagsDef = dot > 0 ? spec.fields[name.slice(0, dot)] : undefined;
  if (tagsDef?.type === "tags") {
    const key = name.slice(dot + 1);
    if (!TAG_KEY.test(key)) {
      throw new InvalidQueryError(
        `${spec.entity}: cannot ${role} on '${name}'; a tag key there may only hold letters, digits, '_', '-', '.' and '/'`,
      );
    }
    return [name, { column: `json_extract(${tagsDef.column}, '$."${key}"')`, type: "text", nullable: true }];
  }
  const key = spec.fields[name] ? name : snakeToCamel(name);
  const def = spec.fields[key];
  if (def?.type === "tags") {
    throw new InvalidQueryError(`${spec.entity}: ${role} on one tag, as 'tags.KEY' (e.g. tags.team), not on '${name}'`);
  }
  if (def === undefined) {
    throw new InvalidQueryError(
      `${spec.entity}: cannot ${role} on field '${name}'; allowed fields are ${Object.keys(spec.fields).join(", ")}${spec.metrics ? `, and ${METRIC_FIELD_PREFIX}NAME for a metric` : ""}`,
    );
  }
  return [key, def];
}

function convert(spec: ListSpec, field: string, def: FieldDef, value: JsonValue): SqlValue {
  if (value === null) return null;
  if (def.type === "text") {
    if (typeof value !== "string") {
      throw new InvalidQueryError(`${spec.entity}: field '${field}' takes a string, got ${JSON.stringify(value)}`);
    }
    if (def.values && !def.values.includes(value)) {
      throw new InvalidQueryError(
        `${spec.entity}: field '${field}' value '${value}' is not one of ${def.values.join(", ")}`,
      );
    }
    return value;
  }
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    if (Number.isFinite(n)) return n;
    if (def.type === "time") {
      const t = Date.parse(value);
      if (Number.isFinite(t)) return t;
    }
  }
  const expected = def.type === "time" ? "epoch milliseconds or an ISO 8601 time" : "a number";
  throw new InvalidQueryError(`${spec.entity}: field '${field}' takes ${expected}, got ${JSON.stringify(value)}`);
}

const COMPARATORS = {
  GREATER_THAN: ">",
  GREATER_THAN_EQUALS: ">=",
  LESS_THAN: "<",
  LESS_THAN_EQUALS: "<=",
} as const;

/** Compiles the filter predicates into a WHERE fragment (AND-ed) and its parameters. */
export function compileFilter(spec: ListSpec, filter: Predicate[] | undefined): { where: string; params: SqlValue[] } {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  for (const p of filter ?? []) {
    const [field, def] = resolveField(spec, p.field, "filter");
    const col = def.column;
    switch (p.op) {
      case "EQUALS":
        parts.push(`${col} IS ?`);
        params.push(convert(spec, field, def, p.value));
        break;
      case "NOT_EQUALS":
        parts.push(`${col} IS NOT ?`);
        params.push(convert(spec, field, def, p.value));
        break;
      case "GREATER_THAN":
      case "GREATER_THAN_EQUALS":
      case "LESS_THAN":
      case "LESS_THAN_EQUALS": {
        if (p.value === null)
          throw new InvalidQueryError(`${spec.entity}: ${p.op} on '${field}' needs a value, got null`);
        parts.push(`${col} ${COMPARATORS[p.op]} ?`);
        params.push(convert(spec, field, def, p.value));
        break;
      }
      case "IN": {
        if (!Array.isArray(p.value) || p.value.length === 0) {
          throw new InvalidQueryError(`${spec.entity}: IN on '${field}' needs a non-empty array of values`);
        }
        parts.push(`${col} IN (${p.value.map(() => "?").join(", ")})`);
        for (const v of p.value) params.push(convert(spec, field, def, v));
        break;
      }
      case "IS_SUBSTRING": {
        if (def.type !== "text" || typeof p.value !== "string") {
          throw new InvalidQueryError(
            `${spec.entity}: IS_SUBSTRING needs a text field and a string value ('${field}')`,
          );
        }
        parts.push(`instr(${col}, ?) > 0`);
        params.push(p.value);
        break;
      }
      default:
        throw new InvalidQueryError(
          `${spec.entity}: unknown filter operation '${String(p.op)}' on '${field}'; use EQUALS, NOT_EQUALS, GREATER_THAN, GREATER_THAN_EQUALS, LESS_THAN, LESS_THAN_EQUALS, IN or IS_SUBSTRING`,
        );
    }
  }
  return { where: parts.length ? parts.join(" AND ") : "1", params };
}

interface PageToken {
  /** Sort value of the last item. */
  v: SqlValue;
  /** Id of the last item. */
  id: string;
  /** Hash of the query the token belongs to. */
  q: string;
}

function queryHash(spec: ListSpec, query: ListQuery, sortField: string, desc: boolean): string {
  const basis = JSON.stringify([spec.table, query.filter ?? [], sortField, desc]);
  return createHash("sha256").update(basis).digest("base64url").slice(0, 16);
}

function decodeToken(spec: ListSpec, token: string, hash: string): PageToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const t = parsed as Partial<PageToken> | undefined;
  const v: unknown = typeof t === "object" && t !== null ? t.v : undefined;
  if (
    typeof t !== "object" ||
    t === null ||
    typeof t.id !== "string" ||
    typeof t.q !== "string" ||
    // the sort key is bound as an SQL value: an object or a list is a forged token
    (v !== undefined && v !== null && typeof v !== "string" && typeof v !== "number")
  ) {
    throw new InvalidQueryError(
      `${spec.entity}: pageToken is not a token this server issued; omit it to start at the first page`,
    );
  }
  if (t.q !== hash) {
    throw new InvalidQueryError(
      `${spec.entity}: pageToken belongs to a different filter or sort; repeat the original query or omit the token`,
    );
  }
  return { v: t.v ?? null, id: t.id, q: t.q };
}

function countSql(spec: ListSpec, filter: Predicate[] | undefined, where: string): string {
  const counts = spec.counts;
  const summarized =
    counts !== undefined && (filter ?? []).every((p) => counts.fields.has(resolveField(spec, p.field, "filter")[0]));
  return summarized
    ? `SELECT COALESCE(sum(n), 0) AS n FROM ${counts.table} WHERE ${where}`
    : `SELECT count(*) AS n FROM ${spec.table} WHERE ${where}`;
}

/** Runs one page of a list query; `map` turns a raw row into the entity. */
export function runList<T>(
  ctx: SqlContext,
  spec: ListSpec,
  query: ListQuery | undefined,
  map: (row: Record<string, unknown>) => T,
  read: ListRead = {},
): ListResult<T> {
  const q = query ?? {};
  const pageSize = q.pageSize === undefined || q.pageSize === 0 ? DEFAULT_PAGE_SIZE : q.pageSize;
  if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > MAX_PAGE_SIZE) {
    throw new InvalidQueryError(
      `${spec.entity}: pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${q.pageSize}`,
    );
  }
  const sortReq = q.sort ?? spec.defaultSort ?? { field: "createdAt", desc: true };
  const [sortField, sortDef] = resolveField(spec, sortReq.field, "sort");
  const desc = sortReq.desc === true;
  const sentinel = sortDef.sentinel ?? (sortDef.type === "text" ? "''" : "-1");
  const sortExpr = sortDef.nullable ? `COALESCE(${sortDef.column}, ${sentinel})` : sortDef.column;
  const { where, params } = compileFilter(spec, q.filter);
  const hash = queryHash(spec, q, sortField, desc);

  const dir = desc ? "DESC" : "ASC";
  const columns = read.columns ? read.columns.join(", ") : "*";
  const fetchRows = (cursor: { v: SqlValue; id: string } | undefined, limit: number) => {
    const keyset = cursor ? ` AND (${sortExpr}, id) ${desc ? "<" : ">"} (?, ?)` : "";
    const sql = `SELECT ${columns}, ${sortExpr} AS sort_key__ FROM ${spec.table} WHERE ${where}${keyset} ORDER BY ${sortExpr} ${dir}, id ${dir} LIMIT ?`;
    const pageParams: SqlValue[] = cursor ? [...params, cursor.v, cursor.id] : [...params];
    return ctx.stmt(sql).all(...pageParams, limit) as Record<string, unknown>[];
  };

  const budget = q.budget;
  const sizeOf = budget?.sizeOf as ((item: T) => number) | undefined;
  let cursor: { v: SqlValue; id: string } | undefined = q.pageToken ? decodeToken(spec, q.pageToken, hash) : undefined;
  const items: T[] = [];
  let used = 0;
  let hasMore = false;
  let last: Record<string, unknown> | undefined;
  // Without a budget one query reads the page; with one, batches of 16, 32, 64, ... rows, so
  // that a page of large rows stops early without having read the rest.
  let batch = BUDGET_BATCH;
  while (items.length < pageSize) {
    const want = budget ? Math.min(pageSize - items.length, batch) : pageSize - items.length;
    batch *= 2;
    const rows = fetchRows(cursor, want + 1);
    let full = false;
    for (const row of rows.slice(0, want)) {
      const item = map(row);
      if (budget && sizeOf) {
        const size = sizeOf(item);
        if (items.length > 0 && used + size > budget.maxBytes) {
          full = true;
          break;
        }
        used += size;
      }
      items.push(item);
      last = row;
    }
    if (full) {
      hasMore = true;
      break;
    }
    hasMore = rows.length > want;
    if (!hasMore || last === undefined) break;
    cursor = { v: last.sort_key__ as SqlValue, id: String(last.id) };
  }
  const total = ctx.stmt(countSql(spec, q.filter, where)).get(...params) as { n: number };

  const result: ListResult<T> = { items, totalSize: total.n };
  if (hasMore && last !== undefined) {
    const token: PageToken = { v: last.sort_key__ as SqlValue, id: String(last.id), q: hash };
    result.nextPageToken = Buffer.from(JSON.stringify(token), "utf8").toString("base64url");
  }
  return result;
}
