/**
 * Tuning inside a pipeline, under the names `weft/tuning` gives them: `tuneStep` (the
 * prebuilt `tune` component: a Katib Experiment YAML with command trials) and
 * `tuningComponent` (a component whose trial is a TypeScript function). Neither is
 * exported from `weft`: every component's task program bundles `weft`, and would carry
 * the tuning code.
 */
export { tune as tuneStep } from "./tune.ts";
export type { TuningComponentOptions, TuningTrialContext } from "./tuning-component.ts";
export { tuningComponent } from "./tuning-component.ts";
