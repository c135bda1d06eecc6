/**
 * Pipeline trials: one Engine run per trial, in the KFP experiment named after the tuning
 * experiment, tagged `weft.tuning.experiment` and `weft.tuning.trial`, with the trial's
 * values as pipeline parameters (plus the fixed ones). Intermediate values are the run's
 * step metrics (`ctx.log.metric`, store.tracking) of each metric asked for, read as they
 * arrive; at the end the run's Metrics-artifact metrics (the store's run metrics) are
 * added to each series. Loaded only when an experiment has pipeline trials.
 */
import type { ExperimentSpec } from "../types.ts";
import type { TrialRunner } from "./types.ts";

/** The pipeline trial runner for `spec`, over the engine of the Weft home `home`. */
export function pipelineTrialRunner(spec: ExperimentSpec, home: string | undefined): TrialRunner {
  void spec;
  void home;
  return async () => ({
    kind: "failed",
    reason: "TrialFailed",
    message: "pipeline trials are not available in this build",
  });
}
