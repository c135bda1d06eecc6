/**
 * Resolves a task's inputs inside its DAG: from the DAG's own inputs, sibling outputs,
 * constants (with placeholder interpolation), upstream final status and CEL selectors.
 */
import { type ComponentSpec, isSuccessState, type JsonValue, type PipelineTaskSpec } from "../ir/index.ts";
import { selectExpression } from "./cel.ts";
import type { NodeIO, NodeResult, RuntimeArtifact } from "./context.ts";
import { TaskError } from "./errors.ts";
import { renderValue } from "./placeholders.ts";
import type { RunRuntime } from "./runtime-values.ts";

/** The DAG a task is resolved in. */
export interface DagScope {
  /** Path of the DAG (e.g. `root/condition-1`). */
  path: string;
  inputs: NodeIO;
  results: Map<string, NodeResult>;
  runId: string;
  /** The values of KFP's run-level placeholders. */
  runtime: RunRuntime;
  /** KFP's `{{$.workspace_path}}`: a folder shared by the run's tasks. */
  workspacePath: string;
}

const MLMD_STATE: Record<string, string> = {
  SUCCEEDED: "COMPLETE",
  CACHED: "CACHED",
  FAILED: "FAILED",
  CANCELED: "CANCELED",
  SKIPPED: "SKIPPED",
};

/** Names of the sibling tasks a task waits for: `dependentTasks` plus every producer it reads. */
export function upstreamOf(task: PipelineTaskSpec): string[] {
  const deps = new Set(task.dependentTasks ?? []);
  for (const p of Object.values(task.inputs?.parameters ?? {})) {
    if (p.taskOutputParameter) deps.add(p.taskOutputParameter.producerTask);
    if (p.taskFinalStatus) deps.add(p.taskFinalStatus.producerTask);
  }
  for (const a of Object.values(task.inputs?.artifacts ?? {})) {
    if (a.taskOutputArtifact) deps.add(a.taskOutputArtifact.producerTask);
  }
  return [...deps];
}

/**
 * Interpolates the placeholders KFP lowers into constants: the task's own input
 * parameters and the run-level values (`runtime-values.ts`), anywhere in the string as
 * kfp.local does (the cluster's driver only replaces a constant that is exactly one).
 * `{{$.pipeline_task_uuid}}` is left for the runner, which knows the task's id once it is
 * recorded.
 */
function interpolateConstant(s: string, params: Record<string, JsonValue>, scope: DagScope, task: string): string {
  const run = scope.runtime;
  const runtime: Record<string, string> = {
    pipeline_job_name: run.jobName,
    pipeline_job_uuid: run.jobUuid,
    pipeline_job_resource_name: run.jobResourceName,
    pipeline_job_create_time_utc: run.createTimeUtc,
    pipeline_job_schedule_time_utc: run.scheduleTimeUtc,
    pipeline_root: run.pipelineRoot,
    pipeline_task_name: task,
    workspace_path: scope.workspacePath,
  };
  return s
    .replace(/\{\{\$\.inputs\.parameters\['([^']+)'\]\}\}/g, (all, name: string) => {
      const v = params[name];
      return v === undefined ? all : renderValue(v);
    })
    .replace(/\{\{\$\.([a-z_]+)\}\}/g, (all, key: string) => runtime[key] ?? all);
}

/**
 * Resolves the input parameters and artifacts of `task` (named `name`) in `scope`.
 * Inputs that resolve to nothing are left out, then filled from the component's defaults.
 */
export function resolveTaskInputs(
  name: string,
  task: PipelineTaskSpec,
  component: ComponentSpec,
  scope: DagScope,
): NodeIO {
  const where = `${scope.path}/${name}`;
  const parameters: Record<string, JsonValue> = {};
  const constants: [string, string][] = [];
  for (const [key, spec] of Object.entries(task.inputs?.parameters ?? {})) {
    let value: JsonValue | undefined;
    if (spec.componentInputParameter !== undefined) {
      value = scope.inputs.parameters[spec.componentInputParameter];
    } else if (spec.taskOutputParameter) {
      const { producerTask, outputParameterKey } = spec.taskOutputParameter;
      const r = scope.results.get(producerTask);
      value = r?.outputs.parameters[outputParameterKey];
      if (value === undefined && r && isSuccessState(r.state)) {
        throw new TaskError(
          "INPUT_MISSING",
          `task '${where}': input '${key}' reads output parameter '${outputParameterKey}' of '${producerTask}', which produced no such output; check the producer's outputDefinitions`,
        );
      }
    } else if (spec.taskFinalStatus) {
      const producer = spec.taskFinalStatus.producerTask;
      const r = scope.results.get(producer);
      value = {
        state: MLMD_STATE[r?.state ?? "SKIPPED"] ?? "FAILED",
        pipelineJobResourceName: scope.runtime.jobResourceName,
        pipelineTaskName: producer,
        error: { code: r?.state === "FAILED" ? 2 : 0, message: r?.error?.message ?? "" },
      };
    } else if (spec.runtimeValue) {
      const c = spec.runtimeValue.constant;
      if (typeof c === "string" && c.includes("{{$")) constants.push([key, c]);
      else value = c === undefined ? null : c;
    }
    if (value !== undefined && spec.parameterExpressionSelector) {
      value = selectExpression(spec.parameterExpressionSelector, value, where);
    }
    if (value !== undefined) parameters[key] = value;
  }
  for (const [key, c] of constants) parameters[key] = interpolateConstant(c, parameters, scope, name);
  for (const [key, def] of Object.entries(component.inputDefinitions?.parameters ?? {})) {
    if (parameters[key] === undefined && def.defaultValue !== undefined) parameters[key] = def.defaultValue;
  }

  const artifacts: Record<string, RuntimeArtifact[]> = {};
  for (const [key, spec] of Object.entries(task.inputs?.artifacts ?? {})) {
    let list: RuntimeArtifact[] | undefined;
    if (spec.componentInputArtifact !== undefined) list = scope.inputs.artifacts[spec.componentInputArtifact];
    else if (spec.taskOutputArtifact) {
      const { producerTask, outputArtifactKey } = spec.taskOutputArtifact;
      list = scope.results.get(producerTask)?.outputs.artifacts[outputArtifactKey];
    }
    if (list && list.length > 0) artifacts[key] = list;
  }
  return { parameters, artifacts };
}

/**
 * Checks that every required input of the component has a value; returns the first
 * missing one's description, or undefined.
 */
export function missingInput(component: ComponentSpec, io: NodeIO): string | undefined {
  for (const [key, def] of Object.entries(component.inputDefinitions?.parameters ?? {})) {
    if (io.parameters[key] === undefined && !def.isOptional && def.parameterType !== "TASK_FINAL_STATUS") {
      return `input parameter '${key}' (${def.parameterType}) has no value`;
    }
  }
  for (const [key, def] of Object.entries(component.inputDefinitions?.artifacts ?? {})) {
    if (!io.artifacts[key] && !def.isOptional) return `input artifact '${key}' has no value`;
  }
  return undefined;
}
