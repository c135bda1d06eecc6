/**
 * The part of MLflow's search grammar that `runs/search` and `experiments/search` take:
 * comparisons joined by AND, on `metrics.KEY`, `params.KEY`, `tags.KEY` and attributes
 * (`attributes.status`, `run_name`, ...), keys optionally in backquotes or double quotes,
 * values as numbers or quoted strings; and `order_by` terms (`metrics.k DESC`, `start_time`).
 */
import { InvalidQueryError } from "../errors.ts";

/** One comparison of a filter. */
export interface FilterClause {
  kind: "metric" | "param" | "tag" | "attribute";
  key: string;
  op: "=" | "!=" | ">" | ">=" | "<" | "<=" | "LIKE" | "ILIKE";
  value: string | number;
}

/** One `order_by` term. */
export interface OrderTerm {
  kind: "metric" | "param" | "tag" | "attribute";
  key: string;
  desc: boolean;
}

const KINDS: Record<string, FilterClause["kind"]> = {
  metric: "metric",
  metrics: "metric",
  param: "param",
  params: "param",
  parameter: "param",
  parameters: "param",
  tag: "tag",
  tags: "tag",
  attribute: "attribute",
  attributes: "attribute",
  attr: "attribute",
  run: "attribute",
};

const TOKEN =
  /\s*(?:(`[^`]*`|"[^"]*")|('(?:[^']|'')*')|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![\w.])|(!=|>=|<=|=|>|<)|([A-Za-z_][\w.:/-]*))/y;

type Token = { t: "quoted" | "string" | "number" | "op" | "word"; v: string };

function tokenize(text: string, what: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    if (text.slice(pos).trim() === "") break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) {
      throw new InvalidQueryError(
        `${what}: cannot read '${text.slice(pos).trim()}' in '${text}'; write comparisons like metrics.acc > 0.9 AND params.lr = '0.1'`,
      );
    }
    pos = TOKEN.lastIndex;
    if (m[1] !== undefined) out.push({ t: "quoted", v: m[1].slice(1, -1) });
    else if (m[2] !== undefined) out.push({ t: "string", v: m[2].slice(1, -1).replaceAll("''", "'") });
    else if (m[3] !== undefined) out.push({ t: "number", v: m[3] });
    else if (m[4] !== undefined) out.push({ t: "op", v: m[4] });
    else if (m[5] !== undefined) out.push({ t: "word", v: m[5] });
  }
  return out;
}

/** Splits `metrics.acc`, `tags.\`a b\``, `status` into kind and key; bare names are attributes. */
function identifier(
  tokens: Token[],
  i: number,
  what: string,
  text: string,
): { kind: FilterClause["kind"]; key: string; next: number } {
  const tok = tokens[i];
  if (tok === undefined || (tok.t !== "word" && tok.t !== "quoted")) {
    throw new InvalidQueryError(`${what}: expected a name such as metrics.acc or attributes.status in '${text}'`);
  }
  if (tok.t === "quoted") return { kind: "attribute", key: tok.v, next: i + 1 };
  const dot = tok.v.indexOf(".");
  const prefix = dot < 0 ? undefined : KINDS[tok.v.slice(0, dot).toLowerCase()];
  if (prefix === undefined) return { kind: "attribute", key: tok.v, next: i + 1 };
  let key = tok.v.slice(dot + 1);
  let next = i + 1;
  // metrics.`my key` arrives as the word `metrics.` then a quoted token
  if (key === "" && tokens[next]?.t === "quoted") {
    key = tokens[next]?.v ?? "";
    next += 1;
  }
  if (key === "") throw new InvalidQueryError(`${what}: '${tok.v}' names no key in '${text}'`);
  return { kind: prefix, key, next };
}

/** Parses a filter; an empty or absent one is no clause. */
export function parseFilter(text: string | undefined, what = "filter"): FilterClause[] {
  if (text === undefined || text.trim() === "") return [];
  const tokens = tokenize(text, what);
  const clauses: FilterClause[] = [];
  let i = 0;
  for (;;) {
    const id = identifier(tokens, i, what, text);
    i = id.next;
    const opTok = tokens[i];
    let op: FilterClause["op"];
    if (opTok?.t === "op") op = opTok.v as FilterClause["op"];
    else if (opTok?.t === "word" && ["LIKE", "ILIKE"].includes(opTok.v.toUpperCase())) {
      op = opTok.v.toUpperCase() as FilterClause["op"];
    } else {
      throw new InvalidQueryError(
        `${what}: expected a comparison (=, !=, >, >=, <, <=, LIKE, ILIKE) after '${id.key}' in '${text}'`,
      );
    }
    i += 1;
    const valTok = tokens[i];
    if (valTok === undefined || (valTok.t !== "number" && valTok.t !== "string" && valTok.t !== "quoted")) {
      throw new InvalidQueryError(`${what}: expected a number or a quoted string after '${id.key} ${op}' in '${text}'`);
    }
    const value = valTok.t === "number" ? Number(valTok.v) : valTok.v;
    if (id.kind === "metric" && typeof value !== "number") {
      throw new InvalidQueryError(`${what}: metrics.${id.key} compares with a number, not '${value}', in '${text}'`);
    }
    if (id.kind !== "metric" && id.kind !== "attribute" && typeof value === "number") {
      throw new InvalidQueryError(
        `${what}: ${id.kind}s.${id.key} compares with a quoted string ('${value}'), not a number, in '${text}'`,
      );
    }
    clauses.push({ kind: id.kind, key: id.key, op, value });
    i += 1;
    if (i >= tokens.length) return clauses;
    const and = tokens[i];
    if (and?.t !== "word" || and.v.toUpperCase() !== "AND") {
      throw new InvalidQueryError(`${what}: clauses are joined by AND (OR is not supported) in '${text}'`);
    }
    i += 1;
  }
}

/** Parses `order_by` terms: `metrics.acc DESC`, `start_time`, `attributes.run_name ASC`. */
export function parseOrderBy(terms: readonly string[] | undefined, what = "order_by"): OrderTerm[] {
  const out: OrderTerm[] = [];
  for (const term of terms ?? []) {
    const tokens = tokenize(term, what);
    const id = identifier(tokens, 0, what, term);
    const dir = tokens[id.next];
    let desc = false;
    if (dir !== undefined) {
      const d = dir.t === "word" ? dir.v.toUpperCase() : "";
      if (d !== "ASC" && d !== "DESC") {
        throw new InvalidQueryError(`${what}: '${term}' must end with ASC or DESC, or with the name`);
      }
      desc = d === "DESC";
    }
    if (tokens.length > id.next + 1)
      throw new InvalidQueryError(`${what}: cannot read '${term}'; write e.g. metrics.acc DESC`);
    out.push({ kind: id.kind, key: id.key, desc });
  }
  return out;
}

/** An offset page token (base64 JSON), as the tracking searches use. */
export function encodeOffsetToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString("base64");
}

/** The offset of a page token; a token this store did not write throws `InvalidQueryError`. */
export function decodeOffsetToken(token: string | undefined, what = "page_token"): number {
  if (token === undefined || token === "") return 0;
  try {
    const v = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { offset?: unknown };
    if (typeof v.offset === "number" && Number.isInteger(v.offset) && v.offset >= 0) return v.offset;
  } catch {
    // falls through to the error
  }
  throw new InvalidQueryError(
    `${what}: '${token}' is not a page token of this server; pass the next_page_token of the previous page`,
  );
}
