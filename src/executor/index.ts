/**
 * The in-task runtime of TypeScript components: the KFP executor contract
 * (`--executor_input` JSON in, `executor_output.json` out) and runtime artifact objects.
 * It has no dependencies beyond `node:` builtins, because it is bundled into every task.
 */
export { type ExecutorArgs, parseExecutorArgs, sameFunctionName } from "./args.ts";
export { Artifact, type ArtifactInit, Dataset, HTML, Markdown, Metrics, Model } from "./artifact.ts";
export {
  ClassificationMetrics,
  type ConfidenceMetric,
  type ConfusionMatrix,
  SlicedClassificationMetrics,
  type ThresholdCounts,
} from "./classification-metrics.ts";
export { checkOutputParameter, coerceInputParameter, serializeParameter } from "./coerce.ts";
export { ExecutorError, type ExecutorErrorCode } from "./errors.ts";
export { artifactClassFor, createArtifact } from "./registry.ts";
export { executeComponent, main, runExecutor } from "./run-executor.ts";
export {
  BATCH_LIMITS,
  createTaskContext,
  FLUSH_INTERVAL_MS,
  type Post,
  type TaskContext,
  type TaskLog,
  TrackingClient,
  type TrackingTarget,
  trackingTargetFromEnv,
} from "./tracking.ts";
export type {
  ArtifactDecl,
  ExecutableComponent,
  ExecutorInput,
  ExecutorOutput,
  JsonValue,
  ParameterDecl,
  ParameterTypeName,
  RuntimeArtifact,
  RuntimeArtifactList,
} from "./types.ts";
export { localPathToUri, uriToLocalPath } from "./uri.ts";
