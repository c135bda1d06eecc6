/**
 * Tuning experiments (`/apis/weft/v1/tuning`): the list with trial counts and best values,
 * one experiment with its spec summary and best trials, its trials, a trial's intermediate
 * values, and the analysis (parameter importance, optimisation history, Pareto front).
 */
import { request } from "./http.ts";
import { WEFT_API } from "./weft.ts";

/** Prefix of the tuning endpoints. */
export const TUNING_API = `${WEFT_API}/tuning`;

/** Rows of the experiments list per page. */
export const TUNING_PAGE_SIZE = 50;

const enc = encodeURIComponent;

export interface TuningObjective {
  name: string;
  goal: "minimize" | "maximize";
}

/** An experiment as the list shows it. */
export interface TuningExperimentSummary {
  name: string;
  state: string;
  reason?: string;
  message?: string;
  algorithm: string;
  objectives: TuningObjective[];
  /** Trials by state (only states with trials). */
  trial_counts: Record<string, number>;
  trial_count: number;
  max_trial_count?: number;
  parallel_trial_count: number;
  /** The best trial's value of the first objective. */
  best_value?: number;
  best_trial?: string;
  created_at?: string;
  finished_at?: string;
}

export interface TuningParameter {
  name: string;
  type: "double" | "int" | "discrete" | "categorical";
  min?: number;
  max?: number;
  step?: number;
  values?: Array<number | string>;
  distribution: string;
  when?: { parameter: string; values: Array<number | string> };
}

export interface TuningTrial {
  name: string;
  number: number;
  state: string;
  reason?: string;
  message?: string;
  params: Record<string, number | string>;
  /** Objective values in the order of the experiment's objectives. */
  values?: number[];
  /** Final value of every metric (objectives and additional metrics). */
  metrics: Record<string, number>;
  run_id?: string;
  started_at?: string;
  finished_at?: string;
}

/** One experiment: its summary, spec summary and best trial(s). */
export interface TuningExperiment extends TuningExperimentSummary {
  spec: {
    parameters: TuningParameter[];
    additional_metric_names: string[];
    goal?: number;
    best_rule?: string;
    algorithm_settings: Record<string, string>;
    seed: number;
    early_stopping?: { name: string; settings: Record<string, string> };
    max_failed_trial_count?: number;
    trial_kind: string;
  };
  /** The best trial (one objective) or the Pareto front (several). */
  best_trials: TuningTrial[];
  /** The number of the one best trial (by the experiment's best rule). */
  best_trial_number?: number;
}

export interface TuningObservation {
  metric: string;
  step: number;
  /** null where the trial reported NaN. */
  value: number | null;
  timestamp?: string;
}

export interface TuningAnalysis {
  importance: Array<{
    objective: number;
    metric: string;
    trials: number;
    top_trials: number;
    parameters: Array<{ parameter: string; importance: number; share: number }>;
    note?: string;
  }>;
  history: Array<{
    objective: number;
    metric: string;
    goal: "minimize" | "maximize";
    points: Array<{ number: number; value: number; best: number; improved: boolean }>;
  }>;
  /** Trial numbers of the Pareto front (multi-objective experiments). */
  pareto_front?: number[];
}

/** A page of tuning experiments, newest first. */
export const listTuningExperiments = (
  opts: { pageToken?: string | undefined; pageSize?: number; state?: string } = {},
  signal?: AbortSignal,
): Promise<{ experiments?: TuningExperimentSummary[]; total_size: number; next_page_token?: string }> =>
  request(`${TUNING_API}/experiments`, {
    query: { page_size: opts.pageSize ?? TUNING_PAGE_SIZE, page_token: opts.pageToken, state: opts.state },
    ...(signal ? { signal } : {}),
  });

export const getTuningExperiment = (name: string, signal?: AbortSignal): Promise<TuningExperiment> =>
  request(`${TUNING_API}/experiments/${enc(name)}`, signal ? { signal } : {});

export const listTuningTrials = (name: string, signal?: AbortSignal): Promise<{ trials?: TuningTrial[] }> =>
  request(`${TUNING_API}/experiments/${enc(name)}/trials`, signal ? { signal } : {});

export const getTuningAnalysis = (name: string, signal?: AbortSignal): Promise<TuningAnalysis> =>
  request(`${TUNING_API}/experiments/${enc(name)}/analysis`, signal ? { signal } : {});

export const getTrialObservations = (
  name: string,
  trial: string,
  signal?: AbortSignal,
): Promise<{ observations?: TuningObservation[] }> =>
  request(`${TUNING_API}/experiments/${enc(name)}/trials/${enc(trial)}/observations`, signal ? { signal } : {});

/** Cancels a running experiment: its running trials are canceled. */
export const cancelTuningExperiment = (name: string): Promise<unknown> =>
  request(`${TUNING_API}/experiments/${enc(name)}:cancel`, { method: "POST" });
