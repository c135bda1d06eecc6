/**
 * The public face of the `weft` package: the authoring SDK, the runtime artifact classes a
 * component's `run` function receives, and the prebuilt components (`registerModel`).
 */

export {
  type Champion,
  type CompareRule,
  ComponentError,
  type ComponentErrorCode,
  type Decision,
  type Policy,
  type RegisterOutcome,
  RegistryClient,
  type RuleResult,
  registerModel,
  type ThresholdOp,
  type ThresholdRule,
} from "./components/index.ts";
export {
  Artifact,
  ClassificationMetrics,
  Dataset,
  HTML,
  Markdown,
  Metrics,
  Model,
  SlicedClassificationMetrics,
} from "./executor/index.ts";
export * from "./sdk/index.ts";
