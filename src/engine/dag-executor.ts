/**
 * Executes one DAG component instance: starts every task as soon as its upstream tasks
 * are done, applies trigger policies and conditions, and recurses into sub-DAGs, loops,
 * conditions and exit handlers.
 */
import { insideRoot } from "../artifacts/index.ts";
import { type ComponentSpec, isSuccessState, type PipelineTaskSpec, specTaskLabel } from "../ir/index.ts";
import { evaluateCondition } from "./cel.ts";
import { runContainerNode } from "./container-runner.ts";
import {
  emitTask,
  type NodeIO,
  type NodePlace,
  type NodeResult,
  type RunContext,
  recordFinished,
  toTaskInputs,
} from "./context.ts";
import { collectDagOutputs } from "./dag-outputs.ts";
import { failureOf, TaskError, type TaskFailure, taskFailure } from "./errors.ts";
import { runImporterNode } from "./importer.ts";
import { type DagScope, missingInput, resolveTaskInputs, upstreamOf } from "./inputs.ts";
import { runLoopNode } from "./loop.ts";
import { yieldToEventLoop } from "./scheduler.ts";
import type { TaskKind, TaskState } from "./types.ts";

/** Looks up a component by name, naming the task when it is missing. */
export function componentOf(ctx: RunContext, name: string, where: string): ComponentSpec {
  const c = ctx.spec.components?.[name];
  if (!c) {
    throw new TaskError(
      "SPEC_INVALID",
      `task '${where}' refers to component '${name}', which is not in the pipeline's components`,
    );
  }
  return c;
}

/** The kind of record a DAG-backed task gets, from KFP's naming of generated DAGs. */
export function dagKind(taskName: string): TaskKind {
  if (/^condition-(branches-)?\d+$/.test(taskName)) return "condition";
  if (/^exit-handler-\d+$/.test(taskName)) return "exit-handler";
  return "dag";
}

/**
 * Runs the DAG of `component` with the given inputs under `scopePath`, recording each
 * sub-task. Resolves when every sub-task has finished; never rejects for task failures.
 */
export async function executeDag(
  ctx: RunContext,
  component: ComponentSpec,
  scopePath: string,
  parentId: string | undefined,
  inputs: NodeIO,
): Promise<{ state: TaskState; outputs: NodeIO; error?: TaskFailure }> {
  const tasks = component.dag?.tasks ?? {};
  const names = Object.keys(tasks);
  const scope: DagScope = {
    path: scopePath,
    inputs,
    results: new Map(),
    runId: ctx.runId,
    runtime: ctx.runtime,
    workspacePath: insideRoot(ctx.settings.home, "workspaces", ctx.runId),
  };
  await runReadyQueue(ctx, names, tasks, scope, parentId);
  for (const n of names) {
    if (scope.results.has(n)) continue;
    // Never became ready: a cycle in dependentTasks, or downstream of one.
    const place = placeOf(ctx, n, tasks[n] as PipelineTaskSpec, scopePath, parentId);
    scope.results.set(
      n,
      recordFinished(ctx, place, "FAILED", {
        error: taskFailure("SPEC_INVALID", `task '${place.path}' is part of a dependency cycle`),
      }),
    );
  }

  const states = [...scope.results.values()];
  const failed = states.find((r) => r.state === "FAILED");
  const canceled = states.some((r) => r.state === "CANCELED") || ctx.signal.aborted;
  const state: TaskState = failed ? "FAILED" : canceled ? "CANCELED" : "SUCCEEDED";
  const outputs = collectDagOutputs(component, scope.results);
  return failed?.error !== undefined ? { state, outputs, error: failed.error } : { state, outputs };
}

/** Tasks recorded CANCELED per transaction once the run is canceled. */
const CANCEL_BATCH = 500;

/**
 * Runs the tasks of one DAG in dependency order: each task's in-degree counts its
 * unfinished upstream tasks; one that reaches 0 joins a FIFO ready queue, and at most
 * `scheduler.maxParallel` tasks of this DAG are started at a time. Each finish costs
 * O(its downstream tasks): no rescans, no race over the running tasks. Resolves when
 * nothing is running and nothing is ready; tasks in a cycle are then left unfinished.
 */
