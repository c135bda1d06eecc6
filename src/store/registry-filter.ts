/**
 * MLflow's search grammar for the model registry, compiled to parameterized SQL: the
 * `filter` of search-registered-models and search-model-versions (comparisons joined by
 * AND, as MLflow accepts them), their `order_by` entries and page tokens.
 *
 * It lives in the store because `store.models.search*` take MLflow's text and the store
 * never imports the modules above it; `src/registry/filter.ts` is its public face there.
 * Values are always bound parameters; only whitelisted column names reach the SQL text.
 */
import { InvalidQueryError } from "./errors.ts";

/** What is searched: registered models or model versions. */
export type RegistryEntity = "models" | "versions";

/** A comparison operator of the filter grammar. */
export type FilterComparator = "=" | "!=" | ">" | ">=" | "<" | "<=" | "LIKE" | "ILIKE" | "IN";

/** One comparison of a parsed filter. */
export interface FilterClause {
  /** `attribute` (name, run_id, ...) or `tag` (`tags.KEY`). */
  type: "attribute" | "tag";
  /** The attribute name or the tag key. */
  key: string;
  comparator: FilterComparator;
  /** A string, a number (version_number), or the list of an IN. */
  value: string | number | string[];
  /** Where the comparison starts in the filter text (0-based). */
  position: number;
}

/** One `order_by` entry, by MLflow's attribute name. */
export interface OrderTerm {
  key: string;
  ascending: boolean;
}

const STRING_COMPARATORS: readonly FilterComparator[] = ["=", "!=", "LIKE", "ILIKE"];
const NUMERIC_COMPARATORS: readonly FilterComparator[] = ["=", "!=", ">", ">=", "<", "<="];

interface AttributeRule {
  column: string;
  comparators: readonly FilterComparator[];
  numeric?: boolean;
}

const FILTER_ATTRIBUTES: Record<RegistryEntity, Record<string, AttributeRule>> = {
  models: { name: { column: "name", comparators: STRING_COMPARATORS } },
  versions: {
    name: { column: "name", comparators: STRING_COMPARATORS },
    run_id: { column: "run_id", comparators: [...STRING_COMPARATORS, "IN"] },
    source_path: { column: "source", comparators: STRING_COMPARATORS },
    version_number: { column: "version", comparators: NUMERIC_COMPARATORS, numeric: true },
  },
};

const ORDER_COLUMNS: Record<RegistryEntity, Record<string, string>> = {
  models: { name: "name", creation_timestamp: "created_at", last_updated_timestamp: "updated_at" },
  versions: {
    name: "name",
    version_number: "version",
    creation_timestamp: "created_at",
    last_updated_timestamp: "updated_at",
  },
};

/** MLflow's page size limits: default and maximum `max_results`. */
export const REGISTRY_MAX_RESULTS: Record<RegistryEntity, { default: number; max: number }> = {
  models: { default: 100, max: 1000 },
  versions: { default: 10_000, max: 200_000 },
};

// ---------------------------------------------------------------- tokens

type TokenKind = "word" | "string" | "number" | "op" | "(" | ")" | ",";

interface Token {
  kind: TokenKind;
  /** The token's text; for a string, its value without quotes. */
  text: string;
  /** For a word, the identifier with quoted segments unquoted. */
  ident?: string;
  position: number;
}

function fail(filter: string, position: number, what: string): never {
  throw new InvalidQueryError(
    `filter "${filter}": at position ${position}: ${what}; write comparisons such as name = 'fraud' AND tags.team = 'risk' (MLflow's search grammar, joined by AND)`,
  );
}

