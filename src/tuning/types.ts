/**
 * The tuning module's contract: an experiment as Weft runs it (whether it came from a Katib
 * `Experiment` YAML or from `tune()` in TypeScript), the search space, the trials as the
 * samplers see them, and the interfaces of samplers, early stopping and trial runners.
 * Nothing here imports anything but `ir/states.ts`, so samplers and the space helpers can
 * be bundled into a task (the prebuilt `tune` component).
 */

import type { TrialState } from "../ir/states.ts";

/** A parameter's kind, as Katib names it (`parameterType`). */
export type ParameterType = "double" | "int" | "discrete" | "categorical";

/**
 * How values of a numeric parameter are drawn before any observation, as Katib names it
 * (`feasibleSpace.distribution`). `normal` and `logNormal` are centred on the middle of
 * `[min, max]` (in log space for logNormal) with min and max three standard deviations
 * away, and clipped to `[min, max]`.
 */
export type Distribution = "uniform" | "logUniform" | "normal" | "logNormal";

/** A value a parameter takes: numbers for double, int and discrete, strings for categorical. */
export type ParamValue = number | string;

/** One trial's parameter values by name. A conditional parameter that is inactive is absent. */
export type Assignment = Readonly<Record<string, ParamValue>>;

/** One dimension of a search space, normalised from Katib YAML or the TypeScript space. */
export interface ParameterSpec {
  readonly name: string;
  readonly type: ParameterType;
  /** double and int: inclusive bounds (`min < max`; for int, integers). */
  readonly min?: number;
  readonly max?: number;
  /** double and int: values are `min + k * step` (int's default step is 1). */
  readonly step?: number;
  /** discrete: the numbers (sorted ascending, distinct); categorical: the strings (distinct). */
  readonly values?: readonly ParamValue[];
  /** Numeric types only; default uniform. */
  readonly distribution: Distribution;
  /**
   * A conditional parameter: it exists only when `parameter` (declared before it) is active
   * and has one of `values`.
   */
  readonly when?: { readonly parameter: string; readonly values: readonly ParamValue[] };
}

/** A search space: parameters in declaration order (a condition's parent comes first). */
export interface SearchSpace {
  readonly parameters: readonly ParameterSpec[];
  /**
   * Constraints (TypeScript only): a suggestion for which one returns false is not run;
   * the sampler is asked again (a new attempt), up to a bound, then the experiment fails
   * naming the constraint.
   */
  readonly constraints?: readonly Constraint[];
}

export interface Constraint {
  /** Shown in errors and the UI. */
  readonly name: string;
  readonly test: (params: Assignment) => boolean;
}

export type Goal = "minimize" | "maximize";

/** How a metric's reported series becomes one value (Katib's `metricStrategies`). */
export type MetricStrategy = "min" | "max" | "latest";

/** One objective: a metric and its direction. */
export interface ObjectiveMetric {
  readonly name: string;
  readonly goal: Goal;
}

/**
 * How one configuration is chosen among a multi-objective experiment's Pareto front:
 * `first` (best on the first objective), `weighted` (least weighted sum of the objectives
 * min-max normalised over the front, each turned to minimisation), `lexicographic` (the
 * order of objectives given, ties broken by the next).
 */
export type BestRule =
  | { readonly rule: "first" }
  | { readonly rule: "weighted"; readonly weights: Readonly<Record<string, number>> }
  | { readonly rule: "lexicographic"; readonly order: readonly string[] };

export interface ObjectiveSpec {
  /** One objective is Katib's; two or more make a multi-objective experiment. */
  readonly metrics: readonly ObjectiveMetric[];
  /** Katib's `goal`: a single-objective experiment stops once a trial reaches it. */
  readonly goal?: number;
  /** Recorded and shown, never optimised. */
  readonly additionalMetricNames: readonly string[];
  /**
   * Strategy by metric name, for every objective and additional metric. Katib's default is
   * `min` for a minimised objective, `max` for a maximised one, and `latest` for the rest.
   */
  readonly strategies: Readonly<Record<string, MetricStrategy>>;
  /** Multi-objective only; default `first`. */
  readonly best?: BestRule;
}

