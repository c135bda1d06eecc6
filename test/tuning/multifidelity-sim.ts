/** Drives a sampler the way the runner does, with trials that finish in a given order. */

import type { Goal, Sampler, SearchSpace, Suggestion, TrialObservation } from "../../src/tuning/types.ts";

export interface Driven {
  readonly trials: TrialObservation[];
  readonly answers: Suggestion["kind"][];
  readonly end: Suggestion;
}

/**
 * Asks `sampler` for up to `max` trials with at most `parallel` running; a trial's value is
 * `objective(params)`, except for the trial numbers in `fail` (FAILED). Running trials
 * finish oldest first when the sampler waits or the slots are full.
 */
export function drive(
  sampler: Sampler,
  space: SearchSpace,
  opts: {
    seed?: number;
    max: number;
    parallel?: number;
    goal?: Goal;
    objective: (params: TrialObservation["params"]) => number;
    fail?: readonly number[];
  },
): Driven {
  const trials: TrialObservation[] = [];
  const answers: Suggestion["kind"][] = [];
  const parallel = opts.parallel ?? 1;
  const finishOldest = (): boolean => {
    const i = trials.findIndex((t) => t.state === "RUNNING");
    if (i < 0) return false;
    const t = trials[i] as TrialObservation;
    trials[i] = opts.fail?.includes(t.number)
      ? { ...t, state: "FAILED" }
      : { ...t, state: "SUCCEEDED", values: [opts.objective(t.params)] };
    return true;
  };
  for (let guard = 0; guard < 10_000; guard++) {
    if (trials.length >= opts.max) return { trials, answers, end: { kind: "done", reason: "max" } };
    if (trials.filter((t) => t.state === "RUNNING").length >= parallel) {
      finishOldest();
      continue;
    }
    const s = sampler.suggest({
      space,
      directions: [opts.goal ?? "minimize"],
      history: trials,
      seed: opts.seed ?? 0,
      trialNumber: trials.length,
      attempt: 0,
    });
    answers.push(s.kind);
    if (s.kind === "done") {
      while (finishOldest());
      return { trials, answers, end: s };
    }
    if (s.kind === "wait") {
      if (!finishOldest()) throw new Error("the sampler waits with no trial running");
      continue;
    }
    trials.push({ number: trials.length, params: s.params, state: "RUNNING", intermediate: [], meta: s.meta });
  }
  throw new Error("the sampler never ended");
}
