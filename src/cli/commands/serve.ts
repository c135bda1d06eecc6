/**
 * `weft serve [SOURCE...] [--repository DIR]`: serves models over the Open Inference
 * Protocol (REST and gRPC), KServe's v1 protocol and the model repository extension, with
 * `/metrics` in Prometheus format on the REST port and an optional sampled request log.
 * A source is a `models:/` URI (`models:/fraud-detector@champion`), a model file (`.onnx`,
 * a TensorFlow.js `model.json`) or a Triton model folder; `--repository` serves a Triton
 * model repository. Prints the URLs and the served models, then runs until SIGINT or
 * SIGTERM, when it stops taking requests, answers those it accepted and exits 0.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { ModelSource, SourceSpec } from "../../serving/index.ts";
import { checkBindHost } from "../bind.ts";
import { CliError, ExitCode } from "../errors.ts";
import { collectParam } from "../option-parsers.ts";

/** Options of `weft serve` as commander gives them. */
export interface ServeCommandOptions {
  name?: string;
  repository?: string;
  host: string;
  port: string;
  /** `--grpc-port N`; `--no-grpc` makes it `false`. */
  grpcPort: string;
  grpc: boolean;
  canary?: string;
  shadow?: string;
  followAlias?: boolean;
  aliasInterval: string;
  transformer?: string[];
  workers?: string;
  maxBatchSize?: string;
  maxQueueDelayUs?: string;
  maxBodyMb: string;
  requestLog?: string;
  logSample?: string;
  allowRemoteUnauthenticated?: boolean;
}

/** The served configuration `weft serve` builds from its options (tested apart from the servers). */
export interface ServePlan {
  specs: SourceSpec[];
  host: string;
  port: number;
  /** Undefined: no gRPC server. */
  grpcPort?: number;
  canary?: { model?: string; target: string; percent: number };
  shadow?: { model?: string; target: string };
  followAliasMs?: number;
  transformers: { model?: string; file: string }[];
  workers?: number;
  maxBatchSize?: number;
  maxQueueDelayUs?: number;
  bodyLimitBytes: number;
  requestLog?: { file?: string; sample: number };
}

function integer(value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    throw new CliError(
      "BAD_OPTION",
      `${flag} "${value}" must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? " up" : ` to ${max}`}`,
    );
  }
  return n;
}

/** `[MODEL:]TARGET`: the model is optional when one model is served. */
function modelAndTarget(value: string, flag: string, example: string): { model?: string; target: string } {
  const colon = value.lastIndexOf(":");
  const model = colon > 0 ? value.slice(0, colon) : undefined;
  const target = colon > 0 ? value.slice(colon + 1) : value;
  if (target === "" || model === "" || /\s/.test(target)) {
    throw new CliError(
      "BAD_OPTION",
      `${flag} "${value}" must name the version or alias to send traffic to, as ${example}`,
    );
  }
  return model === undefined ? { target } : { model, target };
}

/** Weft's version, from its `package.json` (three folders up from `src/` and `dist/` alike). */
function weftVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
      version?: unknown;
    };
    return typeof pkg.version === "string" ? pkg.version : "0";
  } catch {
    return "0";
  }
}

