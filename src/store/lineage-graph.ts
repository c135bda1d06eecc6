/**
 * The lineage graph around one artifact or execution (a task), as Kubeflow's lineage
 * explorer draws it: artifacts and executions are nodes, an `INPUT` edge runs from an
 * artifact to the execution that read it and an `OUTPUT` edge from an execution to the
 * artifact it wrote. The walk goes upstream (producers and their inputs) and downstream
 * (consumers and their outputs) separately, a given number of executions each way, across
 * runs, and stops at `maxNodes` nodes (`truncated`). Each step reads one task's or one
 * artifact's events through an index.
 */
import type { Artifact, Store, Task } from "./types.ts";

/** The most nodes one graph holds unless told otherwise. */
export const MAX_LINEAGE_NODES = 500;

/** A node's id: `artifact:<id>` or `execution:<task id>`. */
export type LineageNodeId = `artifact:${string}` | `execution:${string}`;

/** One node of the graph. */
export interface LineageGraphNode {
  id: LineageNodeId;
  kind: "artifact" | "execution";
  /** Executions from the start: negative upstream, positive downstream, 0 the start and its own edges. */
  hop: number;
  artifact?: Artifact;
  task?: Task;
  /** The node has neighbours the walk did not reach (more hops would show them). */
  more?: boolean;
}

/** One edge: `INPUT` artifact → execution, `OUTPUT` execution → artifact; `name` is the input or output key. */
export interface LineageGraphEdge {
  from: LineageNodeId;
  to: LineageNodeId;
  type: "INPUT" | "OUTPUT";
  name: string;
}

/** The graph. */
export interface LineageGraph {
  root: LineageNodeId;
  upstream: number;
  downstream: number;
  nodes: LineageGraphNode[];
  edges: LineageGraphEdge[];
  truncated: boolean;
}

/** Where the walk starts. */
export type LineageStart = { artifact: Artifact } | { task: Task };

/** Walks the store from `start`, `upstream` and `downstream` executions each way. */
export function walkLineage(
  store: Pick<Store, "artifacts" | "events" | "tasks">,
  start: LineageStart,
  opts: { upstream: number; downstream: number; maxNodes?: number },
): LineageGraph {
  const maxNodes = opts.maxNodes ?? MAX_LINEAGE_NODES;
  const nodes = new Map<LineageNodeId, LineageGraphNode>();
  const edges = new Map<string, LineageGraphEdge>();
  let truncated = false;

  const add = (node: LineageGraphNode): LineageNodeId | undefined => {
    if (nodes.has(node.id)) return node.id;
    if (nodes.size >= maxNodes) {
      truncated = true;
      return undefined;
    }
    nodes.set(node.id, node);
    return node.id;
  };
  const addArtifact = (a: Artifact, hop: number) => add({ id: `artifact:${a.id}`, kind: "artifact", hop, artifact: a });
  const addTask = (t: Task, hop: number) => add({ id: `execution:${t.id}`, kind: "execution", hop, task: t });
  const addEdge = (from: LineageNodeId, to: LineageNodeId, type: "INPUT" | "OUTPUT", name: string): void => {
    edges.set(`${from}>${to}>${type}>${name}`, { from, to, type, name });
  };
  const markMore = (a: Artifact): void => {
    const node = nodes.get(`artifact:${a.id}`);
    if (node) node.more = true;
  };

  /** Inputs of a task: (input name, artifact). */
  const inputsOf = (taskId: string): { name: string; artifact: Artifact }[] =>
    store.events
      .listByTask(taskId)
      .filter((e) => e.type === "INPUT")
      .map((e) => ({ name: e.name, artifact: store.artifacts.get(e.artifactId) }))
      .filter((x): x is { name: string; artifact: Artifact } => x.artifact !== undefined);
  /** Tasks that read an artifact: (input name, task). */
  const consumersOf = (artifactId: string): { name: string; task: Task }[] =>
    store.events
      .listByArtifact(artifactId)
      .filter((e) => e.type === "INPUT")
      .map((e) => ({ name: e.name, task: store.tasks.get(e.taskId) }))
      .filter((x): x is { name: string; task: Task } => x.task !== undefined);

  // upstream: artifact ← producer ← its inputs ← their producers ...
  const walkUp = (artifacts: Artifact[], hops: number): void => {
    let frontier = artifacts;
    for (let hop = 1; frontier.length > 0; hop++) {
      const next: Artifact[] = [];
      for (const a of frontier) {
        const producer = store.tasks.get(a.taskId);
        if (!producer) continue;
        if (hop > hops) {
          markMore(a);
          continue;
        }
        const seen = nodes.has(`execution:${producer.id}`);
        const p = addTask(producer, -hop);
        if (!p) continue;
        addEdge(p, `artifact:${a.id}`, "OUTPUT", a.name);
        if (seen) continue;
        for (const i of inputsOf(producer.id)) {
          const known = nodes.has(`artifact:${i.artifact.id}`);
          const from = addArtifact(i.artifact, -hop);
          if (!from) continue;
          addEdge(from, p, "INPUT", i.name);
          if (!known) next.push(i.artifact);
        }
      }
      frontier = next;
    }
  };

  // downstream: artifact → consumers → their outputs → their consumers ...
  const walkDown = (artifacts: Artifact[], hops: number): void => {
    let frontier = artifacts;
    for (let hop = 1; frontier.length > 0; hop++) {
      const next: Artifact[] = [];
      for (const a of frontier) {
        const consumers = consumersOf(a.id);
        if (consumers.length === 0) continue;
        if (hop > hops) {
          markMore(a);
          continue;
        }
        for (const c of consumers) {
          const seen = nodes.has(`execution:${c.task.id}`);
          const x = addTask(c.task, hop);
          if (!x) continue;
          addEdge(`artifact:${a.id}`, x, "INPUT", c.name);
          if (seen) continue;
          for (const out of store.artifacts.listByTask(c.task.id)) {
            const known = nodes.has(`artifact:${out.id}`);
            const to = addArtifact(out, hop);
            if (!to) continue;
            addEdge(x, to, "OUTPUT", out.name);
            if (!known) next.push(out);
          }
        }
      }
      frontier = next;
    }
  };

  let root: LineageNodeId;
  if ("artifact" in start) {
    root = addArtifact(start.artifact, 0) as LineageNodeId;
    walkUp([start.artifact], opts.upstream);
    walkDown([start.artifact], opts.downstream);
  } else {
    root = addTask(start.task, 0) as LineageNodeId;
    const inputs = inputsOf(start.task.id);
    for (const i of inputs) {
      const from = addArtifact(i.artifact, 0);
      if (from) addEdge(from, root, "INPUT", i.name);
    }
    const outputs = store.artifacts.listByTask(start.task.id);
    for (const out of outputs) {
      const to = addArtifact(out, 0);
      if (to) addEdge(root, to, "OUTPUT", out.name);
    }
    walkUp(
      inputs.map((i) => i.artifact),
      opts.upstream,
    );
    walkDown(outputs, opts.downstream);
  }
  return {
    root,
    upstream: opts.upstream,
    downstream: opts.downstream,
    nodes: [...nodes.values()],
    edges: [...edges.values()],
    truncated,
  };
}
