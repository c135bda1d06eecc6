/**
 * The lineage graph in extension JSON: the store's walk (`walkLineage`) with each artifact
 * as {@link artifactJson} writes it and each execution as its task, run and state.
 */
import type { ApiArtifact } from "../client/types.ts";
import type { Artifact, LineageGraph, LineageNodeId, Store } from "../store/index.ts";

/** Executions walked each way when the request names no number. */
export const DEFAULT_LINEAGE_HOPS = 2;
/** The most executions walked each way. */
export const MAX_LINEAGE_HOPS = 10;

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

/** The graph as the API answers it. */
export interface LineageGraphJson extends Omit<LineageGraph, "nodes"> {
  nodes: LineageNodeJson[];
}

/** `graph` in extension JSON; run names are read once per run. */
export function lineageGraphJson(
  store: Pick<Store, "runs">,
  graph: LineageGraph,
  toJson: (a: Artifact) => ApiArtifact,
): LineageGraphJson {
  const runNames = new Map<string, string | undefined>();
  const runName = (id: string): string | undefined => {
    if (!runNames.has(id)) runNames.set(id, store.runs.get(id)?.displayName);
    return runNames.get(id);
  };
  const nodes = graph.nodes.map((n): LineageNodeJson => {
    const out: LineageNodeJson = { id: n.id, kind: n.kind, hop: n.hop };
    if (n.artifact) out.artifact = toJson(n.artifact);
    if (n.task) {
      const name = runName(n.task.runId);
      out.execution = {
        task_id: n.task.id,
        run_id: n.task.runId,
        ...(name !== undefined && name !== "" ? { run_name: name } : {}),
        task: n.task.path,
        name: n.task.displayName || n.task.name,
        state: n.task.state,
      };
    }
    if (n.more) out.more = true;
    return out;
  });
  return { ...graph, nodes };
}
