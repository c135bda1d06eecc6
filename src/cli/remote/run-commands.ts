/**
 * Remote mode of `weft run`, `weft runs cancel` and `weft runs retry`: the run is created,
 * terminated or retried on the server and followed with the same views as a local run.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { RunCommandOptions } from "../commands/run.ts";
import { CliError, ExitCode } from "../errors.ts";
import { isTerminalState } from "../format.ts";
import { loadPipeline } from "../load-pipeline.ts";
import { coerceParams, parseArtifactInputs, parseTags } from "../params.ts";
import { followRun } from "../progress/follow.ts";
import { rejectLocalOnly, resolveRemoteRun, withRemote } from "./connect.ts";
import { registerRemotePipeline } from "./register.ts";
import { remoteRunHandle } from "./run-handle.ts";

/**
 * Compiles (for `.ts`) or loads `file`, coerces `--param`s by the pipeline's types,
 * creates the run on the server and follows it; returns the exit code (0 only for
 * SUCCEEDED).
 */
export async function remoteRunCommand(host: string, file: string, opts: RunCommandOptions): Promise<number> {
  rejectLocalOnly("weft run", {
    "--no-cache": !opts.cache,
    "--max-parallel": opts.maxParallel !== undefined,
    "--strict-resources": opts.strictResources === true,
  });
  const pipeline = await loadPipeline(file, { exportName: opts.export, typecheck: opts.typecheck !== false });
  const parameters = coerceParams(pipeline.pipelineSpec, opts.param ?? []);
  // paths are sent as absolute paths: the server reads them on its machine
  const inputArtifacts = parseArtifactInputs(pipeline.pipelineSpec, opts.artifact ?? [], process.cwd());
  const tags = parseTags(opts.tag ?? []);
  const info = pipeline.pipelineSpec.pipelineInfo;
  const displayName = opts.runName ?? info.displayName ?? info.name;
  return withRemote(host, async ({ client }) => {
    const experiment = await client.getOrCreateExperiment(opts.experiment ?? "Default");
    // as locally: the run refers to the server's pipeline version holding this spec
    const pipelineVersion = await registerRemotePipeline(client, pipeline);
    const run = await client.createRun({
      displayName,
      experimentId: experiment.experiment_id,
      pipelineVersion,
      parameters,
      ...(Object.keys(inputArtifacts).length > 0 ? { inputArtifacts } : {}),
      tags,
      ...(opts.description === undefined ? {} : { description: opts.description }),
      // a directory on the server's machine: sent as given (a relative one is refused there)
      ...(opts.pipelineRoot === undefined ? {} : { pipelineRoot: opts.pipelineRoot }),
    });
    if (!opts.json) process.stderr.write(`weft: run ${run.run_id} created on ${host}\n`);
    const handle = remoteRunHandle(client, run.run_id, { host, logs: opts.quiet !== true || opts.json === true });
    return followRun(handle, {
      json: opts.json === true,
      quiet: opts.quiet === true,
      title: `${displayName} ${run.run_id} @ ${host}`,
    });
  });
}

/** Terminates a run on the server and waits up to `wait` seconds for CANCELED. */
export async function remoteRunsCancel(host: string, ref: string, opts: { wait: number }): Promise<number> {
  return withRemote(host, async (remote) => {
    const run = await resolveRemoteRun(remote, ref);
    const state = run.state ?? "PENDING";
    if (isTerminalState(state)) {
      process.stdout.write(`run ${run.run_id} already ended: ${state}\n`);
      return state === "CANCELED" ? ExitCode.ok : ExitCode.failed;
    }
    await remote.client.terminateRun(run.run_id);
    process.stdout.write(`cancel requested for run ${run.run_id}\n`);
    const deadline = Date.now() + opts.wait * 1000;
    let now = state;
    while (Date.now() < deadline) {
      now = (await remote.client.getRun(run.run_id)).state ?? now;
      if (isTerminalState(now)) {
        process.stdout.write(`run ${run.run_id} ${now}\n`);
        return now === "CANCELED" ? ExitCode.ok : ExitCode.failed;
      }
      await sleep(200);
    }
    if (opts.wait > 0) {
      process.stdout.write(
        `run ${run.run_id} is still ${now} after ${opts.wait}s; check with: weft --host ${host} runs get ${run.run_id}\n`,
      );
      return ExitCode.failed;
    }
    return ExitCode.ok;
  });
}

/** Retries a FAILED or CANCELED run on the server and follows it. */
export async function remoteRunsRetry(
  host: string,
  ref: string,
  opts: { json?: boolean; quiet?: boolean; maxParallel?: number; strictResources?: boolean },
): Promise<number> {
  rejectLocalOnly("weft runs retry", {
    "--max-parallel": opts.maxParallel !== undefined,
    "--strict-resources": opts.strictResources === true,
  });
  return withRemote(host, async (remote) => {
    const run = await resolveRemoteRun(remote, ref);
    if (run.state === "SUCCEEDED") {
      throw new CliError(
        "RUN_NOT_RETRYABLE",
        `run ${run.run_id} already SUCCEEDED; start a new one with: weft --host ${host} run <pipeline>`,
      );
    }
    if (!isTerminalState(run.state ?? "PENDING")) {
      throw new CliError(
        "RUN_NOT_RETRYABLE",
        `run ${run.run_id} is ${run.state}; cancel it first with: weft --host ${host} runs cancel ${run.run_id}`,
      );
    }
    await remote.client.retryRun(run.run_id);
    const handle = remoteRunHandle(remote.client, run.run_id, {
      host,
      logs: opts.quiet !== true || opts.json === true,
    });
    return followRun(handle, {
      json: opts.json === true,
      quiet: opts.quiet === true,
      title: `${run.display_name ?? run.run_id} ${run.run_id} (retry) @ ${host}`,
    });
  });
}
