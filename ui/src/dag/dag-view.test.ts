import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DagView, structureKey } from "./dag-view.tsx";
import { treeFromSpec } from "./model.ts";

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
        "condition-2": {
          componentRef: { name: "comp-condition-2" },
          dependentTasks: ["prep"],
          triggerPolicy: { condition: "int(inputs.parameter_values['pipelinechannel--n']) > 5" },
        },
      },
    },
  },
  components: {
    "comp-prep": { executorLabel: "e" },
    "comp-for-loop-1": { dag: { tasks: { train: { componentRef: { name: "comp-prep" } } } } },
    "comp-condition-2": { dag: { tasks: { report: { componentRef: { name: "comp-prep" } } } } },
  },
};

describe("DagView", () => {
  it("renders task cards, a collapsed loop card and an expanded condition box with accessible names", () => {
    const html = renderToStaticMarkup(createElement(DagView, { tree: treeFromSpec(spec), onSelect: () => undefined }));
    expect(html).toContain('aria-label="Pipeline graph with 5 tasks.');
    expect(html).toMatch(/data-task="prep"/);
    // a preview counts the loop's items (its body is drawn once), and labels a condition by its expression
    expect(html).toMatch(/aria-label="Loop · × 2 items, loop, collapsed, press Enter to expand"/);
    expect(html).toContain("If · n &gt; 5, expanded");
    expect(html).toMatch(/data-group="condition-2"[^>]*>.*data-task="report"/s);
    expect(html).not.toContain('data-task="train"');
    expect((html.match(/class="dag-edge"/g) ?? []).length).toBe(2);
  });

  it("labels a loop over run-time items without a count, and a one-item loop in the singular", () => {
    const withItems = (items: Record<string, string>) => {
      const loop = { ...spec.root.dag.tasks["for-loop-1"], parameterIterator: { items } };
      return { ...spec, root: { dag: { tasks: { ...spec.root.dag.tasks, "for-loop-1": loop } } } };
    };
    const render = (items: Record<string, string>) =>
      renderToStaticMarkup(createElement(DagView, { tree: treeFromSpec(withItems(items)), onSelect: () => undefined }));
    expect(render({ inputParameter: "pipelinechannel--xs" })).toMatch(/aria-label="Loop · × N, loop, collapsed/);
    expect(render({ raw: '["only"]' })).toMatch(/aria-label="Loop · × 1 item, loop, collapsed/);
  });

  it("keys the layout on structure, not on states", () => {
    const a = treeFromSpec(spec);
    const b = treeFromSpec(spec);
    for (const n of b.roots) n.state = "SUCCEEDED";
    expect(structureKey(a)).toBe(structureKey(b));
    b.roots.pop();
    expect(structureKey(a)).not.toBe(structureKey(b));
  });
});
