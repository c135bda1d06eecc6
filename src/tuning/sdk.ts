/**
 * The typed search space and options of `tune()` for TypeScript users. A space is an
 * object of parameter builders; the trial function's argument type comes from it:
 *
 * ```ts
 * const space = {
 *   lr: double(1e-4, 1e-1, { log: true }),
 *   units: int(16, 256, { step: 16 }),
 *   batch: discrete([32, 64, 128]),
 *   optimizer: categorical(["adam", "sgd"]),
 *   momentum: double(0.5, 0.99).when("optimizer", ["sgd"]),
 * };
 * // params: { lr: number; units: number; batch: 32 | 64 | 128; optimizer: "adam" | "sgd"; momentum?: number }
 * ```
 *
 * `toExperimentSpec` checks the options with the same rules (and messages) as Katib YAML.
 */

import { isAbsolute, resolve } from "node:path";
import type { PipelineSpec } from "../ir/spec.ts";
import type { Pipeline } from "../sdk/pipeline.ts";
import { compileFilters } from "./collectors/filters.ts";
import { TuningError } from "./errors.ts";
import { PARAM_PLACEHOLDER } from "./katib/substitute.ts";
import {
  defaultStrategies,
  EXPERIMENT_NAME,
  type Fail,
  isAlgorithmName,
  validateCounts,
  validateObjective,
  validateParameters,
} from "./katib/validate.ts";
import {
  type AlgorithmName,
  type BestRule,
  type Constraint,
  type Distribution,
  EARLY_STOPPING_NAMES,
  type EarlyStoppingName,
  type ExperimentSpec,
  type Goal,
  type MetricStrategy,
  type MetricsCollectorSpec,
  type ObjectiveSpec,
  type ParameterSpec,
  type ParamValue,
  type ResumePolicy,
  type TrialContext,
  type TrialFunction,
  type TrialTemplate,
} from "./types.ts";

/** A parameter of a space: its value type `T`, and whether a condition makes it optional. */
export interface Param<T extends ParamValue, Optional extends boolean = false> {
  readonly spec: Omit<ParameterSpec, "name">;
  /**
   * Makes the parameter conditional: it exists only when `parameter` (declared earlier in
   * the space) has one of `values`; in the trial's params it is then optional.
   */
  when(parameter: string, values: readonly ParamValue[]): Param<T, true>;
  /** Type-level only. */
  readonly __type?: { readonly value: T; readonly optional: Optional };
}

/** A search space: parameter builders by name, in declaration order. */
export type Space = Readonly<Record<string, Param<ParamValue, boolean>>>;

type ValueOf<P> = P extends Param<infer T, boolean> ? T : never;
type OptionalKeys<S> = { [K in keyof S]: S[K] extends Param<ParamValue, true> ? K : never }[keyof S];
type RequiredKeys<S> = Exclude<keyof S, OptionalKeys<S>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The parameter values a trial gets for a space (conditional ones optional). */
export type ParamsOf<S extends Space> = Simplify<
  { readonly [K in RequiredKeys<S>]: ValueOf<S[K]> } & { readonly [K in OptionalKeys<S>]?: ValueOf<S[K]> }
>;

export interface NumericOptions {
  /** Shorthand for `distribution: "logUniform"`. */
  readonly log?: boolean;
  /** Values are `min + k * step`. */
  readonly step?: number;
  readonly distribution?: Distribution;
}

function param<T extends ParamValue>(spec: Omit<ParameterSpec, "name">): Param<T> {
  const make = <O extends boolean>(s: Omit<ParameterSpec, "name">): Param<T, O> => ({
    spec: s,
    when: (parameter, values) => make<true>({ ...s, when: { parameter, values: [...values] } }),
  });
  return make<false>(spec);
}

function numeric(type: "double" | "int", min: number, max: number, opts: NumericOptions): Param<number> {
  const distribution = opts.distribution ?? (opts.log ? "logUniform" : "uniform");
  if (
    opts.log &&
    opts.distribution !== undefined &&
    opts.distribution !== "logUniform" &&
    opts.distribution !== "logNormal"
  )
    throw new TuningError(
      "TUNING_SPEC_INVALID",
      `${type}(${min}, ${max}): log: true contradicts distribution "${opts.distribution}". Give one of them.`,
    );
  return param<number>({ type, min, max, distribution, ...(opts.step !== undefined ? { step: opts.step } : {}) });
}

/** A real number in [min, max]. */
export function double(min: number, max: number, opts: NumericOptions = {}): Param<number> {
  return numeric("double", min, max, opts);
}

