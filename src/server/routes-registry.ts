/**
 * The registry's routes on the API server: every route of `registryRoutes()` (MLflow
 * tracking and model registry under `/api/2.0/mlflow/`, Weft's model and step-metric
 * routes), GET parameters from the query string and the others from the JSON body,
 * errors as MLflow's `{"error_code", "message"}` bodies. An unknown path under
 * `/api/2.0/mlflow/` is 404 ENDPOINT_NOT_FOUND. The server's request guard applies as to
 * every route.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  checkContentType,
  errorBody,
  MAX_BODY_BYTES,
  MLFLOW_API,
  MlflowError,
  registryRoutes,
  toMlflowError,
} from "../registry/index.ts";
import type { ServerContext } from "./context.ts";

function objectOf(source: unknown): Record<string, unknown> {
  if (source === undefined || source === null) return {};
  if (typeof source !== "object" || Array.isArray(source)) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", "the request body must be a JSON object");
  }
  return source as Record<string, unknown>;
}

/** GET: the query string; DELETE: the query string and the JSON body (the body wins); others: the body. */
function paramsOf(req: FastifyRequest, method: string): Record<string, unknown> {
  if (method === "GET") return objectOf(req.query);
  if (method === "DELETE") return { ...objectOf(req.query), ...objectOf(req.body) };
  return objectOf(req.body);
}

/** Mounts the registry's route table on `app`. */
export function registerRegistryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.register(async (scope) => {
    scope.setErrorHandler((err, req, reply) => {
      const e = toMlflowError(err);
      if (e.status >= 500) req.log.error({ err }, "request failed");
      reply.status(e.status).send(errorBody(e));
    });
    const binaryTypes = new Set(registryRoutes().flatMap((r) => (r.binaryBody ? [r.binaryBody] : [])));
    for (const type of binaryTypes) {
      scope.addContentTypeParser(type, { parseAs: "buffer", bodyLimit: MAX_BODY_BYTES }, (_req, body, done) =>
        done(null, body),
      );
    }
    for (const r of registryRoutes()) {
      if (r.binaryBody !== undefined) {
        const type = r.binaryBody;
        scope.route({
          method: r.method,
          url: r.path,
          handler: async (req) => {
            checkContentType(req.headers["content-type"], type);
            const raw = req.body instanceof Uint8Array ? req.body : new Uint8Array(0);
            const body = await r.handle(
              { params: {}, pathParams: (req.params ?? {}) as Record<string, string>, raw },
              { store: ctx.store },
            );
            return body ?? {};
          },
        });
        continue;
      }
      scope.route({
        method: r.method,
        url: r.path,
        handler: async (req) => {
          const body = await r.handle(
            { params: paramsOf(req, r.method), pathParams: (req.params ?? {}) as Record<string, string> },
            { store: ctx.store },
          );
          return body ?? {};
        },
      });
    }
    scope.all(`${MLFLOW_API}/*`, async (req) => {
      throw new MlflowError(
        "ENDPOINT_NOT_FOUND",
        `no endpoint ${req.method} ${req.url.split("?")[0]}; see MLflow's REST API for the paths served`,
      );
    });
  });
}
