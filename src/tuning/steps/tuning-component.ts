/**
 * The tuning components' shared part and the factory: `runTuning` runs an experiment with
 * the runner and an in-memory journal (a task has no store, so nothing resumes; the trials
 * table is the record) and writes the outputs every tuning component has (best
 * parameters, best value, the trials table, a summary); `tuningComponent({...})` makes a
 * component whose trial is a TypeScript function run in the task (`(params, ctx) =>
 * metrics`; `ctx.data` is the component's `data` input). The prebuilt `tune` (Katib YAML,
 * command trials) is in tune.ts.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { definedIn } from "../../components/defined-in.ts";
import type { Dataset } from "../../executor/index.ts";
import { artifact, component, param } from "../../sdk/index.ts";
import { TuningError } from "../errors.ts";
import { createMemoryJournal, runExperiment } from "../runner/index.ts";
import { createAshaSampler } from "../samplers/asha.ts";
import { createGridSampler } from "../samplers/grid.ts";
import { createHyperbandSampler } from "../samplers/hyperband.ts";
import { createMotpeSampler } from "../samplers/motpe.ts";
import { createRandomSampler } from "../samplers/random.ts";
import { createSobolSampler } from "../samplers/sobol.ts";
import { createMultivariateTpeSampler, createTpeSampler } from "../samplers/tpe.ts";
import type {
  AlgorithmName,
  AlgorithmSpec,
  Assignment,
  EarlyStoppingSpec,
  ExperimentSpec,
  Goal,
  MetricStrategy,
  ObjectiveMetric,
  Sampler,
  SamplerFactory,
  SearchSpace,
  TrialContext,
} from "../types.ts";
import { type TuneOutcome, trialsCsv, tuneSummary } from "./tune-report.ts";

/**
 * The outputs of every tuning component (made in a call marked pure, so that the bundles of
 * components that import weft leave it out).
 */
export const TUNE_OUTPUTS = /* @__PURE__ */ (() => ({
  best_parameters: param.object<Record<string, number | string>>(),
  best_value: param.float(),
  trials: artifact.Dataset,
  summary: artifact.Markdown,
}))();

/**
 * The algorithms a tuning component runs. A task carries its program in its command
 * (at most 120 KiB): the Gaussian-process and CMA-ES samplers would take the program over
 * it, so they are left out of the components' import graph and run with `weft tune` or
 * `tune()` instead.
 */
export const COMPONENT_SAMPLERS: Partial<Record<AlgorithmName, SamplerFactory>> = {
  random: createRandomSampler,
  grid: createGridSampler,
  sobol: createSobolSampler,
  tpe: createTpeSampler,
  "multivariate-tpe": createMultivariateTpeSampler,
  motpe: createMotpeSampler,
  hyperband: createHyperbandSampler,
  asha: createAshaSampler,
};

/**
 * The sampler of a tuning component's experiment.
 *
 * @throws TuningError `TUNE_INVALID_INPUT` for an algorithm a task cannot carry.
 */
export function componentSampler(spec: ExperimentSpec): Sampler {
  const factory = COMPONENT_SAMPLERS[spec.algorithm.name];
  if (!factory) {
    throw new TuningError(
      "TUNE_INVALID_INPUT",
      `tune: experiment "${spec.name}" uses ${spec.algorithm.name}, which a tuning step does not run (its code would take the task's program over the 120 KiB a command carries); use ${Object.keys(COMPONENT_SAMPLERS).join(", ")}, or run the experiment with weft tune`,
    );
  }
  return factory({
    settings: spec.algorithm.settings,
    space: spec.space,
    directions: spec.objective.metrics.map((m) => m.goal),
  });
}

/** The artifacts a tuning component writes, with their paths. */
export interface TuneArtifacts {
  readonly trials: { readonly path: string; readonly metadata: Record<string, unknown> };
  readonly summary: { readonly path: string; readonly metadata: Record<string, unknown> };
}

/**
 * Runs `spec` with an in-memory journal, writes the trials table and the summary, and
 * returns the best parameters and value.
 *
 * @throws TuningError `TUNE_NO_BEST` (after writing both) when no trial gave a value.
 */
