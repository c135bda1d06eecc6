/**
 * KFP list conventions: `filter` (URL-encoded JSON `v2beta1Filter`), `sort_by`
 * (`"field"` or `"field desc"`), `page_size` (default 20, at most 200) and an opaque
 * `page_token`, translated to the store's list queries.
 *
 * Predicates accept `operation` by name or number (`EQUALS` = 1 ... `IS_SUBSTRING` = 8;
 * older clients send `op`), and values as `string_value`, `int_value`, `long_value`,
 * `timestamp_value`, `int_values`, `long_values`, `string_values` or their camelCase
 * spellings. Integer values on time fields are Unix seconds, as in KFP.
 */
import { createHash } from "node:crypto";
import type { JsonValue } from "../ir/index.ts";
import {
  type ListQuery,
  METRIC_FIELD_PREFIX,
  type Predicate,
  type PredicateOp,
  splitSortText,
} from "../store/index.ts";
import { badRequest } from "./errors.ts";

/** One listable resource: its API keys mapped to store fields, and which are times. */
export interface ResourceFields {
  resource: string;
  fields: Record<string, string>;
  timeFields: ReadonlySet<string>;
  defaultSort: { field: string; desc: boolean };
  /** Whether `metric:NAME` keys filter and sort by a metric of the resource (runs). */
  metrics?: boolean;
}

/** The key prefix of a metric in `filter` and `sort_by`: `metric:evaluate.f1`. */
const METRIC_KEY = METRIC_FIELD_PREFIX;

const OPERATIONS: PredicateOp[] = [
  "EQUALS",
  "NOT_EQUALS",
  "GREATER_THAN",
  "GREATER_THAN_EQUALS",
  "LESS_THAN",
  "LESS_THAN_EQUALS",
  "IN",
  "IS_SUBSTRING",
];

/** The default and the largest `page_size`, as in KFP. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 200;

const camelToSnake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function parseOperation(raw: unknown, where: string): PredicateOp {
  if (typeof raw === "number" && Number.isInteger(raw) && raw >= 1 && raw <= 8)
    return OPERATIONS[raw - 1] as PredicateOp;
  if (typeof raw === "string") {
    if (/^\d+$/.test(raw)) return parseOperation(Number(raw), where);
    const op = OPERATIONS.find((o) => o === raw.toUpperCase());
    if (op) return op;
  }
  throw badRequest(
    `filter: ${where}.operation ${JSON.stringify(raw) ?? "(missing)"} is not an operation; use one of ${OPERATIONS.join(", ")} or its number 1-8.`,
    "API_BAD_FILTER",
  );
}

function toTime(value: unknown, isSeconds: boolean, where: string): number {
  if (typeof value === "string" && !/^-?\d+$/.test(value)) {
    const ms = Date.parse(value);
    if (Number.isNaN(ms))
      throw badRequest(`filter: ${where} "${value}" is not an RFC 3339 timestamp.`, "API_BAD_FILTER");
    return ms;
  }
  const n = Number(value);
  if (!Number.isFinite(n))
    throw badRequest(`filter: ${where} ${JSON.stringify(value)} is not a number.`, "API_BAD_FILTER");
  return isSeconds ? n * 1000 : n;
}

function listValues(raw: unknown, where: string): unknown[] {
  const values = (raw as { values?: unknown } | null)?.values ?? raw;
  if (!Array.isArray(values)) {
    throw badRequest(`filter: ${where} must be {"values": [...]}.`, "API_BAD_FILTER");
  }
  return values;
}

function predicateValue(
  p: Record<string, unknown>,
  isTime: boolean,
  where: string,
): { value: JsonValue; list: boolean } {
  const present = Object.keys(p).filter((k) => k !== "key" && k !== "operation" && k !== "op");
  if (present.length !== 1) {
    throw badRequest(
      `filter: ${where} must have exactly one value (string_value, int_value, long_value, double_value, timestamp_value, int_values, long_values or string_values); found ${present.length === 0 ? "none" : present.join(", ")}.`,
      "API_BAD_FILTER",
    );
  }
  const name = present[0] as string;
  const kind = camelToSnake(name);
  const raw = p[name];
  const at = `${where}.${name}`;
  const num = (v: unknown, seconds: boolean): number => {
    if (isTime) return toTime(v, seconds, at);
    const n = typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== "number" || !Number.isFinite(n))
      throw badRequest(`filter: ${at} ${JSON.stringify(v)} is not an integer.`, "API_BAD_FILTER");
    return n;
  };
  switch (kind) {
    case "string_value":
      if (typeof raw !== "string") throw badRequest(`filter: ${at} must be a string.`, "API_BAD_FILTER");
      return { value: isTime ? toTime(raw, false, at) : raw, list: false };
    case "int_value":
    case "long_value":
      return { value: num(raw, true), list: false };
    case "double_value":
    case "number_value":
      // Weft: a fractional value, for metrics (KFP's predicates have none)
      if (typeof raw !== "number" || !Number.isFinite(raw))
        throw badRequest(`filter: ${at} must be a finite number.`, "API_BAD_FILTER");
      return { value: raw, list: false };
    case "timestamp_value":
      if (typeof raw !== "string") throw badRequest(`filter: ${at} must be an RFC 3339 string.`, "API_BAD_FILTER");
      return { value: toTime(raw, false, at), list: false };
    case "int_values":
    case "long_values":
      return { value: listValues(raw, at).map((v) => num(v, true)), list: true };
    case "string_values":
      return {
        value: listValues(raw, at).map((v) => {
          if (typeof v !== "string") throw badRequest(`filter: ${at} must hold strings.`, "API_BAD_FILTER");
          return isTime ? toTime(v, false, at) : v;
        }),
        list: true,
      };
    default:
      throw badRequest(`filter: ${where} has unknown field "${name}".`, "API_BAD_FILTER");
  }
}

/** `fields[key]` when `key` is the map's own key: `__proto__`, `constructor` or `toString` are never fields. */
function ownField(fields: Record<string, string>, key: string): string | undefined {
  return Object.hasOwn(fields, key) ? fields[key] : undefined;
}

