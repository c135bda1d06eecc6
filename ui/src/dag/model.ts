/**
 * The DAG shown on run details and pipeline previews: a tree of task nodes (sub-DAGs for
 * conditions, loops and their iterations) with edges between siblings. Built from the
 * server's run graph, or from a compiled PipelineSpec for a static preview; tasks the run
 * has not reached yet are added from the spec as pending placeholders.
 */
import { labelledPath, labelsByPath, specTaskLabel } from "../../../src/ir/labels.ts";
import type { PipelineSpecJson, PipelineTaskJson, RunGraph } from "../api/index.ts";

/** One node of the tree. */
export interface DagNode {
  id: string;
  name: string;
  label: string;
  kind: string;
  state: string;
  path: string;
  startedAt?: string | undefined;
  finishedAt?: string | undefined;
  attempt: number;
  cached: boolean;
  error?: string | undefined;
  /** Planned from the spec, not yet recorded by the run. */
  ghost: boolean;
  /** Of a recorded task: its path as shown, iterations by item and conditions by expression (`for-loop-2[mlp]/train`). */
  where?: string;
  /**
   * Of a loop: how many iterations it has (a run's recorded iterations, or a spec's static
   * items); undefined where the spec loops over items known only at run time.
   */
  iterations?: number | undefined;
  /** Of a loop drawn from the spec (a preview, or not reached yet): its children are its body, not iterations. */
  planned?: boolean;
  children: DagNode[];
}

/** Nodes at the top level, and edges grouped by the id of their parent ("" for the top level). */
export interface DagTree {
  roots: DagNode[];
  edges: Map<string, Array<{ from: string; to: string }>>;
  count: number;
}

/** Kinds that contain other tasks. */
export const GROUP_KINDS = new Set(["dag", "loop", "iteration", "condition", "exit-handler"]);

function upstream(task: PipelineTaskJson): string[] {
  const names = new Set(task.dependentTasks ?? []);
  for (const p of Object.values(task.inputs?.parameters ?? {}))
    if (p.taskOutputParameter) names.add(p.taskOutputParameter.producerTask);
  for (const a of Object.values(task.inputs?.artifacts ?? {}))
    if (a.taskOutputArtifact) names.add(a.taskOutputArtifact.producerTask);
  return [...names];
}

function kindOf(name: string, task: PipelineTaskJson, spec: PipelineSpecJson): string {
  if (task.parameterIterator || task.artifactIterator) return "loop";
  const comp = spec.components?.[task.componentRef?.name ?? ""];
  if (comp?.dag)
    return name.startsWith("condition") ? "condition" : name.startsWith("exit-handler") ? "exit-handler" : "dag";
  return "container";
}

/** Items of a loop over a static list (`parameterIterator.items.raw`); undefined otherwise. */
export function staticItemCount(task: PipelineTaskJson): number | undefined {
  const it = task.parameterIterator;
  if (typeof it !== "object" || it === null || Array.isArray(it)) return undefined;
  const items = it.items;
  if (typeof items !== "object" || items === null || Array.isArray(items)) return undefined;
  const raw = items.raw;
  if (Array.isArray(raw)) return raw.length;
  if (typeof raw !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.length : undefined;
  } catch {
    return undefined;
  }
}

function addEdge(tree: DagTree, parent: string, from: string, to: string): void {
  const list = tree.edges.get(parent) ?? [];
  list.push({ from, to });
  tree.edges.set(parent, list);
}

function specChildren(
  spec: PipelineSpecJson,
  tasks: Record<string, PipelineTaskJson>,
  prefix: string,
  tree: DagTree,
  parentKey: string,
  ghost: boolean,
): DagNode[] {
  const nodes: DagNode[] = [];
  for (const [name, task] of Object.entries(tasks)) {
    const path = `${prefix}/${name}`;
    const kind = kindOf(name, task, spec);
    const comp = spec.components?.[task.componentRef?.name ?? ""];
    const node: DagNode = {
      id: path,
      name,
      label: specTaskLabel(spec, name, task, prefix) ?? name,
      kind,
      state: ghost ? "PENDING" : "",
      path,
      attempt: 0,
      cached: false,
      ghost,
      children: [],
      ...(kind === "loop" ? { iterations: staticItemCount(task), planned: true } : {}),
    };
    tree.count++;
    if (comp?.dag?.tasks) node.children = specChildren(spec, comp.dag.tasks, path, tree, path, ghost);
    nodes.push(node);
    for (const up of upstream(task)) if (tasks[up]) addEdge(tree, parentKey, `${prefix}/${up}`, path);
  }
  return nodes;
}

