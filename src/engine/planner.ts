/**
 * Dry run: resolves the whole DAG statically (components, executors, input wiring,
 * conditions, loops with static items, resources, retry policies, command lines)
 * without executing anything. Errors name the task.
 */
import { parse as parseCel } from "@bufbuild/cel";
import type {
  ComponentSpec,
  ContainerSpec,
  JsonValue,
  PipelinePackage,
  PipelineSpec,
  PipelineTaskSpec,
  PlatformSpec,
} from "../ir/index.ts";
import { dagKind } from "./dag-executor.ts";
import { PlanError, TaskError } from "./errors.ts";
import { upstreamOf } from "./inputs.ts";
import { kubernetesNotes, kubernetesSettings, unrunnableContainer } from "./kubernetes.ts";
import { resolveRunParameters } from "./params.ts";
import { type PlaceholderContext, resolveArgv } from "./placeholders.ts";
import { localDemand, resolveResources, type TaskResources, unsatisfiable } from "./resources.ts";
import { backoffMs } from "./retry.ts";
import type { Capacity, PlannedTask, PlanResult, ResourceDemand, TaskKind } from "./types.ts";

/** Plans a pipeline; throws {@link PlanError} (or `ParameterError`) on the first problem. */
export function planPipeline(
  pipeline: PipelinePackage,
  parameters: Record<string, JsonValue> | undefined,
  capacity: Capacity,
  strictResources = false,
): PlanResult {
  const spec = pipeline.pipelineSpec;
  const params = resolveRunParameters(spec, parameters, { allowMissing: true });
  const tasks: PlannedTask[] = [];
  planDag(spec, spec.root, "root", params, tasks, {
    capacity,
    strict: strictResources,
    platform: pipeline.platformSpec,
  });
  return { pipelineName: spec.pipelineInfo.name, parameters: params, tasks };
}

function outputKeys(spec: PipelineSpec, task: PipelineTaskSpec): { params: Set<string>; artifacts: Set<string> } {
  const c = spec.components?.[task.componentRef.name];
  return {
    params: new Set(Object.keys(c?.outputDefinitions?.parameters ?? {})),
    artifacts: new Set(Object.keys(c?.outputDefinitions?.artifacts ?? {})),
  };
}

function checkWiring(
  spec: PipelineSpec,
  dag: ComponentSpec,
  name: string,
  task: PipelineTaskSpec,
  where: string,
): void {
  const siblings = dag.dag?.tasks ?? {};
  const dagParams = dag.inputDefinitions?.parameters ?? {};
  const dagArtifacts = dag.inputDefinitions?.artifacts ?? {};
  for (const d of task.dependentTasks ?? []) {
    if (!(d in siblings)) throw new PlanError(where, `depends on '${d}', which is not a task of the same DAG`);
  }
  for (const [key, p] of Object.entries(task.inputs?.parameters ?? {})) {
    const src = p.taskOutputParameter ?? undefined;
    if (src) {
      const producer = siblings[src.producerTask];
      if (!producer)
        throw new PlanError(where, `input '${key}' reads task '${src.producerTask}', which is not in the same DAG`);
      if (!outputKeys(spec, producer).params.has(src.outputParameterKey)) {
        throw new PlanError(
          where,
          `input '${key}' reads output parameter '${src.outputParameterKey}' of '${src.producerTask}', which does not declare it`,
        );
      }
    }
    if (p.componentInputParameter !== undefined && !(p.componentInputParameter in dagParams)) {
      throw new PlanError(
        where,
        `input '${key}' reads DAG input '${p.componentInputParameter}', which the enclosing component does not declare`,
      );
    }
    if (p.taskFinalStatus && !(p.taskFinalStatus.producerTask in siblings)) {
      throw new PlanError(
        where,
        `input '${key}' reads the final status of '${p.taskFinalStatus.producerTask}', which is not in the same DAG`,
      );
    }
  }
  for (const [key, a] of Object.entries(task.inputs?.artifacts ?? {})) {
    const src = a.taskOutputArtifact;
    if (src) {
      const producer = siblings[src.producerTask];
      if (!producer)
        throw new PlanError(
          where,
          `input artifact '${key}' reads task '${src.producerTask}', which is not in the same DAG`,
        );
      if (!outputKeys(spec, producer).artifacts.has(src.outputArtifactKey)) {
        throw new PlanError(
          where,
          `input artifact '${key}' reads output artifact '${src.outputArtifactKey}' of '${src.producerTask}', which does not declare it`,
        );
      }
    }
    if (a.componentInputArtifact !== undefined && !(a.componentInputArtifact in dagArtifacts)) {
      throw new PlanError(
        where,
        `input artifact '${key}' reads DAG input '${a.componentInputArtifact}', which the enclosing component does not declare`,
      );
    }
  }
  void name;
}

