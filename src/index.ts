/**
 * The public face of the `weft` package: the authoring SDK, the runtime artifact classes a
 * component's `run` function receives, and the prebuilt components (`registerModel`,
 * `deployModel`).
 */

export {
  ComponentError,
  type ComponentErrorCode,
  deployModel,
  type Policy,
  RegistryClient,
  registerModel,
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
  type TaskContext,
  type TaskLog,
} from "./executor/index.ts";
export * from "./sdk/index.ts";
export { ServingError, type ServingErrorCode } from "./serving/errors.ts";
export type {
  Datatype,
  InferRequest,
  InferResult,
  Tensor,
  TransformContext,
  Transformer,
} from "./serving/types.ts";
// the typed search space and options of a tuning experiment file (`weft tune experiment.ts`)
export {
  categorical,
  defineExperiment,
  discrete,
  double,
  int,
  type ParamsOf,
  type Space,
  type TuneOptions,
} from "./tuning/sdk.ts";
