/**
 * The one place the UI talks HTTP: JSON requests to the Weft server, with server errors
 * (KFP `{error, code, message}` bodies) turned into sentences a user understands.
 */

import { takePrefetched } from "./prefetch.ts";

/** gRPC status codes the server answers with, in words. */
const CODE_WORDS: Record<number, string> = {
  3: "The request was not accepted",
  5: "Not found",
  6: "It already exists",
  9: "Not possible right now",
  12: "Not supported by this server",
  13: "The server hit an internal error",
};

/** An HTTP request that failed: `title` is a short heading, `message` the server's explanation. */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly title: string;
  readonly code: string | undefined;

  constructor(status: number, title: string, message: string, code?: string) {
    super(message);
    this.name = "ApiRequestError";
    this.status = status;
    this.title = title;
    this.code = code;
  }
}

interface RpcStatusBody {
  error?: string;
  code?: number;
  message?: string;
  details?: Array<{ reason?: string }>;
  /** MLflow's error code (`RESOURCE_DOES_NOT_EXIST`), from `/api/2.0/mlflow/...`. */
  error_code?: string;
}

function statusTitle(status: number, grpc: number | undefined): string {
  if (grpc !== undefined && CODE_WORDS[grpc]) return CODE_WORDS[grpc];
  if (status === 404) return "Not found";
  if (status >= 500) return "The server hit an internal error";
  if (status >= 400) return "The request was not accepted";
  return "Request failed";
}

/** Reads a failed response into an {@link ApiRequestError}. */
export async function errorFromResponse(res: Response): Promise<ApiRequestError> {
  const text = await res.text().catch(() => "");
  let body: RpcStatusBody | undefined;
  try {
    body = JSON.parse(text) as RpcStatusBody;
  } catch {
    body = undefined;
  }
  const message = body?.message || body?.error || text.slice(0, 300) || `HTTP ${res.status} ${res.statusText}`;
  const sentence = message.charAt(0).toUpperCase() + message.slice(1);
  return new ApiRequestError(
    res.status,
    statusTitle(res.status, body?.code),
    sentence,
    body?.details?.[0]?.reason ?? body?.error_code,
  );
}

/** Options of {@link request}. */
export interface RequestOptions {
  method?: "GET" | "POST" | "DELETE" | "PATCH";
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
}

/** Builds `path?query`, dropping undefined values. */
export function withQuery(path: string, query: RequestOptions["query"]): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== "") params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Sends a JSON request and parses the JSON answer; throws {@link ApiRequestError} on failure. */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  let res: Response;
  const init: RequestInit = { method: opts.method ?? "GET", headers: { accept: "application/json" } };
  if (opts.signal) init.signal = opts.signal;
  if (opts.body instanceof FormData) {
    init.body = opts.body;
  } else if (opts.body !== undefined) {
    init.body = JSON.stringify(opts.body);
    init.headers = { ...init.headers, "content-type": "application/json" };
  }
  const url = withQuery(path, opts.query);
  try {
    const ahead = init.method === "GET" ? takePrefetched(url) : undefined;
    res = await (ahead ?? fetch(url, init));
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiRequestError(
      0,
      "Cannot reach the Weft server",
      "Check that `weft server` is running, then try again.",
    );
  }
  if (!res.ok) throw await errorFromResponse(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : {}) as T;
}

/** Fetches raw bytes (artifact content), throwing {@link ApiRequestError} on failure. */
export async function requestBytes(path: string, signal?: AbortSignal): Promise<ArrayBuffer> {
  const res = await fetch(path, signal ? { signal } : {});
  if (!res.ok) throw await errorFromResponse(res);
  return res.arrayBuffer();
}

/** A short user-facing description of any thrown value. */
export function describeError(err: unknown): { title: string; message: string } {
  if (err instanceof ApiRequestError) return { title: err.title, message: err.message };
  if (err instanceof Error) return { title: "Something went wrong", message: err.message };
  return { title: "Something went wrong", message: String(err) };
}
