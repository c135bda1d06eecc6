/**
 * Checks of one DAG task: its component reference, the sources of its inputs, the
 * types flowing along its edges, required inputs and loop iterators.
 */
import { artifactTypeAccepts } from "./artifact-types.ts";
import type { IrIssue } from "./errors.ts";
import { checkParameterValue } from "./parameters.ts";
import type { ArtifactTypeSchema, ComponentSpec, JsonValue, ParameterType, PipelineSpec } from "./spec.ts";
import { resourceInputs } from "./validate-resources.ts";
import type { TaskEntry } from "./walk.ts";

const title = (t: ArtifactTypeSchema | undefined): string => t?.schemaTitle ?? "system.Artifact";
const known = (t: ParameterType | undefined): t is ParameterType =>
  t !== undefined && t !== "PARAMETER_TYPE_ENUM_UNSPECIFIED";

function declaredList(names: string[], kind: string): string {
  return names.length ? `it declares: ${names.join(", ")}` : `it declares no input ${kind}s`;
}

/** Runs every per-task check for `t`, appending to `issues`. */
export function checkTask(spec: PipelineSpec, t: TaskEntry, issues: IrIssue[]): void {
  const add = (path: string, message: string): void => {
    issues.push({ path, message });
  };
  const { task, taskPath, component: enclosing } = t;
  const siblings = t.component.dag?.tasks ?? {};
  const dagTasksPath = `${t.path}.dag.tasks`;
  const refName = task.componentRef.name;
  const target = spec.components?.[refName];
  if (!target) {
    add(
      `${taskPath}.componentRef.name`,
      `component '${refName}' is not defined in components; add it under components or fix the reference`,
    );
  }
  const producer = (name: string, path: string): ComponentSpec | undefined => {
    const p = siblings[name];
    if (!p) {
      add(path, `task '${name}' is not in the same DAG (${dagTasksPath}); refer only to sibling tasks`);
      return undefined;
    }
    if (name === t.taskName) add(path, `task '${name}' refers to itself; a task cannot consume its own outputs`);
    return spec.components?.[p.componentRef.name];
  };

  (task.dependentTasks ?? []).forEach((dep, i) => {
    producer(dep, `${taskPath}.dependentTasks[${i}]`);
  });

  const targetParams = target?.inputDefinitions?.parameters ?? {};
  const targetArtifacts = target?.inputDefinitions?.artifacts ?? {};
  const supplied = new Set<string>();
  const interpolated = interpolatedInputs(task.inputs?.parameters ?? {});
  for (const name of conditionInputs(task.triggerPolicy?.condition)) interpolated.add(name);
  const resources = resourceInputs(spec, target);
  for (const name of [...resources.reads.keys(), ...resources.injected]) interpolated.add(name);
  for (const [name, src] of Object.entries(task.inputs?.parameters ?? {})) {
    const path = `${taskPath}.inputs.parameters.${name}`;
    supplied.add(name);
    const decl = targetParams[name];
    if (target && !decl && !interpolated.has(name)) {
      add(
        path,
        `component '${refName}' has no input parameter '${name}' (${declaredList(Object.keys(targetParams), "parameter")}); remove it or declare it`,
      );
    }
    const want = decl?.parameterType;
    const sources = ["componentInputParameter", "taskOutputParameter", "runtimeValue", "taskFinalStatus"].filter(
      (k) => (src as Record<string, unknown>)[k] !== undefined,
    );
    if (sources.length !== 1) {
      add(
        path,
        sources.length === 0
          ? "no value source; set one of componentInputParameter, taskOutputParameter, runtimeValue or taskFinalStatus"
          : `more than one value source (${sources.join(", ")}); keep exactly one`,
      );
    }
    const selected = src.parameterExpressionSelector !== undefined;
    if (src.componentInputParameter !== undefined) {
      const from = enclosing.inputDefinitions?.parameters?.[src.componentInputParameter];
      if (!from) {
        add(
          `${path}.componentInputParameter`,
          `enclosing component '${t.componentName}' has no input parameter '${src.componentInputParameter}'; declare it in ${t.path}.inputDefinitions.parameters or fix the name`,
        );
      } else if (!selected && known(want) && known(from.parameterType) && want !== from.parameterType) {
        add(
          `${path}.componentInputParameter`,
          `type mismatch: input '${src.componentInputParameter}' of '${t.componentName}' is ${from.parameterType} but component '${refName}' input '${name}' is ${want}`,
        );
      }
    }
    if (src.taskOutputParameter) {
      const { producerTask, outputParameterKey } = src.taskOutputParameter;
      const ppath = `${path}.taskOutputParameter`;
      const pc = producer(producerTask, `${ppath}.producerTask`);
      const out = pc?.outputDefinitions?.parameters?.[outputParameterKey];
      if (pc && !out) {
        add(ppath, `producer task '${producerTask}' has no output parameter '${outputParameterKey}'`);
      } else if (out && !selected && known(want) && known(out.parameterType) && want !== out.parameterType) {
        add(
          ppath,
          `type mismatch: producer task '${producerTask}' output '${outputParameterKey}' is ${out.parameterType} but component '${refName}' input '${name}' is ${want}`,
        );
      }
    }
    if (src.taskFinalStatus) producer(src.taskFinalStatus.producerTask, `${path}.taskFinalStatus.producerTask`);
    const constant = src.runtimeValue?.constant;
    if (constant !== undefined && known(want) && !selected) {
      const problem = checkParameterValue(want, constant as JsonValue);
      if (problem) add(`${path}.runtimeValue.constant`, `${problem} for input '${name}' of component '${refName}'`);
    }
  }

  for (const [name, src] of Object.entries(task.inputs?.artifacts ?? {})) {
    const path = `${taskPath}.inputs.artifacts.${name}`;
    supplied.add(name);
    const decl = targetArtifacts[name];
    if (target && !decl) {
      add(
        path,
        `component '${refName}' has no input artifact '${name}' (${declaredList(Object.keys(targetArtifacts), "artifact")}); remove it or declare it`,
      );
    }
    if (src.componentInputArtifact === undefined && src.taskOutputArtifact === undefined) {
      add(path, "no artifact source; set componentInputArtifact or taskOutputArtifact");
    }
    if (src.componentInputArtifact !== undefined) {
      const from = enclosing.inputDefinitions?.artifacts?.[src.componentInputArtifact];
      if (!from) {
        add(
          `${path}.componentInputArtifact`,
          `enclosing component '${t.componentName}' has no input artifact '${src.componentInputArtifact}'; declare it in ${t.path}.inputDefinitions.artifacts or fix the name`,
        );
      } else if (decl && !artifactTypeAccepts(decl.artifactType, from.artifactType)) {
        add(
          `${path}.componentInputArtifact`,
          `type mismatch: input artifact '${src.componentInputArtifact}' of '${t.componentName}' is ${title(from.artifactType)} but component '${refName}' input '${name}' expects ${title(decl.artifactType)}`,
        );
      }
    }
    if (src.taskOutputArtifact) {
      const { producerTask, outputArtifactKey } = src.taskOutputArtifact;
      const ppath = `${path}.taskOutputArtifact`;
      const pc = producer(producerTask, `${ppath}.producerTask`);
      const out = pc?.outputDefinitions?.artifacts?.[outputArtifactKey];
      if (pc && !out) {
        add(ppath, `producer task '${producerTask}' has no output artifact '${outputArtifactKey}'`);
      } else if (out && decl && !artifactTypeAccepts(decl.artifactType, out.artifactType)) {
        add(
          ppath,
          `type mismatch: producer task '${producerTask}' output '${outputArtifactKey}' is ${title(out.artifactType)} but component '${refName}' input '${name}' expects ${title(decl.artifactType)}`,
        );
      }
    }
  }

  checkIterators(t, supplied, add);

  if (!target) return;
  for (const [name, fields] of resources.reads) {
    const decl = targetParams[name];
    if (supplied.has(name) || decl?.defaultValue !== undefined || decl?.isOptional === true) continue;
    add(
      `${taskPath}.inputs.parameters`,
      `the ${fields.join(" and ")} of executor '${target.executorLabel}' ${fields.length > 1 ? "are" : "is"} set from input '${name}', which the task does not supply; add '${name}' to ${taskPath}.inputs.parameters or give the resource a constant value`,
    );
  }
  for (const [name, decl] of Object.entries(targetParams)) {
    if (supplied.has(name) || decl.isOptional === true || decl.defaultValue !== undefined) continue;
    add(
      `${taskPath}.inputs.parameters.${name}`,
      `required input parameter '${name}' (${decl.parameterType}) of component '${refName}' is not supplied; pass a value or give the input a default`,
    );
  }
  for (const [name, decl] of Object.entries(targetArtifacts)) {
    if (supplied.has(name) || decl.isOptional === true) continue;
    add(
      `${taskPath}.inputs.artifacts.${name}`,
      `required input artifact '${name}' (${title(decl.artifactType)}) of component '${refName}' is not supplied; connect an artifact or mark the input optional`,
    );
  }
}

