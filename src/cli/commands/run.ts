/**
 * `weft run <pipeline.ts | pipeline.yaml>`: compiles if needed, validates the pipeline
 * and its parameters, records the run, executes it on this machine and shows its progress.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { assertValidPipeline } from "../../ir/index.ts";
import { loadEngine, openContext } from "../context.ts";
import { ExitCode } from "../errors.ts";
import { loadPipeline } from "../load-pipeline.ts";
import { collectParam, parsePositiveInt } from "../option-parsers.ts";
import { coerceParams, parseArtifactInputs, parseTags } from "../params.ts";
import { followRun } from "../progress/follow.ts";
import { hostOf } from "../remote/connect.ts";

/** Options of `weft run` as commander parses them. */
export interface RunCommandOptions {
  param?: string[];
  /** `name=<path or URI>` for the pipeline's artifact inputs. */
  artifact?: string[];
  experiment?: string;
  runName?: string;
  description?: string;
  tag?: string[];
  cache: boolean;
  json?: boolean;
  quiet?: boolean;
  maxParallel?: number;
  export?: string;
  /** False with `--no-typecheck`. */
  typecheck?: boolean;
  /** `--strict-resources`: enforce resource requests and Kubernetes data settings. */
  strictResources?: boolean;
  /** Where the run's artifacts go: a directory or a file:// URI (default `$WEFT_HOME/artifacts`). */
  pipelineRoot?: string;
}

/**
 * `--pipeline-root` as given: a `file://` URI unchanged, a path made absolute against the
 * current directory (a relative root would mean another place to a server).
 */
export function pipelineRootOption(value: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(value) ? value : resolve(value);
}

/** Executes `weft run`; returns the exit code. */
export async function runCommand(file: string, opts: RunCommandOptions): Promise<number> {
  const pipeline = await loadPipeline(file, { exportName: opts.export, typecheck: opts.typecheck !== false });
  // before the store is opened: an invalid pipeline leaves no run row and no files
  assertValidPipeline(pipeline, { file });
  const parameters = coerceParams(pipeline.pipelineSpec, opts.param ?? []);
  const inputArtifacts = parseArtifactInputs(pipeline.pipelineSpec, opts.artifact ?? [], process.cwd());
  const tags = parseTags(opts.tag ?? []);
  await loadEngine();
  const ctx = openContext();
  try {
    const engine = ctx.engine({
      ...(opts.maxParallel === undefined ? {} : { maxParallel: opts.maxParallel }),
      ...(opts.strictResources ? { strictResources: true } : {}),
    });
    // the pipeline and the version holding this spec (by content digest): the UI's
    // Pipelines page, "New run" and "Clone run" work for runs started here
    const { version } = ctx.store.pipelines.register({
      spec: pipeline.pipelineSpec,
      ...(pipeline.platformSpec ? { platformSpec: pipeline.platformSpec } : {}),
    });
    const handle = engine.startRun({
      pipeline,
      parameters,
      inputArtifacts,
      pipelineVersionId: version.id,
      tags,
      ...(opts.description === undefined ? {} : { description: opts.description }),
      enableCache: opts.cache,
      ...(opts.pipelineRoot === undefined ? {} : { pipelineRoot: pipelineRootOption(opts.pipelineRoot) }),
      ...(opts.experiment === undefined ? {} : { experimentName: opts.experiment }),
      ...(opts.runName === undefined ? {} : { runName: opts.runName }),
    });
    const title =
      opts.runName ?? pipeline.pipelineSpec.pipelineInfo.displayName ?? pipeline.pipelineSpec.pipelineInfo.name;
    // SIGINT or SIGTERM cancels the run: no task starts after the signal, running ones are
    // killed, finished ones stay recorded and are reused by a retry.
    const code = await followRun(handle, {
      json: opts.json === true,
      quiet: opts.quiet === true,
      title: `${title} ${handle.runId}`,
    });
    if (code === ExitCode.interrupted) {
      process.stderr.write(
        `weft: run ${handle.runId} stopped on a signal; resume it with 'weft runs retry ${handle.runId}' (finished tasks are reused)\n`,
      );
    }
    return code;
  } finally {
    ctx.close();
  }
}

/** Registers `weft run` on `program`. */
export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description("compile (if needed) and run a pipeline on this machine, showing live progress")
    .addHelpText("after", "\nWith weft --host URL (or WEFT_HOST) the run is created and followed on that server.")
    .argument("<pipeline>", "a TypeScript pipeline (.ts) or compiled IR (.yaml, .json)")
    .option("-p, --param <name=value>", "a pipeline parameter (repeatable)", collectParam)
    .option(
      "-a, --artifact <name=path>",
      "a pipeline artifact input: a file or directory (relative to the working directory) or a URI (repeatable)",
      collectParam,
    )
    .option("-e, --experiment <name>", "experiment to record the run in (default: Default)")
    .option("-n, --run-name <name>", "display name of the run")
    .option("-d, --description <text>", "a description of the run")
    .option("-t, --tag <key=value>", "a tag of the run (repeatable); filter with weft runs list --tag", collectParam)
    .option("--no-cache", "run every task even when a cached result exists")
    .option("--json", "print engine events and the summary as JSON lines")
    .option("-q, --quiet", "do not show the tasks' output lines while they run")
    .option(
      "--max-parallel <n>",
      "run at most n tasks at once (default: twice the cores, fewer when memory or the open-file limit is low)",
      parsePositiveInt("--max-parallel"),
    )
    .option(
      "--strict-resources",
      "fail a task whose CPU, memory or GPU request exceeds this machine, or that needs a Kubernetes secret, config map or volume (default: run it, noting in its log what was not honoured)",
    )
    .option(
      "--pipeline-root <dir>",
      "where the run's output artifacts go: a directory or file:///abs/dir (default: the home's artifacts/)",
    )
    .option("--export <name>", "for a .ts file with several pipelines: which export to run")
    .option("--no-typecheck", "do not type-check a .ts pipeline before running it")
    .action(async (file: string, opts: RunCommandOptions) => {
      const host = hostOf(program);
      if (host !== undefined) {
        const { remoteRunCommand } = await import("../remote/run-commands.ts");
        process.exitCode = await remoteRunCommand(host, file, opts);
        return;
      }
      process.exitCode = await runCommand(file, opts);
    });
}