function runReadyQueue(
  ctx: RunContext,
  names: string[],
  tasks: Record<string, PipelineTaskSpec>,
  scope: DagScope,
  parentId: string | undefined,
): Promise<void> {
  const inDegree = new Map<string, number>();
  const downstream = new Map<string, string[]>(names.map((n) => [n, []]));
  const ready: string[] = [];
  for (const n of names) {
    const ups = new Set(upstreamOf(tasks[n] as PipelineTaskSpec).filter((d) => d in tasks));
    inDegree.set(n, ups.size);
    for (const u of ups) downstream.get(u)?.push(n);
    if (ups.size === 0) ready.push(n);
  }
  const window = ctx.scheduler.maxParallel;
  let head = 0;
  let inFlight = 0;
  let draining = false;
  return new Promise<void>((resolve, reject) => {
    const settle = (n: string, r: NodeResult): void => {
      scope.results.set(n, r);
      for (const d of downstream.get(n) ?? []) {
        const left = (inDegree.get(d) ?? 0) - 1;
        inDegree.set(d, left);
        if (left === 0) ready.push(d);
      }
    };
    const finish = (n: string, r: NodeResult): void => {
      inFlight--;
      settle(n, r);
      pump();
    };
    const start = async (n: string): Promise<NodeResult> => {
      await yieldToEventLoop();
      const task = tasks[n] as PipelineTaskSpec;
      try {
        return await runTask(ctx, n, task, scope, parentId);
      } catch (e) {
        const place = placeOf(ctx, n, task, scope.path, parentId);
        return recordFinished(ctx, place, "FAILED", { error: failureOf(e, "INTERNAL", place.path) });
      }
    };
    // The run was canceled: what has not started is recorded CANCELED without being
    // started, CANCEL_BATCH tasks per transaction, the event loop turning in between.
    const drain = (): void => {
      try {
        ctx.store.transaction(() => {
          for (let i = 0; i < CANCEL_BATCH && head < ready.length; i++) {
            const n = ready[head++] as string;
            const place = placeOf(ctx, n, tasks[n] as PipelineTaskSpec, scope.path, parentId);
            settle(n, recordFinished(ctx, place, "CANCELED", { error: canceledError() }));
          }
        });
      } catch (e) {
        reject(e);
        return;
      }
      draining = false;
      pump();
    };
    const pump = (): void => {
      if (ctx.signal.aborted) {
        if (head < ready.length && !draining) {
          draining = true;
          setImmediate(drain);
        }
      } else {
        while (head < ready.length && inFlight < window) {
          const n = ready[head++] as string;
          inFlight++;
          start(n).then((r) => finish(n, r), reject);
        }
      }
      if (inFlight === 0 && !draining) resolve();
    };
    pump();
  });
}

function placeOf(
  ctx: RunContext,
  name: string,
  task: PipelineTaskSpec,
  scopePath: string,
  parentId: string | undefined,
): NodePlace {
  const compName = task.componentRef.name;
  const comp = ctx.spec.components?.[compName];
  let kind: TaskKind = "container";
  if (task.parameterIterator || task.artifactIterator) kind = "loop";
  else if (comp?.dag) kind = dagKind(name);
  else if (comp?.executorLabel && ctx.spec.deploymentSpec?.executors?.[comp.executorLabel]?.importer) {
    kind = "importer";
  }
  const label = kind === "loop" || kind === "condition" ? specTaskLabel(ctx.spec, name, task, scopePath) : undefined;
  return {
    path: `${scopePath}/${name}`,
    name,
    parentId,
    kind,
    componentName: compName,
    ...(label !== undefined ? { label } : {}),
  };
}

