/**
 * `weft tune <experiment.yaml | experiment.ts>`: reads the experiment (the Katib parser, or
 * a module whose default export is the options of `tune()`), applies `--parallel`,
 * `--max-trials` and `--seed`, and runs it with the store's journal, so a second `weft
 * tune` of the same file resumes it. Shows the trials live (a table in a terminal, lines
 * otherwise); Ctrl-C cancels it (running trials are killed and recorded CANCELED).
 */
import { existsSync, readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ExperimentSpec } from "../../tuning/types.ts";
import { loadEngine, openContext } from "../context.ts";
import { CliError, ExitCode } from "../errors.ts";
import { colorsFor } from "../format.ts";
import { TunePlainView, type TuneProgressView, TuneTtyView } from "../progress/tune-view.ts";
import { ensureTypeScriptLoader } from "../ts-loader.ts";
import { experimentView, trialView } from "../tune-source.ts";
import { bestJson, bestOf, statusJson } from "../tune-views.ts";
import type { TuneCommandOptions } from "./tune.ts";

const YAML_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);
const MODULE_EXTENSIONS = new Set([".ts", ".mts", ".js", ".mjs"]);

/** An experiment read from its file: the spec, and the text a resume must find unchanged. */
export interface LoadedExperiment {
  spec: ExperimentSpec;
  text: string;
}

/**
 * Reads `file`: Katib YAML (or JSON) through the parser, or a module default-exporting the
 * options of `tune()`.
 *
 * @throws CliError `EXPERIMENT_FILE_NOT_FOUND` or `UNSUPPORTED_EXPERIMENT_FILE` (exit 2);
 *   the parser's TuningErrors (naming the file and field) pass through.
 */
export async function loadExperiment(file: string): Promise<LoadedExperiment> {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new CliError("EXPERIMENT_FILE_NOT_FOUND", `experiment file ${file} does not exist; check the path`);
  }
  const ext = extname(path).toLowerCase();
  const text = readFileSync(path, "utf8");
  if (YAML_EXTENSIONS.has(ext)) {
    const { parseExperiment } = await import("../../tuning/katib/index.ts");
    return { spec: parseExperiment(text, file), text };
  }
  if (MODULE_EXTENSIONS.has(ext)) {
    await ensureTypeScriptLoader();
    // an ES module, as a pipeline module is: one Node loads as CommonJS is refused with
    // what to change (COMPILE_MODULE_FORMAT), as weft run refuses such a pipeline
    const { importFailure, moduleFormatFailure } = await import("../../compiler/compile-file.ts");
    const commonJs = moduleFormatFailure(file, path, undefined, "an experiment module");
    if (commonJs !== undefined) throw commonJs;
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
    } catch (cause) {
      const format = moduleFormatFailure(file, path, cause, "an experiment module");
      if (format !== undefined) throw format;
      const failure = importFailure(file, path, cause);
      if (failure.code === "COMPILE_PACKAGE_MISSING") throw failure;
      const why = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
      throw new CliError(
        "EXPERIMENT_IMPORT_FAILED",
        `${file}: importing the experiment module failed: ${why}; fix the module`,
        {
          cause,
        },
      );
    }
    const options = mod.default;
    if (typeof options !== "object" || options === null) {
      throw new CliError(
        "EXPERIMENT_IMPORT_FAILED",
        `${file}: has no default export of tune() options; end it with \`export default defineExperiment({ name, space, objective, trial, ... })\``,
      );
    }
    const { toExperimentSpec } = await import("../../tuning/sdk.ts");
    return { spec: toExperimentSpec(options as Parameters<typeof toExperimentSpec>[0], file), text };
  }
  throw new CliError(
    "UNSUPPORTED_EXPERIMENT_FILE",
    `${file}: weft tune takes a Katib Experiment (.yaml, .yml, .json) or a module default-exporting tune() options (.ts, .mts, .js, .mjs), not "${ext || "no extension"}"`,
  );
}

/**
 * The spec with the command line's overrides. They are part of the spec the runner digests,
 * so a resume must give the same ones (another value is TUNING_EXPERIMENT_CHANGED).
 */
export function withOverrides(loaded: LoadedExperiment, opts: TuneCommandOptions): LoadedExperiment {
  const spec: ExperimentSpec = {
    ...loaded.spec,
    ...(opts.parallel === undefined ? {} : { parallelTrialCount: opts.parallel }),
    ...(opts.maxTrials === undefined ? {} : { maxTrialCount: opts.maxTrials }),
    ...(opts.seed === undefined ? {} : { algorithm: { ...loaded.spec.algorithm, seed: opts.seed } }),
  };
  return { spec, text: loaded.text };
}

/** Executes `weft tune <file>`; returns the exit code. */
export async function runTuneCommand(file: string, opts: TuneCommandOptions): Promise<number> {
  const { spec, text } = withOverrides(await loadExperiment(file), opts);
  const [{ runExperiment }, { createStoreJournal }] = await Promise.all([
    import("../../tuning/runner/run-experiment.ts"),
    import("../../tuning/runner/store-journal.ts"),
    loadEngine(),
  ]);
  const ctx = openContext();
  const journal = createStoreJournal(ctx.store);
  const out = process.stdout;
  const colors = colorsFor(out);
  const view: TuneProgressView | undefined = opts.json
    ? undefined
    : out.isTTY
      ? new TuneTtyView(out, colors)
      : new TunePlainView(out, colors);
  const abort = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) {
      view?.abort();
      process.stderr.write("weft: interrupted again, exiting without waiting for the trials to be recorded\n");
      process.exit(ExitCode.interrupted);
    }
    interrupted = true;
    const notice = `canceling experiment ${spec.name} (Ctrl-C again to exit at once)`;
    if (view) view.notice(notice);
    else process.stderr.write(`weft: ${notice}\n`);
    abort.abort();
  };
  const onSigterm = () => {
    interrupted = true;
    abort.abort();
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  const snapshot = () => {
    const row = journal.experiment();
    return row ? experimentView(row) : undefined;
  };
  try {
    const result = await runExperiment(spec, {
      journal,
      source: text,
      signal: abort.signal,
      home: ctx.home,
      onEvent(event) {
        if (!view || event.type === "log") return;
        const exp = snapshot();
        if (!exp) return;
        const trials = event.trials.map(trialView);
        view.update(exp, trials, bestOf(exp, trials));
      },
    });
    const row = ctx.store.tuning.getExperimentByName(spec.name);
    const exp = row ? experimentView(row) : undefined;
    const trials = result.trials.map(trialView);
    if (exp) {
      const best = bestOf(exp, trials);
      if (view) view.finish(exp, trials, best);
      else out.write(`${JSON.stringify({ ...statusJson(exp, trials, best), ...bestJson(exp, best) })}\n`);
    }
    if (result.state === "SUCCEEDED") return ExitCode.ok;
    if (result.state === "CANCELED" && interrupted) {
      process.stderr.write(
        `weft: experiment ${spec.name} canceled; resume it with 'weft tune ${file}' (finished trials are kept)\n`,
      );
      return ExitCode.interrupted;
    }
    return ExitCode.failed;
  } catch (e) {
    view?.abort();
    throw e;
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
    ctx.close();
  }
}
