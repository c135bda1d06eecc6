/**
 * `weft runs cancel` and `weft runs retry`: act on a run through the engine. Cancel
 * works across processes (the store carries the request to the owning process).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { loadEngine, openContext, withRecoveredContext } from "../context.ts";
import { CliError, ExitCode } from "../errors.ts";
import { isTerminalState } from "../format.ts";
import { followRun } from "../progress/follow.ts";
import { resolveRun } from "../resolve.ts";

/** Options of `weft runs cancel`. */
export interface RunsCancelOptions {
  /** Seconds to wait for the run to reach CANCELED; 0 returns at once. */
  wait: number;
}

/** Requests cancellation and waits for the owner to record it; returns the exit code. */
export async function runsCancel(ref: string, opts: RunsCancelOptions): Promise<number> {
  return withRecoveredContext(async (ctx) => {
    const run = resolveRun(ctx.store, ref);
    if (isTerminalState(run.state)) {
      process.stdout.write(`run ${run.id} already ended: ${run.state}\n`);
      return run.state === "CANCELED" ? ExitCode.ok : ExitCode.failed;
    }
    await loadEngine();
    ctx.engine().cancelRun(run.id);
    process.stdout.write(`cancel requested for run ${run.id}\n`);
    const deadline = Date.now() + opts.wait * 1000;
    while (Date.now() < deadline) {
      const now = ctx.store.runs.get(run.id);
      if (now && isTerminalState(now.state)) {
        process.stdout.write(`run ${run.id} ${now.state}\n`);
        return now.state === "CANCELED" ? ExitCode.ok : ExitCode.failed;
      }
      await sleep(200);
    }
    if (opts.wait > 0) {
      const now = ctx.store.runs.get(run.id);
      process.stdout.write(
        `run ${run.id} is still ${now?.state ?? "unknown"} after ${opts.wait}s; check with: weft runs get ${run.id}\n`,
      );
      return ExitCode.failed;
    }
    return ExitCode.ok;
  });
}

/** Options of `weft runs retry`. */
export interface RunsRetryOptions {
  json?: boolean;
  quiet?: boolean;
  maxParallel?: number;
  /** `--strict-resources`, as for `weft run` (a resumed run does not keep its first setting). */
  strictResources?: boolean;
}

/** Resumes a run: finished tasks are kept, failed and unfinished ones run again. */
export async function runsRetry(ref: string, opts: RunsRetryOptions): Promise<number> {
  await loadEngine();
  const ctx = openContext();
  try {
    const engine = ctx.engine({
      ...(opts.maxParallel === undefined ? {} : { maxParallel: opts.maxParallel }),
      ...(opts.strictResources ? { strictResources: true } : {}),
    });
    const run = resolveRun(ctx.store, ref);
    if (run.state === "SUCCEEDED") {
      throw new CliError(
        "RUN_NOT_RETRYABLE",
        `run ${run.id} already SUCCEEDED; start a new one with: weft run <pipeline>`,
      );
    }
    if (!isTerminalState(run.state)) {
      throw new CliError(
        "RUN_NOT_RETRYABLE",
        `run ${run.id} is ${run.state} and its process is alive; cancel it first with: weft runs cancel ${run.id}`,
      );
    }
    const handle = engine.resumeRun(run.id);
    return await followRun(handle, {
      json: opts.json === true,
      quiet: opts.quiet === true,
      title: `${run.displayName} ${run.id} (retry)`,
    });
  } finally {
    ctx.close();
  }
}