/** Reads and checks `weft serve`'s options; throws `CliError` BAD_OPTION naming the flag. */
export function servePlan(sources: string[], opts: ServeCommandOptions): ServePlan {
  if (sources.length === 0 && !opts.repository) {
    throw new CliError(
      "BAD_OPTION",
      "nothing to serve: give a model URI (models:/NAME@ALIAS), a model file (model.onnx, model.json) or --repository DIR",
    );
  }
  if (opts.name !== undefined && sources.length !== 1) {
    throw new CliError(
      "BAD_OPTION",
      `--name ${opts.name} names one model: give exactly one SOURCE with it (got ${sources.length})`,
    );
  }
  const specs: SourceSpec[] = sources.map((source) => (opts.name ? { source, name: opts.name } : { source }));
  if (opts.repository) specs.push({ source: opts.repository, repository: true });

  checkBindHost(
    "weft serve",
    opts.host,
    opts.allowRemoteUnauthenticated === true,
    "could load, unload and query models",
  );
  const port = integer(opts.port, "--port", 0, 65535);
  const grpcPort = opts.grpc === false ? undefined : integer(opts.grpcPort, "--grpc-port", 0, 65535);
  if (grpcPort !== undefined && grpcPort !== 0 && grpcPort === port) {
    throw new CliError("BAD_OPTION", `--grpc-port ${grpcPort} is also --port: give gRPC another port, or --no-grpc`);
  }

  const plan: ServePlan = {
    specs,
    host: opts.host,
    port,
    ...(grpcPort === undefined ? {} : { grpcPort }),
    transformers: [],
    bodyLimitBytes: Math.round(Number(opts.maxBodyMb) * 1024 * 1024),
  };
  if (!(plan.bodyLimitBytes > 0)) {
    throw new CliError("BAD_OPTION", `--max-body-mb "${opts.maxBodyMb}" must be a positive number of MiB`);
  }
  if (opts.canary !== undefined) {
    const eq = opts.canary.lastIndexOf("=");
    const pct = /^(\d+(?:\.\d+)?)%?$/.exec(eq > 0 ? opts.canary.slice(eq + 1) : "");
    const percent = pct ? Number(pct[1]) : Number.NaN;
    if (eq <= 0 || !(percent >= 0 && percent <= 100)) {
      throw new CliError(
        "BAD_OPTION",
        `--canary "${opts.canary}" must be [MODEL:]VERSION_OR_ALIAS=PERCENT%, e.g. --canary challenger=10% (percent from 0 to 100)`,
      );
    }
    plan.canary = { ...modelAndTarget(opts.canary.slice(0, eq), "--canary", "--canary challenger=10%"), percent };
  }
  if (opts.shadow !== undefined) {
    plan.shadow = modelAndTarget(opts.shadow, "--shadow", "--shadow challenger or --shadow fraud:4");
  }
  if (opts.followAlias) plan.followAliasMs = integer(opts.aliasInterval, "--alias-interval", 50);
  for (const t of opts.transformer ?? []) {
    const eq = t.indexOf("=");
    const model = eq > 0 ? t.slice(0, eq) : undefined;
    const file = eq > 0 ? t.slice(eq + 1) : t;
    if (file === "" || eq === 0) {
      throw new CliError(
        "BAD_OPTION",
        `--transformer "${t}" must be [MODEL=]FILE.ts, e.g. --transformer fraud=./transformer.ts`,
      );
    }
    plan.transformers.push(model === undefined ? { file } : { model, file });
  }
  if (opts.workers !== undefined) plan.workers = integer(opts.workers, "--workers", 1, 1024);
  if (opts.maxBatchSize !== undefined) plan.maxBatchSize = integer(opts.maxBatchSize, "--max-batch-size", 1);
  if (opts.maxQueueDelayUs !== undefined) {
    plan.maxQueueDelayUs = integer(opts.maxQueueDelayUs, "--max-queue-delay-us", 0);
  }
  if (opts.requestLog !== undefined || opts.logSample !== undefined) {
    const sample = opts.logSample === undefined ? 1 : Number(opts.logSample);
    if (!(sample >= 0 && sample <= 1) || opts.logSample?.trim() === "") {
      throw new CliError(
        "BAD_OPTION",
        `--log-sample "${opts.logSample}" must be a fraction from 0 to 1 (0.1 logs one successful request in ten)`,
      );
    }
    plan.requestLog = { ...(opts.requestLog === undefined ? {} : { file: opts.requestLog }), sample };
  }
  return plan;
}

/** The one served model an option without `MODEL` refers to; throws naming the flag otherwise. */
function onlyModel(sources: ModelSource[], model: string | undefined, flag: string): string {
  if (model !== undefined) {
    if (!sources.some((s) => s.name === model)) {
      throw new CliError(
        "BAD_OPTION",
        `${flag} names model "${model}", which is not served; served: ${sources.map((s) => s.name).join(", ")}`,
      );
    }
    return model;
  }
  if (sources.length !== 1) {
    throw new CliError(
      "BAD_OPTION",
      `${flag} needs the model it applies to when several are served (${sources.map((s) => s.name).join(", ")}): write MODEL:... or MODEL=...`,
    );
  }
  return (sources[0] as ModelSource).name;
}

