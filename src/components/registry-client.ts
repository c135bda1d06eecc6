/**
 * A small client of the model registry for prebuilt components: MLflow's REST API
 * (`/api/2.0/mlflow/...`) and Weft's model extension routes (`/apis/weft/v1/models/...`),
 * over `fetch`, with no dependencies (it is bundled into tasks). It finds the registry as
 * MLflow's clients do: `MLFLOW_TRACKING_URI`, and `MLFLOW_TRACKING_TOKEN` sent as a bearer
 * token (or `MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD` as basic auth).
 */
import { ComponentError } from "./errors.ts";

/** A model version as MLflow's REST API writes it (`ModelVersion`). */
export interface MlflowModelVersion {
  name: string;
  /** A string on the wire, as in MLflow. */
  version: string;
  source?: string;
  run_id?: string;
  status?: "PENDING_REGISTRATION" | "READY" | "FAILED_REGISTRATION" | string;
  status_message?: string;
  current_stage?: string;
  description?: string;
  aliases?: string[];
  tags?: Array<{ key: string; value: string }>;
}

/** A registered model as MLflow's REST API writes it (`RegisteredModel`). */
export interface MlflowRegisteredModel {
  name: string;
  description?: string;
  aliases?: Array<{ alias: string; version: string }>;
}

/** What the client needs to reach the registry. */
export interface RegistryClientOptions {
  /** The registry's base URL (`http://127.0.0.1:5000`); MLflow's `MLFLOW_TRACKING_URI`. */
  uri: string;
  /** A bearer token (`MLFLOW_TRACKING_TOKEN`). */
  token?: string;
  /** Basic auth (`MLFLOW_TRACKING_USERNAME`, `MLFLOW_TRACKING_PASSWORD`), when no token is given. */
  username?: string;
  password?: string;
  /** Milliseconds one request may take (default 30 s). */
  timeoutMs?: number;
}

/** The message when no registry is configured. */
export const NO_REGISTRY =
  "registerModel needs a registry: run it with weft run / weft server, or set MLFLOW_TRACKING_URI to a weft server";

type Query = Record<string, string | number | undefined>;

const MLFLOW = "/api/2.0/mlflow";

