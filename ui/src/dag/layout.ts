/**
 * Layout of a {@link DagTree} with dagre, bottom-up: each expanded group (condition,
 * sub-DAG, loop iteration) is laid out on its own and then placed as one big node in its
 * parent's layout. Collapsed loops are a single card with the iteration count.
 */
import dagre from "@dagrejs/dagre";
import { fastLayered } from "./fast-layout.ts";
import { type DagNode, type DagTree, GROUP_KINDS } from "./model.ts";

/** Above this many siblings, the linear-time layout replaces dagre. */
export const FAST_LAYOUT_THRESHOLD = 120;

/** Size of a task card. */
export const NODE_W = 208;
export const NODE_H = 56;
const PAD = 14;
const HEADER = 30;

/** A node with its position (top-left, relative to its group) and, when expanded, its group's layout. */
export interface LaidNode {
  node: DagNode;
  x: number;
  y: number;
  w: number;
  h: number;
  inner?: LaidGroup;
  collapsed: boolean;
}

/** A laid-out group: its size, its nodes and the polyline of each edge. */
export interface LaidGroup {
  w: number;
  h: number;
  nodes: LaidNode[];
  edges: Array<{ key: string; from: string; to: string; points: Array<{ x: number; y: number }> }>;
}

/** Whether a group node is expanded: loops start collapsed, other groups expanded. */
export function isExpanded(node: DagNode, toggled: ReadonlySet<string>): boolean {
  const byDefault = node.kind !== "loop";
  return toggled.has(node.id) ? !byDefault : byDefault;
}

function sizeOf(node: DagNode, tree: DagTree, toggled: ReadonlySet<string>): Omit<LaidNode, "x" | "y"> {
  if (!GROUP_KINDS.has(node.kind)) return { node, w: NODE_W, h: NODE_H, collapsed: false };
  if (!isExpanded(node, toggled) || node.children.length === 0) {
    return { node, w: NODE_W + 16, h: NODE_H + 8, collapsed: true };
  }
  const inner =
    node.kind === "loop"
      ? gridLayout(node.children, tree, toggled)
      : layoutGroup(node.children, tree.edges.get(node.id) ?? [], tree, toggled);
  return { node, w: inner.w + PAD * 2, h: inner.h + PAD + HEADER, inner, collapsed: false };
}

/** Iterations of an expanded loop in a grid (they have no edges between them). */
function gridLayout(children: DagNode[], tree: DagTree, toggled: ReadonlySet<string>): LaidGroup {
  const sized = children.map((c) => sizeOf(c, tree, toggled));
  const cols = Math.max(1, Math.min(4, Math.ceil(Math.sqrt(sized.length))));
  const gap = 16;
  const colW: number[] = [];
  const rowH: number[] = [];
  sized.forEach((s, i) => {
    const c = i % cols;
    const r = Math.floor(i / cols);
    colW[c] = Math.max(colW[c] ?? 0, s.w);
    rowH[r] = Math.max(rowH[r] ?? 0, s.h);
  });
  const nodes: LaidNode[] = sized.map((s, i) => {
    const c = i % cols;
    const r = Math.floor(i / cols);
    const x = colW.slice(0, c).reduce((a, b) => a + b + gap, 0);
    const y = rowH.slice(0, r).reduce((a, b) => a + b + gap, 0);
    return { ...s, x, y };
  });
  const w = colW.reduce((a, b) => a + b + gap, -gap);
  const h = rowH.reduce((a, b) => a + b + gap, -gap);
  return { w: Math.max(w, 0), h: Math.max(h, 0), nodes, edges: [] };
}

/** Lays out sibling nodes and the edges between them. */
export function layoutGroup(
  children: DagNode[],
  edges: Array<{ from: string; to: string }>,
  tree: DagTree,
  toggled: ReadonlySet<string>,
): LaidGroup {
  if (children.length === 0) return { w: 0, h: 0, nodes: [], edges: [] };
  if (children.length > FAST_LAYOUT_THRESHOLD) return fastGroup(children, edges, tree, toggled);
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 44, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  const sized = new Map<string, Omit<LaidNode, "x" | "y">>();
  for (const c of children) {
    const s = sizeOf(c, tree, toggled);
    sized.set(c.id, s);
    g.setNode(c.id, { width: s.w, height: s.h });
  }
  const kept: Array<{ from: string; to: string }> = [];
  for (const e of edges) {
    if (sized.has(e.from) && sized.has(e.to) && e.from !== e.to && !g.hasEdge(e.from, e.to)) {
      g.setEdge(e.from, e.to);
      kept.push(e);
    }
  }
  dagre.layout(g);
  const nodes: LaidNode[] = [];
  for (const c of children) {
    const pos = g.node(c.id);
    const s = sized.get(c.id) as Omit<LaidNode, "x" | "y">;
    nodes.push({ ...s, x: (pos?.x ?? 0) - s.w / 2, y: (pos?.y ?? 0) - s.h / 2 });
  }
  const laidEdges = kept.map((e) => {
    const pts = ((g.edge(e.from, e.to)?.points ?? []) as Array<{ x: number; y: number }>).map((p) => ({
      x: p.x,
      y: p.y,
    }));
    return { key: `${e.from}->${e.to}`, from: e.from, to: e.to, points: pts };
  });
  const info = g.graph();
  return { w: info.width ?? 0, h: info.height ?? 0, nodes, edges: laidEdges };
}

function fastGroup(
  children: DagNode[],
  edges: Array<{ from: string; to: string }>,
  tree: DagTree,
  toggled: ReadonlySet<string>,
): LaidGroup {
  const sized = children.map((c) => sizeOf(c, tree, toggled));
  const fast = fastLayered(
    sized.map((s) => ({ id: s.node.id, w: s.w, h: s.h })),
    edges,
  );
  return {
    w: fast.w,
    h: fast.h,
    nodes: sized.map((s) => ({ ...s, ...(fast.pos.get(s.node.id) ?? { x: 0, y: 0 }) })),
    edges: fast.edges.map((e) => ({ key: `${e.from}->${e.to}`, ...e })),
  };
}

/** Lays out a whole tree. */
export function layoutTree(tree: DagTree, toggled: ReadonlySet<string>): LaidGroup {
  return layoutGroup(tree.roots, tree.edges.get("") ?? [], tree, toggled);
}

/** Padding and header height of an expanded group (for rendering its children). */
export const GROUP_PAD = PAD;
export const GROUP_HEADER = HEADER;