/** Starts the servers and resolves with the exit code once a signal stopped them. */
export async function runServe(sources: string[], opts: ServeCommandOptions): Promise<number> {
  const plan = servePlan(sources, opts);
  const serving = await import("../../serving/index.ts");
  // a serving error ends the command with its own code (error[NOT_FOUND], error[MODEL_INVALID]);
  // `exitCodeOf` makes those that mean bad input exit 2
  const modelSources: ModelSource[] = await serving.resolveSources(plan.specs, {});
  const cleanup: (() => Promise<void> | void)[] = [
    () => {
      for (const s of modelSources) s.close();
    },
  ];
  // stops what was started, newest first: servers, then the service (draining), the log, the sources
  const runCleanup = async () => {
    for (const f of cleanup.splice(0).reverse()) {
      try {
        await f();
      } catch {
        // a part that fails to stop does not keep the others running
      }
    }
  };
  try {
    const transformers: Record<string, import("../../serving/index.ts").Transformer> = {};
    for (const t of plan.transformers) {
      const model = onlyModel(modelSources, t.model, "--transformer");
      transformers[model] = await serving.loadTransformer(t.file);
    }
    const metrics = serving.createServingMetrics();
    let requestLog: import("../../serving/index.ts").RequestLog | undefined;
    if (plan.requestLog) {
      requestLog = serving.createRequestLog(plan.requestLog);
      const log = requestLog;
      cleanup.push(() => log.close());
    }
    const override = (source: ModelSource): ModelSource =>
      plan.maxBatchSize === undefined && plan.maxQueueDelayUs === undefined
        ? source
        : serving.withBatchingOverrides(source, {
            ...(plan.maxBatchSize === undefined ? {} : { maxBatchSize: plan.maxBatchSize }),
            ...(plan.maxQueueDelayUs === undefined ? {} : { maxQueueDelayMicroseconds: plan.maxQueueDelayUs }),
          });
    const observer = serving.combineObservers(metrics.observer, requestLog?.observer);
    const service = await serving.createModelService(modelSources.map(override), {
      observer,
      // the repository extension's `load` with a `uri` parameter (deployModel's) reads it as a SOURCE
      resolveSource: async (spec: string, name: string) => {
        const [source] = await serving.resolveSources([{ source: spec, name }], {});
        if (!source) throw new serving.ServingError("NOT_FOUND", `${spec} holds no model to load as ${name}`);
        return override(source);
      },
      server: { name: "weft", version: weftVersion() },
      ...(plan.canary
        ? {
            canary: {
              model: onlyModel(modelSources, plan.canary.model, "--canary"),
              target: plan.canary.target,
              percent: plan.canary.percent,
            },
          }
        : {}),
      ...(plan.shadow
        ? { shadow: { model: onlyModel(modelSources, plan.shadow.model, "--shadow"), target: plan.shadow.target } }
        : {}),
      ...(plan.followAliasMs === undefined ? {} : { followAliases: { intervalMs: plan.followAliasMs } }),
      ...(plan.workers === undefined ? {} : { workers: plan.workers }),
      ...(Object.keys(transformers).length ? { transformers } : {}),
    });
    cleanup.push(() => service.close());
    metrics.watch(service);
    const rest = await listen("REST", plan.host, plan.port, () =>
      serving.startRestServer(service, {
        host: plan.host,
        port: plan.port,
        bodyLimitBytes: plan.bodyLimitBytes,
        observer,
        extraRoutes: serving.metricsRoute(metrics),
      }),
    );
    cleanup.push(() => rest.close());
    const grpc =
      plan.grpcPort === undefined
        ? undefined
        : await listen("gRPC", plan.host, plan.grpcPort, () =>
            serving.startGrpcServer(service, { host: plan.host, port: plan.grpcPort as number }),
          );
    if (grpc) cleanup.push(() => grpc.close());

    const lines = [`weft serve: REST ${rest.url} (Open Inference Protocol v2, KServe v1, /metrics)`];
    if (grpc) lines.push(`weft serve: gRPC ${hostPort(plan.host, grpc.port)} (inference.GRPCInferenceService)`);
    for (const entry of service.repositoryIndex()) {
      const source = modelSources.find((s) => s.name === entry.name);
      lines.push(
        `weft serve: model ${entry.name} version ${entry.version ?? "-"} ${entry.state}${source ? ` from ${source.origin}` : ""}`,
      );
    }
    if (plan.canary) lines.push(`weft serve: canary ${plan.canary.target} gets ${plan.canary.percent}% of requests`);
    if (plan.shadow) lines.push(`weft serve: shadow ${plan.shadow.target} sees a copy of every request`);
    if (requestLog)
      lines.push(`weft serve: request log to ${requestLog.destination}, sample ${plan.requestLog?.sample}`);
    process.stdout.write(`${lines.join("\n")}\n`);
  } catch (err) {
    await runCleanup();
    throw err;
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stdout.write(`weft serve: ${signal} again, exiting now\n`);
        process.exit(ExitCode.interrupted);
      }
      stopping = true;
      process.stdout.write(`weft serve: ${signal}, answering the requests already accepted, then stopping\n`);
      runCleanup().finally(() => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        process.stdout.write("weft serve: stopped\n");
        resolve(0);
      });
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