/** `tags.KEY` when the resource's tags are a list field: one tag's value (the store checks the key). */
function tagField(r: ResourceFields, key: string): string | undefined {
  const dot = key.indexOf(".");
  return dot > 0 && ownField(r.fields, key.slice(0, dot)) === "tags" ? `tags.${key.slice(dot + 1)}` : undefined;
}

function fieldOf(r: ResourceFields, key: unknown, where: string): string {
  // the store resolves the metric's name; it is data, never a column
  if (r.metrics && typeof key === "string" && key.startsWith(METRIC_KEY) && key.length > METRIC_KEY.length) return key;
  const field =
    typeof key === "string"
      ? (ownField(r.fields, key) ?? ownField(r.fields, camelToSnake(key)) ?? tagField(r, key))
      : undefined;
  if (!field) {
    throw badRequest(
      `${where} ${JSON.stringify(key) ?? "(missing)"} is not a ${r.resource} field you can filter or sort on; use one of ${Object.keys(r.fields).join(", ")}${r.metrics ? `, or ${METRIC_KEY}NAME for a metric (e.g. ${METRIC_KEY}f1)` : ""}.`,
      "API_BAD_FILTER",
    );
  }
  return field;
}

/** Parses the `filter` query parameter into store predicates; a bad filter is a 400 naming the predicate. */
export function parseFilter(text: string | undefined, r: ResourceFields): Predicate[] {
  if (text === undefined || text.trim() === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw badRequest(
      `filter is not valid JSON (${(err as Error).message}); send a URL-encoded v2beta1Filter such as {"predicates":[{"key":"state","operation":"EQUALS","string_value":"SUCCEEDED"}]}.`,
      "API_BAD_FILTER",
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw badRequest('filter must be a JSON object {"predicates": [...]}.', "API_BAD_FILTER");
  }
  const extra = Object.keys(parsed).filter((k) => k !== "predicates");
  if (extra.length > 0)
    throw badRequest(`filter has unknown field "${extra[0]}"; only "predicates" is allowed.`, "API_BAD_FILTER");
  const preds = (parsed as { predicates?: unknown }).predicates ?? [];
  if (!Array.isArray(preds)) throw badRequest("filter.predicates must be a list.", "API_BAD_FILTER");
  return preds.map((p, i): Predicate => {
    const where = `predicates[${i}]`;
    if (p === null || typeof p !== "object" || Array.isArray(p))
      throw badRequest(`filter: ${where} must be an object.`, "API_BAD_FILTER");
    const rec = p as Record<string, unknown>;
    const field = fieldOf(r, rec.key, `filter: ${where}.key`);
    const op = parseOperation(rec.operation ?? rec.op, where);
    const { value, list } = predicateValue(rec, r.timeFields.has(field), where);
    if ((op === "IN") !== list) {
      throw badRequest(
        op === "IN"
          ? `filter: ${where} uses IN, which takes a list value (int_values, long_values or string_values).`
          : `filter: ${where} uses ${op}, which takes a single value, not a list; use IN for lists.`,
        "API_BAD_FILTER",
      );
    }
    if (op === "IS_SUBSTRING" && typeof value !== "string") {
      throw badRequest(`filter: ${where} uses IS_SUBSTRING, which takes a string_value.`, "API_BAD_FILTER");
    }
    return { field, op, value };
  });
}

/** Parses `sort_by` (`"field"`, `"field asc"` or `"field desc"`; {@link splitSortText}). */
export function parseSortBy(text: string | undefined, r: ResourceFields): { field: string; desc: boolean } {
  if (text === undefined || text.trim() === "") return r.defaultSort;
  const sort = splitSortText(text);
  if (!sort) throw badRequest(`sort_by "${text}" must be "field" or "field desc".`);
  return { field: fieldOf(r, sort.field, "sort_by"), desc: sort.dir === "desc" };
}

/** Parses `page_size`: default 20, values above 200 are capped at 200 as in KFP. */
export function parsePageSize(raw: unknown): number {
  if (raw === undefined || raw === "") return DEFAULT_PAGE_SIZE;
  const n = typeof raw === "number" ? raw : typeof raw === "string" && /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < 0)
    throw badRequest(`page_size ${JSON.stringify(raw)} must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  if (n === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(n, MAX_PAGE_SIZE);
}

function queryDigest(resource: string, filter: Predicate[], sort: { field: string; desc: boolean }): string {
  return createHash("sha256")
    .update(JSON.stringify([resource, filter, sort]))
    .digest("base64url")
    .slice(0, 12);
}

/** Wraps the store's token with a digest of the query, so a token is only valid for the query that issued it. */
export function encodePageToken(storeToken: string | undefined, r: ResourceFields, q: ListQuery): string | undefined {
  if (!storeToken) return undefined;
  const digest = queryDigest(r.resource, q.filter ?? [], q.sort ?? r.defaultSort);
  return Buffer.from(JSON.stringify({ d: digest, t: storeToken })).toString("base64url");
}

/** The list query for raw query-string values, with the page token checked against the query. */
export function buildListQuery(
  r: ResourceFields,
  params: { filter?: string; sort_by?: string; page_size?: unknown; page_token?: string },
  extra: Predicate[] = [],
): ListQuery {
  const filter = [...extra, ...parseFilter(params.filter, r)];
  const sort = parseSortBy(params.sort_by, r);
  const query: ListQuery = { filter, sort, pageSize: parsePageSize(params.page_size) };
  if (params.page_token) {
    let decoded: { d?: unknown; t?: unknown } | undefined;
    try {
      decoded = JSON.parse(Buffer.from(params.page_token, "base64url").toString("utf8"));
    } catch {
      decoded = undefined;
    }
    if (!decoded || typeof decoded.t !== "string" || typeof decoded.d !== "string") {
      throw badRequest(
        "page_token is not a token this server issued; pass next_page_token from the previous response unchanged.",
        "API_BAD_PAGE_TOKEN",
      );
    }
    if (decoded.d !== queryDigest(r.resource, filter, sort)) {
      throw badRequest(
        "page_token was issued for a different filter or sort_by; repeat the same filter and sort_by, or start again without page_token.",
        "API_BAD_PAGE_TOKEN",
      );
    }
    query.pageToken = decoded.t;
  }
  return query;
}
