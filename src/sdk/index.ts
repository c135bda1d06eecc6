/**
 * The authoring SDK: components, pipelines, control flow and task options. It records a
 * graph; the compiler (`src/compiler`) turns it into KFP IR. No I/O, no YAML writing.
 */
export {
  type AnyChannel,
  ArtifactChannel,
  CollectedArtifact,
  CollectedParam,
  Condition,
  type ConditionOperator,
  FormatString,
  fmt,
  isLoopChannel,
  LoopArtifactItem,
  LoopItemField,
  type LoopItems,
  LoopParamItem,
  OneOfArtifact,
  OneOfParam,
  type Operand,
  ParamChannel,
} from "./channel.ts";
export {
  type CallArgs,
  type Component,
  type ComponentOptions,
  type ContainerComponentOptions,
  component,
  containerComponent,
  DEFAULT_NODE_IMAGE,
  type FunctionComponent,
} from "./component.ts";
export {
  collected,
  exitHandler,
  type GroupOptions,
  type LoopItemOf,
  oneOf,
  type ParallelForOptions,
  parallelFor,
  type WhenChain,
  when,
} from "./control-flow.ts";
export type {
  ArgFor,
  ComponentDefinition,
  ComponentImpl,
  ContainerImpl,
  FunctionImpl,
  GraphImpl,
  ImporterImpl,
  LoadedImpl,
  OutputChannels,
  RequiredInputKeys,
  TaskArgs,
} from "./definition.ts";
export { SdkError, type SdkErrorCode } from "./errors.ts";
export { type GroupKind, GroupNode, PipelineContext, sanitizeName, uniqueName } from "./graph.ts";
export { type ImporterOptions, importer } from "./importer.ts";
export { loadComponentFromFile, loadComponentFromText } from "./load-component.ts";
export {
  type BuiltPipeline,
  isPipeline,
  type Pipeline,
  type PipelineOptions,
  type PipelineParams,
  type PipelineReturn,
  pipeline,
} from "./pipeline.ts";
export {
  type ConcatPlaceholder,
  concat,
  type ExecutorInputPlaceholder,
  executorInput,
  type IfPresentPlaceholder,
  ifPresent,
  inputMetadata,
  inputPath,
  inputUri,
  inputValue,
  outputMetadata,
  outputParameterFile,
  outputPath,
  outputUri,
  type PlaceholderValue,
  placeholderToString,
  pythonJsonDumps,
  type RefPlaceholder,
  runtimePlaceholders,
} from "./placeholders.ts";
export { type ArgValue, durationSeconds, type RetryOptions, TaskBase, TaskNode, type TaskResources } from "./task.ts";
export {
  type ArtifactDecl,
  type ArtifactFor,
  type ArtifactType,
  artifact,
  type IODecl,
  type IODecls,
  type JsonValue,
  type OutputValues,
  type ParamDecl,
  type ParamOptions,
  type ParamTypeName,
  type Presence,
  param,
  type RunInputs,
  type RunOutputs,
  type RunResult,
  type TaskFinalStatus,
} from "./types.ts";
