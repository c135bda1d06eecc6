/**
 * Iteration over a PipelineSpec's components and DAG tasks, with the IR path of each,
 * so validators, planners and UIs agree on names and paths.
 */
import { keyPath } from "./names.ts";
import type { ComponentSpec, PipelinePackage, PipelineSpec, PipelineTaskSpec } from "./spec.ts";

/** A component that has a DAG: `root` or an entry of `components`. */
export interface DagEntry {
  /** `"root"` or the key in `components` (e.g. `comp-for-loop-2`). */
  componentName: string;
  component: ComponentSpec;
  /** IR path of the component: `root`, `components.comp-x` or `components['odd name']`. */
  path: string;
}

/** A task inside a DAG, with its enclosing component. */
export interface TaskEntry extends DagEntry {
  taskName: string;
  task: PipelineTaskSpec;
  /** IR path of the task, e.g. `root.dag.tasks.train` (`root.dag.tasks['odd name']`). */
  taskPath: string;
}

function specOf(p: PipelinePackage | PipelineSpec): PipelineSpec {
  return "pipelineSpec" in p ? (p as PipelinePackage).pipelineSpec : (p as PipelineSpec);
}

/** All components of the pipeline, `root` first, with their IR paths. */
export function* walkComponents(p: PipelinePackage | PipelineSpec): Generator<DagEntry> {
  const spec = specOf(p);
  yield { componentName: "root", component: spec.root, path: "root" };
  for (const [name, component] of Object.entries(spec.components ?? {})) {
    yield { componentName: name, component, path: keyPath("components", name) };
  }
}

/**
 * Every task of every DAG in the pipeline (root's DAG and each DAG component), in file
 * order.
 *
 * @example for (const t of walkDag(pkg)) console.log(t.taskPath, t.task.componentRef.name);
 */
export function* walkDag(p: PipelinePackage | PipelineSpec): Generator<TaskEntry> {
  for (const entry of walkComponents(p)) {
    const tasks = entry.component.dag?.tasks ?? {};
    for (const [taskName, task] of Object.entries(tasks)) {
      yield { ...entry, taskName, task, taskPath: keyPath(`${entry.path}.dag.tasks`, taskName) };
    }
  }
}

/** The component a task runs, or `undefined` when its `componentRef` is dangling. */
export function componentOf(p: PipelinePackage | PipelineSpec, task: PipelineTaskSpec): ComponentSpec | undefined {
  return specOf(p).components?.[task.componentRef.name];
}

/**
 * The tasks a task depends on inside its DAG: `dependentTasks` plus every producer named
 * by its inputs (`taskOutputParameter`, `taskOutputArtifact`, `taskFinalStatus`).
 */
export function upstreamTasks(task: PipelineTaskSpec): string[] {
  const out = new Set<string>(task.dependentTasks ?? []);
  for (const p of Object.values(task.inputs?.parameters ?? {})) {
    if (p.taskOutputParameter) out.add(p.taskOutputParameter.producerTask);
    if (p.taskFinalStatus) out.add(p.taskFinalStatus.producerTask);
  }
  for (const a of Object.values(task.inputs?.artifacts ?? {})) {
    if (a.taskOutputArtifact) out.add(a.taskOutputArtifact.producerTask);
  }
  return [...out];
}
