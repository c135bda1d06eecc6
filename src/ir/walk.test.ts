import { describe, expect, it } from "vitest";
import { samplePipeline } from "./test-fixtures.ts";
import { componentOf, upstreamTasks, walkComponents, walkDag } from "./walk.ts";

describe("walkDag", () => {
  it("yields every task of every DAG with its IR path and enclosing component", () => {
    const pkg = samplePipeline();
    const comps = pkg.pipelineSpec.components ?? {};
    comps["comp-inner"] = {
      dag: { tasks: { deep: { taskInfo: { name: "deep" }, componentRef: { name: "comp-prep" } } } },
    };
    const rows = [...walkDag(pkg)].map((t) => [t.componentName, t.taskName, t.taskPath]);
    expect(rows).toEqual([
      ["root", "prep", "root.dag.tasks.prep"],
      ["root", "train", "root.dag.tasks.train"],
      ["comp-inner", "deep", "components.comp-inner.dag.tasks.deep"],
    ]);
    expect([...walkComponents(pkg.pipelineSpec)].map((c) => c.path)).toEqual([
      "root",
      "components.comp-prep",
      "components.comp-train",
      "components.comp-inner",
    ]);
  });

  it("finds a task's component and its upstream tasks from dependencies and data", () => {
    const pkg = samplePipeline();
    const train = pkg.pipelineSpec.root.dag?.tasks?.train;
    if (!train) throw new Error("fixture has no train task");
    expect(componentOf(pkg, train)?.executorLabel).toBe("exec-train");
    train.dependentTasks = [];
    train.inputs = {
      parameters: {
        n: { taskOutputParameter: { producerTask: "a", outputParameterKey: "x" } },
        s: { taskFinalStatus: { producerTask: "b" } },
      },
      artifacts: { d: { taskOutputArtifact: { producerTask: "a", outputArtifactKey: "y" } } },
    };
    train.dependentTasks = ["c"];
    expect(upstreamTasks(train).sort()).toEqual(["a", "b", "c"]);
    train.componentRef.name = "comp-missing";
    expect(componentOf(pkg, train)).toBeUndefined();
  });
});
