/**
 * `weft server [--port 8888] [--host 127.0.0.1]`: serves the KFP v2beta1 REST API, Weft's
 * extension endpoints, `/docs` and the web UI over `$WEFT_HOME`, executing runs in this process.
 * Runs until SIGINT or SIGTERM; a restart resumes queued runs and marks runs whose
 * process died.
 */
import { join } from "node:path";
import type { Command } from "commander";
import { createServer } from "../../server/index.ts";
import { openContext } from "../context.ts";
import { CliError, ExitCode } from "../errors.ts";

/** Options of `weft server`. */
export interface ServerCommandOptions {
  port: string;
  host: string;
  concurrency: string;
  maxParallel?: string;
  log?: boolean;
  /** Called once the server listens, with its base URL (`weft ui` opens a browser there). */
  onListening?: (url: string) => void;
}

function positiveInt(value: string, flag: string, allowZero = false): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new CliError("BAD_OPTION", `${flag} "${value}" must be a ${allowZero ? "non-negative" : "positive"} integer`);
  }
  return n;
}

/** Starts the server and resolves with the exit code once it was stopped by a signal. */
export async function serve(opts: ServerCommandOptions): Promise<number> {
  const port = positiveInt(opts.port, "--port", true);
  if (port > 65535) throw new CliError("BAD_OPTION", `--port ${port} must be at most 65535`);
  const concurrency = positiveInt(opts.concurrency, "--concurrency");
  const ctx = openContext();
  const engine = ctx.engine(opts.maxParallel ? { maxParallel: positiveInt(opts.maxParallel, "--max-parallel") } : {});
  const server = createServer({
    store: ctx.store,
    engine,
    artifactsRoot: join(ctx.home, "artifacts"),
    concurrency,
    logger: opts.log ?? false,
  });
  let url: string;
  try {
    url = await server.listen(port, opts.host);
  } catch (err) {
    ctx.close();
    const message = err instanceof Error ? err.message : String(err);
    throw new CliError(
      "BAD_OPTION",
      `cannot listen on ${opts.host}:${port} (${message}); pick another --port or stop the process using it`,
      { exitCode: ExitCode.failed },
    );
  }
  process.stdout.write(`weft server: ${url} (home ${ctx.home}); web UI at ${url}/, API docs at ${url}/docs\n`);
  opts.onListening?.(url);
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      process.stdout.write(`weft server: ${signal}, stopping\n`);
      server
        .close()
        .catch(() => undefined)
        .finally(() => {
          ctx.close();
          resolve(0);
        });
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** Registers `weft server` on `program`. */
export function registerServerCommand(program: Command): void {
  program
    .command("server")
    .description("serve the Kubeflow Pipelines v2beta1 API, /docs and the web UI over $WEFT_HOME")
    .option("--port <port>", "TCP port (0 picks a free one)", "8888")
    .option("--host <address>", "address to bind", "127.0.0.1")
    .option("--concurrency <n>", "runs executed at once", "4")
    .option(
      "--max-parallel <n>",
      "tasks executed at once across runs (default: twice the cores, fewer when memory or the open-file limit is low)",
    )
    .option("--log", "log every request")
    .action(async (opts: ServerCommandOptions) => {
      process.exitCode = await serve(opts);
    });
}
