/**
 * Serving the registry's route tables: the full table ({@link registryRoutes}), a matcher
 * for paths with `:param` segments, the one mapping of store and Weft errors to MLflow
 * error codes, the JSON error body, and {@link serveRegistryRoutes} for a bare `node:http`
 * server (the engine's task service). The API server mounts the same table on fastify.
 */

import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { WeftError } from "../../ir/weft-error.ts";
import type { Store } from "../../store/index.ts";
import { MLFLOW_REGISTRY_ROUTES } from "./registry-routes.ts";
import { MlflowError, type MlflowErrorCode, type RegistryRoute, type RouteRequest } from "./route.ts";
import { TRACKING_ROUTES } from "./tracking-routes.ts";
import { WEFT_MODEL_ROUTES } from "./weft-routes.ts";

/** The prefix of MLflow's REST API. */
export const MLFLOW_API = "/api/2.0/mlflow";

/** Every registry and tracking route: MLflow tracking, the MLflow model registry and Weft's model routes. */
export function registryRoutes(): RegistryRoute[] {
  return [...TRACKING_ROUTES, ...MLFLOW_REGISTRY_ROUTES, ...WEFT_MODEL_ROUTES];
}

/** The JSON body of an error, as MLflow's server writes it. */
export function errorBody(err: MlflowError): { error_code: MlflowErrorCode; message: string } {
  return { error_code: err.errorCode, message: err.message };
}

const STORE_CODES: Record<string, MlflowErrorCode> = {
  NOT_FOUND: "RESOURCE_DOES_NOT_EXIST",
  ALREADY_EXISTS: "RESOURCE_ALREADY_EXISTS",
  INTEGRITY: "INVALID_PARAMETER_VALUE",
  INVALID_QUERY: "INVALID_PARAMETER_VALUE",
  INVALID_INPUT: "INVALID_PARAMETER_VALUE",
};

/**
 * The MLflow error for anything a route threw: an {@link MlflowError} as it is, a store
 * error by its code (NOT_FOUND -> RESOURCE_DOES_NOT_EXIST, ALREADY_EXISTS ->
 * RESOURCE_ALREADY_EXISTS, invalid input, query or integrity -> INVALID_PARAMETER_VALUE),
 * another Weft error whose code says NOT_FOUND or INVALID likewise, anything else
 * INTERNAL_ERROR.
 */
export function toMlflowError(err: unknown): MlflowError {
  if (err instanceof MlflowError) return err;
  // an HTTP layer's refusal (the server's request guard, a body over the limit) keeps its status
  const status = httpStatusOf(err);
  if (err instanceof WeftError) {
    const code = err.code;
    const mapped =
      STORE_CODES[code] ??
      (/NOT_FOUND/.test(code)
        ? "RESOURCE_DOES_NOT_EXIST"
        : /ALREADY_EXISTS/.test(code)
          ? "RESOURCE_ALREADY_EXISTS"
          : /INVALID|BAD|PARAMETER/.test(code)
            ? "INVALID_PARAMETER_VALUE"
            : status !== undefined
              ? codeOfStatus(status)
              : "INTERNAL_ERROR");
    return status !== undefined ? new MlflowError(mapped, err.message, status) : new MlflowError(mapped, err.message);
  }
  const message = err instanceof Error ? err.message : String(err);
  if (status !== undefined && status < 500) return new MlflowError(codeOfStatus(status), message, status);
  return new MlflowError("INTERNAL_ERROR", `internal error: ${message}`);
}

function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const { status, statusCode } = err as { status?: unknown; statusCode?: unknown };
  const s = typeof status === "number" ? status : typeof statusCode === "number" ? statusCode : undefined;
  return s !== undefined && s >= 400 && s < 600 ? s : undefined;
}

function codeOfStatus(status: number): MlflowErrorCode {
  if (status === 403 || status === 401) return "PERMISSION_DENIED";
  if (status === 404) return "RESOURCE_DOES_NOT_EXIST";
  if (status >= 500) return "INTERNAL_ERROR";
  return "BAD_REQUEST";
}

/** A compiled route table: finds the route of a method and path and its path parameters. */
export interface RouteMatcher {
  match(method: string, path: string): { route: RegistryRoute; pathParams: Record<string, string> } | undefined;
  /** Whether some route has this path under another method. */
  hasPath(path: string): boolean;
}

