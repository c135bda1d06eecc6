/**
 * Remote mode: with `weft --host URL` (or `WEFT_HOST`), `run`, `runs` and `experiments`
 * talk to a Weft server (or a Kubeflow Pipelines endpoint) through {@link WeftClient}
 * instead of opening `$WEFT_HOME`. This file opens the client, turns its failures into
 * CLI errors and finds the run a command argument names.
 */
import { type ApiRun, ClientError, WeftClient } from "../../client/index.ts";
import { CliError, ExitCode } from "../errors.ts";

/** An open connection of remote mode. */
export interface Remote {
  /** The base URL, as given. */
  host: string;
  client: WeftClient;
}

export { hostOf } from "./host.ts";

/** Rejects local-only options in remote mode with a usage error naming them. */
export function rejectLocalOnly(command: string, given: Record<string, boolean>): void {
  const names = Object.entries(given)
    .filter(([, on]) => on)
    .map(([n]) => n);
  if (names.length > 0) {
    throw new CliError(
      "BAD_OPTION",
      `${command}: ${names.join(", ")} only work${names.length === 1 ? "s" : ""} locally; drop ${names.length === 1 ? "it" : "them"} or run without --host / WEFT_HOST`,
    );
  }
}

function statusText(status: number): string {
  const names: Record<number, string> = {
    400: "bad request",
    401: "unauthenticated",
    403: "permission denied",
    404: "not found",
    409: "conflict",
    500: "internal error",
    503: "unavailable",
  };
  return names[status] ?? `HTTP ${status}`;
}

/** A {@link ClientError} as a {@link CliError} that says what the server answered, in words. */
export function remoteError(host: string, err: ClientError): CliError {
  if (err.code === "CLIENT_NETWORK" || err.code === "CLIENT_TIMEOUT") {
    const why =
      err.cause instanceof Error ? ((err.cause.cause as Error | undefined)?.message ?? err.cause.message) : "";
    return new CliError(
      "REMOTE_UNREACHABLE",
      `cannot reach the Weft server at ${host}${why ? ` (${why})` : ""}; check the URL given with --host or WEFT_HOST and that the server runs (weft server)`,
      { exitCode: ExitCode.failed, cause: err },
    );
  }
  if (err.code === "CLIENT_BAD_INPUT") return new CliError("BAD_OPTION", err.message, { cause: err });
  const body = err.body as { message?: unknown; error?: unknown } | undefined;
  const said =
    typeof body?.message === "string" ? body.message : typeof body?.error === "string" ? body.error : err.message;
  const status = err.status ?? 0;
  return new CliError(
    "REMOTE_REQUEST_FAILED",
    `the server at ${host} refused the request (${statusText(status)}): ${said}`,
    { exitCode: status === 400 || status === 404 ? ExitCode.usage : ExitCode.failed, cause: err },
  );
}

/**
 * Opens the client for `host`, runs `fn` with it and turns client failures into
 * {@link CliError}s (exit 2 for a request the server rejected as bad or unknown, else 1).
 */
export async function withRemote<T>(host: string, fn: (remote: Remote) => Promise<T>): Promise<T> {
  let client: WeftClient;
  try {
    client = new WeftClient({ host });
  } catch (err) {
    if (err instanceof ClientError) throw remoteError(host, err);
    throw err;
  }
  try {
    return await fn({ host, client });
  } catch (err) {
    if (err instanceof ClientError) throw remoteError(host, err);
    throw err;
  }
}

/**
 * The run `ref` names on the server: its id, a unique id prefix (4+ characters) or its
 * display name (the newest run of that name).
 *
 * @throws CliError `RUN_NOT_FOUND`
 */
export async function resolveRemoteRun({ host, client }: Remote, ref: string): Promise<ApiRun> {
  try {
    return await client.getRun(ref);
  } catch (err) {
    if (!(err instanceof ClientError) || (err.status !== 404 && err.status !== 400)) throw err;
  }
  if (ref.length >= 4 && /^[0-9a-f-]+$/i.test(ref)) {
    const page = await client.listRuns({ filter: [{ key: "run_id", op: "IS_SUBSTRING", value: ref }], pageSize: 20 });
    const matches = page.items.filter((r) => r.run_id.startsWith(ref));
    if (matches.length > 1) {
      throw new CliError(
        "RUN_NOT_FOUND",
        `run id prefix "${ref}" matches ${matches.length} runs on ${host} (${matches.map((r) => r.run_id).join(", ")}); give more characters`,
      );
    }
    if (matches[0]) return client.getRun(matches[0].run_id);
  }
  const named = await client.listRuns({
    filter: [{ key: "display_name", op: "EQUALS", value: ref }],
    sortBy: "created_at desc",
    pageSize: 1,
  });
  if (named.items[0]) return client.getRun(named.items[0].run_id);
  throw new CliError(
    "RUN_NOT_FOUND",
    `no run with id or name "${ref}" on ${host}; list runs with: weft --host ${host} runs list`,
  );
}

/** Milliseconds since the epoch of an RFC 3339 time, or `undefined`. */
export function parseTime(at: string | undefined): number | undefined {
  if (!at) return undefined;
  const ms = Date.parse(at);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