function checkCycles(dag: ComponentSpec, path: string): void {
  const tasks = dag.dag?.tasks ?? {};
  const state = new Map<string, 1 | 2>();
  const visit = (n: string): void => {
    if (state.get(n) === 2) return;
    if (state.get(n) === 1) throw new PlanError(`${path}/${n}`, "is part of a dependency cycle");
    state.set(n, 1);
    for (const d of upstreamOf(tasks[n] as PipelineTaskSpec)) if (d in tasks) visit(d);
    state.set(n, 2);
  };
  for (const n of Object.keys(tasks)) visit(n);
}

function staticParams(
  task: PipelineTaskSpec,
  scope: Record<string, JsonValue>,
  comp: ComponentSpec,
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [k, p] of Object.entries(task.inputs?.parameters ?? {})) {
    const v =
      p.componentInputParameter !== undefined
        ? scope[p.componentInputParameter]
        : p.runtimeValue?.constant !== undefined
          ? p.runtimeValue.constant
          : undefined;
    out[k] = v !== undefined && !p.parameterExpressionSelector ? v : `{{$.inputs.parameters['${k}']}}`;
  }
  for (const [k, d] of Object.entries(comp.inputDefinitions?.parameters ?? {})) {
    if (out[k] === undefined && d.defaultValue !== undefined) out[k] = d.defaultValue;
  }
  return out;
}

function planDag(
  spec: PipelineSpec,
  dag: ComponentSpec,
  path: string,
  scope: Record<string, JsonValue>,
  out: PlannedTask[],
  local: PlanLocal,
): void {
  checkCycles(dag, path);
  for (const [name, task] of Object.entries(dag.dag?.tasks ?? {})) {
    const where = `${path}/${name}`;
    const comp = spec.components?.[task.componentRef.name];
    if (!comp)
      throw new PlanError(where, `refers to component '${task.componentRef.name}', which is not in components`);
    checkWiring(spec, dag, name, task, where);
    const condition = task.triggerPolicy?.condition;
    if (condition) {
      try {
        parseCel(condition);
      } catch (e) {
        throw new PlanError(where, `trigger condition '${condition}' is not valid CEL: ${(e as Error).message}`);
      }
    }
    try {
      backoffMs(task.retryPolicy, 2);
    } catch (e) {
      throw new PlanError(where, (e as Error).message);
    }
    const params = staticParams(task, scope, comp);
    const planned: PlannedTask = {
      path: where,
      name,
      kind: "container",
      componentName: task.componentRef.name,
      dependsOn: upstreamOf(task),
      ...(condition ? { condition } : {}),
    };
    if (task.parameterIterator || task.artifactIterator) {
      planned.kind = "loop";
      const raw = task.parameterIterator?.items.raw;
      let items: JsonValue[] | undefined;
      if (raw !== undefined) {
        try {
          const list = JSON.parse(raw) as unknown;
          if (!Array.isArray(list)) throw new Error("not a list");
          items = list as JsonValue[];
          planned.iterations = items.length;
        } catch {
          throw new PlanError(where, `loop items '${raw}' are not a JSON list`);
        }
      }
      out.push(planned);
      if (!comp.dag) throw new PlanError(where, `loop component '${task.componentRef.name}' has no dag`);
      const itemInput = task.parameterIterator?.itemInput;
      // Static items are planned one iteration each; dynamic ones as one symbolic iteration.
      for (const [i, item] of (items ?? [undefined]).entries()) {
        const iterParams = item !== undefined && itemInput ? { ...params, [itemInput]: item } : params;
        planDag(spec, comp, `${where}/iteration-${i}`, iterParams, out, local);
      }
      continue;
    }
    if (comp.dag) {
      planned.kind = dagKind(name) as TaskKind;
      out.push(planned);
      planDag(spec, comp, where, params, out, local);
      continue;
    }
    const label = comp.executorLabel;
    const exec = label ? spec.deploymentSpec?.executors?.[label] : undefined;
    if (!label || !exec)
      throw new PlanError(
        where,
        `component '${task.componentRef.name}' has no executor '${label ?? ""}' in deploymentSpec.executors`,
      );
    planned.executorLabel = label;
    if (exec.importer) {
      planned.kind = "importer";
      out.push(planned);
      continue;
    }
    if (!exec.container) throw new PlanError(where, `executor '${label}' has neither a container nor an importer`);
    planned.image = exec.container.image;
    const resources = plannedResources(exec.container, params, where, local);
    if (resources.demand) planned.demand = resources.demand;
    const notes = [...resources.notes];
    const unrunnable = unrunnableContainer(where, label, exec.container);
    if (unrunnable) notes.push(`cannot run here (${unrunnable.code}): ${unrunnable.message}`);
    const k8s = kubernetesNotes(where, kubernetesSettings(local.platform, label), local.strict);
    if ("failure" in k8s) throw new PlanError(where, k8s.failure.message.replace(`task '${where}' `, ""));
    notes.push(...k8s.notes);
    if (notes.length > 0) planned.notes = notes;
    planned.command = resolveArgv(
      [...(exec.container.command ?? []), ...(exec.container.args ?? [])],
      planContext(comp, params, where),
    );
    out.push(planned);
  }
}