/** Compiles `routes` into a matcher (exact paths by map, `:param` paths segment by segment). */
export function routeMatcher(routes: readonly RegistryRoute[]): RouteMatcher {
  const exact = new Map<string, RegistryRoute>();
  const patterns: Array<{ route: RegistryRoute; segments: string[] }> = [];
  for (const route of routes) {
    if (route.path.includes("/:")) patterns.push({ route, segments: route.path.split("/") });
    else exact.set(`${route.method} ${route.path}`, route);
  }
  function matchPattern(segments: string[], parts: string[]): Record<string, string> | undefined {
    if (segments.length !== parts.length) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i] as string;
      const p = parts[i] as string;
      if (s.startsWith(":")) {
        if (p === "") return undefined;
        try {
          params[s.slice(1)] = decodeURIComponent(p);
        } catch {
          return undefined;
        }
      } else if (s !== p) return undefined;
    }
    return params;
  }
  return {
    match(method, path) {
      const route = exact.get(`${method} ${path}`);
      if (route) return { route, pathParams: {} };
      const parts = path.split("/");
      for (const p of patterns) {
        if (p.route.method !== method) continue;
        const pathParams = matchPattern(p.segments, parts);
        if (pathParams) return { route: p.route, pathParams };
      }
      return undefined;
    },
    hasPath(path) {
      for (const key of exact.keys()) if (key.slice(key.indexOf(" ") + 1) === path) return true;
      const parts = path.split("/");
      return patterns.some((p) => matchPattern(p.segments, parts) !== undefined);
    },
  };
}

/** A query string as route parameters: a repeated key becomes an array. */
export function queryParams(search: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(search.keys())) {
    const all = search.getAll(key);
    out[key] = all.length > 1 ? all : all[0];
  }
  return out;
}

/** The largest request body the task service reads (a full log-batch is about 100 KiB). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(
          new MlflowError(
            "INVALID_PARAMETER_VALUE",
            `the request body is over ${MAX_BODY_BYTES} bytes; send smaller batches`,
          ),
        );
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Parses a JSON request body into route parameters; empty is `{}`. */
export function bodyParams(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    // no reviver (it would run for every value of a 1000-metric batch): JSON.parse makes a
    // "__proto__" key an own property, and no route merges a body into another object
    value = JSON.parse(text);
  } catch (err) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `the request body is not valid JSON (${(err as Error).message}); send a JSON object`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", "the request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/** Refuses (415) a body whose content type is not the one a binary route reads. */
export function checkContentType(given: string | undefined, expected: string): void {
  const type = (given ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== expected) {
    throw new MlflowError(
      "BAD_REQUEST",
      `this route reads a '${expected}' body; got content type '${given ?? "(none)"}'`,
      415,
    );
  }
}

function sameToken(header: string | undefined, token: string): boolean {
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** What {@link serveRegistryRoutes} needs. */
export interface ServeOptions {
  store: Store;
  /** Every request must carry `Authorization: Bearer <token>` (401 otherwise). */
  token: string;
  /** The routes to serve; default {@link registryRoutes}. */
  routes?: readonly RegistryRoute[];
}

/**
 * Serves the route table on a `node:http` server: GET parameters from the query string,
 * others from the JSON body (a DELETE's from either); MLflow error bodies; 401 without the bearer token; 404
 * ENDPOINT_NOT_FOUND for an unknown path, 405 for a known path under another method.
 */
export function serveRegistryRoutes(server: Server, opts: ServeOptions): void {
  const matcher = routeMatcher(opts.routes ?? registryRoutes());
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res);
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!sameToken(req.headers.authorization, opts.token)) {
        send(res, 401, {
          error_code: "UNAUTHENTICATED",
          message:
            "this tracking service needs 'Authorization: Bearer <MLFLOW_TRACKING_TOKEN>'; send the token the task was given",
        });
        return;
      }
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const method = req.method ?? "GET";
      const found = matcher.match(method, url.pathname);
      if (!found) {
        const known = matcher.hasPath(url.pathname);
        send(res, known ? 405 : 404, {
          error_code: known ? "BAD_REQUEST" : "ENDPOINT_NOT_FOUND",
          message: known
            ? `${method} is not allowed on ${url.pathname}`
            : `no endpoint ${method} ${url.pathname}; see MLflow's REST API for the paths served`,
        });
        return;
      }
      if (found.route.binaryBody !== undefined) {
        checkContentType(req.headers["content-type"], found.route.binaryBody);
        const raw = await readBody(req);
        const body = await found.route.handle({ params: {}, pathParams: found.pathParams, raw }, { store: opts.store });
        send(res, 200, body ?? {});
        return;
      }
      const text = method === "GET" ? "" : (await readBody(req)).toString("utf8");
      // A DELETE may carry its parameters in the query string or the JSON body; the body wins.
      const params =
        method === "GET"
          ? queryParams(url.searchParams)
          : method === "DELETE"
            ? { ...queryParams(url.searchParams), ...bodyParams(text) }
            : bodyParams(text);
      const request: RouteRequest = { params, pathParams: found.pathParams };
      const body = await found.route.handle(request, { store: opts.store });
      send(res, 200, body ?? {});
    } catch (err) {
      const e = toMlflowError(err);
      if (!res.headersSent) send(res, e.status, errorBody(e));
      else res.destroy();
    }
  }
}
