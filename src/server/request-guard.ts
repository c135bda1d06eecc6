/**
 * Local server safety: which requests a server without authentication answers at all.
 * One `onRequest` hook, run before any body is read, applies the rules below (see "Local
 * server safety" in `docs/architecture.md` for why they are enough and what they cost):
 *
 * 1. `Host` must name this server: `localhost`, a loopback address, the address it was
 *    bound to or the one the connection arrived on, or a configured name; with this
 *    server's port or none. A DNS-rebound name (`attacker.example`) is refused, so a
 *    page on another site can neither read from nor write to the server through it.
 * 2. A state-changing request (any method but GET, HEAD and OPTIONS) that carries an
 *    `Origin` must come from the server's own origin (the `Host` it was sent to) or a
 *    configured origin; `Origin: null` is refused. Without an `Origin`, a browser's
 *    `Sec-Fetch-Site` must be absent, `same-origin` or `none`.
 * 3. A state-changing request may not have a content type that only a browser form or a
 *    no-cors fetch sends across sites without a preflight (`text/plain`,
 *    `application/x-www-form-urlencoded`); the API takes JSON and multipart uploads.
 *
 * Clients that are not browsers (`kfp.Client`, the typed client, the CLI, curl) send no
 * `Origin` and pass; the web UI served at `/` sends its own origin and passes. A later
 * authentication layer adds its own hook beside this one.
 */
import { isIP } from "node:net";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { WeftError } from "../ir/index.ts";
import { ApiError, GrpcCode } from "./errors.ts";

/** What the guard accepts besides the loopback names and the bound address. */
export interface RequestGuardOptions {
  /** Host names (`name`, any port, or `name:port`) the `Host` header may carry too, e.g. a reverse proxy's name. */
  allowedHosts?: readonly string[];
  /** Origins (`scheme://host[:port]`) besides the server's own whose pages may change state. */
  allowedOrigins?: readonly string[];
  /** The address the server listens on; its name is accepted in `Host`. Read per request. */
  boundHost?: () => string | undefined;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Content types a browser sends across sites without a preflight and no API client uses. */
const FORM_TYPES = new Set(["text/plain", "application/x-www-form-urlencoded"]);
const FETCH_SITES_OK = new Set(["same-origin", "none"]);

/** A `Host` value split into a lower-case name (IPv6 without brackets, compressed) and a port. */
export interface HostName {
  name: string;
  port?: number;
}

/** The canonical form of an IP address (IPv4-mapped IPv6 as IPv4), or `undefined` for a name. */
function canonicalIp(text: string): string | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const kind = isIP(bare);
  if (kind === 4) return bare;
  if (kind !== 6) return undefined;
  let v6: string;
  try {
    v6 = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (mapped?.[1] && mapped[2]) {
    const hi = Number.parseInt(mapped[1], 16);
    const lo = Number.parseInt(mapped[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return v6;
}

/** Parses a `Host` header (`name`, `name:port`, `1.2.3.4:port`, `[::1]:port`); `undefined` when malformed. */
export function parseHostHeader(value: string): HostName | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+))(?::(\d{1,5}))?$/.exec(value.trim());
  if (!m) return undefined;
  const raw = m[1] ?? m[2] ?? "";
  const name = m[1] !== undefined ? canonicalIp(raw) : (canonicalIp(raw) ?? raw.toLowerCase().replace(/\.$/, ""));
  if (!name) return undefined;
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && port > 65535) return undefined;
  return port === undefined ? { name } : { name, port };
}

/** Whether a host name or address always means this machine: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackName(name: string): boolean {
  const lower = name.toLowerCase().replace(/\.$/, "");
  if (lower === "localhost") return true;
  const ip = canonicalIp(lower);
  return ip !== undefined && (ip === "::1" || (isIP(ip) === 4 && ip.startsWith("127.")));
}

/**
 * Refuses to bind an address other machines can reach (`0.0.0.0`, `::`, a LAN address, a
 * host name) unless `allowRemoteUnauthenticated` is set: the server has no authentication,
 * and whoever reaches it can run pipelines, that is code, as this user.
 */
