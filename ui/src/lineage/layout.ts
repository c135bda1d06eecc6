/**
 * Layout of a lineage graph with dagre, left to right: inputs on the left, what was made
 * from them on the right, so upstream reads leftwards and downstream rightwards.
 */
import dagre from "@dagrejs/dagre";
import type { LineageGraph, LineageNode } from "../api/types.ts";

/** Size of a node card. */
export const LINEAGE_NODE_W = 196;
export const LINEAGE_NODE_H = 52;
const MARGIN = 16;

/** A node with its top-left position. */
export interface PlacedLineageNode {
  node: LineageNode;
  x: number;
  y: number;
}

/** The laid-out graph. */
export interface LineageLayout {
  w: number;
  h: number;
  nodes: PlacedLineageNode[];
  edges: Array<{ key: string; type: "INPUT" | "OUTPUT"; name: string; points: Array<{ x: number; y: number }> }>;
}

/** Places every node and routes every edge. */
export function layoutLineage(graph: LineageGraph): LineageLayout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 56, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: LINEAGE_NODE_W, height: LINEAGE_NODE_H });
  const kept = graph.edges.filter((e) => g.hasNode(e.from) && g.hasNode(e.to) && e.from !== e.to);
  kept.forEach((e, i) => {
    g.setEdge(e.from, e.to, {}, String(i));
  });
  dagre.layout(g);
  const nodes = graph.nodes.map((node) => {
    const p = g.node(node.id);
    return { node, x: (p?.x ?? 0) - LINEAGE_NODE_W / 2, y: (p?.y ?? 0) - LINEAGE_NODE_H / 2 };
  });
  const edges = kept.map((e, i) => ({
    key: `${e.from}>${e.to}>${e.type}>${e.name}`,
    type: e.type,
    name: e.name,
    points: ((g.edge(e.from, e.to, String(i))?.points ?? []) as Array<{ x: number; y: number }>).map((p) => ({
      x: p.x,
      y: p.y,
    })),
  }));
  const info = g.graph();
  return { w: Math.max(info.width ?? 0, LINEAGE_NODE_W), h: Math.max(info.height ?? 0, LINEAGE_NODE_H), nodes, edges };
}
