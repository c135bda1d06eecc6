/**
 * Task specs and interface definitions, as KFP's `build_task_spec_for_task`,
 * `build_component_spec_for_task` and `build_task_spec_for_group` write them.
 */
import type { ComponentSpec, InputDefinitions, JsonValue, OutputDefinitions, PipelineTaskSpec } from "../ir/index.ts";
import {
  type AnyChannel,
  ArtifactChannel,
  CollectedArtifact,
  CollectedParam,
  durationSeconds,
  FormatString,
  type IODecls,
  LoopItemField,
  ParamChannel,
  type TaskBase,
} from "../sdk/index.ts";
import { type Analysis, type ChannelRef, inputNameFor } from "./analyze.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** KFP interface definitions for declared inputs. */
export function inputDefinitions(decls: IODecls): InputDefinitions | undefined {
  const parameters: NonNullable<InputDefinitions["parameters"]> = {};
  const artifacts: NonNullable<InputDefinitions["artifacts"]> = {};
  for (const [name, d] of Object.entries(decls)) {
    if (d.kind === "parameter") {
      const spec: Mutable<NonNullable<InputDefinitions["parameters"]>[string]> = { parameterType: d.type };
      if (d.default !== undefined) spec.defaultValue = d.default as JsonValue;
      if (d.default !== undefined || d.optional || d.type === "TASK_FINAL_STATUS") spec.isOptional = true;
      if (d.description !== undefined) spec.description = d.description;
      parameters[name] = spec;
    } else {
      const spec: Mutable<NonNullable<InputDefinitions["artifacts"]>[string]> = {
        artifactType: { schemaTitle: d.schemaTitle, schemaVersion: d.schemaVersion },
      };
      if (d.isList) spec.isArtifactList = true;
      if (d.optional) spec.isOptional = true;
      if (d.description !== undefined) spec.description = d.description;
      artifacts[name] = spec;
    }
  }
  return defs(parameters, artifacts);
}

/** KFP interface definitions for declared outputs. */
export function outputDefinitions(decls: IODecls): OutputDefinitions | undefined {
  const parameters: NonNullable<OutputDefinitions["parameters"]> = {};
  const artifacts: NonNullable<OutputDefinitions["artifacts"]> = {};
  for (const [name, d] of Object.entries(decls)) {
    if (d.kind === "parameter") parameters[name] = { parameterType: d.type };
    else {
      artifacts[name] = {
        artifactType: { schemaTitle: d.schemaTitle, schemaVersion: d.schemaVersion },
        ...(d.isList ? { isArtifactList: true } : {}),
      };
    }
  }
  return defs(parameters, artifacts);
}

function defs<P, A>(parameters: Record<string, P>, artifacts: Record<string, A>) {
  const out: { parameters?: Record<string, P>; artifacts?: Record<string, A> } = {};
  if (Object.keys(parameters).length) out.parameters = parameters;
  if (Object.keys(artifacts).length) out.artifacts = artifacts;
  return Object.keys(out).length ? out : undefined;
}

/** The component spec of a task (interface only; the caller adds `executorLabel` or `dag`). */
export function componentSpecFor(inputs: IODecls, outputs: IODecls): ComponentSpec {
  const spec: ComponentSpec = {};
  const i = inputDefinitions(inputs);
  const o = outputDefinitions(outputs);
  if (i) spec.inputDefinitions = i;
  if (o) spec.outputDefinitions = o;
  return spec;
}

/** The effective reference of a channel as consumers see it (collected channels are rewritten). */
export function refOf(a: Analysis, channel: AnyChannel): ChannelRef {
  return a.refs.get(channel) ?? { name: channel.name, producer: channel.producer };
}

/** `<producer>-<name>` of a reference (KFP's `full_name` after surfacing). */
export function refFullName(ref: ChannelRef): string {
  return ref.producer ? `${ref.producer.name}-${ref.name}` : ref.name;
}

