/**
 * Merging a sub-pipeline's IR into the pipeline that uses it as a component (KFP's
 * `merge_deployment_spec_and_component_spec`): its components and executors are added,
 * renamed `-2`, `-3`, ... where names are taken, and its root becomes the task's component.
 */
import type { ComponentSpec, ExecutorSpec } from "../ir/index.ts";
import { uniqueName } from "../sdk/index.ts";

/** The components and executors of the pipeline being built. */
export interface SpecTables {
  components: Map<string, ComponentSpec>;
  executors: Map<string, ExecutorSpec>;
}

/** A sub-pipeline's IR, as far as merging needs it. */
export interface SubPipeline {
  root: ComponentSpec;
  components?: Record<string, ComponentSpec> | undefined;
  executors?: Record<string, ExecutorSpec> | undefined;
}

/**
 * Adds the sub-pipeline's components and executors to `tables` and returns its root
 * component spec with references renamed.
 */
export function mergeSubPipeline(tables: SpecTables, sub: SubPipeline): ComponentSpec {
  const execRename = new Map<string, string>();
  const subExecutors: Record<string, ExecutorSpec> = sub.executors ?? {};
  for (const label of Object.keys(subExecutors).sort()) {
    const fresh = uniqueName(label, tables.executors);
    execRename.set(label, fresh);
    tables.executors.set(fresh, structuredClone(subExecutors[label] as ExecutorSpec));
  }
  const compRename = new Map<string, string>();
  const renamed: Array<[string, ComponentSpec]> = [];
  const subComponents: Record<string, ComponentSpec> = sub.components ?? {};
  for (const name of Object.keys(subComponents).sort()) {
    const spec = structuredClone(subComponents[name] as ComponentSpec);
    if (spec.executorLabel !== undefined) spec.executorLabel = execRename.get(spec.executorLabel) ?? spec.executorLabel;
    const fresh = uniqueName(name, tables.components);
    compRename.set(name, fresh);
    tables.components.set(fresh, spec);
    renamed.push([fresh, spec]);
  }
  const root = structuredClone(sub.root);
  if (root.executorLabel !== undefined) root.executorLabel = execRename.get(root.executorLabel) ?? root.executorLabel;
  for (const spec of [root, ...renamed.map(([, s]) => s)]) {
    for (const task of Object.values(spec.dag?.tasks ?? {})) {
      task.componentRef.name = compRename.get(task.componentRef.name) ?? task.componentRef.name;
    }
  }
  return root;
}