/** A registry reached over HTTP. */
export class RegistryClient {
  readonly uri: string;
  private readonly auth: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: RegistryClientOptions) {
    const uri = options.uri.trim().replace(/\/+$/, "");
    if (!/^https?:\/\/[^/]/.test(uri)) {
      throw new ComponentError(
        "REGISTRY_NOT_CONFIGURED",
        `MLFLOW_TRACKING_URI is ${JSON.stringify(options.uri)}, not an http(s) URL; registerModel speaks MLflow's REST API, so set it to a weft server (or the MLFLOW_TRACKING_URI weft run gives a task)`,
      );
    }
    this.uri = uri;
    this.auth = options.token
      ? `Bearer ${options.token}`
      : options.username !== undefined
        ? `Basic ${Buffer.from(`${options.username}:${options.password ?? ""}`).toString("base64")}`
        : undefined;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /**
   * The registry of the environment, as MLflow's clients find it.
   *
   * @throws ComponentError `REGISTRY_NOT_CONFIGURED` when `MLFLOW_TRACKING_URI` is unset.
   */
  static fromEnv(env: Record<string, string | undefined> = process.env): RegistryClient {
    const uri = env.MLFLOW_TRACKING_URI?.trim();
    if (!uri) throw new ComponentError("REGISTRY_NOT_CONFIGURED", NO_REGISTRY);
    return new RegistryClient({
      uri,
      token: env.MLFLOW_TRACKING_TOKEN || undefined,
      username: env.MLFLOW_TRACKING_USERNAME || undefined,
      password: env.MLFLOW_TRACKING_PASSWORD || undefined,
    });
  }

  /**
   * One call. Answers the JSON body, or `undefined` for a 404 when `missingOk` (MLflow's
   * RESOURCE_DOES_NOT_EXIST).
   *
   * @throws ComponentError `REGISTRY_UNREACHABLE` or `REGISTRY_REQUEST_FAILED` naming the
   *   call, the HTTP status and MLflow's error_code and message.
   */
  async call<T>(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    path: string,
    params: Query | Record<string, unknown>,
    missingOk = false,
  ): Promise<T | undefined> {
    let url = this.uri + path;
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.auth) headers.authorization = this.auth;
    let body: string | undefined;
    if (method === "GET") {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
      const text = q.toString();
      if (text) url += `?${text}`;
    } else {
      headers["content-type"] = "application/json";
      body = JSON.stringify(params);
    }
    const call = `${method} ${path}`;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (cause) {
      const why = (cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).message;
      throw new ComponentError(
        "REGISTRY_UNREACHABLE",
        `registerModel: ${call} could not reach the registry at ${this.uri} (${why}); check MLFLOW_TRACKING_URI and that the server is running`,
        { cause },
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === "" ? {} : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.ok && json !== undefined) return json as T;
    const err = (json ?? {}) as { error_code?: unknown; message?: unknown };
    if (missingOk && res.status === 404 && err.error_code === "RESOURCE_DOES_NOT_EXIST") return undefined;
    const detail =
      typeof err.error_code === "string"
        ? `${err.error_code}: ${typeof err.message === "string" ? err.message : ""}`
        : res.ok
          ? `an answer that is not JSON (${JSON.stringify(text.slice(0, 200))})`
          : JSON.stringify(text.slice(0, 300));
    const hint =
      res.status === 401 || res.status === 403
        ? "; the registry refused the credentials: check MLFLOW_TRACKING_TOKEN"
        : res.status === 404 && err.error_code !== "RESOURCE_DOES_NOT_EXIST"
          ? `; is ${this.uri} a weft server (or MLflow) with the model registry?`
          : "";
    throw new ComponentError(
      "REGISTRY_REQUEST_FAILED",
      `registerModel: ${call} failed with HTTP ${res.status} ${detail}${hint}`,
    );
  }

  /** `registered-models/get`; `undefined` when there is no such model. */
  async getRegisteredModel(name: string): Promise<MlflowRegisteredModel | undefined> {
    const res = await this.call<{ registered_model: MlflowRegisteredModel }>(
      "GET",
      `${MLFLOW}/registered-models/get`,
      { name },
      true,
    );
    return res?.registered_model;
  }

  /** Creates the registered model unless it exists (another task may create it at the same time). */
  async ensureRegisteredModel(name: string): Promise<void> {
    if (await this.getRegisteredModel(name)) return;
    try {
      await this.call("POST", `${MLFLOW}/registered-models/create`, { name });
    } catch (err) {
      if (err instanceof ComponentError && /RESOURCE_ALREADY_EXISTS/.test(err.message)) return;
      throw err;
    }
  }

  /** `model-versions/create`: the registry records the version and derives its lineage from `source`. */
  async createModelVersion(input: {
    name: string;
    source: string;
    runId?: string;
    description?: string;
    tags?: Record<string, string>;
  }): Promise<MlflowModelVersion> {
    const body: Record<string, unknown> = { name: input.name, source: input.source };
    if (input.runId) body.run_id = input.runId;
    if (input.description) body.description = input.description;
    const tags = Object.entries(input.tags ?? {});
    if (tags.length > 0) body.tags = tags.map(([key, value]) => ({ key, value }));
    const res = await this.call<{ model_version: MlflowModelVersion }>("POST", `${MLFLOW}/model-versions/create`, body);
    return versionOf(res, "model-versions/create");
  }

  /** `model-versions/get`. */
  async getModelVersion(name: string, version: string): Promise<MlflowModelVersion> {
    const res = await this.call<{ model_version: MlflowModelVersion }>("GET", `${MLFLOW}/model-versions/get`, {
      name,
      version,
    });
    return versionOf(res, "model-versions/get");
  }

  /**
   * Waits until a version leaves PENDING_REGISTRATION.
   *
   * @throws ComponentError `REGISTRY_REGISTRATION_FAILED` for FAILED_REGISTRATION (with the
   *   registry's status message) or a version still pending after `timeoutMs`.
   */
  async waitUntilReady(name: string, version: string, timeoutMs = 120_000): Promise<MlflowModelVersion> {
    const deadline = Date.now() + timeoutMs;
    let wait = 50;
    for (;;) {
      const v = await this.getModelVersion(name, version);
      if (v.status === undefined || v.status === "READY") return v;
      if (v.status === "FAILED_REGISTRATION") {
        throw new ComponentError(
          "REGISTRY_REGISTRATION_FAILED",
          `registerModel: the registry could not register ${name} version ${version}: ${v.status_message || "no reason given"}; check that the model artifact (${v.source ?? "its source"}) exists and is readable`,
        );
      }
      if (Date.now() >= deadline) {
        throw new ComponentError(
          "REGISTRY_REGISTRATION_FAILED",
          `registerModel: ${name} version ${version} is still ${v.status} after ${Math.round(timeoutMs / 1000)} s; look at the registry server's log`,
        );
      }
      await new Promise((done) => setTimeout(done, wait));
      wait = Math.min(wait * 2, 1000);
    }
  }

  /** `registered-models/alias` (POST): points an alias at a version. */
  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.call("POST", `${MLFLOW}/registered-models/alias`, { name, alias, version });
  }

  /** `registered-models/alias` (GET); `undefined` when the alias is not set. */
  async getByAlias(name: string, alias: string): Promise<MlflowModelVersion | undefined> {
    const res = await this.call<{ model_version: MlflowModelVersion }>(
      "GET",
      `${MLFLOW}/registered-models/alias`,
      { name, alias },
      true,
    );
    return res ? versionOf(res, "registered-models/alias") : undefined;
  }

  /**
   * A version's metrics snapshot and tags, from Weft's model route
   * (`GET /apis/weft/v1/models/:name/versions/:version`).
   */
  async versionRecord(name: string, version: string): Promise<VersionRecord> {
    const path = `/apis/weft/v1/models/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`;
    const res = await this.call<Record<string, unknown>>("GET", path, {});
    return { metrics: metricsOf(res), tags: tagsOf(res) };
  }
}