/** Reads a quoted run starting at `i` (the quote); a doubled quote stands for one. Returns [value, next index]. */
function readQuoted(filter: string, i: number): [string, number] {
  const quote = filter[i] as string;
  let value = "";
  let j = i + 1;
  for (;;) {
    if (j >= filter.length) fail(filter, i, `the quoted text starting here has no closing ${quote}`);
    const c = filter[j] as string;
    if (c === quote) {
      if (filter[j + 1] === quote) {
        value += quote;
        j += 2;
        continue;
      }
      return [value, j + 1];
    }
    value += c;
    j++;
  }
}

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      const [value, next] = readQuoted(filter, i);
      tokens.push({ kind: "string", text: value, position: start });
      i = next;
    } else if (c === "(" || c === ")" || c === ",") {
      tokens.push({ kind: c, text: c, position: start });
      i++;
    } else if (c === "!" || c === "=" || c === "<" || c === ">") {
      const two = filter.slice(i, i + 2);
      const op = ["!=", ">=", "<="].includes(two) ? two : c === "!" ? undefined : c;
      if (op === undefined) fail(filter, start, "'!' must be followed by '=' (write !=)");
      tokens.push({ kind: "op", text: op, position: start });
      i += op.length;
    } else if (/[0-9]/.test(c) || (c === "-" && /[0-9]/.test(filter[i + 1] ?? ""))) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(filter.slice(i)) as RegExpExecArray;
      tokens.push({ kind: "number", text: m[0], position: start });
      i += m[0].length;
    } else if (/[A-Za-z_`]/.test(c)) {
      // An identifier: word characters and dots, with backquoted (or, after a dot,
      // double-quoted) segments for keys holding other characters: tags.`my key`.
      let text = "";
      let ident = "";
      while (i < filter.length) {
        const d = filter[i] as string;
        if (/[A-Za-z0-9_.]/.test(d)) {
          text += d;
          ident += d;
          i++;
        } else if (d === "`" || (d === '"' && text.endsWith("."))) {
          const [value, next] = readQuoted(filter, i);
          text += filter.slice(i, next);
          ident += value;
          i = next;
        } else break;
      }
      tokens.push({ kind: "word", text, ident, position: start });
    } else {
      fail(filter, start, `unexpected character '${c}'`);
    }
  }
  return tokens;
}

// ---------------------------------------------------------------- filter

const KEYWORD_COMPARATORS: Record<string, FilterComparator> = { LIKE: "LIKE", ILIKE: "ILIKE", IN: "IN" };

/**
 * Parses an MLflow registry filter into its comparisons. Empty or absent: none. Throws
 * `InvalidQueryError` naming the position and the token for anything MLflow refuses.
 */
export function parseRegistryFilter(filter: string | undefined, entity: RegistryEntity): FilterClause[] {
  if (filter !== undefined && typeof filter !== "string") {
    throw new InvalidQueryError(`filter: expected a string in MLflow's search grammar, got ${JSON.stringify(filter)}`);
  }
  if (filter === undefined || filter.trim() === "") return [];
  const tokens = tokenize(filter);
  const clauses: FilterClause[] = [];
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const found = (t: Token | undefined) =>
    t === undefined ? "the end of the filter" : `'${t.kind === "string" ? `'${t.text}'` : t.text}'`;
  const attributes = FILTER_ATTRIBUTES[entity];
  for (;;) {
    const left = peek();
    if (left === undefined || left.kind !== "word" || isKeyword(left.text)) {
      fail(filter, left?.position ?? filter.length, `expected an attribute or tags.KEY but found ${found(left)}`);
    }
    i++;
    const { type, key } = identifier(filter, left, entity);
    const opToken = peek();
    let comparator: FilterComparator | undefined;
    if (opToken?.kind === "op") comparator = opToken.text as FilterComparator;
    else if (opToken?.kind === "word") comparator = KEYWORD_COMPARATORS[opToken.text.toUpperCase()];
    if (opToken === undefined || comparator === undefined) {
      fail(
        filter,
        opToken?.position ?? filter.length,
        `expected a comparator after '${left.text}' but found ${found(opToken)}`,
      );
    }
    i++;
    const rule = type === "attribute" ? attributes[key] : undefined;
    const allowed = rule?.comparators ?? STRING_COMPARATORS;
    if (!allowed.includes(comparator)) {
      fail(
        filter,
        opToken.position,
        `'${left.text}' does not support ${comparator} (it supports ${allowed.join(", ")})`,
      );
    }
    let value: string | number | string[];
    const v = peek();
    if (comparator === "IN") {
      value = readList(filter, tokens, i, left.text);
      i = tokens.findIndex((t, n) => n >= i && t.kind === ")") + 1;
    } else if (v?.kind === "string") {
      value = v.text;
      if (rule?.numeric) {
        if (!/^-?[0-9]+$/.test(v.text.trim()))
          fail(filter, v.position, `'${left.text}' compares with an integer, not '${v.text}'`);
        value = Number(v.text.trim());
      }
      i++;
    } else if (v?.kind === "number") {
      if (!rule?.numeric) {
        fail(filter, v.position, `'${left.text}' compares with a quoted string: write '${v.text}' in quotes`);
      }
      if (!/^-?[0-9]+$/.test(v.text))
        fail(filter, v.position, `'${left.text}' compares with an integer, not ${v.text}`);
      value = Number(v.text);
      i++;
    } else {
      fail(
        filter,
        v?.position ?? filter.length,
        `expected a quoted value after '${left.text} ${comparator}' but found ${found(v)}`,
      );
    }
    clauses.push({ type, key, comparator, value, position: left.position });
    const next = peek();
    if (next === undefined) return clauses;
    if (next.kind === "word" && next.text.toUpperCase() === "AND") {
      i++;
      continue;
    }
    if (next.kind === "word" && next.text.toUpperCase() === "OR") {
      fail(
        filter,
        next.position,
        "OR is not supported (MLflow's registry search joins comparisons with AND only); run one search per alternative, or use IN for run_id",
      );
    }
    fail(filter, next.position, `expected AND or the end of the filter but found ${found(next)}`);
  }
}

