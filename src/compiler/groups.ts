/**
 * What sub-DAG tasks add to their task spec: loop iterators, CEL trigger conditions, and
 * the DAG outputs surfaced by `collected()` and `oneOf()`.
 */
import type { ComponentSpec, DagOutputsSpec, OutputDefinitions, PipelineTaskSpec } from "../ir/index.ts";
import {
  ArtifactChannel,
  type Condition,
  type GroupNode,
  LoopArtifactItem,
  LoopItemField,
  ParamChannel,
  pythonJsonDumps,
} from "../sdk/index.ts";
import { type GroupOutput, inputNameFor } from "./analyze.ts";
import { CompilerError } from "./errors.ts";

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** KFP's `_update_task_spec_for_loop_group`. */
export function applyLoop(group: GroupNode, spec: PipelineTaskSpec): void {
  const item = group.loopItem;
  if (!item) return;
  const itemInput = inputNameFor(item);
  let remove: string;
  if (item instanceof LoopArtifactItem) {
    spec.artifactIterator = { items: { inputArtifact: inputNameFor(item.items) }, itemInput };
    remove = itemInput;
  } else if (group.itemsIsChannel && item.items) {
    spec.parameterIterator = { items: { inputParameter: inputNameFor(item.items) }, itemInput };
    remove = itemInput;
    const field = item.items;
    if (field instanceof LoopItemField) {
      // Looping over a field of an outer item: read the field from the outer item.
      spec.inputs = spec.inputs ?? {};
      spec.inputs.parameters = {
        ...(spec.inputs.parameters ?? {}),
        [inputNameFor(field)]: {
          componentInputParameter: inputNameFor(field.loopItem),
          parameterExpressionSelector: `parseJson(string_value)["${field.fieldName}"]`,
        },
      };
    }
  } else {
    spec.parameterIterator = { items: { raw: pythonJsonDumps(sortKeys(item.raw ?? [])) }, itemInput };
    remove = itemInput;
  }
  if (group.parallelism > 0) spec.iteratorPolicy = { parallelismLimit: group.parallelism };
  const inputs = spec.inputs;
  if (inputs?.parameters) {
    delete inputs.parameters[remove];
    if (Object.keys(inputs.parameters).length === 0) delete inputs.parameters;
  }
  if (inputs?.artifacts) {
    delete inputs.artifacts[remove];
    if (Object.keys(inputs.artifacts).length === 0) delete inputs.artifacts;
  }
  if (inputs && Object.keys(inputs).length === 0) delete spec.inputs;
}

function operand(value: unknown, group: GroupNode): string {
  if (value instanceof ParamChannel) {
    if (value.paramType === "LIST" || value.paramType === "STRUCT") {
      throw new CompilerError(
        "COMPILE_UNSUPPORTED",
        `${group.name}: a condition compares "${value.fullName}", a ${value.paramType}; compare strings, numbers or booleans`,
      );
    }
    const ref = `inputs.parameter_values['${inputNameFor(value)}']`;
    return value.paramType === "NUMBER_INTEGER" ? `int(${ref})` : ref;
  }
  if (typeof value === "string") return `'${value}'`;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return String(value);
  throw new CompilerError(
    "COMPILE_UNSUPPORTED",
    `${group.name}: a condition operand must be a channel, string, number or boolean`,
  );
}

/** The CEL string of a condition group, as KFP writes it. */
export function conditionCel(group: GroupNode, conditions: readonly Condition[]): string {
  return conditions
    .map((c) => {
      const text = `${operand(c.left, group)} ${c.operator} ${operand(c.right, group)}`;
      return c.negate ? `!(${text})` : text;
    })
    .join(" && ");
}

/** KFP's `_update_task_spec_for_condition_group`. */
export function applyCondition(group: GroupNode, spec: PipelineTaskSpec): void {
  spec.triggerPolicy = { condition: conditionCel(group, group.conditions) };
}

/** Adds the surfaced outputs of a group to its component spec (`dag.outputs`, `outputDefinitions`). */
export function applyGroupOutputs(spec: ComponentSpec, outputs: ReadonlyMap<string, GroupOutput> | undefined): void {
  if (!outputs || outputs.size === 0) return;
  const dagOutputs: DagOutputsSpec = {};
  const params: NonNullable<DagOutputsSpec["parameters"]> = {};
  const artifacts: NonNullable<DagOutputsSpec["artifacts"]> = {};
  const defParams: NonNullable<OutputDefinitions["parameters"]> = {};
  const defArtifacts: NonNullable<OutputDefinitions["artifacts"]> = {};
  for (const [key, out] of outputs) {
    if (out.kind === "single") {
      const producer = out.ref.producer?.name ?? "";
      if (out.channel instanceof ArtifactChannel) {
        artifacts[key] = { artifactSelectors: [{ producerSubtask: producer, outputArtifactKey: out.ref.name }] };
        defArtifacts[key] = {
          artifactType: { schemaTitle: out.channel.schemaTitle, schemaVersion: out.channel.schemaVersion },
          ...(out.asList || out.channel.isArtifactList ? { isArtifactList: true } : {}),
        };
      } else {
        params[key] = { valueFromParameter: { producerSubtask: producer, outputParameterKey: out.ref.name } };
        defParams[key] = { parameterType: out.asList ? "LIST" : out.channel.paramType };
      }
    } else if (out.oneof instanceof ParamChannel) {
      params[key] = {
        valueFromOneof: {
          parameterSelectors: out.selectors.map((s) => ({
            producerSubtask: s.producer?.name ?? "",
            outputParameterKey: s.name,
          })),
        },
      };
      defParams[key] = { parameterType: out.oneof.paramType };
    } else {
      artifacts[key] = {
        artifactSelectors: out.selectors.map((s) => ({
          producerSubtask: s.producer?.name ?? "",
          outputArtifactKey: s.name,
        })),
      };
      defArtifacts[key] = {
        artifactType: { schemaTitle: out.oneof.schemaTitle, schemaVersion: out.oneof.schemaVersion },
      };
    }
  }
  if (Object.keys(params).length) dagOutputs.parameters = params;
  if (Object.keys(artifacts).length) dagOutputs.artifacts = artifacts;
  spec.dag = { ...(spec.dag ?? {}), outputs: dagOutputs };
  const defs: OutputDefinitions = { ...(spec.outputDefinitions ?? {}) };
  if (Object.keys(defParams).length) defs.parameters = { ...(defs.parameters ?? {}), ...defParams };
  if (Object.keys(defArtifacts).length) defs.artifacts = { ...(defs.artifacts ?? {}), ...defArtifacts };
  spec.outputDefinitions = defs;
}
