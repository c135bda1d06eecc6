/**
 * The experiment runner: `runExperiment`, its journals and trial runners. The store
 * journal is in `store-journal.ts` (import it where a store exists); nothing here imports
 * the store, so an experiment can run inside a task with the memory journal.
 */
export { runCommandTrial } from "./command-trial.ts";
export { runFunctionTrial } from "./function-trial.ts";
export { createMemoryJournal, type MemoryJournal } from "./memory-journal.ts";
export { MAX_CONSTRAINT_ATTEMPTS, runExperiment } from "./run-experiment.ts";
export { experimentSource, serialisableSpec, sha256 } from "./source.ts";
export type {
  EndReason,
  ExperimentEnd,
  ExperimentJournal,
  ExperimentResult,
  ExperimentSource,
  ObservationPoint,
  RunExperimentOptions,
  RunnerEvent,
  TrialInvocation,
  TrialOutcome,
  TrialPatch,
  TrialRecord,
  TrialRunner,
} from "./types.ts";