function isKeyword(word: string): boolean {
  return ["AND", "OR", "LIKE", "ILIKE", "IN", "NOT"].includes(word.toUpperCase());
}

function identifier(filter: string, token: Token, entity: RegistryEntity): { type: "attribute" | "tag"; key: string } {
  const ident = token.ident ?? token.text;
  const dot = ident.indexOf(".");
  const prefix = dot < 0 ? undefined : ident.slice(0, dot);
  const key = dot < 0 ? ident : ident.slice(dot + 1);
  if (prefix === "tag" || prefix === "tags") {
    if (key === "") fail(filter, token.position, `'${token.text}' names no tag key (write tags.KEY)`);
    return { type: "tag", key };
  }
  if (prefix !== undefined && prefix !== "attribute") {
    fail(filter, token.position, `'${token.text}': '${prefix}' is not an entity type (use attribute, tag or tags)`);
  }
  const valid = Object.keys(FILTER_ATTRIBUTES[entity]);
  if (!valid.includes(key)) {
    fail(
      filter,
      token.position,
      `'${key}' is not a searchable attribute of ${entity === "models" ? "registered models" : "model versions"} (use ${valid.join(", ")} or tags.KEY)`,
    );
  }
  return { type: "attribute", key };
}

function readList(filter: string, tokens: Token[], start: number, field: string): string[] {
  const open = tokens[start];
  if (open?.kind !== "(") {
    fail(
      filter,
      open?.position ?? filter.length,
      `IN takes a parenthesized list of quoted values: ${field} IN ('a', 'b')`,
    );
  }
  const values: string[] = [];
  let i = start + 1;
  for (;;) {
    const v = tokens[i];
    if (v?.kind !== "string")
      fail(filter, v?.position ?? filter.length, `expected a quoted value in the IN list of '${field}'`);
    values.push(v.text);
    const sep = tokens[i + 1];
    if (sep?.kind === ")") return values;
    if (sep?.kind !== ",")
      fail(filter, sep?.position ?? filter.length, `expected ',' or ')' in the IN list of '${field}'`);
    i += 2;
  }
}

// ---------------------------------------------------------------- SQL

/** A compiled WHERE condition (`1` when there is none) and its parameters. */
export interface CompiledFilter {
  where: string;
  params: (string | number)[];
}

/**
 * MLflow's case-sensitive LIKE as a GLOB pattern: `%` → `*`, `_` → `?`, and GLOB's own
 * special characters in the text matched literally.
 */
export function likeToGlob(pattern: string): string {
  let out = "";
  for (const c of pattern) {
    if (c === "%") out += "*";
    else if (c === "_") out += "?";
    else if (c === "*" || c === "?" || c === "[") out += `[${c}]`;
    else out += c;
  }
  return out;
}

function comparison(
  column: string,
  comparator: FilterComparator,
  value: string | number | string[],
  params: (string | number)[],
): string {
  if (comparator === "IN") {
    const list = value as string[];
    params.push(...list);
    return `${column} IN (${list.map(() => "?").join(", ")})`;
  }
  if (comparator === "LIKE") {
    params.push(likeToGlob(String(value)));
    return `${column} GLOB ?`;
  }
  params.push(value as string | number);
  // SQLite's LIKE ignores ASCII case: MLflow's ILIKE.
  if (comparator === "ILIKE") return `${column} LIKE ?`;
  return `${column} ${comparator} ?`;
}

/**
 * Compiles parsed comparisons for the entity's table under the alias `m` (models) or `v`
 * (versions). Tag comparisons become `IN` subqueries over the tag tables' (key, value) index.
 */
