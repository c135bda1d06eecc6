/**
 * The `ir` module: the Kubeflow Pipelines v2 PipelineSpec as Weft's interchange format.
 * Parse, validate and serialize pipeline files; build and resolve command-line
 * placeholders; check parameter values against their declared types; the run and task
 * states.
 */

export type { ArtifactTypeName } from "./artifact-types.ts";
export { artifactTypeAccepts, artifactTypes, GENERIC_ARTIFACT_TITLE } from "./artifact-types.ts";
export type { IrErrorCode, IrIssue } from "./errors.ts";
export { formatIssues, IrError, IrParseError, IrValidationError, WeftError } from "./errors.ts";
export {
  conditionLabel,
  conditionText,
  isConditionName,
  iterationLabel,
  LABEL_MAX,
  type LabelledSpec,
  type LabelledTask,
  labelledPath,
  labelsByPath,
  shortenLabel,
  specTaskLabel,
} from "./labels.ts";
export { checkParameterValue, coerceParameterString, parameterTypeOfValue } from "./parameters.ts";
export { formatPath, loadPipelineFile, parsePipelineObject, parsePipelineYaml } from "./parse.ts";
export type { PlaceholderArtifact, PlaceholderContext } from "./placeholder-resolve.ts";
export { formatParameterValue, interpolateString, resolveCommandLine } from "./placeholder-resolve.ts";
export type { PlaceholderNode, PlaceholderPart, StructuredPlaceholder } from "./placeholders.ts";
export {
  concatPlaceholder,
  EXECUTOR_INPUT_PLACEHOLDER,
  executorInputPlaceholder,
  ifPresentPlaceholder,
  inputArtifactMetadataPlaceholder,
  inputArtifactPathPlaceholder,
  inputArtifactUriPlaceholder,
  inputParameterPlaceholder,
  outputArtifactPathPlaceholder,
  outputArtifactUriPlaceholder,
  outputParameterPathPlaceholder,
  parseStructuredPlaceholder,
  pythonJsonDumps,
  runtimePlaceholders,
} from "./placeholders.ts";
export {
  pipelineHeader,
  pipelineToJson,
  pythonRepr,
  serializePipeline,
  sortKeysDeep,
  stableStringify,
} from "./serialize.ts";
export * from "./spec.ts";
export type { RunState, RuntimeState, TaskState } from "./states.ts";
export {
  ACTIVE_RUN_STATES,
  isActiveRunState,
  isRetryableRunState,
  isRunState,
  isSuccessState,
  isTerminalRunState,
  isTerminalState,
  isTerminalTaskState,
  RETRYABLE_RUN_STATES,
  RUN_STATES,
  RUNTIME_STATES,
  SUCCESS_TASK_STATES,
  TASK_STATES,
  TERMINAL_RUN_STATES,
  TERMINAL_TASK_STATES,
  UNFINISHED_TASK_STATES,
  UNSTOPPED_RUN_STATES,
} from "./states.ts";
export { MEMORY_UNITS, parseCpuCores, parseDurationMs, parseMemoryBytes } from "./units.ts";
export type { ValidateOptions } from "./validate.ts";
export { assertValidPipeline, SUPPORTED_SCHEMA_VERSIONS, validatePipeline } from "./validate.ts";
export { resourceInput } from "./validate-resources.ts";
export type { DagEntry, TaskEntry } from "./walk.ts";
export { componentOf, upstreamTasks, walkComponents, walkDag } from "./walk.ts";
export { RUN_METRICS_TASKS_FIELD, runMetricsPlatform, runMetricsTasks, WEFT_PLATFORM } from "./weft-platform.ts";
