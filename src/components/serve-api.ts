/**
 * The few calls `deployModel` makes to a running `weft serve` (or any server that speaks
 * the Open Inference Protocol with the model repository extension): liveness, model
 * metadata and readiness, repository load and unload, and inference. Plain `fetch`, so
 * the task bundle needs nothing else.
 */
import { ComponentError } from "./errors.ts";

/** A JSON tensor of an inference request or response (flat or nested `data`). */
export interface JsonTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
  parameters?: Record<string, unknown>;
}

/** An inference response body. */
export interface InferResponse {
  model_name: string;
  model_version?: string;
  outputs: JsonTensor[];
}

/** An answer of the server: its status and JSON body (undefined when it is not JSON). */
interface Answer {
  status: number;
  body: unknown;
}

/** The server's error message from an `{"error": ...}` body, or the status. */
export function errorText(answer: Answer): string {
  const e = (answer.body as { error?: unknown } | undefined)?.error;
  return typeof e === "string" ? e : `HTTP ${answer.status}`;
}

/** Talks to one server. */
export class ServeApi {
  readonly base: string;

  constructor(
    serverUrl: string,
    private readonly timeoutMs = 30_000,
  ) {
    let url: URL;
    try {
      url = new URL(serverUrl);
    } catch {
      url = new URL("invalid:");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ComponentError(
        "DEPLOY_INVALID_INPUT",
        `deployModel: server_url ${JSON.stringify(serverUrl)} is not an http(s) URL; pass the URL weft serve prints, e.g. http://127.0.0.1:8000`,
      );
    }
    this.base = url.href.replace(/\/+$/, "");
  }

  /** The route of a model (and version). */
  modelPath(name: string, version?: string): string {
    const m = `/v2/models/${encodeURIComponent(name)}`;
    return version === undefined ? m : `${m}/versions/${encodeURIComponent(version)}`;
  }

  async call(method: "GET" | "POST", path: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<Answer> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      const why = (cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).name ?? String(cause);
      throw new ComponentError(
        "DEPLOY_SERVER_UNREACHABLE",
        `deployModel: ${method} ${this.base}${path} failed (${why}); check that weft serve runs at ${this.base} and that the task can reach it`,
        { cause },
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed };
  }

  /** Checks the server answers (`/v2/health/live`). */
  async live(): Promise<void> {
    const a = await this.call("GET", "/v2/health/live");
    if (a.status !== 200) {
      throw new ComponentError(
        "DEPLOY_SERVER_UNREACHABLE",
        `deployModel: ${this.base}/v2/health/live answered ${a.status}, not 200; is ${this.base} a weft serve (Open Inference Protocol) server?`,
      );
    }
  }

  /** The model's loaded versions, or undefined when the server does not serve it. */
  async versions(name: string): Promise<string[] | undefined> {
    const a = await this.call("GET", this.modelPath(name));
    if (a.status === 404 || a.status === 503) return undefined;
    if (a.status !== 200) {
      throw new ComponentError(
        "DEPLOY_LOAD_FAILED",
        `deployModel: metadata of model '${name}' failed: ${errorText(a)}`,
      );
    }
    const v = (a.body as { versions?: unknown } | undefined)?.versions;
    return Array.isArray(v) ? v.map(String) : [];
  }

  async ready(name: string, version?: string): Promise<boolean> {
    return (
      (
        await this.call(
          "GET",
          `${this.modelPath(name)}${version === undefined ? "" : `/versions/${encodeURIComponent(version)}`}/ready`,
        )
      ).status === 200
    );
  }

  /** Repository extension `load` with parameters; throws the server's error. */
  async load(name: string, parameters: Record<string, string>, timeoutMs: number): Promise<void> {
    const a = await this.call(
      "POST",
      `/v2/repository/models/${encodeURIComponent(name)}/load`,
      { parameters },
      timeoutMs,
    );
    if (a.status !== 200) {
      throw new ComponentError(
        "DEPLOY_LOAD_FAILED",
        `deployModel: weft serve at ${this.base} refused to load model '${name}' from ${JSON.stringify(parameters)}: ${errorText(a)}`,
      );
    }
  }

  /** Repository extension `unload`. */
  async unload(name: string): Promise<void> {
    const a = await this.call("POST", `/v2/repository/models/${encodeURIComponent(name)}/unload`, {});
    if (a.status !== 200) {
      throw new ComponentError(
        "DEPLOY_LOAD_FAILED",
        `deployModel: weft serve at ${this.base} refused to unload model '${name}': ${errorText(a)}`,
      );
    }
  }

  /** Runs an inference request; the answer as it came (the caller judges the status). */
  infer(name: string, version: string | undefined, request: unknown): Promise<Answer> {
    return this.call("POST", `${this.modelPath(name, version)}/infer`, request);
  }
}
