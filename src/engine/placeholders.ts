/**
 * The engine's view of KFP placeholder substitution: builds the IR resolver's context
 * from a task's resolved inputs and attempt files, then resolves with the IR module's
 * `resolveCommandLine` (Concat, IfPresent and placeholders embedded in strings).
 */
import { type JsonValue, resolveCommandLine } from "../ir/index.ts";
import type { RunRuntime } from "./runtime-values.ts";

/** What a task's placeholders resolve against. */
export interface PlaceholderContext {
  parameters: Record<string, JsonValue>;
  /** Input artifacts by name (the first of a list is used for `.path`/`.uri`). */
  inputArtifacts: Record<string, { uri: string; path: string; metadata: Record<string, JsonValue> }[]>;
  outputParameterFiles: Record<string, string>;
  outputArtifacts: Record<string, { uri: string; path: string; metadata: Record<string, JsonValue> }>;
  executorInputJson: string;
  /** Where the task writes `executor_output.json` (`{{$.outputs.output_file}}`). */
  executorOutputFile: string;
  /** The run's values of KFP's run-level placeholders. */
  run: RunRuntime;
  pipelineTaskName: string;
  pipelineTaskUuid: string;
  /** The task path, named in errors. */
  task: string;
}

/** Renders a parameter value as KFP does on a command line: strings bare, others JSON. */
export function renderValue(v: JsonValue): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * Resolves a command line (command followed by args) into argv.
 *
 * @example resolveArgv(["echo", "{{$.inputs.parameters['msg']}}"], ctx) // ["echo", "hi"]
 */
export function resolveArgv(args: string[], ctx: PlaceholderContext): string[] {
  const inputArtifacts: Record<string, { uri: string; path: string; metadata: Record<string, JsonValue> }> = {};
  for (const [k, list] of Object.entries(ctx.inputArtifacts)) {
    const first = list[0];
    if (first) inputArtifacts[k] = first;
  }
  return resolveCommandLine(args, {
    parameters: ctx.parameters,
    inputArtifacts,
    outputArtifacts: ctx.outputArtifacts,
    outputParameterFiles: ctx.outputParameterFiles,
    executorInput: ctx.executorInputJson,
    executorOutputFile: ctx.executorOutputFile,
    pipelineJobName: ctx.run.jobName,
    pipelineJobUuid: ctx.run.jobUuid,
    pipelineJobResourceName: ctx.run.jobResourceName,
    pipelineJobCreateTimeUtc: ctx.run.createTimeUtc,
    pipelineJobScheduleTimeUtc: ctx.run.scheduleTimeUtc,
    pipelineRoot: ctx.run.pipelineRoot,
    pipelineTaskName: ctx.pipelineTaskName,
    pipelineTaskUuid: ctx.pipelineTaskUuid,
    where: `task '${ctx.task}'`,
  });
}
