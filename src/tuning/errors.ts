/**
 * The tuning module's errors. Each code is stable; each message names the file and field
 * (`spec.parameters[2].feasibleSpace.min`), the trial or the setting, and says what to do.
 * Helpers add codes here as they need them; keep one code per kind of failure.
 */

import { WeftError } from "../ir/weft-error.ts";

export type TuningErrorCode =
  /** An Experiment document that is not valid: a missing, unknown or ill-typed field. */
  | "TUNING_SPEC_INVALID"
  /** A field Katib has that Weft does not run (named, with what to use instead). */
  | "TUNING_SPEC_UNSUPPORTED"
  /** A bad `algorithmSettings` or `earlyStopping` setting. */
  | "TUNING_SETTING_INVALID"
  /** No suggestion satisfied the constraints within the attempts allowed. */
  | "TUNING_CONSTRAINTS_UNSATISFIABLE"
  /** A trial reported no value of an objective metric. */
  | "TUNING_METRICS_UNAVAILABLE"
  /** The experiment named is not recorded. */
  | "TUNING_EXPERIMENT_NOT_FOUND"
  /** The experiment is being run by another live process. */
  | "TUNING_EXPERIMENT_BUSY"
  /** The experiment given differs from the one recorded under that name. */
  | "TUNING_EXPERIMENT_CHANGED"
  /** An input of a tuning pipeline step is not usable (the experiment YAML, its trial kind or algorithm, the data it names). */
  | "TUNE_INVALID_INPUT"
  /** A tuning pipeline step's experiment ended with no trial that reported the objective (its trials and summary are written). */
  | "TUNE_NO_BEST";

export class TuningError extends WeftError {
  declare readonly code: TuningErrorCode;
  constructor(code: TuningErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
