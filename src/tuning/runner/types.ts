/**
 * The runner's records: a trial as the journal keeps it, the experiment's result, the
 * events a caller may follow, the journal (where every state change is written before the
 * runner acts on it) and the trial runners (what one trial of a kind runs).
 */
import type { ExperimentState, TrialState } from "../../ir/states.ts";
import type { Assignment, ExperimentSpec, Sampler } from "../types.ts";

/** One trial as recorded. */
export interface TrialRecord {
  readonly number: number;
  /** `<experiment>-<number>`. */
  readonly name: string;
  readonly params: Assignment;
  readonly meta?: Readonly<Record<string, number | string>>;
  readonly state: TrialState;
  /** Why it ended: METRICS_UNAVAILABLE, TrialFailed, EarlyStopped, Canceled, ... */
  readonly reason?: string;
  readonly message?: string;
  /** Objective values in the order of the objectives (SUCCEEDED and EARLY_STOPPED trials). */
  readonly values?: readonly number[];
  /** The final value of every objective and additional metric it reported. */
  readonly metrics: Readonly<Record<string, number>>;
  /** The Weft run of a pipeline trial. */
  readonly runId?: string;
  /** Intermediate values of the first objective, in the order reported. */
  readonly intermediate: readonly { readonly step: number; readonly value: number }[];
  readonly startedAt?: number;
  readonly finishedAt?: number;
}

/** What changes on a trial. */
export interface TrialPatch {
  state?: TrialState;
  reason?: string | null;
  message?: string | null;
  values?: readonly number[] | null;
  metrics?: Readonly<Record<string, number>>;
  runId?: string | null;
  startedAt?: number | null;
  finishedAt?: number | null;
}

/** One intermediate value of a metric. */
export interface ObservationPoint {
  readonly metric: string;
  readonly step: number;
  readonly value: number;
}

/** Katib's reasons for an experiment's end. */
export type EndReason =
  | "GoalReached"
  | "MaxTrialsReached"
  | "SuggestionEndReached"
  | "MaxFailedTrialsReached"
  | "Canceled"
  | "Error";

export interface ExperimentEnd {
  readonly state: Exclude<ExperimentState, "RUNNING">;
  readonly reason: EndReason;
  readonly message?: string;
  readonly bestTrial?: number;
}

/** The experiment's source: what a resume must find unchanged. */
export interface ExperimentSource {
  /** The text it was read from (Katib YAML, a `.ts` file); recorded and shown. */
  readonly text: string;
  /** `sha256:<hex>` of the text (or of the spec's serialisable parts when no text is given). */
  readonly digest: string;
}

/**
 * Where the runner records an experiment. `open` creates or resumes it (and may refuse:
 * TUNING_EXPERIMENT_BUSY, TUNING_EXPERIMENT_CHANGED); every later call records one change
 * before the runner acts on it.
 */
export interface ExperimentJournal {
  /** The trials recorded by earlier executions (empty for a new experiment), by number. */
  open(spec: ExperimentSpec, source: ExperimentSource): TrialRecord[];
  createTrial(trial: {
    number: number;
    name: string;
    params: Assignment;
    meta?: Readonly<Record<string, number | string>>;
  }): void;
  updateTrial(number: number, patch: TrialPatch): void;
  /** Forgets the intermediate values of a trial that is run again (a resume). */
  clearObservations(number: number): void;
  observe(number: number, points: readonly ObservationPoint[]): void;
  /** Records a new best trial while the experiment runs. */
  setBest(number: number | undefined): void;
  finish(end: ExperimentEnd): void;
  /** Stops any heartbeat and releases what `open` took (also after a failure). */
  close(): void;
}

/** What a trial runner is given for one trial. */
export interface TrialInvocation {
  readonly spec: ExperimentSpec;
  readonly number: number;
  readonly name: string;
  readonly params: Assignment;
  /** Aborted when the trial is early-stopped or the experiment is canceled. */
  readonly signal: AbortSignal;
  /** Reports an intermediate value of a metric (every metric the trial reports, objective or not). */
  report(metric: string, value: number, step: number): void;
  /** Records the Weft run a pipeline trial made (before it runs). */
  recordRun(runId: string): void;
  /** Where the trial's output goes (command trials), when the experiment has a home. */
  readonly logFile?: string;
}

/** How a trial's execution ended (the runner then reads its metrics). */
export type TrialOutcome =
  | {
      readonly kind: "completed";
      /** Final values that replace the reduction of a metric's reported series (a function's return). */
      readonly final?: Readonly<Record<string, number>>;
      /** Why an objective has no value, in words naming what was seen and what to do. */
      explainMissing(metric: string): string;
    }
  | { readonly kind: "failed"; readonly reason: string; readonly message: string };

/** Runs one trial of one kind of template. It never throws; it resolves when the trial has stopped. */
export type TrialRunner = (trial: TrialInvocation) => Promise<TrialOutcome>;

/** What the runner reports while it runs: the trial that changed with all trials, or the end. */
export type RunnerEvent =
  | { readonly type: "trial"; readonly trial: TrialRecord; readonly trials: readonly TrialRecord[] }
  | { readonly type: "log"; readonly trial: string; readonly stream: "stdout" | "stderr"; readonly line: string }
  | { readonly type: "end"; readonly end: ExperimentEnd; readonly trials: readonly TrialRecord[] };

export interface RunExperimentOptions {
  readonly journal: ExperimentJournal;
  /** The text the experiment was read from; default: its serialisable parts as JSON. */
  readonly source?: string;
  /** Cancels the experiment: running trials become CANCELED, the experiment CANCELED. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunnerEvent) => void;
  /** The Weft home: command trials' logs go to `<home>/tuning/<experiment>/<trial>.log`. */
  readonly home?: string;
  /** Overrides the algorithm's sampler (tests; an algorithm of the caller's own). */
  readonly sampler?: Sampler;
  /** Overrides the trial runner of the template's kind (the pipeline runner with an engine). */
  readonly trialRunner?: TrialRunner;
}

/** The experiment's outcome. */
export interface ExperimentResult {
  readonly name: string;
  readonly state: ExperimentState;
  readonly reason: EndReason;
  readonly message?: string;
  /** The best trial (single objective), or the one the best rule picks from the Pareto front. */
  readonly best?: TrialRecord;
  /** Multi-objective: the observed trials no other dominates. */
  readonly pareto?: readonly TrialRecord[];
  readonly trials: readonly TrialRecord[];
}