/** An integer in [min, max]. */
export function int(min: number, max: number, opts: NumericOptions = {}): Param<number> {
  return numeric("int", min, max, opts);
}

/** One of the listed numbers. */
export function discrete<const V extends readonly number[]>(
  values: V,
  opts: { readonly distribution?: Distribution } = {},
): Param<V[number]> {
  return param<V[number]>({ type: "discrete", values: [...values], distribution: opts.distribution ?? "uniform" });
}

/** One of the listed strings. */
export function categorical<const V extends readonly string[]>(values: V): Param<V[number]> {
  return param<V[number]>({ type: "categorical", values: [...values], distribution: "uniform" });
}

export interface ObjectiveInput {
  readonly metric: string;
  readonly goal: Goal;
}

/** A trial function: gets the typed params, returns its final metrics (and may `ctx.report` steps). */
export type TrialFn<S extends Space> = (params: ParamsOf<S>, ctx: TrialContext) => ReturnType<TrialFunction>;

/** A pipeline trial: one run per trial, search-space values passed as pipeline parameters. */
export interface PipelineTrial<S extends Space> {
  /** A pipeline file (`.ts` module or compiled KFP YAML), an SDK `pipeline()` or a PipelineSpec. */
  // biome-ignore lint/suspicious/noExplicitAny: any pipeline, whatever its parameters and outputs
  readonly pipeline: string | Pipeline<any, any> | PipelineSpec;
  /** Pipeline parameter name → search-space parameter name. */
  readonly parameters: Readonly<Record<string, keyof S & string>>;
  /** Pipeline parameters given to every trial. */
  readonly fixed?: Readonly<Record<string, unknown>>;
}

/** A command trial, run as a local process; `${trialParameters.<space parameter>}` is substituted. */
export interface CommandTrial {
  readonly command: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Relative to the experiment file's directory (or the current directory). */
  readonly workingDir?: string;
  /** Where metrics come from; default StdOut with Katib's filter. */
  readonly metrics?:
    | { readonly kind: "StdOut"; readonly filters?: readonly string[] }
    | {
        readonly kind: "File";
        readonly path: string;
        readonly format?: "TEXT" | "JSON";
        readonly filters?: readonly string[];
      };
}

export interface TuneOptions<S extends Space> {
  /** Kubernetes-style: lowercase letters, digits and "-", at most 63 characters. */
  readonly name: string;
  readonly space: S;
  /** One objective, or two or more (multi-objective: a Pareto front). */
  readonly objective: ObjectiveInput | readonly ObjectiveInput[];
  /** Katib's goal: stop once a trial's (single) objective reaches this value. */
  readonly goal?: number;
  /** Recorded and shown, never optimised. */
  readonly additionalMetrics?: readonly string[];
  /** How each metric's series reduces (default: min for minimised objectives, max for maximised ones). */
  readonly strategies?: Readonly<Record<string, MetricStrategy>>;
  /** Multi-objective: how the one best configuration is chosen (default `first`). */
  readonly best?: "first" | BestRule;
  readonly trial: TrialFn<S> | PipelineTrial<S> | CommandTrial;
  /** Default `tpe`, or `nsga2` with several objectives. */
  readonly algorithm?:
    | AlgorithmName
    | {
        readonly name: AlgorithmName;
        readonly settings?: Readonly<Record<string, string | number>>;
        readonly seed?: number;
      };
  readonly earlyStopping?:
    | EarlyStoppingName
    | { readonly name: EarlyStoppingName; readonly settings?: Readonly<Record<string, string | number>> };
  /** Trials run at once (Katib's parallelTrialCount, default 3). */
  readonly parallel?: number;
  readonly budget?: { readonly trials?: number; readonly failedTrials?: number };
  /** Named tests; a suggestion failing one is not run. */
  readonly constraints?: Readonly<Record<string, (params: ParamsOf<S>) => boolean>>;
  readonly resumePolicy?: ResumePolicy;
}

/** The options of an experiment file (`weft tune experiment.ts` runs its default export). */
export function defineExperiment<const S extends Space>(options: TuneOptions<S>): TuneOptions<S> {
  return options;
}

function isPipelineSpec(v: unknown): v is PipelineSpec {
  return typeof v === "object" && v !== null && "pipelineInfo" in v && "root" in v;
}

function settingsOf(v: Readonly<Record<string, string | number>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(v ?? {}).map(([k, x]) => [k, String(x)]));
}