/** Seconds as a protobuf Duration in JSON (`"30s"`). */
function protoDuration(seconds: number): string {
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(9).replace(/0+$/, "")}s`;
}

/**
 * The task spec of a component task inside `dagTasks` (the sibling names of its DAG).
 *
 * @param parentInputs The enclosing component's input definitions (root pipeline inputs keep their names).
 */
export function taskSpecForTask(
  a: Analysis,
  task: TaskBase,
  dagTasks: ReadonlySet<string>,
  parentInputs: InputDefinitions | undefined,
): PipelineTaskSpec {
  const spec: PipelineTaskSpec = {
    taskInfo: { name: task.displayName ?? task.name },
    componentRef: { name: "" },
  };
  const caching: Mutable<NonNullable<PipelineTaskSpec["cachingOptions"]>> = {};
  if (task.caching) caching.enableCache = true;
  if (task.cacheKey !== undefined) caching.cacheKey = task.cacheKey;
  spec.cachingOptions = caching;
  if (task.retry) {
    spec.retryPolicy = {
      backoffDuration: protoDuration(durationSeconds(task.retry.backoff ?? "0s") ?? 0),
      backoffFactor: task.retry.factor ?? 2,
      backoffMaxDuration: protoDuration(Math.min(durationSeconds(task.retry.maxBackoff ?? "3600s") ?? 3600, 3600)),
      maxRetryCount: task.retry.maxRetries,
    };
  }
  const parameters: NonNullable<NonNullable<PipelineTaskSpec["inputs"]>["parameters"]> = {};
  const artifacts: NonNullable<NonNullable<PipelineTaskSpec["inputs"]>["artifacts"]> = {};
  for (const [name, value] of Object.entries(task.args)) {
    if (value instanceof ArtifactChannel) {
      const ref = refOf(a, value);
      const producer = ref.producer?.name;
      if (producer !== undefined && dagTasks.has(producer)) {
        artifacts[name] = { taskOutputArtifact: { producerTask: producer, outputArtifactKey: ref.name } };
      } else if (producer !== undefined || value instanceof CollectedArtifact) {
        artifacts[name] = { componentInputArtifact: inputNameFor(refFullName(ref)) };
      } else {
        const full = value.fullName;
        artifacts[name] = { componentInputArtifact: parentInputs?.artifacts?.[full] ? full : inputNameFor(full) };
      }
    } else if (value instanceof FormatString) {
      let text = value.strings[0] ?? "";
      value.values.forEach((channel, i) => {
        const extra = inputNameFor(channel);
        text += `{{$.inputs.parameters['${extra}']}}${value.strings[i + 1] ?? ""}`;
        const producer = channel.producer?.name;
        if (producer !== undefined && dagTasks.has(producer)) {
          parameters[extra] = { taskOutputParameter: { producerTask: producer, outputParameterKey: channel.name } };
        } else if (producer !== undefined) {
          parameters[extra] = { componentInputParameter: extra };
        } else {
          const full = channel.fullName;
          parameters[extra] = { componentInputParameter: parentInputs?.parameters?.[full] ? full : inputNameFor(full) };
        }
      });
      parameters[name] = { runtimeValue: { constant: text } };
    } else if (value instanceof LoopItemField) {
      parameters[name] = {
        componentInputParameter: inputNameFor(value.loopItem),
        parameterExpressionSelector: `parseJson(string_value)["${value.fieldName}"]`,
      };
    } else if (value instanceof ParamChannel) {
      const ref = refOf(a, value);
      const producer = ref.producer?.name;
      if (producer !== undefined && dagTasks.has(producer)) {
        parameters[name] = { taskOutputParameter: { producerTask: producer, outputParameterKey: ref.name } };
      } else if (producer !== undefined || value instanceof CollectedParam) {
        parameters[name] = { componentInputParameter: inputNameFor(refFullName(ref)) };
      } else {
        const full = value.fullName;
        parameters[name] = { componentInputParameter: parentInputs?.parameters?.[full] ? full : inputNameFor(full) };
      }
    } else {
      parameters[name] = { runtimeValue: { constant: value as JsonValue } };
    }
  }
  const inputs: NonNullable<PipelineTaskSpec["inputs"]> = {};
  if (Object.keys(parameters).length) inputs.parameters = parameters;
  if (Object.keys(artifacts).length) inputs.artifacts = artifacts;
  if (Object.keys(inputs).length) spec.inputs = inputs;
  return spec;
}

/** KFP's `build_task_spec_for_group`: the inputs a sub-DAG task passes down. */
export function taskSpecForGroup(
  a: Analysis,
  name: string,
  channels: Iterable<AnyChannel>,
  dagTasks: ReadonlySet<string>,
  parentIsRoot: boolean,
): PipelineTaskSpec {
  const spec: PipelineTaskSpec = { taskInfo: { name }, componentRef: { name: "" } };
  const parameters: NonNullable<NonNullable<PipelineTaskSpec["inputs"]>["parameters"]> = {};
  const artifacts: NonNullable<NonNullable<PipelineTaskSpec["inputs"]>["artifacts"]> = {};
  for (const channel of channels) {
    const ref = refOf(a, channel);
    let fullName = refFullName(ref);
    let channelName = ref.name;
    const inputName = inputNameFor(fullName);
    const entry: Mutable<NonNullable<typeof parameters>[string]> = {};
    if (channel instanceof LoopItemField) {
      fullName = channel.loopItem.fullName;
      entry.parameterExpressionSelector = `parseJson(string_value)["${channel.fieldName}"]`;
      if (channel.loopItem.items) channelName = channel.loopItem.items.name;
    }
    const producer = ref.producer?.name;
    if (channel instanceof ArtifactChannel) {
      artifacts[inputName] =
        producer !== undefined && dagTasks.has(producer)
          ? { taskOutputArtifact: { producerTask: producer, outputArtifactKey: channelName } }
          : { componentInputArtifact: parentIsRoot ? fullName : inputName };
    } else {
      if (producer !== undefined && dagTasks.has(producer)) {
        entry.taskOutputParameter = { producerTask: producer, outputParameterKey: channelName };
      } else {
        entry.componentInputParameter = parentIsRoot ? fullName : inputNameFor(fullName);
      }
      parameters[inputName] = entry;
    }
  }
  const inputs: NonNullable<PipelineTaskSpec["inputs"]> = {};
  if (Object.keys(parameters).length) inputs.parameters = parameters;
  if (Object.keys(artifacts).length) inputs.artifacts = artifacts;
  if (Object.keys(inputs).length) spec.inputs = inputs;
  return spec;
}

/** Input definitions of a sub-DAG from the channels it receives. */
export function groupInputDefinitions(a: Analysis, channels: Iterable<AnyChannel>): InputDefinitions | undefined {
  const parameters: NonNullable<InputDefinitions["parameters"]> = {};
  const artifacts: NonNullable<InputDefinitions["artifacts"]> = {};
  for (const c of channels) {
    const name = inputNameFor(refFullName(refOf(a, c)));
    if (c instanceof ArtifactChannel) {
      artifacts[name] = {
        artifactType: { schemaTitle: c.schemaTitle, schemaVersion: c.schemaVersion },
        ...(c.isArtifactList ? { isArtifactList: true } : {}),
      };
    } else {
      parameters[name] = { parameterType: c.paramType };
    }
  }
  return defs(parameters, artifacts);
}
