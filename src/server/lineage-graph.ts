/**
 * The lineage graph around one artifact or execution (a task), as Kubeflow's lineage
 * explorer draws it: artifacts and executions are nodes, an `INPUT` edge runs from an
 * artifact to the execution that read it and an `OUTPUT` edge from an execution to the
 * artifact it wrote. The walk goes upstream (producers and their inputs) and downstream
 * (consumers and their outputs) separately, a given number of executions each way, across
 * runs, and stops at {@link MAX_LINEAGE_NODES} nodes (`truncated`).
 */
import type { ApiArtifact } from "../client/types.ts";
import type { Artifact, Store, Task } from "../store/index.ts";
import { compact } from "./kfp-json.ts";

/** Executions walked each way when the request names no number. */
export const DEFAULT_LINEAGE_HOPS = 2;
/** The most executions walked each way. */
export const MAX_LINEAGE_HOPS = 10;
/** The most nodes one graph holds. */
export const MAX_LINEAGE_NODES = 500;

/** A node's id: `artifact:<id>` or `execution:<task id>`. */
export type LineageNodeId = `artifact:${string}` | `execution:${string}`;

/** One node of the graph. */
export interface LineageNodeJson {
  id: LineageNodeId;
  kind: "artifact" | "execution";
  /** Executions from the selected node: negative upstream, positive downstream, 0 the node itself. */
  hop: number;
  /** The artifact (extension JSON), for artifact nodes. */
  artifact?: ApiArtifact;
  /** The task, for execution nodes. */
  execution?: { task_id: string; run_id: string; run_name?: string; task: string; name: string; state: string };
  /** Whether the node has neighbours the walk did not reach (more hops would show them). */
  more?: boolean;
}

/** One edge: `INPUT` artifact → execution, `OUTPUT` execution → artifact; `name` is the input or output key. */
export interface LineageEdgeJson {
  from: LineageNodeId;
  to: LineageNodeId;
  type: "INPUT" | "OUTPUT";
  name: string;
}

/** The graph. */
export interface LineageGraphJson {
  root: LineageNodeId;
  upstream: number;
  downstream: number;
  nodes: LineageNodeJson[];
  edges: LineageEdgeJson[];
  truncated: boolean;
}

/** What to start from. */
export type LineageStart = { artifact: Artifact } | { task: Task };

/** Walks the store from `start`, `upstream` and `downstream` executions each way. */
export function lineageGraph(
  store: Store,
  start: LineageStart,
  upstream: number,
  downstream: number,
  toJson: (a: Artifact) => ApiArtifact,
): LineageGraphJson {
  const nodes = new Map<LineageNodeId, LineageNodeJson>();
  const edges = new Map<string, LineageEdgeJson>();
  const runNames = new Map<string, string | undefined>();
  let truncated = false;

  const runName = (id: string): string | undefined => {
    if (!runNames.has(id)) runNames.set(id, store.runs.get(id)?.displayName);
    return runNames.get(id);
  };
  const addArtifact = (a: Artifact, hop: number): LineageNodeId | undefined => {
    const id: LineageNodeId = `artifact:${a.id}`;
    if (nodes.has(id)) return id;
    if (nodes.size >= MAX_LINEAGE_NODES) {
      truncated = true;
      return undefined;
    }
    nodes.set(id, { id, kind: "artifact", hop, artifact: toJson(a) });
    return id;
  };
  const addTask = (t: Task, hop: number): LineageNodeId | undefined => {
    const id: LineageNodeId = `execution:${t.id}`;
    if (nodes.has(id)) return id;
    if (nodes.size >= MAX_LINEAGE_NODES) {
      truncated = true;
      return undefined;
    }
    const execution = compact({
      task_id: t.id,
      run_id: t.runId,
      run_name: runName(t.runId),
      task: t.path,
      name: t.displayName || t.name,
      state: t.state,
    });
    nodes.set(id, { id, kind: "execution", hop, execution });
    return id;
  };
  const addEdge = (from: LineageNodeId, to: LineageNodeId, type: "INPUT" | "OUTPUT", name: string): void => {
    edges.set(`${from}>${to}>${type}>${name}`, { from, to, type, name });
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
          const node = nodes.get(`artifact:${a.id}`);
          if (node) node.more = true;
          continue;
        }
        const seen = nodes.has(`execution:${producer.id}`);
        const p = addTask(producer, -hop);
        const to = nodes.has(`artifact:${a.id}`) ? (`artifact:${a.id}` as const) : undefined;
        if (!p || !to) continue;
        addEdge(p, to, "OUTPUT", a.name);
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
          const node = nodes.get(`artifact:${a.id}`);
          if (node) node.more = true;
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
    walkUp([start.artifact], upstream);
    walkDown([start.artifact], downstream);
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
      upstream,
    );
    walkDown(outputs, downstream);
  }
  return { root, upstream, downstream, nodes: [...nodes.values()], edges: [...edges.values()], truncated };
}