/**
 * Names of task inputs that feed placeholders inside other inputs' constants. KFP lowers
 * f-strings such as `f"n={x}"` into a constant `n={{$.inputs.parameters['pipelinechannel--x']}}`
 * plus an extra task input `pipelinechannel--x` that the component itself does not declare.
 * Inputs read only by the task's trigger condition are likewise not the component's.
 */
function interpolatedInputs(params: Record<string, { runtimeValue?: { constant?: unknown } }>): Set<string> {
  const names = new Set<string>();
  const re = /\{\{\$\.inputs\.parameters\['([^']+)'\]\}\}/g;
  for (const src of Object.values(params)) {
    const constant = src.runtimeValue?.constant;
    if (typeof constant !== "string") continue;
    for (const m of constant.matchAll(re)) if (m[1]) names.add(m[1]);
  }
  return names;
}

/** Names of task inputs a trigger condition reads (`inputs.parameter_values['x']`). */
export function conditionInputs(condition: string | undefined): string[] {
  if (!condition) return [];
  return [...condition.matchAll(/inputs\.parameter_values\[\s*['"]([^'"]+)['"]\s*\]/g)].map((m) => m[1] ?? "");
}

function checkIterators(t: TaskEntry, supplied: Set<string>, add: (path: string, message: string) => void): void {
  const { task, taskPath } = t;
  const pi = task.parameterIterator;
  if (pi) {
    const path = `${taskPath}.parameterIterator`;
    const params = task.inputs?.parameters ?? {};
    if (pi.items.inputParameter !== undefined && !(pi.items.inputParameter in params)) {
      add(
        `${path}.items.inputParameter`,
        `the task has no input parameter '${pi.items.inputParameter}' to iterate over; add it to ${taskPath}.inputs.parameters`,
      );
    }
    if (pi.items.raw !== undefined) {
      let ok = false;
      try {
        ok = Array.isArray(JSON.parse(pi.items.raw));
      } catch {
        ok = false;
      }
      if (!ok) add(`${path}.items.raw`, "must be a JSON list (e.g. '[1, 2, 3]') of the loop's items");
    }
    if (pi.items.raw === undefined && pi.items.inputParameter === undefined) {
      add(`${path}.items`, "set items.raw (a JSON list) or items.inputParameter (a task input to iterate over)");
    }
    supplied.add(pi.itemInput);
  }
  const ai = task.artifactIterator;
  if (ai) {
    if (!(ai.items.inputArtifact in (task.inputs?.artifacts ?? {}))) {
      add(
        `${taskPath}.artifactIterator.items.inputArtifact`,
        `the task has no input artifact '${ai.items.inputArtifact}' to iterate over; add it to ${taskPath}.inputs.artifacts`,
      );
    }
    supplied.add(ai.itemInput);
  }
}
