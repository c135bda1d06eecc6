/**
 * The tuning records of the home's store as the `weft tune` views show them: an
 * experiment (by name) with its spec summary, and its trials.
 */
import type { Store, TuningExperiment, TuningTrial } from "../store/index.ts";
import { TuningError } from "../tuning/errors.ts";
import type { ObjectiveSpec } from "../tuning/types.ts";
import type { ExperimentView, TrialView } from "./tune-views.ts";

type SpecJson = {
  objective?: Partial<ObjectiveSpec>;
  algorithm?: { name?: string };
  earlyStopping?: { name?: string };
  space?: { parameters?: { name?: string }[] };
  maxTrialCount?: number;
  parallelTrialCount?: number;
};

/** The view of a recorded experiment (its spec is the serialisable part of the ExperimentSpec). */
export function experimentView(e: TuningExperiment): ExperimentView {
  const spec = e.spec as SpecJson;
  const objective: ObjectiveSpec = {
    metrics: spec.objective?.metrics ?? [],
    additionalMetricNames: spec.objective?.additionalMetricNames ?? [],
    strategies: spec.objective?.strategies ?? {},
    ...(spec.objective?.goal === undefined ? {} : { goal: spec.objective.goal }),
    ...(spec.objective?.best === undefined ? {} : { best: spec.objective.best }),
  };
  return {
    name: e.name,
    state: e.state,
    reason: e.reason,
    message: e.message,
    objective,
    algorithm: spec.algorithm?.name ?? e.algorithm,
    earlyStopping: spec.earlyStopping?.name,
    parameters: (spec.space?.parameters ?? []).map((p) => p.name ?? "").filter((n) => n !== ""),
    maxTrialCount: spec.maxTrialCount,
    parallelTrialCount: spec.parallelTrialCount ?? 1,
    createdAt: e.createdAt,
    finishedAt: e.finishedAt,
  };
}

/** A trial as the store records it, or as the runner reports it while it runs. */
type TrialLike = Pick<
  TuningTrial,
  "number" | "name" | "state" | "params" | "metrics" | "reason" | "message" | "runId" | "startedAt" | "finishedAt"
> & { readonly values?: readonly number[] | undefined };

/** The view of a trial. */
export function trialView(t: TrialLike): TrialView {
  return {
    number: t.number,
    name: t.name,
    state: t.state,
    params: t.params,
    values: t.values,
    metrics: t.metrics,
    reason: t.reason,
    message: t.message,
    runId: t.runId,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
  };
}

/**
 * The experiment named `name` and its trials.
 *
 * @throws TuningError `TUNING_EXPERIMENT_NOT_FOUND` (exit 2) naming the experiments there are.
 */
export function readExperiment(store: Store, name: string): { exp: ExperimentView; trials: TrialView[] } {
  const e = store.tuning.getExperimentByName(name);
  if (!e) {
    const known = store.tuning
      .listExperiments({ pageSize: 20 })
      .items.map((x) => x.name)
      .sort();
    throw new TuningError(
      "TUNING_EXPERIMENT_NOT_FOUND",
      `no tuning experiment named "${name}" in this home; ${
        known.length ? `the experiments are ${known.join(", ")}` : "none has been run here"
      } (start one with weft tune <experiment.yaml>)`,
    );
  }
  return { exp: experimentView(e), trials: store.tuning.listTrials(e.id).map(trialView) };
}