/** Katib's algorithm names, plus `asha`. */
export const ALGORITHM_NAMES = [
  "random",
  "grid",
  "sobol",
  "tpe",
  "multivariate-tpe",
  "cmaes",
  "bayesianoptimization",
  "hyperband",
  "asha",
  "nsga2",
  "motpe",
] as const;
export type AlgorithmName = (typeof ALGORITHM_NAMES)[number];

/** Katib's early-stopping algorithms that Weft runs. */
export const EARLY_STOPPING_NAMES = ["medianstop"] as const;
export type EarlyStoppingName = (typeof EARLY_STOPPING_NAMES)[number];

export interface AlgorithmSpec {
  readonly name: AlgorithmName;
  /** Katib's `algorithmSettings` (name → string value), checked by the algorithm's factory. */
  readonly settings: Readonly<Record<string, string>>;
  /** Seed of every random choice (Katib's `random_state` setting where given); default 0. */
  readonly seed: number;
}

export interface EarlyStoppingSpec {
  readonly name: EarlyStoppingName;
  readonly settings: Readonly<Record<string, string>>;
}

/** Where a trial's metrics come from (Katib's `metricsCollectorSpec`). */
export type MetricsCollectorSpec =
  /** Lines of the trial's stdout (and stderr), matched by `filters` (default Katib's regex). */
  | { readonly kind: "StdOut"; readonly filters: readonly string[] }
  /** A file the trial writes: TEXT lines matched by `filters`, or JSON lines (one object per line). */
  | {
      readonly kind: "File";
      readonly path: string;
      readonly format: "TEXT" | "JSON";
      readonly filters: readonly string[];
    }
  /** A pipeline trial: its runs' Metrics artifacts (final values) and step metrics (intermediate). */
  | { readonly kind: "Pipeline" }
  /** A function trial: what it returns and reports. */
  | { readonly kind: "Function" };

/** A trial parameter of Katib's `trialTemplate.trialParameters`. */
export interface TrialParameter {
  readonly name: string;
  /** The search-space parameter it takes its value from. */
  readonly reference: string;
  readonly description?: string;
}

/** What one trial runs. */
export type TrialTemplate =
  | {
      /** A Job's container command and args, run as a local process with `${trialParameters.x}` substituted. */
      readonly kind: "command";
      readonly command: readonly string[];
      readonly env: Readonly<Record<string, string>>;
      /** Relative paths resolve against the experiment file's directory. */
      readonly workingDir?: string;
      readonly trialParameters: readonly TrialParameter[];
    }
  | {
      /** A Weft pipeline (a `.ts` pipeline module or KFP YAML), one run per trial. */
      readonly kind: "pipeline";
      /** Absolute path of the pipeline file (or, with `pipeline`, the pipeline's name for messages). */
      readonly source: string;
      /**
       * `tune()` only: the pipeline itself (an SDK `pipeline()` value or a compiled
       * PipelineSpec) when it was given in memory rather than as a file.
       */
      readonly pipeline?: unknown;
      /** Pipeline parameter name → search-space parameter name. */
      readonly parameters: Readonly<Record<string, string>>;
      /** Fixed pipeline parameters given to every trial. */
      readonly fixed: Readonly<Record<string, unknown>>;
    }
  | {
      /** A TypeScript function (`tune()` only). */
      readonly kind: "function";
      readonly run: TrialFunction;
    };

/**
 * A function trial. It returns its final metrics (name → value) and may report
 * intermediate ones while it runs; `ctx.signal` aborts when early stopping stops it.
 */
export type TrialFunction = (
  params: Assignment,
  ctx: TrialContext,
) => Promise<Readonly<Record<string, number>> | undefined> | Readonly<Record<string, number>> | undefined;

export interface TrialContext {
  /** The trial's name (`<experiment>-<number>`). */
  readonly trialName: string;
  readonly number: number;
  /** Aborted when the trial is early-stopped or the experiment is canceled. */
  readonly signal: AbortSignal;
  /** Reports an intermediate value of a metric at a step (used by early stopping and ASHA). */
  report(metric: string, value: number, step: number): void;
}