function hostPort(host: string, port: number): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

async function listen<T>(what: string, host: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/EADDRINUSE|EACCES|EADDRNOTAVAIL|No address added/i.test(message)) {
      throw new CliError(
        "BAD_OPTION",
        `cannot listen for ${what} on ${hostPort(host, port)} (${message}); pick another ${what === "gRPC" ? "--grpc-port (or --no-grpc)" : "--port"} or stop the process using it`,
        { exitCode: ExitCode.failed },
      );
    }
    throw err;
  }
}

/** Registers `weft serve` on `program`. */
export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("serve models over the Open Inference Protocol (REST, gRPC) and KServe v1, with /metrics")
    .argument("[sources...]", "models:/NAME@ALIAS (or /VERSION, /STAGE, /latest), a model.onnx, a tfjs model.json")
    .option("--name <name>", "the name one model file is served under (default: the file's name)")
    .option(
      "--repository <dir>",
      "serve a Triton model repository (<model>/config.pbtxt, <model>/<version>/model.onnx)",
    )
    .option("--host <address>", "address to bind", "127.0.0.1")
    .option("--port <port>", "REST port (0 picks a free one)", "8000")
    .option("--grpc-port <port>", "gRPC port (0 picks a free one)", "8001")
    .option("--no-grpc", "do not start the gRPC server")
    .option("--canary <spec>", "[MODEL:]VERSION_OR_ALIAS=PCT%: send that share of requests to another version")
    .option(
      "--shadow <spec>",
      "[MODEL:]VERSION_OR_ALIAS: mirror every request to another version, record, never answer",
    )
    .option("--follow-alias", "follow the registry alias a models:/NAME@ALIAS source names as it moves")
    .option("--alias-interval <ms>", "with --follow-alias: how often the alias is read", "1000")
    .option("--transformer <spec>", "[MODEL=]FILE.ts: a transformer in front of a model (repeatable)", collectParam)
    .option(
      "--workers <n>",
      "ONNX Runtime worker threads per model version (default: the config's instance_group count, else the cores)",
    )
    .option("--max-batch-size <n>", "override every batching model's max_batch_size")
    .option("--max-queue-delay-us <us>", "override every batching model's max_queue_delay_microseconds")
    .option("--max-body-mb <mib>", "largest request body accepted", "64")
    .option("--request-log <file>", "append one JSON line per request to FILE (default with --log-sample: stderr)")
    .option("--log-sample <fraction>", "fraction of successful requests logged (failures always are)")
    .option("--allow-remote-unauthenticated", "listen on a non-loopback --host although nothing authenticates requests")
    .action(async (sources: string[], opts: ServeCommandOptions) => {
      process.exitCode = await runServe(sources, opts);
    });
}