/**
 * The experiment `tune()` runs for `options`, checked with the rules of Katib YAML. `file`
 * names the experiment file in messages, and relative paths resolve against its directory.
 */
export function toExperimentSpec<S extends Space>(options: TuneOptions<S>, file?: string): ExperimentSpec {
  const origin = file ?? "tune()";
  const fail: Fail = (field, message) => {
    throw new TuningError("TUNING_SPEC_INVALID", `${origin}: ${field}: ${message}`);
  };
  const baseDir = file ? resolve(file, "..") : process.cwd();
  if (typeof options.name !== "string" || !EXPERIMENT_NAME.test(options.name) || options.name.length > 63)
    fail(
      "name",
      `"${options.name}" is not a valid name. Use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit.`,
    );

  const entries = Object.entries(options.space ?? {});
  const names = entries.map(([n]) => n);
  entries.forEach(([n, p]) => {
    if (typeof p !== "object" || p === null || !("spec" in p))
      fail(`space.${n}`, "is not a parameter. Use double(), int(), discrete() or categorical().");
  });
  const parameters = validateParameters(
    entries.map(([name, p]) => ({ name, ...p.spec })),
    {
      param: (i) => `space.${names[i] ?? ""}`.replace(/\.$/, ""),
      field: (i, f) => (f === "name" ? `space.${names[i]}` : `space.${names[i]}.${f === "list" ? "values" : f}`),
    },
    fail,
  );

  const objectives = Array.isArray(options.objective) ? options.objective : [options.objective as ObjectiveInput];
  const bestRule: BestRule | undefined =
    options.best === undefined ? undefined : options.best === "first" ? { rule: "first" } : options.best;
  const base: Omit<ObjectiveSpec, "strategies"> = {
    metrics: objectives.map((o) => ({ name: o?.metric, goal: o?.goal })),
    additionalMetricNames: [...(options.additionalMetrics ?? [])],
    ...(options.goal !== undefined ? { goal: options.goal } : {}),
    ...(bestRule ? { best: bestRule } : {}),
  };
  const given = options.strategies ?? {};
  validateObjective(
    { ...base, strategies: given },
    { metrics: "objective", additional: "additionalMetrics", strategies: "strategies", best: "best", goal: "goal" },
    fail,
  );
  const objective: ObjectiveSpec = { ...base, strategies: defaultStrategies(base, given) };

  const algo =
    typeof options.algorithm === "string"
      ? { name: options.algorithm }
      : (options.algorithm ?? { name: objectives.length > 1 ? "nsga2" : "tpe" });
  if (!isAlgorithmName(algo.name))
    fail(
      "algorithm",
      `"${algo.name}" is not an algorithm. Use one of random, grid, sobol, tpe, multivariate-tpe, cmaes, bayesianoptimization, hyperband, asha, nsga2, motpe.`,
    );
  const seed = "seed" in algo && algo.seed !== undefined ? algo.seed : 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1)
    fail("algorithm.seed", `${seed} is not an integer from 0 to 4294967295. Give a seed.`);
  const algorithm = { name: algo.name, settings: settingsOf("settings" in algo ? algo.settings : undefined), seed };

  let earlyStopping: ExperimentSpec["earlyStopping"];
  if (options.earlyStopping !== undefined) {
    const es = typeof options.earlyStopping === "string" ? { name: options.earlyStopping } : options.earlyStopping;
    if (!(EARLY_STOPPING_NAMES as readonly string[]).includes(es.name))
      fail("earlyStopping", `"${es.name}" is not an early-stopping algorithm. Use medianstop.`);
    earlyStopping = { name: es.name, settings: settingsOf("settings" in es ? es.settings : undefined) };
  }

  const parallelTrialCount = options.parallel ?? 3;
  const maxTrialCount = options.budget?.trials;
  const maxFailedTrialCount = options.budget?.failedTrials;
  validateCounts(
    { parallel: parallelTrialCount, max: maxTrialCount, maxFailed: maxFailedTrialCount },
    { parallel: "parallel", max: "budget.trials", maxFailed: "budget.failedTrials" },
    fail,
  );

  const constraints: Constraint[] = Object.entries(options.constraints ?? {}).map(([name, test]) => {
    if (typeof test !== "function") fail(`constraints.${name}`, "is not a function. Give (params) => boolean.");
    return { name, test: test as unknown as Constraint["test"] };
  });

  const { trial, metricsCollector } = trialOf(
    options.trial as TuneOptions<Space>["trial"],
    new Set(names),
    baseDir,
    fail,
  );
  return {
    name: options.name,
    space: constraints.length > 0 ? { parameters, constraints } : { parameters },
    objective,
    algorithm,
    ...(earlyStopping ? { earlyStopping } : {}),
    parallelTrialCount,
    ...(maxTrialCount !== undefined ? { maxTrialCount } : {}),
    ...(maxFailedTrialCount !== undefined ? { maxFailedTrialCount } : {}),
    resumePolicy: options.resumePolicy ?? "Never",
    metricsCollector,
    trial,
    ...(file ? { file } : {}),
  };
}