/** What the planner knows of where the run will happen. */
interface PlanLocal {
  capacity: Capacity;
  strict: boolean;
  platform: PlatformSpec | undefined;
}

/**
 * A task's demand as it will run, when its inputs are known before the run (a resource
 * set from an upstream output is known only then).
 */
function plannedResources(
  container: ContainerSpec,
  params: Record<string, JsonValue>,
  where: string,
  local: PlanLocal,
): { demand?: ResourceDemand; notes: string[] } {
  const known = Object.fromEntries(
    Object.entries(params).filter(([, v]) => !(typeof v === "string" && v.startsWith("{{$"))),
  );
  let resources: TaskResources;
  try {
    resources = resolveResources(container.resources, known, where);
  } catch (e) {
    if (e instanceof TaskError && e.code === "INPUT_MISSING") return { notes: [] };
    throw new PlanError(where, (e as Error).message.replace(`task '${where}': `, ""));
  }
  const fitted = localDemand(where, resources, local.capacity, local.strict);
  if ("failure" in fitted) {
    throw new PlanError(where, `can never run on this machine: ${unsatisfiable(resources.demand, local.capacity)}`);
  }
  return fitted;
}

function planContext(comp: ComponentSpec, params: Record<string, JsonValue>, where: string): PlaceholderContext {
  const outputParameterFiles: Record<string, string> = {};
  for (const k of Object.keys(comp.outputDefinitions?.parameters ?? {}))
    outputParameterFiles[k] = `<outputs>/${k}/data`;
  const outputArtifacts: PlaceholderContext["outputArtifacts"] = {};
  for (const k of Object.keys(comp.outputDefinitions?.artifacts ?? {})) {
    outputArtifacts[k] = { uri: `<artifacts>/${k}`, path: `<artifacts>/${k}`, metadata: {} };
  }
  const inputArtifacts: PlaceholderContext["inputArtifacts"] = {};
  for (const k of Object.keys(comp.inputDefinitions?.artifacts ?? {})) {
    inputArtifacts[k] = [{ uri: `<input:${k}>`, path: `<input:${k}>`, metadata: {} }];
  }
  return {
    parameters: params,
    inputArtifacts,
    outputParameterFiles,
    outputArtifacts,
    executorInputJson: "<executor-input>",
    executorOutputFile: "<outputs>/executor_output.json",
    run: {
      jobName: "<run>",
      jobUuid: "<run-id>",
      jobResourceName: "<run-resource-name>",
      createTimeUtc: "<create-time>",
      scheduleTimeUtc: "<schedule-time>",
      pipelineRoot: "<pipeline-root>",
    },
    pipelineTaskName: where,
    pipelineTaskUuid: "<task-id>",
    task: where,
  };
}
