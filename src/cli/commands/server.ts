/**
 * `weft server [--port 8888] [--host 127.0.0.1]`: serves the KFP v2beta1 REST API, Weft's
 * extension endpoints, `/docs` and the web UI over `$WEFT_HOME`, executing runs in this process.
 * Runs until SIGINT or SIGTERM, then stops gracefully within `--grace` seconds: no task
 * starts after the signal, running tasks may finish and are recorded, the rest are
 * killed, and unfinished runs are left PENDING, which the next start resumes (reusing
 * finished tasks). A second signal exits at once. A restart after a crash marks runs
 * whose process died.
 * The server answers only requests addressed to it (`--allowed-host` adds
 * names, `--allowed-origin` adds web origins) and refuses to bind an address other machines
 * reach unless `--allow-remote-unauthenticated` is given.
 */
import { join } from "node:path";
import type { Command } from "commander";
import { createServer } from "../../server/index.ts";
import { describeHome } from "../../store/index.ts";
import { checkBindHost } from "../bind.ts";
import { loadEngine, openContext } from "../context.ts";
import { CliError, ExitCode } from "../errors.ts";
import { collectParam } from "../option-parsers.ts";

/** Options of `weft server`. */
export interface ServerCommandOptions {
  port: string;
  host: string;
  concurrency: string;
  maxParallel?: string;
  /** `--strict-resources`: runs fail tasks whose resources or Kubernetes settings this machine cannot honour. */
  strictResources?: boolean;
  /** Seconds a SIGTERM/SIGINT gives running tasks before the server exits (default 10). */
  grace?: string;
  log?: boolean;
  /** `--allowed-host NAME` (repeatable): more names the Host header may carry. */
  allowedHost?: string[];
  /** `--allowed-origin URL` (repeatable): more web origins whose pages may change state. */
  allowedOrigin?: string[];
  /** `--allow-remote-unauthenticated`: bind a non-loopback address although nothing authenticates. */
  allowRemoteUnauthenticated?: boolean;
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

/** `--allowed-origin` values must be `http(s)://host[:port]` origins; returns them in canonical form. */
function origins(values: string[] | undefined): string[] {
  return (values ?? []).map((value) => {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== value.replace(/\/$/, "")) {
      throw new CliError("BAD_OPTION", `--allowed-origin "${value}" must be an origin such as http://localhost:5173`);
    }
    return url.origin;
  });
}

/** `--allowed-host` values must be host names or addresses, optionally with `:port`. */
function hostNames(values: string[] | undefined): string[] {
  return (values ?? []).map((value) => {
    if (!/^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::\d{1,5})?$/.test(value)) {
      throw new CliError(
        "BAD_OPTION",
        `--allowed-host "${value}" must be a host name or address, optionally with :port`,
      );
    }
    return value;
  });
}

/**
 * Refuses a non-loopback `--host` without `--allow-remote-unauthenticated`, and warns on
 * stderr when it is given: nothing authenticates requests, and a run executes code.
 */
function checkBind(host: string, force: boolean): void {
  if (!checkBindHost("weft server", host, force, "could submit pipelines that run code as you")) return;
  process.stderr.write(
    `weft server: WARNING: listening on ${host} without authentication (--allow-remote-unauthenticated): anyone who can reach this address can submit pipelines that run code as you; use it only on a network you trust.\n`,
  );
}

/** Starts the server and resolves with the exit code once it was stopped by a signal. */
export async function serve(opts: ServerCommandOptions): Promise<number> {
  const port = positiveInt(opts.port, "--port", true);
  if (port > 65535) throw new CliError("BAD_OPTION", `--port ${port} must be at most 65535`);
  const concurrency = positiveInt(opts.concurrency, "--concurrency");
  const allowedHosts = hostNames(opts.allowedHost);
  const allowedOrigins = origins(opts.allowedOrigin);
  checkBind(opts.host, opts.allowRemoteUnauthenticated === true);
  const graceMs = positiveInt(opts.grace ?? "10", "--grace", true) * 1000;
  await loadEngine();
  const ctx = openContext();
  const engine = ctx.engine({
    ...(opts.maxParallel ? { maxParallel: positiveInt(opts.maxParallel, "--max-parallel") } : {}),
    ...(opts.strictResources ? { strictResources: true } : {}),
  });
  const server = createServer({
    store: ctx.store,
    engine,
    artifactsRoot: join(ctx.home, "artifacts"),
    concurrency,
    logger: opts.log ?? false,
    allowedHosts,
    allowedOrigins,
    allowRemoteUnauthenticated: opts.allowRemoteUnauthenticated === true,
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
  process.stdout.write(
    `weft server: ${url}; web UI at ${url}/, API docs at ${url}/docs\nweft server: state in ${describeHome(ctx.resolution)}\n`,
  );
  opts.onListening?.(url);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stdout.write(
          `weft server: ${signal} again, exiting now; runs still executing are marked as interrupted on the next start\n`,
        );
        process.exit(ExitCode.interrupted);
      }
      stopping = true;
      process.stdout.write(
        `weft server: ${signal}, stopping within ${graceMs / 1000} s; no new task starts, unfinished runs resume on the next start\n`,
      );
      server
        .close(graceMs)
        .catch(() => undefined)
        .finally(() => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          ctx.close();
          resolve(0);
        });
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** Adds `--allowed-host`, `--allowed-origin` and `--allow-remote-unauthenticated` to `command`. */
export function bindSafetyOptions(command: Command): Command {
  return command
    .option(
      "--allowed-host <name>",
      "another name (or name:port) the server answers to, e.g. a proxy's (repeatable)",
      collectParam,
    )
    .option("--allowed-origin <url>", "another web origin whose pages may change state (repeatable)", collectParam)
    .option(
      "--allow-remote-unauthenticated",
      "listen on a non-loopback --host although nothing authenticates requests (prints a warning)",
    );
}

/** Registers `weft server` on `program`. */
export function registerServerCommand(program: Command): void {
  const command = program
    .command("server")
    .description("serve the Kubeflow Pipelines v2beta1 API, /docs and the web UI over $WEFT_HOME")
    .option("--port <port>", "TCP port (0 picks a free one)", "8888")
    .option("--host <address>", "address to bind", "127.0.0.1")
    .option("--concurrency <n>", "runs executed at once", "4")
    .option(
      "--max-parallel <n>",
      "tasks executed at once across runs (default: twice the cores, fewer when memory or the open-file limit is low)",
    )
    .option(
      "--strict-resources",
      "fail a task whose CPU, memory or GPU request exceeds this machine, or that needs a Kubernetes secret, config map or volume (default: run it, noting in its log what was not honoured)",
    )
    .option("--grace <seconds>", "on SIGTERM/SIGINT, how long running tasks may finish before the server exits", "10")
    .option("--log", "log every request");
  bindSafetyOptions(command).action(async (opts: ServerCommandOptions) => {
    process.exitCode = await serve(opts);
  });
}