/** The tree of a compiled pipeline (static preview; loops show their body once). */
export function treeFromSpec(spec: PipelineSpecJson): DagTree {
  const tree: DagTree = { roots: [], edges: new Map(), count: 0 };
  tree.roots = specChildren(spec, spec.root?.dag?.tasks ?? {}, "root", tree, "", false);
  return tree;
}

/** The tree of a run: recorded tasks, plus top-level tasks of the spec not reached yet. */
export function treeFromGraph(graph: RunGraph, spec?: PipelineSpecJson): DagTree {
  const tree: DagTree = { roots: [], edges: new Map(), count: graph.nodes.length };
  const byId = new Map<string, DagNode>();
  const labels = labelsByPath(graph.nodes.map((n) => ({ path: n.path, name: n.name, displayName: n.display_name })));
  for (const n of graph.nodes) {
    byId.set(n.task_id, {
      id: n.task_id,
      name: n.name,
      label: n.display_name || n.name,
      kind: n.kind,
      state: n.cached && n.state === "SUCCEEDED" ? "CACHED" : n.state,
      path: n.path,
      startedAt: n.started_at,
      finishedAt: n.finished_at,
      attempt: n.attempt,
      cached: n.cached === true,
      error: n.error,
      ghost: false,
      where: labelledPath(n.path, labels),
      children: [],
    });
  }
  const parentOf = new Map<string, string>();
  for (const n of graph.nodes) {
    const node = byId.get(n.task_id) as DagNode;
    const parent = n.parent_id ? byId.get(n.parent_id) : undefined;
    if (parent) {
      parent.children.push(node);
      parentOf.set(n.task_id, parent.id);
    } else tree.roots.push(node);
  }
  for (const n of byId.values()) {
    if (n.kind !== "loop") continue;
    n.children.sort((a, b) => iterationIndex(a) - iterationIndex(b));
    n.iterations = n.children.filter((c) => c.kind === "iteration").length;
  }
  for (const e of graph.edges) addEdge(tree, parentOf.get(e.to) ?? "", e.from, e.to);
  const rootTasks = spec?.root?.dag?.tasks;
  if (spec && rootTasks) {
    const recorded = new Map(tree.roots.map((r) => [r.name, r]));
    const done = graph.state !== "RUNNING" && graph.state !== "PENDING";
    const ids = (name: string): string => recorded.get(name)?.id ?? `root/${name}`;
    for (const [name, task] of Object.entries(rootTasks)) {
      if (recorded.has(name) || done) continue;
      const kind = kindOf(name, task, spec);
      tree.roots.push({
        id: `root/${name}`,
        name,
        label: specTaskLabel(spec, name, task, "root") ?? name,
        kind,
        state: "PENDING",
        path: `root/${name}`,
        attempt: 0,
        cached: false,
        ghost: true,
        children: [],
        ...(kind === "loop" ? { iterations: staticItemCount(task), planned: true } : {}),
      });
      tree.count++;
      for (const up of upstream(task)) if (rootTasks[up]) addEdge(tree, "", ids(up), `root/${name}`);
    }
  }
  return tree;
}

function iterationIndex(n: DagNode): number {
  const m = /(\d+)$/.exec(n.path);
  return m ? Number(m[1]) : 0;
}

/** Depth-first search for a node by id. */
export function findNode(nodes: DagNode[], id: string): DagNode | undefined {
  for (const n of nodes) {
    if (n.id === id) return n;
    const inner = findNode(n.children, id);
    if (inner) return inner;
  }
  return undefined;
}

/** Counts of leaf tasks by state (for the run summary). */
export function stateCounts(nodes: DagNode[], into = new Map<string, number>()): Map<string, number> {
  for (const n of nodes) {
    if (GROUP_KINDS.has(n.kind)) stateCounts(n.children, into);
    else into.set(n.state, (into.get(n.state) ?? 0) + 1);
  }
  return into;
}
