/**
 * The REST transport: the Open Inference Protocol v2 over HTTP/1.1 (JSON, or the binary
 * tensor data extension with `binary`), and KServe's v1 `:predict`. Connections are kept
 * alive and reused; every call has its own timeout and abort. Failures are
 * {@link ServingClientError}s that tell a refused connection from a slow server from the
 * server's own error answer (its `{"error": ...}` message kept).
 */
import http from "node:http";
import https from "node:https";
import type { Datatype, ModelMetadata, TensorSpec } from "../types.ts";
import { decodeInferResult, encodeInferRequest, HEADER_LENGTH_HEADER } from "../wire/index.ts";
import { ServingClientError } from "./errors.ts";
import { aborted } from "./retry.ts";
import type { InferTransport, TransportCallOptions } from "./transport.ts";

/** Options of {@link restTransport}. */
export interface RestTransportOptions {
  /** Send inputs and ask for outputs in the binary tensor data extension (default: JSON). */
  binary?: boolean;
  /** Headers sent with every call (an `authorization` header, say). */
  headers?: Record<string, string>;
  /** Most connections kept open to the server (default 64). */
  maxSockets?: number;
}

/** The REST transport, with KServe v1's `predict`. */
export interface RestTransport extends InferTransport {
  readonly protocol: "rest";
  /** KServe v1: `POST /v1/models/{model}:predict` with `{instances}`; the `predictions`. */
  predict(model: string, instances: unknown[], options: TransportCallOptions): Promise<unknown[]>;
}

/** A received HTTP answer. */
interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Network errors that mean no server answered at that address. */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
]);

/** The base URL checked (`http:` or `https:`) and its path prefix without a trailing slash. */
function baseUrl(url: string): { base: URL; prefix: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ServingClientError(
      "SERVING_BAD_INPUT",
      `"${url}" is not a URL: give the server's address, e.g. http://127.0.0.1:8000`,
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ServingClientError(
      "SERVING_BAD_INPUT",
      `"${url}" is not an http:// or https:// URL: give the REST address, or use protocol "grpc" for a gRPC endpoint`,
    );
  }
  return { base: parsed, prefix: parsed.pathname.replace(/\/+$/, "") };
}

/** `/v2/models/{model}[/versions/{version}]`. */
function modelPath(model: string, version: string | undefined): string {
  const m = `/v2/models/${encodeURIComponent(model)}`;
  return version === undefined || version === "" ? m : `${m}/versions/${encodeURIComponent(version)}`;
}

/** Names the model and version in messages. */
function describe(model: string, version: string | undefined): string {
  return version ? `model "${model}" version ${version}` : `model "${model}"`;
}

