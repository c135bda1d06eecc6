/**
 * The run graph for Weft's UI: one node per task record with its state, and an edge for
 * each dependency between sibling tasks (from `dependentTasks` and data inputs in the IR).
 */
import type { DagSpec, PipelineSpec } from "../ir/index.ts";
import type { Run, Task } from "../store/index.ts";
import { compact, time } from "./kfp-json.ts";

/** A node of {@link runGraph}. */
export interface GraphNode {
  task_id: string;
  name: string;
  display_name: string;
  path: string;
  kind: string;
  state: string;
  parent_id?: string;
  started_at?: string;
  finished_at?: string;
  attempt: number;
  cached?: boolean;
  error?: string;
  /** The task failure code of `error` (absent for records written before codes existed). */
  error_code?: string;
}

function dagOf(spec: PipelineSpec, parent: Task | undefined, byId: Map<string, Task>): DagSpec | undefined {
  if (!parent || parent.path === "root") return spec.root.dag;
  const owner = parent.kind === "iteration" && parent.parentId ? (byId.get(parent.parentId) ?? parent) : parent;
  const name = owner.componentName;
  return name ? spec.components?.[name]?.dag : undefined;
}

function upstreamNames(dag: DagSpec | undefined, name: string): string[] {
  const spec = dag?.tasks?.[name];
  if (!spec) return [];
  const names = new Set(spec.dependentTasks ?? []);
  for (const p of Object.values(spec.inputs?.parameters ?? {})) {
    if (p.taskOutputParameter) names.add(p.taskOutputParameter.producerTask);
    if (p.taskFinalStatus) names.add(p.taskFinalStatus.producerTask);
  }
  for (const a of Object.values(spec.inputs?.artifacts ?? {})) {
    if (a.taskOutputArtifact) names.add(a.taskOutputArtifact.producerTask);
  }
  return [...names];
}

/** Nodes and edges of a run's tasks. */
export function runGraph(run: Run, tasks: Task[]): Record<string, unknown> {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const bySibling = new Map<string, Task>();
  for (const t of tasks) bySibling.set(`${t.parentId ?? ""}\u0000${t.name}`, t);
  const edges: { from: string; to: string }[] = [];
  for (const t of tasks) {
    const parent = t.parentId ? byId.get(t.parentId) : undefined;
    for (const up of upstreamNames(dagOf(run.pipelineSpec, parent, byId), t.name)) {
      const from = bySibling.get(`${t.parentId ?? ""}\u0000${up}`);
      if (from) edges.push({ from: from.id, to: t.id });
    }
  }
  const nodes = tasks.map(
    (t) =>
      compact({
        task_id: t.id,
        name: t.name,
        display_name: t.displayName || t.name,
        path: t.path,
        kind: t.kind,
        state: t.state,
        parent_id: t.parentId,
        started_at: time(t.startedAt),
        finished_at: time(t.finishedAt),
        attempt: t.attempt,
        cached: t.cache?.hit,
        error: t.error?.message,
        error_code: t.error?.code,
      }) as unknown as GraphNode,
  );
  return { run_id: run.id, state: run.state, nodes, edges };
}
