/**
 * The client's transport: JSON requests against a base URL with optional bearer token
 * and extra headers, KFP error bodies turned into {@link ClientError}s, and the
 * filter/list query encoding KFP expects.
 */
import { ClientError } from "./errors.ts";
import type { FilterPredicate, ListOptions } from "./types.ts";

/** Options of a client connection. */
export interface ConnectionOptions {
  /** Base URL, e.g. `http://127.0.0.1:8888` or a Kubeflow endpoint `https://host/pipeline`. */
  host: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Extra headers on every request (e.g. a session cookie for a Kubeflow deployment). */
  headers?: Record<string, string>;
  /** Per-request timeout in ms; default 30000. */
  timeoutMs?: number;
  /** The `fetch` to use; default the global one. */
  fetch?: typeof fetch;
}

const INT32_MAX = 2 ** 31 - 1;

function predicateJson(p: FilterPredicate): Record<string, unknown> {
  const out: Record<string, unknown> = { key: p.key, operation: p.op };
  const v = p.value;
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === "number")) {
      const nums = v as number[];
      if (nums.every((n) => Number.isInteger(n) && Math.abs(n) <= INT32_MAX)) out.int_values = { values: nums };
      else out.long_values = { values: nums.map((n) => String(Math.trunc(n))) };
    } else {
      out.string_values = { values: v.map(String) };
    }
  } else if (v instanceof Date) {
    out.timestamp_value = v.toISOString();
  } else if (typeof v === "number") {
    if (Number.isInteger(v) && Math.abs(v) <= INT32_MAX) out.int_value = v;
    else out.long_value = String(Math.trunc(v));
  } else {
    out.string_value = String(v);
  }
  return out;
}

/** The `filter` query parameter for predicates (a JSON `v2beta1Filter`). */
export function encodeFilter(predicates: FilterPredicate[]): string {
  return JSON.stringify({ predicates: predicates.map(predicateJson) });
}

/** Query parameters of a list call. */
export function listQuery(opts: ListOptions = {}, extra: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  if (opts.filter && opts.filter.length > 0) q.set("filter", encodeFilter(opts.filter));
  if (opts.sortBy) q.set("sort_by", opts.sortBy);
  if (opts.pageSize !== undefined) q.set("page_size", String(opts.pageSize));
  if (opts.pageToken) q.set("page_token", opts.pageToken);
  if (opts.namespace) q.set("namespace", opts.namespace);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** One HTTP connection profile; `request` returns parsed JSON or throws a {@link ClientError}. */
export class Http {
  readonly base: string;
  private readonly opts: ConnectionOptions;

  constructor(opts: ConnectionOptions) {
    if (!/^https?:\/\//.test(opts.host)) {
      throw new ClientError(
        "CLIENT_BAD_INPUT",
        `host "${opts.host}" must be an http:// or https:// URL, e.g. http://127.0.0.1:8888.`,
      );
    }
    this.opts = opts;
    this.base = opts.host.replace(/\/+$/, "");
  }

  /** Headers for a request (auth and extras). */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      accept: "application/json",
      ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}),
      ...this.opts.headers,
      ...extra,
    };
  }

  /** Sends a request; `body` is JSON unless it is FormData. */
  async request<T>(method: string, path: string, body?: unknown, init: { timeoutMs?: number } = {}): Promise<T> {
    const res = await this.raw(method, path, body, init);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? {} : JSON.parse(text);
    } catch (err) {
      throw new ClientError(
        "CLIENT_BAD_RESPONSE",
        `${method} ${path}: the server answered ${res.status} with a body that is not JSON (${text.slice(0, 120)}); is ${this.base} a Weft or Kubeflow Pipelines API endpoint?`,
        { status: res.status, cause: err },
      );
    }
    if (!res.ok) {
      const b = parsed as { message?: unknown; error?: unknown; code?: unknown };
      const message = typeof b.message === "string" ? b.message : typeof b.error === "string" ? b.error : text;
      throw new ClientError("CLIENT_HTTP_ERROR", `${method} ${path} failed with ${res.status}: ${message}`, {
        status: res.status,
        ...(typeof b.code === "number" ? { grpcCode: b.code } : {}),
        body: parsed,
      });
    }
    return parsed as T;
  }

  /** Sends a request and returns the raw response (for downloads and event streams). */
  async raw(
    method: string,
    path: string,
    body?: unknown,
    init: { timeoutMs?: number; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const doFetch = this.opts.fetch ?? fetch;
    const isForm = body instanceof FormData;
    const headers = this.headers({
      ...(body !== undefined && !isForm ? { "content-type": "application/json" } : {}),
      ...init.headers,
    });
    const timeoutMs = init.timeoutMs ?? this.opts.timeoutMs ?? 30_000;
    try {
      return await doFetch(`${this.base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: isForm ? (body as FormData) : JSON.stringify(body) } : {}),
        ...(timeoutMs > 0 ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
      });
    } catch (err) {
      const timedOut = (err as Error).name === "TimeoutError";
      throw new ClientError(
        timedOut ? "CLIENT_TIMEOUT" : "CLIENT_NETWORK",
        timedOut
          ? `${method} ${path}: no answer from ${this.base} within ${timeoutMs} ms.`
          : `${method} ${path}: cannot reach ${this.base} (${(err as Error).message}); check that the server runs (weft server) and the host is right.`,
        { cause: err },
      );
    }
  }
}
