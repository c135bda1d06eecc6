/**
 * The Weft API server: the KFP v2beta1 REST API, Weft's extension endpoints and `/docs`
 * on fastify, with a run queue executing runs through the engine and the recurring-run
 * scheduler. `createServer` builds it without a socket (tests use `app.inject`);
 * `start` recovers runs left from a previous process and begins scheduling; `listen`
 * also binds a port.
 */
import multipart from "@fastify/multipart";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import type { Engine } from "../engine/index.ts";
import { Scheduler } from "../schedule/index.ts";
import type { ServerContext, ServerOptions } from "./context.ts";
import { registerDocsRoutes } from "./docs.ts";
import { ApiError, GrpcCode, toApiError, toRpcStatus } from "./errors.ts";
import { SIZE_LIMITS } from "./limits.ts";
import { registerPrometheus } from "./prometheus.ts";
import { assertSafeBind, registerRequestGuard } from "./request-guard.ts";
import { registerArtifactRoutes } from "./routes-artifacts.ts";
import { registerExperimentRoutes } from "./routes-experiments.ts";
import { registerPipelineRoutes } from "./routes-pipelines.ts";
import { registerRecurringRunRoutes } from "./routes-recurring.ts";
import { registerRegistryRoutes } from "./routes-registry.ts";
import { registerRunRoutes } from "./routes-runs.ts";
import { registerTuningRoutes } from "./routes-tuning.ts";
import { registerWeftRoutes } from "./routes-weft.ts";
import { type RunExecutor, RunQueue } from "./run-queue.ts";
import { registerStaticUi, routeNotFound } from "./static-ui.ts";

/** How often a started server looks for runs whose owner is gone. */
export const RECOVER_INTERVAL_MS = 2000;

/** A built server: the fastify app, its shared context, and lifecycle methods. */
export interface WeftServer {
  app: FastifyInstance;
  ctx: ServerContext;
  /** Recovers runs of a previous process (orphans, queued PENDING runs) and starts the scheduler. */
  start(): void;
  /**
   * Binds `host:port` (port 0 picks a free one) after {@link start}; returns the base URL.
   * An address other machines reach is refused unless `allowRemoteUnauthenticated` is set.
   */
  listen(port: number, host?: string): Promise<string>;
  /**
   * Graceful stop within `graceMs` (default 10 s): no run or task starts from now on,
   * running tasks may finish and are recorded, the rest are killed, and every run that
   * was executing is left PENDING without an owner, which the next start resumes. Then
   * the HTTP server closes.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * A {@link RunExecutor} over the engine: a recorded PENDING run is executed with
 * `resumeRun`, which accepts a queued run without a live owner and reuses nothing for a
 * run without tasks, so the run's state history reads PENDING -> RUNNING -> final.
 */
export function engineExecutor(engine: Engine): RunExecutor {
  return {
    execute(runId) {
      const handle = engine.resumeRun(runId);
      return { events: handle.events, done: handle.done };
    },
    cancel(runId) {
      engine.cancelRun(runId);
    },
  };
}

/** JSON.parse that refuses keys which could pollute prototypes when merged. */
function parseJsonBody(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => {
    if (
      key === "__proto__" ||
      (key === "constructor" && value !== null && typeof value === "object" && "prototype" in value)
    ) {
      throw new Error(`the key "${key}" is not allowed`);
    }
    return value;
  });
}

