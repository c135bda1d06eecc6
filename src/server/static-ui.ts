/**
 * Serves the built web UI (`ui/dist`) at `/`: files are streamed with their content type,
 * hashed files under `/assets/` are cached for a year, everything else is revalidated,
 * and any other `GET` outside the API (`/apis/`, `/docs`, `/metrics`) is answered with
 * `index.html`, so the app's client-side routes (`/runs/{id}`) work as deep links.
 * Request paths never leave the UI folder (`..`, encoded slashes, symlinks out of it).
 */
import { createReadStream, existsSync, realpathSync, type Stats, statSync } from "node:fs";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiError, GrpcCode } from "./errors.ts";

/** `ui/dist` of this package, found relative to this file (not the working directory). */
export function defaultUiDir(): string {
  return fileURLToPath(new URL("../../ui/dist", import.meta.url));
}

/** Content types by file extension; anything else is `application/octet-stream`. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
};

const IMMUTABLE = "public, max-age=31536000, immutable";

/** Paths owned by the API: an unknown one there is a KFP-style JSON 404, never the app. */
export function isApiPath(path: string): boolean {
  return (
    path === "/apis" ||
    path.startsWith("/apis/") ||
    path === "/docs" ||
    path.startsWith("/docs/") ||
    path === "/metrics" ||
    path.startsWith("/metrics/")
  );
}

/** The 404 of a request no route answers. */
export function routeNotFound(req: FastifyRequest): ApiError {
  return new ApiError(
    "API_NOT_FOUND",
    GrpcCode.NOT_FOUND,
    `no route ${req.method} ${req.url.split("?")[0]}; see /docs for the API.`,
  );
}

const NOT_BUILT = `<!doctype html><html><head><meta charset="utf-8"><title>Weft</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>Weft</h1><p>The web UI has not been built. Run <code>npm run build:ui</code> in the Weft package, then reload this page.</p>
<p>The API is available: see <a href="/docs">/docs</a>.</p></body></html>`;

/** The file under `root` a URL path names, or `undefined` when it is not a file inside it. */
function fileInside(root: string, urlPath: string): { path: string; stat: Stats } | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  // dot segments (`..`, `.env`) are never part of the built app
  if (decoded.split("/").some((seg) => seg.startsWith("."))) return undefined;
  const candidate = resolve(root, `.${decoded}`);
  if (candidate !== root && !candidate.startsWith(root + sep)) return undefined;
  try {
    const real = realpathSync(candidate);
    const realRoot = realpathSync(root);
    if (!real.startsWith(realRoot + sep)) return undefined;
    const stat = statSync(real);
    return stat.isFile() ? { path: real, stat } : undefined;
  } catch {
    return undefined;
  }
}

function sendFile(
  req: FastifyRequest,
  reply: FastifyReply,
  file: { path: string; stat: Stats },
  cacheControl: string,
): FastifyReply {
  const etag = `W/"${file.stat.size.toString(16)}-${Math.floor(file.stat.mtimeMs).toString(16)}"`;
  reply.header("cache-control", cacheControl);
  reply.header("etag", etag);
  reply.header("last-modified", file.stat.mtime.toUTCString());
  reply.header("x-content-type-options", "nosniff");
  if (req.headers["if-none-match"] === etag) return reply.status(304).send();
  reply.type(CONTENT_TYPES[extname(file.path).toLowerCase()] ?? "application/octet-stream");
  reply.header("content-length", String(file.stat.size));
  return reply.status(200).send(createReadStream(file.path));
}

/**
 * Registers `GET /` and `GET /*` serving the UI from `dir` (default {@link defaultUiDir}).
 * The folder is looked up per request, so building the UI while the server runs works.
 */
export function registerStaticUi(app: FastifyInstance, dir: string = defaultUiDir()): void {
  const root = resolve(dir);
  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const path = req.url.split("?")[0] ?? "/";
    if (isApiPath(path)) throw routeNotFound(req);
    const index = join(root, "index.html");
    if (!existsSync(index)) {
      return reply.status(200).header("cache-control", "no-cache").type("text/html; charset=utf-8").send(NOT_BUILT);
    }
    const asset = path.startsWith("/assets/");
    const file = path === "/" || path === "/index.html" ? undefined : fileInside(root, path);
    if (file) return sendFile(req, reply, file, asset ? IMMUTABLE : "no-cache");
    // a missing hashed asset is a stale page asking for an old build: 404, not HTML as JS
    if (asset) throw routeNotFound(req);
    const indexFile = fileInside(root, "/index.html");
    if (!indexFile) throw routeNotFound(req);
    return sendFile(req, reply, indexFile, "no-cache");
  };
  app.get("/", handler);
  app.get("/*", handler);
}