/** Creates a REST transport to the server at `url` (e.g. `http://127.0.0.1:8000`). */
export function restTransport(url: string, options: RestTransportOptions = {}): RestTransport {
  const { base, prefix } = baseUrl(url);
  const target = `${base.origin}${prefix}`;
  const secure = base.protocol === "https:";
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 })
    : new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  const request = secure ? https.request : http.request;
  const binary = options.binary === true;
  let closed = false;

  function send(
    method: "GET" | "POST",
    path: string,
    body: string | Uint8Array | undefined,
    headers: Record<string, string>,
    call: TransportCallOptions,
    what: string,
  ): Promise<Answer> {
    if (closed) {
      return Promise.reject(new ServingClientError("SERVING_BAD_INPUT", `the client of ${target} is closed`));
    }
    const signal = call.signal;
    if (signal?.aborted) return Promise.reject(aborted(signal));
    return new Promise<Answer>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (error: ServingClientError | undefined, answer?: Answer) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (error) reject(error);
        else resolve(answer as Answer);
      };
      const onAbort = () => {
        finish(aborted(signal as AbortSignal));
        req.destroy();
      };
      const req = request(
        {
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port,
          method,
          path: prefix + path,
          agent,
          headers: {
            ...options.headers,
            ...call.headers,
            ...headers,
            ...(body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on("error", (cause) =>
            finish(
              new ServingClientError("SERVING_UNREACHABLE", `${what}: the connection to ${target} broke mid-answer`, {
                cause,
              }),
            ),
          );
        },
      );
      req.on("error", (cause: NodeJS.ErrnoException) => {
        const code = cause.code ?? "";
        finish(
          UNREACHABLE.has(code)
            ? new ServingClientError(
                "SERVING_UNREACHABLE",
                `${what}: no server answers at ${target} (${code}): start it (weft serve) or check the URL`,
                { cause },
              )
            : new ServingClientError("SERVING_UNREACHABLE", `${what}: ${target} failed: ${cause.message}`, { cause }),
        );
      });
      if (call.timeoutMs !== undefined && call.timeoutMs > 0) {
        timer = setTimeout(() => {
          finish(
            new ServingClientError(
              "SERVING_TIMEOUT",
              `${what}: ${target} did not answer within ${call.timeoutMs} ms: raise timeoutMs or check the server's load`,
            ),
          );
          req.destroy();
        }, call.timeoutMs);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      req.end(body);
    });
  }

  /** The server's error answer as a `SERVING_REMOTE` error, its message kept. */
  function remoteError(answer: Answer, what: string): ServingClientError {
    let message = answer.body.toString("utf8").slice(0, 2000);
    try {
      const json = JSON.parse(message) as { error?: unknown };
      if (typeof json.error === "string") message = json.error;
    } catch {
      // not JSON: keep the text
    }
    return new ServingClientError(
      "SERVING_REMOTE",
      `${what}: ${target} answered ${answer.status}${message ? `: ${message}` : ""}`,
      { status: answer.status },
    );
  }

  function json(answer: Answer, what: string): unknown {
    try {
      return JSON.parse(answer.body.toString("utf8"));
    } catch (cause) {
      throw new ServingClientError("SERVING_BAD_RESPONSE", `${what}: ${target} answered with text that is not JSON`, {
        cause,
      });
    }
  }

  return {
    protocol: "rest",
    target,

    async infer(model, version, inferRequest, call) {
      const what = `infer on ${describe(model, version)}`;
      const encoded = encodeInferRequest(inferRequest, { binary, binaryOutputs: binary });
      const headers: Record<string, string> = { "content-type": encoded.contentType };
      if (encoded.headerLength !== undefined) headers[HEADER_LENGTH_HEADER] = String(encoded.headerLength);
      const answer = await send("POST", `${modelPath(model, version)}/infer`, encoded.body, headers, call, what);
      if (answer.status !== 200) throw remoteError(answer, what);
      const length = answer.headers[HEADER_LENGTH_HEADER];
      try {
        return decodeInferResult(answer.body, length === undefined ? undefined : Number(length));
      } catch (cause) {
        throw new ServingClientError(
          "SERVING_BAD_RESPONSE",
          `${what}: the answer of ${target} is not an inference response: ${(cause as Error).message}`,
          { cause },
        );
      }
    },

    async ready(model, version, call = {}) {
      const what = `ready of ${describe(model, version)}`;
      const answer = await send("GET", `${modelPath(model, version)}/ready`, undefined, {}, call, what);
      if (answer.status === 200) return true;
      if (answer.status === 404 || answer.status === 400 || answer.status === 503) return false;
      throw remoteError(answer, what);
    },

    async metadata(model, version, call = {}) {
      const what = `metadata of ${describe(model, version)}`;
      const answer = await send("GET", modelPath(model, version), undefined, {}, call, what);
      if (answer.status !== 200) throw remoteError(answer, what);
      return metadataFromJson(json(answer, what), what, target);
    },

    async predict(model, instances, call) {
      const what = `predict on model "${model}"`;
      const body = JSON.stringify({ instances });
      const answer = await send(
        "POST",
        `/v1/models/${encodeURIComponent(model)}:predict`,
        body,
        { "content-type": "application/json" },
        call,
        what,
      );
      if (answer.status !== 200) throw remoteError(answer, what);
      const out = json(answer, what) as { predictions?: unknown };
      if (!Array.isArray(out?.predictions)) {
        throw new ServingClientError(
          "SERVING_BAD_RESPONSE",
          `${what}: the answer of ${target} has no "predictions" list`,
        );
      }
      return out.predictions;
    },

    close() {
      closed = true;
      agent.destroy();
    },
  };
}

function specsFromJson(value: unknown): TensorSpec[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: TensorSpec[] = [];
  for (const v of value) {
    const s = v as { name?: unknown; datatype?: unknown; shape?: unknown };
    if (typeof s?.name !== "string" || typeof s.datatype !== "string" || !Array.isArray(s.shape)) return undefined;
    out.push({ name: s.name, datatype: s.datatype as Datatype, shape: s.shape.map(Number) });
  }
  return out;
}

/** Model metadata from the protocol's JSON, its fields checked. */
export function metadataFromJson(value: unknown, what: string, target: string): ModelMetadata {
  const j = (value ?? {}) as Record<string, unknown>;
  const inputs = specsFromJson(j.inputs);
  const outputs = specsFromJson(j.outputs ?? []);
  if (typeof j.name !== "string" || !inputs || !outputs) {
    throw new ServingClientError(
      "SERVING_BAD_RESPONSE",
      `${what}: the answer of ${target} is not model metadata (it needs "name", "inputs" and "outputs")`,
    );
  }
  return {
    name: j.name,
    versions: Array.isArray(j.versions) ? j.versions.map(String) : [],
    platform: typeof j.platform === "string" ? j.platform : "",
    inputs,
    outputs,
  };
}
