/**
 * A linear-time layered layout for large groups, where dagre's crossing minimization
 * would take seconds: longest-path ranks, two barycenter sweeps to order each rank, then
 * rows centred on the widest. Edges run from the bottom of a node to the top of the next.
 */

/** A node to place: id and size. */
export interface FastNode {
  id: string;
  w: number;
  h: number;
}

/** Placed nodes (top-left corners), edge polylines and the overall size. */
export interface FastLayout {
  pos: Map<string, { x: number; y: number }>;
  edges: Array<{ from: string; to: string; points: Array<{ x: number; y: number }> }>;
  w: number;
  h: number;
}

/** Lays out `nodes` in ranks along `edges` (which must not form cycles; back edges are ignored). */
export function fastLayered(
  nodes: FastNode[],
  edges: Array<{ from: string; to: string }>,
  gapX = 24,
  gapY = 44,
): FastLayout {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  const indeg = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  const kept = edges.filter((e) => byId.has(e.from) && byId.has(e.to) && e.from !== e.to);
  for (const e of kept) {
    preds.set(e.to, [...(preds.get(e.to) ?? []), e.from]);
    succs.set(e.from, [...(succs.get(e.from) ?? []), e.to]);
    indeg.set(e.to, (indeg.get(e.to) ?? 0) + 1);
  }
  const rank = new Map<string, number>();
  const queue = nodes.filter((n) => indeg.get(n.id) === 0).map((n) => n.id);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string;
    const r = rank.get(id) ?? 0;
    rank.set(id, r);
    for (const s of succs.get(id) ?? []) {
      rank.set(s, Math.max(rank.get(s) ?? 0, r + 1));
      const d = (indeg.get(s) ?? 0) - 1;
      indeg.set(s, d);
      if (d === 0) queue.push(s);
    }
  }
  for (const n of nodes) if (!rank.has(n.id)) rank.set(n.id, 0); // nodes on a cycle
  const ranks: string[][] = [];
  for (const n of nodes) {
    const r = rank.get(n.id) as number;
    const row = ranks[r] ?? [];
    row.push(n.id);
    ranks[r] = row;
  }
  const order = new Map<string, number>();
  const setOrder = (): void => {
    for (const row of ranks) {
      for (const [i, id] of (row ?? []).entries()) order.set(id, i);
    }
  };
  setOrder();
  const sweep = (rows: string[][], neighbours: Map<string, string[]>): void => {
    for (const row of rows) {
      if (!row) continue;
      const bary = new Map<string, number>();
      for (const id of row) {
        const ns = neighbours.get(id) ?? [];
        bary.set(id, ns.length ? ns.reduce((a, n) => a + (order.get(n) ?? 0), 0) / ns.length : (order.get(id) ?? 0));
      }
      row.sort((a, b) => (bary.get(a) as number) - (bary.get(b) as number));
      for (const [i, id] of row.entries()) order.set(id, i);
    }
  };
  sweep(ranks.slice(1), preds);
  sweep([...ranks].reverse().slice(1), succs);
  sweep(ranks.slice(1), preds);

  const rowW = ranks.map((row) => (row ?? []).reduce((a, id) => a + (byId.get(id)?.w ?? 0) + gapX, -gapX));
  const width = Math.max(0, ...rowW);
  const pos = new Map<string, { x: number; y: number }>();
  let y = 0;
  ranks.forEach((row, r) => {
    if (!row) return;
    let x = (width - (rowW[r] ?? 0)) / 2;
    const rowH = Math.max(...row.map((id) => byId.get(id)?.h ?? 0));
    for (const id of row) {
      const n = byId.get(id) as FastNode;
      pos.set(id, { x, y: y + (rowH - n.h) / 2 });
      x += n.w + gapX;
    }
    y += rowH + gapY;
  });
  const laidEdges = kept
    .filter((e) => (rank.get(e.to) as number) > (rank.get(e.from) as number))
    .map((e) => {
      const a = pos.get(e.from) as { x: number; y: number };
      const b = pos.get(e.to) as { x: number; y: number };
      const na = byId.get(e.from) as FastNode;
      const nb = byId.get(e.to) as FastNode;
      const start = { x: a.x + na.w / 2, y: a.y + na.h };
      const end = { x: b.x + nb.w / 2, y: b.y };
      const mid = (start.y + end.y) / 2;
      return { from: e.from, to: e.to, points: [start, { x: start.x, y: mid }, { x: end.x, y: mid }, end] };
    });
  return { pos, edges: laidEdges, w: width, h: Math.max(0, y - gapY) };
}