export async function runTuning(
  spec: ExperimentSpec,
  out: TuneArtifacts,
  opts: { source?: string; log?: (line: string) => void; signal?: AbortSignal } = {},
): Promise<{ best_parameters: Record<string, number | string>; best_value: number; outcome: TuneOutcome }> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const result = await runExperiment(spec, {
    journal: createMemoryJournal(),
    sampler: componentSampler(spec),
    source: opts.source,
    signal: opts.signal,
    onEvent: (event) => {
      if (event.type !== "trial") return;
      const t = event.trial;
      if (t.state === "PENDING" || t.state === "RUNNING") return;
      const shown = Object.entries(t.metrics)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
      log(`${t.name} ${t.state}${t.reason ? ` (${t.reason})` : ""} ${JSON.stringify(t.params)} ${shown}`.trim());
    },
  });
  const outcome: TuneOutcome = result;
  writeFileSync(out.trials.path, trialsCsv(spec, outcome.trials));
  const summary = tuneSummary(spec, outcome);
  writeFileSync(out.summary.path, summary);
  const best = outcome.best;
  Object.assign(out.trials.metadata, {
    experiment: spec.name,
    state: outcome.state,
    reason: outcome.reason,
    trials: outcome.trials.length,
    ...(best ? { best_trial: best.name } : {}),
  });
  Object.assign(out.summary.metadata, { experiment: spec.name, state: outcome.state });
  log(summary);
  const value = best?.values?.[0];
  if (!best || typeof value !== "number") {
    const failed = outcome.trials.find((t) => t.state === "FAILED");
    throw new TuningError(
      "TUNE_NO_BEST",
      `tune: experiment "${spec.name}" ended ${outcome.state} (${outcome.reason}) with no trial that reported ${spec.objective.metrics[0]?.name}` +
        (failed ? `; ${failed.name} failed: ${failed.message ?? failed.reason ?? "no message"}` : "") +
        "; see the trials and summary outputs, fix the trial, and run again",
    );
  }
  return { best_parameters: { ...best.params }, best_value: value, outcome };
}

/** The context of a function trial run by a tuning component: the runner's, and the `data` input. */
export interface TuningTrialContext extends TrialContext {
  /** The component's `data` input, when the task has one. */
  readonly data?: Dataset;
}

/** Options of {@link tuningComponent}. */
export interface TuningComponentOptions {
  /** The component's name (KFP); export the component from its module under any name. */
  readonly name: string;
  readonly description?: string;
  /** The search space: parameters in order (see src/tuning/types.ts `ParameterSpec`). */
  readonly space: SearchSpace;
  /** The objective: one metric and its goal, or several (a Pareto front; the best by `first`). */
  readonly objective: ObjectiveMetric | readonly ObjectiveMetric[];
  /** Stops once a trial reaches it (single objective). */
  readonly goal?: number;
  /** Metrics recorded and shown, never optimised. */
  readonly additionalMetrics?: readonly string[];
  /** One trial: returns its final metrics; `ctx.report(metric, value, step)` reports intermediate ones. */
  readonly trial: (
    params: Assignment,
    ctx: TuningTrialContext,
  ) => Promise<Readonly<Record<string, number>> | undefined> | Readonly<Record<string, number>> | undefined;
  /** The algorithm (default random) by name, or with Katib's settings and a seed. */
  readonly algorithm?:
    | AlgorithmName
    | { readonly name: AlgorithmName; readonly settings?: Readonly<Record<string, string>>; readonly seed?: number };
  readonly earlyStopping?: EarlyStoppingSpec;
  /** How many trials (default 10) and how many may fail before the experiment does (default: no limit). */
  readonly budget?: { readonly trials?: number; readonly failedTrials?: number };
  /** Trials running at once (default 1: function trials share the task's process). */
  readonly parallel?: number;
}

