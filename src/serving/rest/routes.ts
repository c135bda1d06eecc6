/**
 * The REST routes of a model server, one fixed table matched by hand (no framework: the
 * per-request cost matters): the Open Inference Protocol v2 (health, server and model
 * metadata, model ready, `infer` with JSON or binary tensor data, versioned routes, Triton's
 * model `config`), its model repository extension (`index`, `load`, `unload`) and KServe's
 * v1 protocol (`/v1/models`, `/v1/models/<m>`, `/v1/models/<m>:predict`). A transformer the
 * service has for a model takes the raw JSON body before the model and, when it has
 * `postprocess`, writes the answer. Every error answers `{"error": message}` with its code's
 * status; the server never stops on a request's error.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ROUTING_KEY_HEADER } from "../client/transport.ts";
import { ServingError } from "../errors.ts";
import type {
  InferOptions,
  InferRequest,
  InferResult,
  ModelService,
  Parameters,
  ServingObserver,
  TransformContext,
  Transformer,
} from "../types.ts";
import { decodeInferRequest, encodeInferResult, HEADER_LENGTH_HEADER } from "../wire/index.ts";
import { readBody } from "./body.ts";
import { configJson } from "./config-json.ts";
import { sendEmpty, sendEncoded, sendError, sendJson } from "./respond.ts";
import { predictions, predictRequest } from "./v1.ts";

/** Options of the REST handler. */
export interface RestHandlerOptions {
  /** The largest request body accepted, in bytes. */
  bodyLimitBytes: number;
  /** Told about requests refused before they reach the service (bad body, wrong shape). */
  observer?: ServingObserver;
  /** Routes outside the protocol's (`/metrics`): answers and returns true, or returns false. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

const textDecoder = new TextDecoder();

function notFound(method: string, path: string): ServingError {
  return new ServingError(
    "NOT_FOUND",
    `no route ${method} ${path}: the server answers the Open Inference Protocol under /v2 (health, models, infer, repository) and KServe v1 under /v1/models`,
  );
}

function wrongMethod(method: string, path: string, allowed: string): ServingError {
  return new ServingError("INVALID_ARGUMENT", `${method} ${path} is not allowed: use ${allowed}`);
}

function parseJson(body: Buffer, what: string): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(textDecoder.decode(body));
  } catch (error) {
    throw new ServingError("INVALID_ARGUMENT", `${what} is not valid JSON: ${(error as Error).message}`);
  }
}

function headerLengthOf(req: IncomingMessage): number | undefined {
  const value = req.headers[HEADER_LENGTH_HEADER];
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value[0]! : value;
  if (!/^\d+$/.test(text)) {
    throw new ServingError(
      "INVALID_ARGUMENT",
      `Inference-Header-Content-Length is "${text}": it must be the JSON header's length in bytes`,
    );
  }
  return Number(text);
}

function contextOf(req: IncomingMessage, modelName: string, protocol: "v1" | "v2"): TransformContext {
  return { modelName, protocol, headers: req.headers as Record<string, string | undefined> };
}

async function preprocess(
  transformer: Transformer,
  payload: unknown,
  context: TransformContext,
): Promise<InferRequest> {
  try {
    return await transformer.preprocess(payload, context);
  } catch (error) {
    if (error instanceof ServingError) throw error;
    throw new ServingError(
      "INTERNAL",
      `the transformer of model "${context.modelName}" failed in preprocess: ${(error as Error).message ?? String(error)}`,
      { cause: error },
    );
  }
}

async function postprocess(transformer: Transformer, result: InferResult, context: TransformContext): Promise<unknown> {
  try {
    return await transformer.postprocess!(result, context);
  } catch (error) {
    if (error instanceof ServingError) throw error;
    throw new ServingError(
      "INTERNAL",
      `the transformer of model "${context.modelName}" failed in postprocess: ${(error as Error).message ?? String(error)}`,
      { cause: error },
    );
  }
}

function parametersOf(payload: unknown): Parameters | undefined {
  if (payload === undefined) return undefined;
  const p = (payload as { parameters?: unknown } | null)?.parameters;
  if (p === undefined) return undefined;
  if (typeof p !== "object" || p === null || Array.isArray(p)) {
    throw new ServingError("INVALID_ARGUMENT", `"parameters" must be an object`);
  }
  return p as Parameters;
}

/** The request handler of a REST model server over `service`. */
export function createRestHandler(
  service: ModelService,
  options: RestHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { bodyLimitBytes, observer, extraRoutes } = options;

  /** Tells the observer about a request refused before the service saw it, for a model it serves (labels stay bounded). */
  function refused(model: string, version: string | undefined, error: unknown): void {
    if (observer?.infer === undefined || !service.modelReady(model, version)) return;
    observer.infer({
      model,
      version: version ?? "",
      role: "primary",
      ok: false,
      error: error instanceof ServingError ? error.code : "INTERNAL",
      queueSeconds: 0,
      computeSeconds: 0,
      totalSeconds: 0,
    });
  }

  function routingOf(req: IncomingMessage): InferOptions | undefined {
    const key = req.headers[ROUTING_KEY_HEADER];
    return typeof key === "string" && key !== "" ? { routingKey: key } : undefined;
  }

  async function inferV2(req: IncomingMessage, res: ServerResponse, model: string, version: string | undefined) {
    const body = await readBody(req, bodyLimitBytes);
    const transformer = service.transformer(model);
    let request: InferRequest;
    let context: TransformContext | undefined;
    try {
      if (transformer !== undefined) {
        if (req.headers[HEADER_LENGTH_HEADER] !== undefined) {
          throw new ServingError(
            "INVALID_ARGUMENT",
            `model "${model}" has a transformer, which takes the raw JSON body: send JSON without Inference-Header-Content-Length`,
          );
        }
        context = contextOf(req, model, "v2");
        request = await preprocess(transformer, parseJson(body, "the request body"), context);
      } else {
        request = decodeInferRequest(body, headerLengthOf(req));
      }
    } catch (error) {
      refused(model, version, error);
      throw error;
    }
    const result = await service.infer(model, version, request, routingOf(req));
    if (result.id === undefined && request.id !== undefined) result.id = request.id;
    if (transformer?.postprocess !== undefined && context !== undefined) {
      const answer = await postprocess(transformer, result, context);
      sendJson(res, 200, JSON.stringify(answer) ?? "null");
      return;
    }
    sendEncoded(res, encodeInferResult(result, request));
  }

  async function predictV1(req: IncomingMessage, res: ServerResponse, model: string) {
    const body = await readBody(req, bodyLimitBytes);
    const transformer = service.transformer(model);
    let request: InferRequest;
    let context: TransformContext | undefined;
    try {
      const payload = parseJson(body, "the request body");
      if (transformer !== undefined) {
        context = contextOf(req, model, "v1");
        request = await preprocess(transformer, payload, context);
      } else {
        request = predictRequest(payload, service.modelConfig(model));
      }
    } catch (error) {
      refused(model, undefined, error);
      throw error;
    }
    const result = await service.infer(model, undefined, request, routingOf(req));
    const answer =
      transformer?.postprocess !== undefined && context !== undefined
        ? await postprocess(transformer, result, context)
        : predictions(result);
    sendJson(res, 200, JSON.stringify(answer) ?? "null");
  }

  async function repository(req: IncomingMessage, res: ServerResponse, action: string, model: string | undefined) {
    const payload = parseJson(await readBody(req, bodyLimitBytes), "the request body");
    if (action === "index") {
      const ready = (payload as { ready?: unknown } | undefined)?.ready;
      const entries = service.repositoryIndex(ready === true ? { ready: true } : undefined);
      sendJson(res, 200, JSON.stringify(entries));
      return;
    }
    const parameters = parametersOf(payload);
    if (action === "load") await service.load(model!, parameters);
    else await service.unload(model!, parameters);
    sendEmpty(res, 200);
  }

  /** Routes `/v2/models/<m>[/versions/<v>][/<action>]`. */
  function modelRoute(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    parts: string[],
  ): Promise<void> | undefined {
    // parts: ["v2", "models", m, ...rest]
    const model = parts[2]!;
    let i = 3;
    let version: string | undefined;
    if (parts[3] === "versions") {
      if (parts.length < 5) throw notFound(method, path);
      version = parts[4]!;
      i = 5;
    }
    const action = parts[i];
    if (parts.length > i + 1) throw notFound(method, path);
    if (action === "infer") {
      if (method !== "POST") throw wrongMethod(method, path, "POST");
      return inferV2(req, res, model, version);
    }
    if (method !== "GET") throw wrongMethod(method, path, "GET");
    if (action === undefined) {
      sendJson(res, 200, JSON.stringify(service.modelMetadata(model, version)));
    } else if (action === "ready") {
      if (service.modelReady(model, version)) sendEmpty(res, 200);
      else {
        service.modelMetadata(model, version); // NOT_FOUND for a model or version the server does not know
        const what = version === undefined ? `model "${model}"` : `version ${version} of model "${model}"`;
        sendJson(res, 503, JSON.stringify({ error: `${what} is not ready` }));
      }
    } else if (action === "config") {
      sendJson(res, 200, JSON.stringify(configJson(service.modelConfig(model, version))));
    } else {
      throw notFound(method, path);
    }
    return undefined;
  }

  function dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
  ): Promise<void> | undefined {
    const raw = path.split("/");
    // "/v2/models/m" splits to ["", "v2", "models", "m"]; a trailing slash leaves an empty last part
    if (raw[raw.length - 1] === "" && raw.length > 2) raw.pop();
    const parts = raw.slice(1).map((p) => decodePart(p));
    if (parts[0] === "v2") {
      const second = parts[1];
      if (second === undefined) {
        if (method !== "GET") throw wrongMethod(method, path, "GET");
        sendJson(res, 200, JSON.stringify(service.serverMetadata()));
        return undefined;
      }
      if (second === "health" && parts.length === 3 && (parts[2] === "live" || parts[2] === "ready")) {
        if (method !== "GET") throw wrongMethod(method, path, "GET");
        const ok = parts[2] === "live" ? service.isLive() : service.isReady();
        sendEmpty(res, ok ? 200 : 503);
        return undefined;
      }
      if (second === "models" && parts.length >= 3) return modelRoute(req, res, method, path, parts);
      if (second === "repository") {
        if (parts.length === 3 && parts[2] === "index") {
          if (method !== "POST") throw wrongMethod(method, path, "POST");
          return repository(req, res, "index", undefined);
        }
        if (parts.length === 5 && parts[2] === "models" && (parts[4] === "load" || parts[4] === "unload")) {
          if (method !== "POST") throw wrongMethod(method, path, "POST");
          return repository(req, res, parts[4], parts[3]);
        }
      }
    } else if (parts[0] === "v1" && parts[1] === "models") {
      if (parts.length === 2) {
        if (method !== "GET") throw wrongMethod(method, path, "GET");
        sendJson(res, 200, JSON.stringify({ models: [...new Set(service.repositoryIndex().map((e) => e.name))] }));
        return undefined;
      }
      if (parts.length === 3) {
        const last = parts[2]!;
        if (last.endsWith(":predict")) {
          if (method !== "POST") throw wrongMethod(method, path, "POST");
          return predictV1(req, res, last.slice(0, -":predict".length));
        }
        if (method !== "GET") throw wrongMethod(method, path, "GET");
        service.modelMetadata(last); // NOT_FOUND for a model the server does not know
        sendJson(res, 200, JSON.stringify({ name: last, ready: service.modelReady(last) }));
        return undefined;
      }
    }
    if (extraRoutes?.(req, res)) return undefined;
    throw notFound(method, path);
  }

  return (req, res) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    // HEAD answers as GET does, without the body (node:http leaves it out): health probes use either
    const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
    let pending: Promise<void> | undefined;
    try {
      pending = dispatch(req, res, method, path);
    } catch (error) {
      answerError(req, res, error);
      return;
    }
    pending?.catch((error: unknown) => answerError(req, res, error));
  };
}

function decodePart(part: string): string {
  if (!part.includes("%")) return part;
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ServingError("INVALID_ARGUMENT", `the path part "${part}" is not valid percent-encoding`);
  }
}

/** Answers an error; when the body was not read (too large), closes the connection after the answer. */
function answerError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  if (!req.complete) {
    res.shouldKeepAlive = false;
    res.setHeader("connection", "close");
  }
  sendError(res, error);
  if (!req.complete) req.resume();
}
