/**
 * `weft tune <experiment.yaml | experiment.ts>` runs (or resumes) a tuning experiment in
 * the home's store with a live table of its trials; `weft tune status|trials|best
 * <experiment>` read what the store recorded.
 */
import type { Command } from "commander";
import { withContext } from "../context.ts";
import { CliError } from "../errors.ts";
import { colorsFor } from "../format.ts";
import { parsePositiveInt } from "../option-parsers.ts";
import { readExperiment } from "../tune-source.ts";
import {
  bestJson,
  bestOf,
  parseTrialSort,
  renderBest,
  renderStatus,
  renderTrialsTable,
  sortTrials,
  statusJson,
  trialJson,
} from "../tune-views.ts";

/** Options of `weft tune <file>` as commander parses them. */
export interface TuneCommandOptions {
  parallel?: number;
  maxTrials?: number;
  seed?: number;
  json?: boolean;
}

/** Parses `--seed`: an integer >= 0. */
function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new CliError("BAD_OPTION", `--seed expects an integer >= 0, got "${value}"`);
  }
  return n;
}

/** `weft tune status <experiment>`. */
export async function tuneStatusCommand(name: string, opts: { json?: boolean }): Promise<number> {
  return withContext(({ store }) => {
    const { exp, trials } = readExperiment(store, name);
    const best = bestOf(exp, trials);
    if (opts.json) process.stdout.write(`${JSON.stringify(statusJson(exp, trials, best), null, 2)}\n`);
    else process.stdout.write(renderStatus(exp, trials, best, colorsFor(process.stdout)));
    return 0;
  });
}

/** `weft tune trials <experiment>`. */
export async function tuneTrialsCommand(name: string, opts: { json?: boolean; sort?: string }): Promise<number> {
  return withContext(({ store }) => {
    const { exp, trials } = readExperiment(store, name);
    const sorted = opts.sort === undefined ? trials : sortTrials(exp, trials, parseTrialSort(opts.sort, exp, trials));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ experiment: exp.name, trials: sorted.map(trialJson) }, null, 2)}\n`);
      return 0;
    }
    const best = bestOf(exp, trials);
    const c = colorsFor(process.stdout);
    process.stdout.write(`${renderTrialsTable(exp, sorted, c, { best: best.best, front: best.front })}\n`);
    if (best.best) {
      process.stdout.write(c.gray(`* best${best.front ? ", ~ on the Pareto front" : ""}\n`));
    }
    return 0;
  });
}

/** `weft tune best <experiment>`. */
export async function tuneBestCommand(name: string, opts: { json?: boolean }): Promise<number> {
  return withContext(({ store }) => {
    const { exp, trials } = readExperiment(store, name);
    const best = bestOf(exp, trials);
    if (opts.json) process.stdout.write(`${JSON.stringify(bestJson(exp, best), null, 2)}\n`);
    else process.stdout.write(renderBest(exp, best, colorsFor(process.stdout)));
    return best.best ? 0 : 1;
  });
}

/** Registers `weft tune` on `program`. */
export function registerTuneCommand(program: Command): void {
  const tune = program
    .command("tune")
    .description("run or resume a hyperparameter tuning experiment (Katib YAML or a tune() module) with a live table")
    .argument("[experiment]", "a Katib v1beta1 Experiment (.yaml) or a module default-exporting tune() options (.ts)")
    .option("--parallel <n>", "trials at once (overrides parallelTrialCount)", parsePositiveInt("--parallel"))
    .option("--max-trials <n>", "trials in all (overrides maxTrialCount)", parsePositiveInt("--max-trials"))
    .option("--seed <n>", "the seed of the search (overrides the algorithm's random_state)", parseSeed)
    .option("--json", "print the final status and best trial as one JSON object")
    .addHelpText(
      "after",
      "\nRunning it again resumes: finished trials are kept. See also weft tune status|trials|best <experiment>.",
    )
    .action(async (file: string | undefined, opts: TuneCommandOptions) => {
      if (file === undefined) {
        tune.help({ error: true });
        return;
      }
      const { runTuneCommand } = await import("./tune-run.ts");
      process.exitCode = await runTuneCommand(file, opts);
    });
  tune
    .command("status")
    .description("an experiment's state, reason, trial counts and best trial")
    .argument("<experiment>", "the experiment's name")
    .option("--json", "print JSON")
    .action(async (name: string, opts: { json?: boolean }) => {
      process.exitCode = await tuneStatusCommand(name, opts);
    });
  tune
    .command("trials")
    .description("an experiment's trials: number, state, parameters, metrics, duration, reason")
    .argument("<experiment>", "the experiment's name")
    .option("--sort <column>", 'order by number, state, duration, a parameter or a metric ("COLUMN asc|desc")')
    .option("--json", "print JSON")
    .action(async (name: string, opts: { json?: boolean; sort?: string }) => {
      process.exitCode = await tuneTrialsCommand(name, opts);
    });
  tune
    .command("best")
    .description("the best trial's parameters; with several objectives the Pareto front and the chosen best")
    .argument("<experiment>", "the experiment's name")
    .option("--json", "print JSON")
    .action(async (name: string, opts: { json?: boolean }) => {
      process.exitCode = await tuneBestCommand(name, opts);
    });
}
