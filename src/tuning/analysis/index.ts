/**
 * Analysis of an experiment's trials, for the server's `analysis` route and the UI:
 * parameter importance (PED-ANOVA), optimisation history (best so far per objective) and
 * the Pareto front of a multi-objective experiment.
 */

export { paretoFrontNumbers } from "./front.ts";
export type { HistoryPoint, ObjectiveHistory } from "./history.ts";
export { optimisationHistory } from "./history.ts";
export type { ImportanceOptions, ObjectiveImportance, ParameterImportance } from "./importance.ts";
export { density, MIN_TOP_TRIALS, parameterImportance } from "./importance.ts";
