/**
 * The public face of the `weft` package: the authoring SDK, and the runtime artifact
 * classes a component's `run` function receives.
 */

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
