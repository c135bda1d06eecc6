import { describe, expect, it } from "vitest";
import type { RunGraph } from "../api/index.ts";
import { layoutTree, NODE_W } from "./layout.ts";
import { findNode, stateCounts, staticItemCount, treeFromGraph, treeFromSpec } from "./model.ts";

const graph: RunGraph = {
  run_id: "r",
  state: "RUNNING",
  nodes: [
    {
      task_id: "a",
      name: "prep",
      display_name: "prep",
      path: "root/prep",
      kind: "container",
      state: "SUCCEEDED",
      attempt: 1,
    },
    {
      task_id: "l",
      name: "for-loop-1",
      display_name: "for-loop-1",
      path: "root/for-loop-1",
      kind: "loop",
      state: "RUNNING",
      attempt: 1,
    },
    {
      task_id: "i1",
      name: "iteration-1",
      display_name: "iteration-1",
      path: "root/for-loop-1/iteration-1",
      kind: "iteration",
      state: "RUNNING",
      parent_id: "l",
      attempt: 1,
    },
    {
      task_id: "i0",
      name: "iteration-0",
      display_name: "iteration-0",
      path: "root/for-loop-1/iteration-0",
      kind: "iteration",
      state: "SUCCEEDED",
      parent_id: "l",
      attempt: 1,
    },
    {
      task_id: "t0",
      name: "train",
      display_name: "train",
      path: "root/for-loop-1/iteration-0/train",
      kind: "container",
      state: "SUCCEEDED",
      parent_id: "i0",
      attempt: 2,
      cached: true,
    },
    {
      task_id: "t1",
      name: "train",
      display_name: "train",
      path: "root/for-loop-1/iteration-1/train",
      kind: "container",
      state: "RUNNING",
      parent_id: "i1",
      attempt: 1,
    },
  ],
  edges: [{ from: "a", to: "l" }],
};

const spec = {
  root: {
    dag: {
      tasks: {
        prep: { componentRef: { name: "comp-prep" } },
        "for-loop-1": {
          componentRef: { name: "comp-for-loop-1" },
          dependentTasks: ["prep"],
          parameterIterator: { items: { raw: "[1,2]" } },
        },
        report: { componentRef: { name: "comp-report" }, dependentTasks: ["for-loop-1"] },
      },
    },
  },
  components: {
    "comp-prep": { executorLabel: "e" },
    "comp-report": { executorLabel: "e" },
    "comp-for-loop-1": { dag: { tasks: { train: { componentRef: { name: "comp-prep" } } } } },
  },
};

describe("DAG model", () => {
  it("nests tasks under loops and iterations, in iteration order, and adds tasks not reached yet", () => {
    const tree = treeFromGraph(graph, spec);
    expect(tree.roots.map((n) => [n.name, n.kind, n.ghost])).toEqual([
      ["prep", "container", false],
      ["for-loop-1", "loop", false],
      ["report", "container", true],
    ]);
    const loop = findNode(tree.roots, "l");
    expect(loop?.children.map((c) => c.id)).toEqual(["i0", "i1"]);
    expect(loop?.iterations).toBe(2);
    expect(findNode(tree.roots, "t0")?.state).toBe("CACHED");
    expect(tree.edges.get("")).toEqual([
      { from: "a", to: "l" },
      { from: "l", to: "root/report" },
    ]);
    expect(Object.fromEntries(stateCounts(tree.roots))).toEqual({ SUCCEEDED: 1, CACHED: 1, RUNNING: 1, PENDING: 1 });
  });

  it("builds a static tree from a spec, with edges from dependencies", () => {
    const tree = treeFromSpec(spec);
    expect(tree.count).toBe(4);
    const loop = findNode(tree.roots, "root/for-loop-1");
    // the preview shows the body once; the count comes from the static items
    expect(loop?.children.map((c) => c.id)).toEqual(["root/for-loop-1/train"]);
    expect(loop?.iterations).toBe(2);
    expect(tree.edges.get("")).toEqual([
      { from: "root/prep", to: "root/for-loop-1" },
      { from: "root/for-loop-1", to: "root/report" },
    ]);
  });

  it("counts a loop's static items, and leaves the count unknown for items known only at run time", () => {
    expect(staticItemCount({ parameterIterator: { items: { raw: '[{"a":1},{"a":2},{"a":3}]' } } })).toBe(3);
    expect(staticItemCount({ parameterIterator: { items: { raw: "[]" } } })).toBe(0);
    expect(staticItemCount({ parameterIterator: { items: { inputParameter: "pipelinechannel--xs" } } })).toBe(
      undefined,
    );
    expect(staticItemCount({ parameterIterator: { items: { raw: "not json" } } })).toBe(undefined);
    expect(staticItemCount({ artifactIterator: { items: { inputArtifact: "xs" } } })).toBe(undefined);
    const ghost = treeFromGraph({ ...graph, nodes: [graph.nodes[0] as RunGraph["nodes"][0]] }, spec);
    expect(findNode(ghost.roots, "root/for-loop-1")?.iterations).toBe(2);
  });

  it("lays loops out collapsed by default and expanded when toggled", () => {
    const tree = treeFromGraph(graph, spec);
    const collapsed = layoutTree(tree, new Set());
    const loop = collapsed.nodes.find((n) => n.node.id === "l");
    expect(loop?.collapsed).toBe(true);
    expect(collapsed.edges).toHaveLength(2);
    const prep = collapsed.nodes.find((n) => n.node.id === "a");
    expect(prep && loop && prep.y < loop.y).toBe(true);
    const expanded = layoutTree(tree, new Set(["l"]));
    const open = expanded.nodes.find((n) => n.node.id === "l");
    expect(open?.collapsed).toBe(false);
    expect(open?.inner?.nodes.map((n) => n.node.id)).toEqual(["i0", "i1"]);
    expect(open && open.w > 2 * NODE_W).toBe(true);
  });

  it("lays out 500 tasks quickly", () => {
    const nodes = Array.from({ length: 500 }, (_, i) => ({
      task_id: `t${i}`,
      name: `t${i}`,
      display_name: `t${i}`,
      path: `root/t${i}`,
      kind: "container",
      state: "SUCCEEDED",
      attempt: 1,
    }));
    const edges = nodes.slice(25).map((n, i) => ({ from: `t${i}`, to: n.task_id }));
    const t0 = performance.now();
    const laid = layoutTree(treeFromGraph({ run_id: "r", state: "SUCCEEDED", nodes, edges }), new Set());
    expect(laid.nodes).toHaveLength(500);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe("fast layered layout", () => {
  it("ranks by longest path, keeps rows apart and routes edges downwards", async () => {
    const { fastLayered } = await import("./fast-layout.ts");
    const nodes = ["a", "b", "c", "d"].map((id) => ({ id, w: 100, h: 40 }));
    const l = fastLayered(nodes, [
      { from: "a", to: "b" },
      { from: "b", to: "d" },
      { from: "a", to: "c" },
      { from: "c", to: "d" },
      { from: "a", to: "d" },
    ]);
    const y = (id: string) => l.pos.get(id)?.y ?? -1;
    expect([y("a"), y("b"), y("c"), y("d")]).toEqual([0, 84, 84, 168]);
    expect(Math.abs((l.pos.get("b")?.x ?? 0) - (l.pos.get("c")?.x ?? 0))).toBe(124);
    expect(l.w).toBe(224);
    expect(l.h).toBe(208);
    for (const e of l.edges) expect((e.points.at(-1)?.y ?? 0) > (e.points[0]?.y ?? 0)).toBe(true);
  });
});