export function assertSafeBind(host: string, allowRemoteUnauthenticated: boolean): void {
  if (allowRemoteUnauthenticated || isLoopbackName(host)) return;
  throw new WeftError(
    "SERVER_UNSAFE_BIND",
    `refusing to listen on ${host}: the server has no authentication, so anyone who can reach ${host} could run pipelines (code) as this user; listen on 127.0.0.1 (the default), or set allowRemoteUnauthenticated to expose it anyway on a network you trust.`,
  );
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function forbidden(code: "API_FORBIDDEN_HOST" | "API_FORBIDDEN_ORIGIN", message: string): ApiError {
  return new ApiError(code, GrpcCode.PERMISSION_DENIED, message);
}

function describeAllowed(opts: RequestGuardOptions): string {
  const names = ["localhost", "127.0.0.1", "[::1]"];
  const bound = opts.boundHost?.();
  if (bound && !isLoopbackName(bound)) names.push(bound.includes(":") ? `[${bound}]` : bound);
  names.push(...(opts.allowedHosts ?? []));
  return names.join(", ");
}

/** Why the `Host` of `req` is refused, or `undefined` when it names this server. */
function hostProblem(req: FastifyRequest, opts: RequestGuardOptions): ApiError | undefined {
  const raw = header(req, "host");
  // HTTP/1.0 without Host: not a browser, which always sends one
  if (raw === undefined) return undefined;
  const host = parseHostHeader(raw);
  if (host) {
    const localPort = req.socket?.localPort;
    const portOk = host.port === undefined || localPort === undefined || host.port === localPort;
    const local = req.socket?.localAddress ? canonicalIp(req.socket.localAddress) : undefined;
    const boundRaw = opts.boundHost?.();
    const bound = boundRaw === undefined ? undefined : (canonicalIp(boundRaw) ?? boundRaw.toLowerCase());
    if (portOk && (isLoopbackName(host.name) || host.name === local || host.name === bound)) return undefined;
    for (const entry of opts.allowedHosts ?? []) {
      const allowed = parseHostHeader(entry);
      if (allowed?.name === host.name && (allowed.port === undefined || allowed.port === host.port)) return undefined;
    }
  }
  const name = host?.name ?? raw;
  return forbidden(
    "API_FORBIDDEN_HOST",
    `the Host header ${JSON.stringify(raw)} does not name this server, which answers only to ${describeAllowed(opts)} on its own port (this protects it from DNS rebinding); open it by one of those names, or start it with --allowed-host ${name} if that name is yours.`,
  );
}

/** `scheme://host[:port]` of an `Origin` value in canonical form, or `undefined` when it is not one. */
function canonicalOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/** Why a state-changing `req` is refused, or `undefined` when it may go on. */
function originProblem(req: FastifyRequest, opts: RequestGuardOptions): ApiError | undefined {
  if (SAFE_METHODS.has(req.method)) return undefined;
  const origin = header(req, "origin");
  const host = header(req, "host");
  if (origin !== undefined) {
    const canonical = canonicalOrigin(origin);
    const own = host === undefined ? undefined : canonicalOrigin(`http://${host}`);
    const sameOrigin = canonical !== undefined && own !== undefined && new URL(canonical).host === new URL(own).host;
    const allowed = (opts.allowedOrigins ?? []).some(
      (o) => canonical !== undefined && canonicalOrigin(o) === canonical,
    );
    if (!sameOrigin && !allowed) {
      const what =
        origin === "null"
          ? "a page with an opaque origin (Origin: null: a sandboxed frame, a file:// page or a cross-site redirect)"
          : `a page of ${JSON.stringify(origin)}`;
      return forbidden(
        "API_FORBIDDEN_ORIGIN",
        `${req.method} ${req.url.split("?")[0]} refused: ${what} may not change this server's state; use the web UI this server serves${host ? ` at http://${host}/` : ""} or a non-browser client${canonical ? `, or start the server with --allowed-origin ${canonical} if that page is yours` : ""}.`,
      );
    }
  } else {
    const site = header(req, "sec-fetch-site");
    if (site !== undefined && !FETCH_SITES_OK.has(site.toLowerCase())) {
      return forbidden(
        "API_FORBIDDEN_ORIGIN",
        `${req.method} ${req.url.split("?")[0]} refused: the browser marked it as sent from another site (Sec-Fetch-Site: ${site}); use the web UI this server serves or a non-browser client.`,
      );
    }
  }
  const type = (header(req, "content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (FORM_TYPES.has(type)) {
    return forbidden(
      "API_FORBIDDEN_ORIGIN",
      `${req.method} ${req.url.split("?")[0]} refused: content type ${type} may not change state, because any web page can send it across sites; send JSON (content-type: application/json), or multipart/form-data for a pipeline upload.`,
    );
  }
  return undefined;
}

/**
 * Registers the guard on `app` as an `onRequest` hook, ahead of body parsing and of every
 * route (the API, `/docs`, `/metrics` and the web UI). Refusals are 403s with the KFP
 * error body.
 */
export function registerRequestGuard(app: FastifyInstance, opts: RequestGuardOptions = {}): void {
  app.addHook("onRequest", async (req) => {
    const problem = hostProblem(req, opts) ?? originProblem(req, opts);
    if (problem) throw problem;
  });
}
