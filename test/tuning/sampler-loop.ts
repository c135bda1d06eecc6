/**
 * Runs a sampler against an objective function the way the runner would, sequentially or
 * with trials in flight, for the samplers' unit tests.
 */

import type { Assignment, Goal, Sampler, SearchSpace, TrialObservation } from "../../src/tuning/types.ts";

export interface LoopOptions {
  readonly space: SearchSpace;
  readonly directions: readonly Goal[];
  readonly objective: (params: Assignment) => readonly number[];
  readonly trials: number;
  readonly seed: number;
  /** Trials in flight: each suggestion sees the last `parallel - 1` trials still RUNNING. */
  readonly parallel?: number;
}

/** The history after `trials` suggestions (stops early when the sampler is done). */
export function runLoop(sampler: Sampler, opts: LoopOptions): TrialObservation[] {
  const history: TrialObservation[] = [];
  const parallel = opts.parallel ?? 1;
  for (let n = 0; n < opts.trials; n++) {
    // the oldest running trial finishes once the slots are full
    const running = history.filter((t) => t.state === "RUNNING");
    if (running.length >= parallel) finish(history, running[0]!.number, opts);
    const s = sampler.suggest({
      space: opts.space,
      directions: opts.directions,
      history: [...history],
      seed: opts.seed,
      trialNumber: n,
      attempt: 0,
    });
    if (s.kind !== "trial") break;
    history.push({ number: n, params: s.params, state: "RUNNING", intermediate: [] });
  }
  for (const t of history.filter((x) => x.state === "RUNNING")) finish(history, t.number, opts);
  return history;
}

function finish(history: TrialObservation[], number: number, opts: LoopOptions): void {
  const i = history.findIndex((t) => t.number === number);
  const t = history[i]!;
  history[i] = { ...t, state: "SUCCEEDED", values: opts.objective(t.params) };
}

/** The least value of objective 0 over a history (minimisation). */
export function bestValue(history: readonly TrialObservation[]): number {
  return Math.min(...history.filter((t) => t.values).map((t) => t.values![0]!));
}
