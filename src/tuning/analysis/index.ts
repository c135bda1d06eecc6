/**
 * Analysis of an experiment's trials, for the server's `analysis` route and the UI:
 * parameter importance (PED-ANOVA) and optimisation history (best so far per objective).
 * The Pareto front and the choice of one best trial are `../pareto.ts`'s.
 */

export type { HistoryPoint, ObjectiveHistory } from "./history.ts";
export { optimisationHistory } from "./history.ts";
export type { ImportanceOptions, ObjectiveImportance, ParameterImportance } from "./importance.ts";
export { density, MIN_TOP_TRIALS, parameterImportance } from "./importance.ts";
