/**
 * The `ir` module: the Kubeflow Pipelines v2 PipelineSpec as Weft's interchange format.
 * Parse, validate and serialize pipeline files; build and resolve command-line
 * placeholders; check parameter values against their declared types.
 */

export type { IrErrorCode, IrIssue } from "./errors.ts";
export { formatIssues, IrError, IrParseError, IrValidationError, WeftError } from "./errors.ts";
export { formatPath, loadPipelineFile, parsePipelineYaml } from "./parse.ts";
export {
  pipelineHeader,
  pipelineToJson,
  pythonRepr,
  serializePipeline,
  sortKeysDeep,
  stableStringify,
} from "./serialize.ts";
export * from "./spec.ts";