function trialOf(
  t: TuneOptions<Space>["trial"],
  space: ReadonlySet<string>,
  baseDir: string,
  fail: Fail,
): { trial: TrialTemplate; metricsCollector: MetricsCollectorSpec } {
  if (typeof t === "function")
    return { trial: { kind: "function", run: t as unknown as TrialFunction }, metricsCollector: { kind: "Function" } };
  if (typeof t !== "object" || t === null)
    return fail("trial", "is not a function, a pipeline or a command. Give one.");
  if ("command" in t) {
    if (!Array.isArray(t.command) || t.command.length === 0 || t.command.some((a) => typeof a !== "string"))
      fail("trial.command", "must be a non-empty list of strings. Give the program and its arguments.");
    const check = (s: string, at: string) => {
      for (const m of s.matchAll(new RegExp(PARAM_PLACEHOLDER.source, "g")))
        if (!space.has(m[1] as string))
          fail(
            at,
            `\${trialParameters.${m[1]}} is not a parameter of the space (${[...space].join(", ")}). Fix the name.`,
          );
    };
    for (const [i, a] of t.command.entries()) check(a, `trial.command[${i}]`);
    for (const [k, v] of Object.entries(t.env ?? {})) check(v, `trial.env.${k}`);
    const wd = t.workingDir;
    const trial: TrialTemplate = {
      kind: "command",
      command: [...t.command],
      env: { ...(t.env ?? {}) },
      workingDir: wd === undefined ? baseDir : isAbsolute(wd) ? wd : resolve(baseDir, wd),
      trialParameters: [...space].map((name) => ({ name, reference: name })),
    };
    const m = t.metrics ?? { kind: "StdOut" as const };
    const filters = [...(m.filters ?? [])];
    filters.forEach((filter, i) => {
      try {
        compileFilters([filter]);
      } catch (err) {
        if (!(err instanceof TuningError)) throw err;
        fail(`trial.metrics.filters[${i}]`, err.message.slice(err.message.indexOf(": ") + 2));
      }
    });
    if (m.kind === "File") {
      if (m.format === "JSON" && filters.length > 0)
        fail("trial.metrics.filters", "applies to TEXT metrics; JSON lines are read by key. Remove the filters.");
      return { trial, metricsCollector: { kind: "File", path: m.path, format: m.format ?? "TEXT", filters } };
    }
    return { trial, metricsCollector: { kind: "StdOut", filters } };
  }
  if ("pipeline" in t) {
    for (const [p, ref] of Object.entries(t.parameters ?? {}))
      if (!space.has(ref))
        fail(`trial.parameters.${p}`, `"${ref}" is not a parameter of the space (${[...space].join(", ")}). Name one.`);
    const parameters = { ...(t.parameters ?? {}) };
    const fixed = { ...(t.fixed ?? {}) };
    const pl = t.pipeline;
    if (typeof pl === "string")
      return {
        trial: { kind: "pipeline", source: isAbsolute(pl) ? pl : resolve(baseDir, pl), parameters, fixed },
        metricsCollector: { kind: "Pipeline" },
      };
    if (typeof pl === "function" && (pl as { kind?: unknown }).kind === "pipeline") {
      const name =
        (pl as { componentName?: string; displayName?: string }).displayName ??
        (pl as { name?: string }).name ??
        "pipeline";
      return {
        trial: { kind: "pipeline", source: name, pipeline: pl, parameters, fixed },
        metricsCollector: { kind: "Pipeline" },
      };
    }
    if (isPipelineSpec(pl)) {
      const name = String((pl.pipelineInfo as { name?: unknown }).name ?? "pipeline");
      return {
        trial: { kind: "pipeline", source: name, pipeline: pl, parameters, fixed },
        metricsCollector: { kind: "Pipeline" },
      };
    }
    return fail("trial.pipeline", "is not a pipeline file, an SDK pipeline or a PipelineSpec. Give one.");
  }
  return fail(
    "trial",
    "is not a function, a pipeline ({ pipeline, parameters }) or a command ({ command }). Give one.",
  );
}
