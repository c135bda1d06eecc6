/**
 * The run and task states, declared once. Run states are KFP's `V2beta1RuntimeState`;
 * task states add Weft's `CACHED` (a task whose outputs came from the cache; KFP shows it
 * as SKIPPED). Every set of states the code needs (terminal, active, retryable, ...) is a
 * subset declared here, and `test/states-declared-once.test.ts` keeps state literals from
 * being listed together anywhere else. A leaf file with no imports: the web UI loads it
 * without the IR schema and zod.
 */

/**
 * The states a run can be in, in the order of KFP's v2beta1 swagger (`PAUSED` and a
 * run's `SKIPPED` come from a Kubeflow endpoint; Weft records neither).
 */
export const RUN_STATES = [
  "PENDING",
  "RUNNING",
  "SUCCEEDED",
  "SKIPPED",
  "FAILED",
  "CANCELING",
  "CANCELED",
  "PAUSED",
] as const;

/** A run's state. */
export type RunState = (typeof RUN_STATES)[number];

/**
 * KFP's `V2beta1RuntimeState`: the run states and `RUNTIME_STATE_UNSPECIFIED`, the
 * default that the API never sets on purpose (Weft answers it for a run it cannot find).
 */
export const RUNTIME_STATES = [...RUN_STATES, "RUNTIME_STATE_UNSPECIFIED"] as const;

/** A value of KFP's `V2beta1RuntimeState`. */
export type RuntimeState = (typeof RUNTIME_STATES)[number];

/** The states a run never leaves (retrying a run starts a new execution of it from PENDING). */
export const TERMINAL_RUN_STATES = [
  "SUCCEEDED",
  "SKIPPED",
  "FAILED",
  "CANCELED",
] as const satisfies readonly RunState[];

/** The states of a run that is queued, executing or stopping: every run state that is not terminal. */
export const ACTIVE_RUN_STATES = ["PENDING", "RUNNING", "CANCELING", "PAUSED"] as const satisfies readonly RunState[];

/**
 * The states of a run that is queued or executing and that nobody has asked to stop: a
 * cancel moves it to CANCELING, and an execution that breaks down moves it to FAILED.
 */
export const UNSTOPPED_RUN_STATES = ["PENDING", "RUNNING"] as const satisfies readonly RunState[];

/** The states from which a run can be retried (resumed, reusing its finished tasks). */
export const RETRYABLE_RUN_STATES = ["FAILED", "CANCELED"] as const satisfies readonly RunState[];

/** The states a task can be in, as the store records them. */
export const TASK_STATES = ["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "SKIPPED", "CANCELED", "CACHED"] as const;

/** A task's state. */
export type TaskState = (typeof TASK_STATES)[number];

/** The states a task never leaves within one execution of its run. */
export const TERMINAL_TASK_STATES = [
  "SUCCEEDED",
  "FAILED",
  "SKIPPED",
  "CANCELED",
  "CACHED",
] as const satisfies readonly TaskState[];

/** The states of a task that has not finished: every task state that is not terminal. */
export const UNFINISHED_TASK_STATES = ["PENDING", "RUNNING"] as const satisfies readonly TaskState[];

/** The states of a task whose outputs downstream tasks may consume. */
export const SUCCESS_TASK_STATES = ["SUCCEEDED", "CACHED"] as const satisfies readonly TaskState[];

/**
 * The states of a tuning trial (`src/tuning`). Katib's trial conditions map onto them:
 * Created is PENDING, Killed is CANCELED, MetricsUnavailable is FAILED with the reason
 * `METRICS_UNAVAILABLE`, EarlyStopped is EARLY_STOPPED (its last reported values count).
 */
export const TRIAL_STATES = ["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "EARLY_STOPPED", "CANCELED"] as const;

/** A tuning trial's state. */
export type TrialState = (typeof TRIAL_STATES)[number];

/** The states a trial never leaves. */
export const TERMINAL_TRIAL_STATES = [
  "SUCCEEDED",
  "FAILED",
  "EARLY_STOPPED",
  "CANCELED",
] as const satisfies readonly TrialState[];

/** The states of a trial whose objective values a sampler learns from. */
export const OBSERVED_TRIAL_STATES = ["SUCCEEDED", "EARLY_STOPPED"] as const satisfies readonly TrialState[];

/**
 * The states of a tuning experiment. A RUNNING experiment whose owner process is gone is
 * resumed by the next `weft tune` of it; Katib's Restarting has no counterpart.
 */
export const EXPERIMENT_STATES = ["RUNNING", "SUCCEEDED", "FAILED", "CANCELED"] as const;

/** A tuning experiment's state. */
export type ExperimentState = (typeof EXPERIMENT_STATES)[number];

/** The states an experiment never leaves (resuming a CANCELED or FAILED one is a new execution of it). */
export const TERMINAL_EXPERIMENT_STATES = [
  "SUCCEEDED",
  "FAILED",
  "CANCELED",
] as const satisfies readonly ExperimentState[];

const has = (states: readonly string[], state: string | undefined): boolean =>
  state !== undefined && states.includes(state);

/** True for the names of {@link RUN_STATES} (not `RUNTIME_STATE_UNSPECIFIED`). */
export function isRunState(state: string | undefined): state is RunState {
  return has(RUN_STATES, state);
}

/** True for the states a run never leaves ({@link TERMINAL_RUN_STATES}). */
export function isTerminalRunState(state: string | undefined): boolean {
  return has(TERMINAL_RUN_STATES, state);
}

/** True for the states of a queued, executing or stopping run ({@link ACTIVE_RUN_STATES}). */
export function isActiveRunState(state: string | undefined): boolean {
  return has(ACTIVE_RUN_STATES, state);
}

/** True for the states from which a run can be retried ({@link RETRYABLE_RUN_STATES}). */
export function isRetryableRunState(state: string | undefined): boolean {
  return has(RETRYABLE_RUN_STATES, state);
}

/** True for the states a task never leaves ({@link TERMINAL_TASK_STATES}). */
export function isTerminalTaskState(state: string | undefined): boolean {
  return has(TERMINAL_TASK_STATES, state);
}

/**
 * True for a finished run or task: the terminal states of both (`CACHED` is only a task
 * state, so a run's state is terminal here exactly when it is a terminal run state).
 */
export function isTerminalState(state: string | undefined): boolean {
  return isTerminalRunState(state) || isTerminalTaskState(state);
}

/** True for the states after which a task's outputs may be consumed ({@link SUCCESS_TASK_STATES}). */
export function isSuccessState(state: string | undefined): boolean {
  return has(SUCCESS_TASK_STATES, state);
}