export function compileRegistryFilter(clauses: readonly FilterClause[], entity: RegistryEntity): CompiledFilter {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  const alias = entity === "models" ? "m" : "v";
  for (const c of clauses) {
    if (c.type === "attribute") {
      const rule = FILTER_ATTRIBUTES[entity][c.key] as AttributeRule;
      parts.push(comparison(`${alias}.${rule.column}`, c.comparator, c.value, params));
    } else {
      params.push(c.key);
      const cond = comparison("t.value", c.comparator, c.value, params);
      parts.push(
        entity === "models"
          ? `m.name IN (SELECT t.name FROM registered_model_tags t WHERE t.key = ? AND ${cond})`
          : `(v.name, v.version) IN (SELECT t.name, t.version FROM model_version_tags t WHERE t.key = ? AND ${cond})`,
      );
    }
  }
  return { where: parts.length === 0 ? "1" : parts.join(" AND "), params };
}

// ---------------------------------------------------------------- order_by

/**
 * Parses `order_by` entries (`name`, `name ASC`, `attribute.last_updated_timestamp DESC`)
 * and adds MLflow's tie-breakers: name ASC, and for versions version_number DESC.
 */
export function parseRegistryOrderBy(orderBy: readonly string[] | undefined, entity: RegistryEntity): OrderTerm[] {
  const columns = ORDER_COLUMNS[entity];
  if (orderBy !== undefined && (!Array.isArray(orderBy) || orderBy.some((e) => typeof e !== "string"))) {
    throw new InvalidQueryError(
      `order_by: expected a list of strings such as ["name ASC"], got ${JSON.stringify(orderBy)}`,
    );
  }
  const terms: OrderTerm[] = [];
  for (const entry of orderBy ?? []) {
    const m = /^\s*(?:attribute\.)?(`?)([A-Za-z_]+)\1\s*(?:\s(ASC|DESC))?\s*$/i.exec(entry);
    const key = m?.[2];
    if (m === null || key === undefined || columns[key] === undefined) {
      throw new InvalidQueryError(
        `order_by "${entry}": expected one of ${Object.keys(columns).join(", ")}, optionally followed by ASC or DESC (e.g. "${Object.keys(columns)[1]} DESC")`,
      );
    }
    if (terms.some((t) => t.key === key)) {
      throw new InvalidQueryError(`order_by: '${key}' appears more than once; give each field once`);
    }
    terms.push({ key, ascending: (m[3] ?? "ASC").toUpperCase() === "ASC" });
  }
  if (!terms.some((t) => t.key === "name")) terms.push({ key: "name", ascending: true });
  if (entity === "versions" && !terms.some((t) => t.key === "version_number")) {
    terms.push({ key: "version_number", ascending: false });
  }
  return terms;
}

/** The ORDER BY text of parsed terms under the entity's alias. */
export function compileOrderBy(terms: readonly OrderTerm[], entity: RegistryEntity): string {
  const alias = entity === "models" ? "m" : "v";
  return terms.map((t) => `${alias}.${ORDER_COLUMNS[entity][t.key]} ${t.ascending ? "ASC" : "DESC"}`).join(", ");
}

// ---------------------------------------------------------------- pages

/** The token of the page starting at `offset` (base64 of `{"offset": n}`, as MLflow's). */
export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), "utf8").toString("base64");
}

/** The offset a page token stands for; throws `InvalidQueryError` for a token this store did not issue. */
export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  if (typeof token !== "string") {
    throw new InvalidQueryError(
      `page_token: expected the string next_page_token of the previous page, got ${JSON.stringify(token)}`,
    );
  }
  let offset: unknown;
  try {
    offset = (JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { offset?: unknown }).offset;
  } catch {
    offset = undefined;
  }
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
    throw new InvalidQueryError(
      `page_token '${token}' is not a page token of this search; pass the next_page_token of the previous page unchanged, or none for the first page`,
    );
  }
  return offset;
}

/** The page size of a search: MLflow's default when absent; throws when out of MLflow's range. */
export function maxResultsOf(maxResults: number | undefined, entity: RegistryEntity): number {
  const limits = REGISTRY_MAX_RESULTS[entity];
  if (maxResults === undefined) return limits.default;
  if (!Number.isSafeInteger(maxResults) || maxResults < 1 || maxResults > limits.max) {
    throw new InvalidQueryError(
      `max_results ${maxResults}: must be an integer from 1 to ${limits.max} when searching ${entity === "models" ? "registered models" : "model versions"}`,
    );
  }
  return maxResults;
}