/** What the component reads of a version's Weft record. */
export interface VersionRecord {
  /** The metrics snapshot the registry took at registration (the run's metrics). */
  metrics: Record<string, number>;
  tags: Record<string, string>;
}

function versionOf(res: { model_version?: MlflowModelVersion } | undefined, call: string): MlflowModelVersion {
  const v = res?.model_version;
  if (!v || typeof v.name !== "string" || (typeof v.version !== "string" && typeof v.version !== "number")) {
    throw new ComponentError(
      "REGISTRY_REQUEST_FAILED",
      `registerModel: ${call} answered without a model_version (${JSON.stringify(res).slice(0, 200)}); is MLFLOW_TRACKING_URI a weft server or MLflow?`,
    );
  }
  return { ...v, version: String(v.version) };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Numbers of a metrics map (`{name: value}`) or list (`[{key|name, value}]`). */
function numbers(raw: unknown): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  if (isObj(raw)) {
    for (const [k, v] of Object.entries(raw)) if (typeof v === "number" && Number.isFinite(v)) out[k] = v;
    return out;
  }
  if (Array.isArray(raw)) {
    for (const m of raw) {
      if (!isObj(m)) continue;
      const key = typeof m.key === "string" ? m.key : typeof m.name === "string" ? m.name : undefined;
      if (key !== undefined && typeof m.value === "number" && Number.isFinite(m.value)) out[key] = m.value;
    }
    return out;
  }
  return undefined;
}

/** The tags of a version record: `{key: value}`, or MLflow's `[{key, value}]`. */
export function tagsOf(body: unknown): Record<string, string> {
  const raw = isObj(body) ? body.tags : undefined;
  const out: Record<string, string> = {};
  if (isObj(raw)) {
    for (const [k, v] of Object.entries(raw)) if (typeof v === "string") out[k] = v;
  } else if (Array.isArray(raw)) {
    for (const t of raw) if (isObj(t) && typeof t.key === "string" && typeof t.value === "string") out[t.key] = t.value;
  }
  return out;
}

/** The metrics of a Weft version record: its `metrics`, at the top or in the one record it wraps. */
export function metricsOf(body: unknown): Record<string, number> {
  if (!isObj(body)) return {};
  const direct = numbers(body.metrics);
  if (direct) return direct;
  for (const value of Object.values(body)) {
    if (isObj(value)) {
      const inner = numbers(value.metrics);
      if (inner) return inner;
    }
  }
  return {};
}