async function runTask(
  ctx: RunContext,
  name: string,
  task: PipelineTaskSpec,
  scope: DagScope,
  parentId: string | undefined,
): Promise<NodeResult> {
  const place = placeOf(ctx, name, task, scope.path, parentId);
  if (ctx.signal.aborted) return recordFinished(ctx, place, "CANCELED", { error: canceledError() });
  const strategy = task.triggerPolicy?.strategy;
  if (strategy !== "ALL_UPSTREAM_TASKS_COMPLETED") {
    for (const d of upstreamOf(task)) {
      const r = scope.results.get(d);
      if (r && !isSuccessState(r.state)) {
        const why = `upstream task '${d}' ${r.state === "SKIPPED" ? "was skipped" : `ended ${r.state}`}`;
        return skipTree(ctx, place, taskFailure("UPSTREAM_FAILED", why));
      }
    }
  }
  const component = componentOf(ctx, place.componentName, place.path);
  const inputs = resolveTaskInputs(name, task, component, scope);
  const condition = task.triggerPolicy?.condition;
  if (condition && !evaluateCondition(condition, inputs.parameters, place.path)) {
    return skipTree(ctx, place, taskFailure("CONDITION_FALSE", `condition '${condition}' is false`), inputs);
  }
  if (place.kind === "loop") return runLoopNode(ctx, place, task, component, inputs, executeDag);
  if (component.dag) return runSubDag(ctx, place, component, inputs);
  const missing = missingInput(component, inputs);
  if (missing) {
    return recordFinished(ctx, place, "FAILED", {
      error: taskFailure(
        "INPUT_MISSING",
        `task '${place.path}': ${missing}; wire it in the pipeline or give the component a default`,
      ),
      inputs,
    });
  }
  if (place.kind === "importer") return runImporterNode(ctx, place, task, component, inputs);
  return runContainerNode(ctx, place, task, component, inputs);
}

/**
 * Records a node SKIPPED and, for a DAG-backed node (condition, sub-pipeline, exit
 * handler), every task of its DAG too, so the run's tree shows what did not run.
 */
function skipTree(ctx: RunContext, place: NodePlace, why: TaskFailure, inputs?: NodeIO): NodeResult {
  const r = recordFinished(ctx, place, "SKIPPED", { error: why, ...(inputs ? { inputs } : {}) });
  const component = ctx.spec.components?.[place.componentName];
  if (place.kind !== "loop" && component?.dag) {
    for (const [n, t] of Object.entries(component.dag.tasks ?? {})) {
      skipTree(
        ctx,
        placeOf(ctx, n, t, place.path, r.taskId),
        taskFailure("PARENT_SKIPPED", `its parent '${place.path}' was skipped`),
      );
    }
  }
  return r;
}

/** Records a DAG-backed node (sub-pipeline, condition, exit handler) and runs its DAG. */
export async function runSubDag(
  ctx: RunContext,
  place: NodePlace,
  component: ComponentSpec,
  inputs: NodeIO,
): Promise<NodeResult> {
  const startedAt = ctx.clock();
  const rec = ctx.store.tasks.upsert({
    runId: ctx.runId,
    path: place.path,
    name: place.name,
    displayName: place.label ?? place.name,
    kind: place.kind,
    componentName: place.componentName,
    ...(place.parentId !== undefined ? { parentId: place.parentId } : {}),
    ...(place.iterationIndex !== undefined ? { iterationIndex: place.iterationIndex } : {}),
    state: "RUNNING",
    startedAt,
    inputs: toTaskInputs(inputs),
  });
  emitTask(ctx, rec);
  const r = await executeDag(ctx, component, place.path, rec.id, inputs);
  const done = ctx.store.tasks.update(rec.id, {
    state: r.state,
    finishedAt: ctx.clock(),
    outputs: { parameters: r.outputs.parameters },
    error: r.error ?? null,
  });
  emitTask(ctx, done, r.error !== undefined ? { error: r.error } : {});
  return { state: r.state, outputs: r.outputs, taskId: rec.id, ...(r.error !== undefined ? { error: r.error } : {}) };
}

function canceledError(): TaskFailure {
  return taskFailure("CANCELED", "the run was canceled");
}
