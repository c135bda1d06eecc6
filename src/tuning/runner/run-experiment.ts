/**
 * `runExperiment`: keeps up to `parallelTrialCount` trials running, asks the sampler for
 * the next (again with `attempt + 1` while a suggestion breaks a constraint), runs each
 * with the trial runner of the template's kind, reduces its metrics, asks early stopping
 * after each intermediate value of the first objective, and ends the experiment as Katib
 * does. Every state change is written to the journal before the runner acts on it, so a
 * process killed at any point leaves a journal a resume can continue from: finished
 * trials are kept, trials that were PENDING, RUNNING or CANCELED run again with their
 * number and params, and the experiment still ends with exactly `maxTrialCount` trials.
 *
 * Reaching the goal (or `maxFailedTrialCount`) cancels the trials still running: on one
 * machine they hold resources the next command needs (Katib lets them finish).
 */
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { insideRoot } from "../../artifacts/guard.ts";
import type { TrialState } from "../../ir/states.ts";
import { OBSERVED_TRIAL_STATES, TERMINAL_TRIAL_STATES } from "../../ir/states.ts";
import { reduce } from "../collectors/reduce.ts";
import { createEarlyStopper } from "../early-stopping/index.ts";
import { TuningError } from "../errors.ts";
import { chooseBest, paretoFront } from "../pareto.ts";
import type { Assignment, EarlyStopper, ExperimentSpec, Goal, Sampler, TrialObservation } from "../types.ts";
import { runCommandTrial } from "./command-trial.ts";
import { runFunctionTrial } from "./function-trial.ts";
import { experimentSource } from "./source.ts";
import type {
  ExperimentEnd,
  ExperimentResult,
  RunExperimentOptions,
  TrialOutcome,
  TrialRecord,
  TrialRunner,
} from "./types.ts";

/** How many times a suggestion that breaks a constraint is asked for again. */
export const MAX_CONSTRAINT_ATTEMPTS = 100;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type LiveTrial = Mutable<TrialRecord> & { series: Map<string, { step: number; value: number }[]> };

interface Running {
  readonly trial: LiveTrial;
  readonly abort: AbortController;
  readonly done: Promise<void>;
  /** Set once the journal says the trial ended (early stop, cancel): its outcome is then ignored. */
  settled: boolean;
}

/** Trials a resume runs again: those that never ended, and those an earlier cancel stopped. */
function runsAgain(state: TrialState): boolean {
  return state === "CANCELED" || !(TERMINAL_TRIAL_STATES as readonly TrialState[]).includes(state);
}

function isObserved(state: TrialState): boolean {
  return (OBSERVED_TRIAL_STATES as readonly TrialState[]).includes(state);
}

function reachesGoal(value: number, goal: number, direction: Goal): boolean {
  return direction === "maximize" ? value >= goal : value <= goal;
}

function lastLines(text: string, n: number): string {
  return text.split("\n").slice(-n).join("\n");
}

