/**
 * Small helpers for reading query strings and path parameters and for answering lists.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ListQuery, ListResult } from "../store/index.ts";
import { ApiError, badRequest, GrpcCode } from "./errors.ts";
import { SIZE_LIMITS } from "./limits.ts";
import { encodePageToken, type ResourceFields } from "./query.ts";

/** A single-valued query parameter (a repeated one is a 400). */
export function queryParam(req: FastifyRequest, name: string): string | undefined {
  const value = (req.query as Record<string, unknown> | undefined)?.[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw badRequest(`query parameter ${name} must be given once, as a string.`);
  return value;
}

/** The spellings of `true` and `false` KFP's gateway accepts (Go's `strconv.ParseBool`). */
export const BOOL_TRUE: readonly string[] = ["1", "t", "T", "TRUE", "true", "True"];
export const BOOL_FALSE: readonly string[] = ["0", "f", "F", "FALSE", "false", "False"];

/**
 * The value of a boolean query parameter as KFP's gateway reads it: one of
 * {@link BOOL_TRUE} or {@link BOOL_FALSE} (absent or empty is false); anything else is a
 * 400 naming the parameter and the accepted values. Every route reads booleans with this.
 */
export function parseBoolParam(name: string, value: string | undefined): boolean {
  if (value === undefined || value === "") return false;
  if (BOOL_TRUE.includes(value)) return true;
  if (BOOL_FALSE.includes(value)) return false;
  throw badRequest(
    `query parameter ${name} ${JSON.stringify(value)} is not a boolean; use one of ${BOOL_TRUE.join(", ")} for true or ${BOOL_FALSE.join(", ")} for false.`,
  );
}

/** A boolean query parameter ({@link parseBoolParam}); a repeated one is a 400. */
export function boolParam(req: FastifyRequest, name: string): boolean {
  return parseBoolParam(name, queryParam(req, name));
}

/** A path parameter (always present for a matched route). */
export function pathParam(req: FastifyRequest, name: string): string {
  const v = (req.params as Record<string, string | undefined>)[name];
  if (v === undefined || v === "") throw badRequest(`path parameter ${name} is empty.`);
  return v;
}

/** The list query parameters KFP clients send. */
export function listParams(req: FastifyRequest): {
  filter?: string;
  sort_by?: string;
  page_size?: string;
  page_token?: string;
} {
  const out: { filter?: string; sort_by?: string; page_size?: string; page_token?: string } = {};
  for (const key of ["filter", "sort_by", "page_size", "page_token"] as const) {
    const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const v = queryParam(req, key) ?? queryParam(req, camel);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** A KFP list response: `{<key>: [...], total_size, next_page_token}`. */
export function listResponse<T>(
  key: string,
  result: ListResult<T>,
  toJson: (item: T) => unknown,
  r: ResourceFields,
  q: ListQuery,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (result.items.length > 0) out[key] = result.items.map(toJson);
  out.total_size = result.totalSize;
  const token = encodePageToken(result.nextPageToken, r, q);
  if (token) out.next_page_token = token;
  return out;
}

/**
 * Reads one page with `list` and answers it as {@link listResponse}, stopping the page
 * early at about {@link SIZE_LIMITS.listPageBytes} of item JSON (at least one item); the
 * `next_page_token` then continues after the last item sent.
 */
export function listPage<T>(
  key: string,
  q: ListQuery,
  list: (q: ListQuery) => ListResult<T>,
  toJson: (item: T) => unknown,
  r: ResourceFields,
  maxBytes: number = SIZE_LIMITS.listPageBytes,
): Record<string, unknown> {
  const json = new Map<T, unknown>();
  const sizeOf = (item: T): number => {
    const j = toJson(item);
    json.set(item, j);
    return Buffer.byteLength(JSON.stringify(j) ?? "", "utf8");
  };
  const result = list({ ...q, budget: { maxBytes, sizeOf } });
  return listResponse(key, result, (item) => (json.has(item) ? json.get(item) : toJson(item)), r, q);
}

/**
 * Registers KFP's custom-verb routes (`POST /runs/{run_id}:archive`): one route per
 * resource whose last path segment is split at its last colon into the id and the verb.
 * The handler receives the id; an unknown verb is a 404.
 */
export function registerVerbs(
  app: FastifyInstance,
  prefix: string,
  param: string,
  verbs: Record<string, (id: string, req: FastifyRequest) => Promise<unknown> | unknown>,
): void {
  app.post(`${prefix}/:${param}`, async (req) => {
    const raw = pathParam(req, param);
    const at = raw.lastIndexOf(":");
    const verb = at > 0 ? raw.slice(at + 1) : "";
    // an own key only: `:constructor` or `:toString` must not reach Object.prototype
    const handler = Object.hasOwn(verbs, verb) ? verbs[verb] : undefined;
    if (!handler) {
      throw new ApiError(
        "API_NOT_FOUND",
        GrpcCode.NOT_FOUND,
        `no route POST ${prefix}/${raw}; use ${Object.keys(verbs)
          .map((v) => `${prefix}/{${param}}:${v}`)
          .join(", ")}.`,
      );
    }
    (req.params as Record<string, string>)[param] = raw.slice(0, at);
    return handler(raw.slice(0, at), req);
  });
}
