import { describe, expect, it } from "vitest";
import type { LineageGraph, LineageNode } from "../api/types.ts";
import { LINEAGE_NODE_W, layoutLineage } from "./layout.ts";

const artifact = (id: string, hop: number): LineageNode => ({
  id: `artifact:${id}`,
  kind: "artifact",
  hop,
  artifact: {
    artifact_id: id,
    run_id: "r",
    task_id: "t",
    name: id,
    uri: `file:///${id}`,
    schema_title: "system.Dataset",
  },
});
const execution = (id: string, hop: number): LineageNode => ({
  id: `execution:${id}`,
  kind: "execution",
  hop,
  execution: { task_id: id, run_id: "r", task: `root/${id}`, name: id, state: "SUCCEEDED" },
});

describe("layoutLineage", () => {
  it("places a four-step chain left to right, each node after what it was made from, with one route per edge", () => {
    const graph: LineageGraph = {
      root: "artifact:model",
      upstream: 3,
      downstream: 1,
      truncated: false,
      nodes: [
        artifact("data", -2),
        execution("prep", -2),
        artifact("features", -1),
        execution("train", -1),
        artifact("model", 0),
        execution("evaluate", 1),
        artifact("report", 1),
      ],
      edges: [
        { from: "artifact:data", to: "execution:prep", type: "INPUT", name: "data" },
        { from: "execution:prep", to: "artifact:features", type: "OUTPUT", name: "features" },
        { from: "artifact:features", to: "execution:train", type: "INPUT", name: "features" },
        { from: "execution:train", to: "artifact:model", type: "OUTPUT", name: "model" },
        { from: "artifact:model", to: "execution:evaluate", type: "INPUT", name: "model" },
        { from: "artifact:features", to: "execution:evaluate", type: "INPUT", name: "features" },
        { from: "execution:evaluate", to: "artifact:report", type: "OUTPUT", name: "report" },
      ],
    };
    const laid = layoutLineage(graph);
    const x = (id: string) => laid.nodes.find((n) => n.node.id === id)?.x ?? Number.NaN;
    const order = ["data", "prep", "features", "train", "model", "evaluate", "report"].map((n) =>
      x(graph.nodes.find((g) => g.id.endsWith(`:${n}`))?.id as string),
    );
    for (let i = 1; i < order.length; i++) expect(order[i]).toBeGreaterThan(order[i - 1] as number);
    expect(laid.edges).toHaveLength(7);
    expect(laid.edges.every((e) => e.points.length >= 2)).toBe(true);
    expect(laid.w).toBeGreaterThanOrEqual(7 * LINEAGE_NODE_W);
  });
});