/** Builds the server (no socket yet). Give `engine` or `executor` to execute runs. */
export function createServer(opts: ServerOptions): WeftServer {
  const executor = opts.executor ?? (opts.engine ? engineExecutor(opts.engine) : undefined);
  if (!executor) {
    throw new ApiError(
      "API_INTERNAL",
      GrpcCode.INTERNAL,
      "createServer: pass an engine (or an executor) so that runs can execute.",
    );
  }
  const clock = opts.clock ?? Date.now;
  const queue = new RunQueue({
    store: opts.store,
    executor,
    onError: (runId, err) => {
      app.log.warn({ err, runId }, "run could not be executed");
    },
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
  });
  const scheduler = new Scheduler({
    store: opts.store,
    clock,
    onFired: (runId) => queue.enqueue(runId),
    onError: (recurringRunId, err) => {
      app.log.warn({ err, recurringRunId }, "recurring run could not fire");
    },
  });
  const ctx: ServerContext = {
    store: opts.store,
    queue,
    scheduler,
    executor,
    artifactsRoot: opts.artifactsRoot,
    clock,
  };

  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: SIZE_LIMITS.requestBody,
    return503OnClosing: true,
    // open log streams must not keep a stopping server alive
    forceCloseConnections: true,
    // malformed URLs and over-long path parameters are the client's mistake: KFP error body, 400
    frameworkErrors: (err, _req, reply) => {
      const error = new ApiError("API_INVALID_ARGUMENT", GrpcCode.INVALID_ARGUMENT, `bad request URL: ${err.message}`);
      (reply as unknown as FastifyReply).status(400).send(toRpcStatus(error, err.code));
    },
  });
  let boundHost: string | undefined;
  registerRequestGuard(app, {
    allowedHosts: opts.allowedHosts ?? [],
    allowedOrigins: opts.allowedOrigins ?? [],
    boundHost: () => boundHost,
  });
  app.register(multipart, { limits: { fileSize: SIZE_LIMITS.pipelineSpec, files: 2 } });
  // KFP clients send custom-verb POSTs (`:archive`, `:terminate`) with a JSON content type
  // and no body: an empty body is no body, not malformed JSON.
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, parseJsonBody(text));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      done(
        new ApiError(
          "API_BAD_JSON",
          GrpcCode.INVALID_ARGUMENT,
          `the request body is not valid JSON (${message}); send a JSON object.`,
        ),
        undefined,
      );
    }
  });
  app.setErrorHandler((err, req, reply) => {
    const { error, reason } = toApiError(err);
    if (error.status >= 500) req.log.error({ err }, "request failed");
    reply.status(error.status).send(toRpcStatus(error, reason));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(toRpcStatus(routeNotFound(req)));
  });
  app.get("/apis/v2beta1/healthz", async () => ({ multi_user: false, pipeline_store: "database" }));
  registerPrometheus(app, ctx);
  app.register(async (scope) => {
    registerPipelineRoutes(scope, ctx);
    registerExperimentRoutes(scope, ctx);
    registerRunRoutes(scope, ctx);
    registerRecurringRunRoutes(scope, ctx);
    registerWeftRoutes(scope, ctx);
    registerTuningRoutes(scope, ctx, { engine: opts.engine });
    registerArtifactRoutes(scope, ctx);
    registerRegistryRoutes(scope, ctx);
    registerDocsRoutes(scope);
  });
  registerStaticUi(app, opts.uiDir);

  let started = false;
  let recovering: NodeJS.Timeout | undefined;
  const start = (): void => {
    if (started) return;
    started = true;
    opts.engine?.recoverOrphans();
    if (opts.engine) {
      // Runs of other processes (a killed `weft run`, an owner stalled past its lease) are
      // recovered while the server is up, so a terminate always ends in a terminal state.
      const engine = opts.engine;
      recovering = setInterval(() => {
        try {
          engine.recoverOrphans();
        } catch (err) {
          app.log.warn({ err }, "recovering orphaned runs failed");
        }
      }, RECOVER_INTERVAL_MS);
      recovering.unref();
    }
    queue.recover();
    if (opts.schedulerIntervalMs !== false) {
      scheduler.tick();
      scheduler.start(opts.schedulerIntervalMs ?? 1000);
    }
  };
  return {
    app,
    ctx,
    start,
    async listen(port, host = "127.0.0.1") {
      assertSafeBind(host, opts.allowRemoteUnauthenticated === true);
      boundHost = host;
      start();
      await app.listen({ port, host });
      const addr = app.server.address();
      const actualPort = typeof addr === "object" && addr ? addr.port : port;
      return `http://${host.includes(":") ? `[${host}]` : host}:${actualPort}`;
    },
    async close(graceMs = 10_000) {
      scheduler.stop();
      if (recovering) clearInterval(recovering);
      const stopping = queue.stop(graceMs);
      await opts.engine?.shutdown(graceMs);
      await stopping;
      await app.close();
    },
  };
}