/** A module by its path from this directory, as this copy runs it (`.ts` from the sources, `.js` built). */
function sibling(name: string): string {
  return new URL(`${name}${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;
}

/**
 * The algorithms' registry, loaded when the caller gives no sampler. Computed specifiers
 * (here and for the pipeline trials) are left to run time by a bundler, so a task program
 * that runs an experiment with its own sampler (the tune step) carries neither the larger
 * samplers nor the engine and the store.
 */
async function loadSamplers(): Promise<typeof import("../samplers/index.ts")> {
  return (await import(sibling("../samplers/index"))) as typeof import("../samplers/index.ts");
}

/** The trial runner of a template's kind; the pipeline runner (and the engine) is loaded only when used. */
async function defaultRunner(
  spec: ExperimentSpec,
  home: string | undefined,
): Promise<{ runner: TrialRunner; close?: () => Promise<void> }> {
  if (spec.trial.kind === "function") return { runner: runFunctionTrial };
  if (spec.trial.kind === "command") return { runner: runCommandTrial };
  const { openPipelineTrials } = (await import(sibling("./pipeline-trial"))) as typeof import("./pipeline-trial.ts");
  return openPipelineTrials(spec, home);
}

/**
 * Runs (or resumes) an experiment to its end and returns its result. It rejects only when
 * the experiment cannot start (a bad spec, TUNING_EXPERIMENT_BUSY or _CHANGED) or the
 * journal cannot be written; the journal then records the experiment FAILED where it can.
 */
export async function runExperiment(spec: ExperimentSpec, options: RunExperimentOptions): Promise<ExperimentResult> {
  const { journal, onEvent } = options;
  const directions = spec.objective.metrics.map((m) => m.goal);
  const objectiveNames = spec.objective.metrics.map((m) => m.name);
  const metricNames = [...objectiveNames, ...spec.objective.additionalMetricNames];
  const first = objectiveNames[0] ?? "";
  const sampler: Sampler =
    options.sampler ?? (await loadSamplers()).createSampler(spec.algorithm, spec.space, directions);
  const stopper: EarlyStopper | undefined = spec.earlyStopping ? createEarlyStopper(spec.earlyStopping) : undefined;
  const trialRunners = options.trialRunner ? { runner: options.trialRunner } : await defaultRunner(spec, options.home);
  const runner = trialRunners.runner;
  let recorded: TrialRecord[];
  try {
    recorded = journal.open(spec, experimentSource(spec, options.source));
  } catch (err) {
    await trialRunners.close?.();
    throw err;
  }

  const trials = new Map<number, LiveTrial>();
  for (const r of recorded) trials.set(r.number, { ...r, series: new Map() });
  const running = new Map<number, Running>();
  const rerun = recorded.filter((t) => runsAgain(t.state)).map((t) => t.number);
  let nextNumber = recorded.reduce((n, t) => Math.max(n, t.number + 1), 0);
  let samplerDone: string | undefined;
  let bestNumber: number | undefined;
  let wake: (() => void) | undefined;
  const signal = options.signal;

  const snapshot = (): TrialRecord[] =>
    [...trials.values()].sort((a, b) => a.number - b.number).map(({ series: _s, ...t }) => ({ ...t }));
  const emit = (t: LiveTrial): void => {
    if (!onEvent) return;
    const { series: _s, ...trial } = t;
    onEvent({ type: "trial", trial: { ...trial }, trials: snapshot() });
  };
  const observation = (t: TrialRecord): TrialObservation => ({
    number: t.number,
    params: t.params,
    state: t.state,
    intermediate: t.intermediate,
    ...(t.values === undefined ? {} : { values: t.values }),
    ...(t.meta === undefined ? {} : { meta: t.meta }),
  });
  const history = (): TrialObservation[] => snapshot().map(observation);
  const update = (t: LiveTrial, change: Parameters<typeof journal.updateTrial>[1]): void => {
    const ends = change.state !== undefined && (TERMINAL_TRIAL_STATES as readonly TrialState[]).includes(change.state);
    const patch = ends && change.finishedAt === undefined ? { ...change, finishedAt: Date.now() } : change;
    journal.updateTrial(t.number, patch);
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      if (v === null) delete (t as Record<string, unknown>)[k];
      else (t as Record<string, unknown>)[k] = v;
    }
    emit(t);
  };

  function best(): { best?: TrialRecord; pareto?: TrialRecord[] } {
    const observed = snapshot().filter((t) => isObserved(t.state) && t.values !== undefined);
    if (observed.length === 0) return {};
    const obs = observed.map(observation);
    const front = directions.length > 1 ? paretoFront(obs, directions) : obs;
    const pick = chooseBest(front, spec.objective.best ?? { rule: "first" }, spec.objective.metrics);
    const byNumber = (n: number | undefined) => observed.find((t) => t.number === n);
    const out: { best?: TrialRecord; pareto?: TrialRecord[] } = {};
    const b = byNumber(pick?.number);
    if (b) out.best = b;
    if (directions.length > 1) out.pareto = front.map((f) => byNumber(f.number) as TrialRecord);
    return out;
  }

  function noteBest(): void {
    const b = best().best?.number;
    if (b !== bestNumber) {
      bestNumber = b;
      journal.setBest(b);
    }
  }

  /** The values of the objectives from the series so far (and a function's returned finals). */
  function finalMetrics(t: LiveTrial, final: Readonly<Record<string, number>> | undefined): Record<string, number> {
    const metrics: Record<string, number> = {};
    const names = new Set([...metricNames, ...t.series.keys(), ...Object.keys(final ?? {})]);
    for (const name of names) {
      const given = final?.[name];
      if (given !== undefined) {
        metrics[name] = given;
        continue;
      }
      const strategy = spec.objective.strategies[name] ?? "latest";
      const v = reduce(t.series.get(name) ?? [], strategy);
      if (v !== undefined) metrics[name] = v;
    }
    return metrics;
  }

  function onReport(run: Running, metric: string, value: number, step: number): void {
    const t = run.trial;
    if (run.settled) return;
    const series = t.series.get(metric) ?? [];
    series.push({ step, value });
    t.series.set(metric, series);
    journal.observe(t.number, [{ metric, step, value }]);
    if (metric !== first || !Number.isFinite(value)) return;
    t.intermediate = [...t.intermediate, { step, value }];
    emit(t);
    if (!stopper) return;
    const reason = stopper.shouldStop(observation(t), history(), directions);
    if (reason === undefined) return;
    const metrics = finalMetrics(t, undefined);
    const values = objectiveNames.map((n) => metrics[n]);
    if (values.some((v) => v === undefined || !Number.isFinite(v))) return;
    // recorded first, then stopped
    run.settled = true;
    update(t, { state: "EARLY_STOPPED", reason: "EarlyStopped", message: reason, values: values as number[], metrics });
    run.abort.abort(new Error(`early-stopped: ${reason}`));
    noteBest();
  }

  function settle(run: Running, outcome: TrialOutcome): void {
    const t = run.trial;
    if (run.settled) return;
    run.settled = true;
    if (outcome.kind === "failed") {
      update(t, { state: "FAILED", reason: outcome.reason, message: outcome.message });
      return;
    }
    const metrics = finalMetrics(t, outcome.final);
    const missing = objectiveNames.filter((n) => metrics[n] === undefined);
    if (missing.length > 0) {
      const message = missing.map((m) => outcome.explainMissing(m)).join(" ");
      update(t, { state: "FAILED", reason: "METRICS_UNAVAILABLE", message, metrics });
      return;
    }
    const values = objectiveNames.map((n) => metrics[n] as number);
    const bad = objectiveNames.filter((_, i) => !Number.isFinite(values[i]));
    if (bad.length > 0) {
      update(t, {
        state: "FAILED",
        reason: "METRICS_NOT_FINITE",
        message: `Objective ${bad.map((b) => `"${b}" = ${metrics[b]}`).join(", ")} is not a finite number (the training diverged?); report finite values.`,
        metrics: Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v))),
      });
      return;
    }
    update(t, { state: "SUCCEEDED", values, metrics });
    noteBest();
  }

  function start(t: LiveTrial): void {
    const abort = new AbortController();
    t.series = new Map();
    t.intermediate = [];
    update(t, { state: "RUNNING", startedAt: Date.now(), finishedAt: null, reason: null, message: null });
    const run: Running = { trial: t, abort, done: Promise.resolve(), settled: false };
    const logFile =
      options.home === undefined ? undefined : insideRoot(options.home, "tuning", spec.name, `${t.name}.log`);
    const done = (async () => {
      let outcome: TrialOutcome;
      try {
        outcome = await runner({
          spec,
          number: t.number,
          name: t.name,
          params: t.params,
          signal: abort.signal,
          report: (metric, value, step) => onReport(run, metric, value, step),
          recordRun: (runId) => {
            if (!run.settled) update(t, { runId });
          },
          ...(logFile === undefined ? {} : { logFile }),
        });
      } catch (err) {
        outcome = {
          kind: "failed",
          reason: "TrialFailed",
          message: lastLines(String((err as Error)?.message ?? err), 20),
        };
      }
      settle(run, outcome);
    })().finally(() => {
      running.delete(t.number);
      wake?.();
    });
    (run as { done: Promise<void> }).done = done;
    running.set(t.number, run);
  }

  /** The next suggestion that satisfies the constraints, or why there is none now. */
  function suggest(): { kind: "trial"; params: Assignment; meta?: Record<string, number | string> } | "wait" | "done" {
    const constraints = spec.space.constraints ?? [];
    const hist = history();
    for (let attempt = 0; attempt < MAX_CONSTRAINT_ATTEMPTS; attempt++) {
      const s = sampler.suggest({
        space: spec.space,
        directions,
        history: hist,
        seed: spec.algorithm.seed,
        trialNumber: nextNumber,
        attempt,
      });
      if (s.kind === "wait") return "wait";
      if (s.kind === "done") {
        samplerDone = s.reason;
        return "done";
      }
      if (constraints.every((c) => c.test(s.params))) {
        return { kind: "trial", params: s.params, ...(s.meta === undefined ? {} : { meta: { ...s.meta } }) };
      }
    }
    const names = constraints.map((c) => c.name);
    throw new TuningError(
      "TUNING_CONSTRAINTS_UNSATISFIABLE",
      `${spec.file ?? `experiment "${spec.name}"`}: ${MAX_CONSTRAINT_ATTEMPTS} suggestions for trial ${nextNumber} each broke a constraint (${names.join(", ")}); loosen the constraints or the search space so that they can be met.`,
    );
  }

  const counts = () => {
    let failed = 0;
    for (const t of trials.values()) if (t.state === "FAILED") failed++;
    return { total: trials.size, failed };
  };

  function ending(): ExperimentEnd | undefined {
    const { failed, total } = counts();
    // Katib stops once maxFailedTrialCount trials have failed (0: at the first failure)
    if (spec.maxFailedTrialCount !== undefined && failed >= Math.max(1, spec.maxFailedTrialCount)) {
      return {
        state: "FAILED",
        reason: "MaxFailedTrialsReached",
        message: `${failed} trial(s) failed (maxFailedTrialCount ${spec.maxFailedTrialCount})`,
      };
    }
    const goal = spec.objective.goal;
    if (goal !== undefined && directions.length === 1) {
      const hit = [...trials.values()].find(
        (t) =>
          isObserved(t.state) && t.values?.[0] !== undefined && reachesGoal(t.values[0], goal, directions[0] as Goal),
      );
      if (hit) {
        return { state: "SUCCEEDED", reason: "GoalReached", message: `trial ${hit.name} reached the goal ${goal}` };
      }
    }
    if (running.size > 0 || rerun.length > 0) return undefined;
    if (spec.maxTrialCount !== undefined && total >= spec.maxTrialCount) {
      return { state: "SUCCEEDED", reason: "MaxTrialsReached", message: `${total} trials ran` };
    }
    if (samplerDone !== undefined) {
      return { state: "SUCCEEDED", reason: "SuggestionEndReached", message: samplerDone };
    }
    return undefined;
  }

  async function stopAll(state: "CANCELED", reason: string): Promise<void> {
    const live = [...running.values()];
    for (const run of live) {
      if (run.settled) continue;
      run.settled = true;
      update(run.trial, { state, reason, message: `the experiment ended: ${reason}` });
      run.abort.abort(new Error(reason));
    }
    await Promise.all(live.map((r) => r.done));
  }

  let end: ExperimentEnd | undefined;
  try {
    for (const n of rerun) journal.clearObservations(n);
    while (end === undefined) {
      if (signal?.aborted) {
        await stopAll("CANCELED", "Canceled");
        end = { state: "CANCELED", reason: "Canceled", message: "the experiment was canceled" };
        break;
      }
      end = ending();
      if (end !== undefined) break;
      let waiting = false;
      while (running.size < Math.max(1, spec.parallelTrialCount)) {
        const again = rerun.shift();
        if (again !== undefined) {
          const t = trials.get(again) as LiveTrial;
          start(t);
          continue;
        }
        if (spec.maxTrialCount !== undefined && trials.size >= spec.maxTrialCount) break;
        if (samplerDone !== undefined) break;
        const s = suggest();
        if (s === "wait") {
          waiting = true;
          break;
        }
        if (s === "done") break;
        const number = nextNumber++;
        const name = `${spec.name}-${number}`;
        journal.createTrial({ number, name, params: s.params, ...(s.meta ? { meta: s.meta } : {}) });
        const t: LiveTrial = {
          number,
          name,
          params: s.params,
          ...(s.meta ? { meta: s.meta } : {}),
          state: "PENDING",
          metrics: {},
          intermediate: [],
          series: new Map(),
        };
        trials.set(number, t);
        emit(t);
        start(t);
      }
      if (running.size === 0) {
        end = ending();
        if (end !== undefined) break;
        if (waiting) {
          // nothing runs, so nothing will change the sampler's mind
          samplerDone = "the algorithm waited for trials while none were running";
        }
        continue;
      }
      // one listener per wait, removed after it: an experiment waits once per trial end
      let onAbort: (() => void) | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        onAbort = () => resolve();
        signal?.addEventListener("abort", onAbort, { once: true });
      });
      if (onAbort) signal?.removeEventListener("abort", onAbort);
      wake = undefined;
    }
    if (end.reason === "GoalReached" || end.reason === "MaxFailedTrialsReached") {
      await stopAll("CANCELED", end.reason);
    }
    noteBest();
    const chosen = bestNumber;
    end = { ...end, ...(chosen === undefined ? {} : { bestTrial: chosen }) };
    journal.finish(end);
  } catch (err) {
    await stopAll("CANCELED", "Error").catch(() => undefined);
    try {
      journal.finish({ state: "FAILED", reason: "Error", message: String((err as Error)?.message ?? err) });
    } catch {
      // the original error says more
    }
    journal.close();
    await trialRunners.close?.();
    throw err;
  }
  journal.close();
  await trialRunners.close?.();
  const all = snapshot();
  onEvent?.({ type: "end", end, trials: all });
  return {
    name: spec.name,
    state: end.state,
    reason: end.reason,
    ...(end.message === undefined ? {} : { message: end.message }),
    ...best(),
    trials: all,
  };
}
