/**
 * `weft/tuning`: hyperparameter tuning. `tune()` runs an experiment from TypeScript (typed
 * by its search space) and records it in the Weft home, where `weft tune status|trials|best`
 * and the UI read it; `parseExperiment` reads a Katib v1beta1 `Experiment`; the samplers,
 * early stopping, the Pareto front and the analyses are here for programs that drive an
 * experiment themselves; `tuneStep` and `tuningComponent` tune inside a pipeline.
 *
 * Nothing here imports the store or the engine statically: the store journal and pipeline
 * trials are loaded when an experiment needs them, so a task program that tunes stays small.
 */

export type { HistoryPoint, ObjectiveHistory, ObjectiveImportance, ParameterImportance } from "./analysis/index.ts";
export { optimisationHistory, parameterImportance } from "./analysis/index.ts";
export { KATIB_DEFAULT_FILTER } from "./collectors/index.ts";
export { createEarlyStopper } from "./early-stopping/index.ts";
export { TuningError, type TuningErrorCode } from "./errors.ts";
export { parseExperiment } from "./katib/index.ts";
export { chooseBest, paretoFront } from "./pareto.ts";
export { Rng } from "./rng.ts";
export type {
  ExperimentJournal,
  ExperimentResult,
  RunExperimentOptions,
  RunnerEvent,
  TrialRecord,
  TrialRunner,
} from "./runner/index.ts";
export { createMemoryJournal, runExperiment } from "./runner/index.ts";
export { createSampler, SAMPLERS } from "./samplers/index.ts";
export {
  categorical,
  defineExperiment,
  discrete,
  double,
  int,
  type ParamsOf,
  type Space,
  type TuneOptions,
  toExperimentSpec,
} from "./sdk.ts";
export type { TuningComponentOptions, TuningTrialContext } from "./steps/index.ts";
export { tuneStep, tuningComponent } from "./steps/index.ts";
export { type TuneResult, type TuneRunOptions, tune } from "./tune.ts";
export {
  ALGORITHM_NAMES,
  type AlgorithmName,
  type Assignment,
  type ExperimentSpec,
  type Sampler,
  type SamplerContext,
  type SearchSpace,
  type Suggestion,
  type TrialContext,
  type TrialObservation,
} from "./types.ts";