/** The experiment of a tuning component; `trial` runs one trial with the task's `data`. */
export function functionExperiment(
  opts: TuningComponentOptions,
  trial: (params: Assignment, ctx: TrialContext) => ReturnType<TuningComponentOptions["trial"]>,
): ExperimentSpec {
  const metrics = Array.isArray(opts.objective)
    ? (opts.objective as readonly ObjectiveMetric[])
    : [opts.objective as ObjectiveMetric];
  const strategy = (goal: Goal): MetricStrategy => (goal === "maximize" ? "max" : "min");
  const strategies: Record<string, MetricStrategy> = {};
  for (const m of opts.additionalMetrics ?? []) strategies[m] = "latest";
  for (const m of metrics) strategies[m.name] = strategy(m.goal);
  const algorithm: AlgorithmSpec =
    typeof opts.algorithm === "object"
      ? { name: opts.algorithm.name, settings: opts.algorithm.settings ?? {}, seed: opts.algorithm.seed ?? 0 }
      : { name: opts.algorithm ?? "random", settings: {}, seed: 0 };
  return {
    name:
      opts.name
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "") || "tuning",
    space: opts.space,
    objective: {
      metrics,
      ...(opts.goal !== undefined ? { goal: opts.goal } : {}),
      additionalMetricNames: [...(opts.additionalMetrics ?? [])],
      strategies,
    },
    algorithm,
    ...(opts.earlyStopping ? { earlyStopping: opts.earlyStopping } : {}),
    parallelTrialCount: opts.parallel ?? 1,
    maxTrialCount: opts.budget?.trials ?? 10,
    ...(opts.budget?.failedTrials !== undefined ? { maxFailedTrialCount: opts.budget.failedTrials } : {}),
    resumePolicy: "Never",
    metricsCollector: { kind: "Function" },
    trial: { kind: "function", run: trial },
  };
}

/** The module that called into this one (where a factory-made component is defined). */
function callerModule(): string | undefined {
  const self = fileURLToPath(import.meta.url);
  for (const line of (new Error().stack ?? "").split("\n").slice(1)) {
    const m = /(?:\(|at )(?:file:\/\/)?(\/[^():]+):\d+:\d+\)?\s*$/.exec(line.trim());
    const file = m?.[1] ? decodeURIComponent(m[1]) : undefined;
    if (file && file !== self && !file.includes("/node_modules/") && !file.includes("/src/sdk/")) return file;
  }
  return undefined;
}

/**
 * A component that tunes a TypeScript trial function inside its task: inputs `data`
 * (optional Dataset, `ctx.data` in the trial), `max_trials` and `seed` (optional, override
 * the budget and the algorithm's seed); outputs as `tune`'s. Define it at the top level of
 * a module and export it, as any component.
 *
 * @example
 * export const tuneLr = tuningComponent({
 *   name: "tune-lr",
 *   space: { parameters: [{ name: "lr", type: "double", min: 1e-4, max: 0.1, distribution: "logUniform" }] },
 *   objective: { name: "loss", goal: "minimize" },
 *   trial: async ({ lr }) => ({ loss: train(lr as number) }),
 *   algorithm: "tpe",
 *   budget: { trials: 20 },
 * });
 */
export function tuningComponent(opts: TuningComponentOptions) {
  const where = callerModule();
  const made = component({
    name: opts.name,
    description:
      opts.description ??
      `Tunes a TypeScript trial function (${opts.algorithm ? JSON.stringify(opts.algorithm) : "random"}).`,
    inputs: {
      data: artifact.optional(artifact.Dataset),
      max_trials: param.int({ optional: true }),
      seed: param.int({ optional: true }),
    },
    outputs: TUNE_OUTPUTS,
    async run(args, outs) {
      const data = args.data;
      const base = functionExperiment(opts, (params, ctx) =>
        opts.trial(params, {
          trialName: ctx.trialName,
          number: ctx.number,
          signal: ctx.signal,
          report: (metric, value, step) => ctx.report(metric, value, step),
          ...(data ? { data } : {}),
        }),
      );
      const spec: ExperimentSpec = {
        ...base,
        ...(typeof args.max_trials === "number" ? { maxTrialCount: args.max_trials } : {}),
        algorithm: { ...base.algorithm, ...(typeof args.seed === "number" ? { seed: args.seed } : {}) },
      };
      const { best_parameters, best_value } = await runTuning(spec, outs);
      return { best_parameters, best_value };
    },
  });
  return where ? definedIn(made, pathToFileURL(where).href) : made;
}