export type ResumePolicy = "Never" | "LongRunning" | "FromVolume";

/** An experiment as Weft runs it. */
export interface ExperimentSpec {
  /** Kubernetes-style name: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters. */
  readonly name: string;
  readonly space: SearchSpace;
  readonly objective: ObjectiveSpec;
  readonly algorithm: AlgorithmSpec;
  readonly earlyStopping?: EarlyStoppingSpec;
  /** Katib's default is 3. */
  readonly parallelTrialCount: number;
  /** Unset: until the algorithm has nothing more to suggest or the goal is reached. */
  readonly maxTrialCount?: number;
  /** Unset: failures never stop the experiment. */
  readonly maxFailedTrialCount?: number;
  readonly resumePolicy: ResumePolicy;
  readonly metricsCollector: MetricsCollectorSpec;
  readonly trial: TrialTemplate;
  /** The file it was read from, for messages. */
  readonly file?: string;
}

/** One trial as samplers, schedulers and early stopping see it. */
export interface TrialObservation {
  /** 0-based, in order of creation; a trial's number never changes (also across a resume). */
  readonly number: number;
  readonly params: Assignment;
  readonly state: TrialState;
  /**
   * The objective values in the order of `ObjectiveSpec.metrics`, each reduced by its
   * strategy; set for SUCCEEDED and EARLY_STOPPED trials.
   */
  readonly values?: readonly number[];
  /**
   * Intermediate values of the first objective by step, in the order reported (early
   * stopping, ASHA, Hyperband); possibly empty.
   */
  readonly intermediate: readonly { readonly step: number; readonly value: number }[];
  /** What a multi-fidelity algorithm attached to the suggestion (its bracket, rung, budget). */
  readonly meta?: Readonly<Record<string, number | string>>;
}

/** What a sampler is asked with. Samplers are pure: the same context gives the same answer. */
export interface SamplerContext {
  readonly space: SearchSpace;
  /** One per objective, in order. */
  readonly directions: readonly Goal[];
  /** Every trial created so far, including the PENDING and RUNNING ones (without values). */
  readonly history: readonly TrialObservation[];
  /** The experiment's seed. */
  readonly seed: number;
  /** The number the suggested trial will get. */
  readonly trialNumber: number;
  /** Incremented each time a suggestion broke a constraint and the sampler is asked again. */
  readonly attempt: number;
}

export type Suggestion =
  /** Run a trial with these values. */
  | { readonly kind: "trial"; readonly params: Assignment; readonly meta?: Readonly<Record<string, number | string>> }
  /** Nothing now; ask again when a running trial ends (a Hyperband rung waiting for its trials). */
  | { readonly kind: "wait" }
  /** Nothing more, ever (a grid or Hyperband's brackets are exhausted); `reason` is shown. */
  | { readonly kind: "done"; readonly reason: string };

export interface Sampler {
  readonly name: AlgorithmName;
  suggest(ctx: SamplerContext): Suggestion;
}

/**
 * Makes a sampler for an experiment, checking its settings: an unknown setting or a bad
 * value is a `TuningError` naming `algorithmSettings.<name>` and what is allowed. A
 * sampler may keep caches across calls, but its answers depend only on the context.
 */
export type SamplerFactory = (args: {
  readonly settings: Readonly<Record<string, string>>;
  readonly space: SearchSpace;
  readonly directions: readonly Goal[];
}) => Sampler;

/** Early stopping: asked after each intermediate value a running trial reports. */
export interface EarlyStopper {
  readonly name: EarlyStoppingName;
  /** A reason to stop `trial` now, or undefined to let it run. `history` includes `trial`. */
  shouldStop(
    trial: TrialObservation,
    history: readonly TrialObservation[],
    directions: readonly Goal[],
  ): string | undefined;
}

export type EarlyStopperFactory = (settings: Readonly<Record<string, string>>) => EarlyStopper;
