/**
 * The registry's routes on the API server: every route of `registryRoutes()` (MLflow
 * tracking and model registry under `/api/2.0/mlflow/`, Weft's model and step-metric
 * routes), GET parameters from the query string and the others from the JSON body,
 * errors as MLflow's `{"error_code", "message"}` bodies. An unknown path under
 * `/api/2.0/mlflow/` is 404 ENDPOINT_NOT_FOUND. The server's request guard applies as to
 * every route.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { errorBody, MLFLOW_API, registryRoutes, toMlflowError } from "../registry/http/dispatch.ts";
import { MlflowError } from "../registry/http/route.ts";
import type { ServerContext } from "./context.ts";

function paramsOf(req: FastifyRequest, method: string): Record<string, unknown> {
  const source = method === "GET" ? req.query : req.body;
  if (source === undefined || source === null) return {};
  if (typeof source !== "object" || Array.isArray(source)) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", "the request body must be a JSON object");
  }
  return source as Record<string, unknown>;
}

/** Mounts the registry's route table on `app`. */
export function registerRegistryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.register(async (scope) => {
    scope.setErrorHandler((err, req, reply) => {
      const e = toMlflowError(err);
      if (e.status >= 500) req.log.error({ err }, "request failed");
      reply.status(e.status).send(errorBody(e));
    });
    for (const r of registryRoutes()) {
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
