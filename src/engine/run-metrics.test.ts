import { describe, expect, it } from "vitest";
import { type PipelineSpec, runMetricsPlatform } from "../ir/index.ts";
import { enclosingIterations, qualifiedTaskName, runMetricPlan, taskRunMetrics } from "./run-metrics.ts";

const metricsArt = { artifactType: { schemaTitle: "system.Metrics", schemaVersion: "0.0.1" } };

/** root: condition-1 (a DAG) holds `evaluate`; the pipeline outputs its f1 and its Metrics. */
function spec(withOutputs: boolean): PipelineSpec {
  return {
    pipelineInfo: { name: "p" },
    schemaVersion: "2.1.0",
    root: {
      dag: {
        tasks: {
          "condition-1": { taskInfo: { name: "condition-1" }, componentRef: { name: "comp-condition-1" } },
          train: { taskInfo: { name: "train" }, componentRef: { name: "comp-train" } },
        },
        ...(withOutputs
          ? {
              outputs: {
                parameters: {
                  best: {
                    valueFromParameter: {
                      producerSubtask: "condition-1",
                      outputParameterKey: "pipelinechannel--evaluate-f1",
                    },
                  },
                },
                artifacts: {
                  quality: {
                    artifactSelectors: [
                      { producerSubtask: "condition-1", outputArtifactKey: "pipelinechannel--evaluate-metrics" },
                    ],
                  },
                },
              },
            }
          : {}),
      },
      ...(withOutputs
        ? {
            outputDefinitions: {
              parameters: { best: { parameterType: "NUMBER_DOUBLE" } },
              artifacts: { quality: metricsArt },
            },
          }
        : {}),
    },
    components: {
      "comp-condition-1": {
        dag: {
          tasks: { evaluate: { taskInfo: { name: "evaluate" }, componentRef: { name: "comp-evaluate" } } },
          outputs: {
            parameters: {
              "pipelinechannel--evaluate-f1": {
                valueFromParameter: { producerSubtask: "evaluate", outputParameterKey: "f1" },
              },
            },
            artifacts: {
              "pipelinechannel--evaluate-metrics": {
                artifactSelectors: [{ producerSubtask: "evaluate", outputArtifactKey: "metrics" }],
              },
            },
          },
        },
      },
      "comp-evaluate": { executorLabel: "exec-evaluate" },
      "comp-train": { executorLabel: "exec-train" },
    },
  } as unknown as PipelineSpec;
}

const evaluate = {
  path: "root/condition-1/evaluate",
  parameters: { f1: 0.8, n: 3 },
  metrics: [{ output: "metrics", values: { f1: 0.8, auc: 0.9 } }],
  numericParameters: new Set(["f1", "n"]),
};
const train = {
  path: "root/train",
  parameters: {},
  metrics: [{ output: "metrics", values: { loss: 0.1 } }],
  numericParameters: new Set<string>(),
};

describe("run metrics", () => {
  it("follows the pipeline's outputs through nested DAGs to the task that writes them", () => {
    const plan = runMetricPlan(spec(true));
    expect(plan.source).toBe("outputs");
    expect(taskRunMetrics(plan, evaluate)).toEqual([
      { name: "best", value: 0.8 },
      { name: "f1", value: 0.8 },
      { name: "auc", value: 0.9 },
    ]);
    expect(taskRunMetrics(plan, train)).toEqual([]);
  });

  it("takes a marked task's metrics unqualified, when the pipeline declares none", () => {
    const plan = runMetricPlan(spec(false), runMetricsPlatform(["evaluate"]));
    expect(plan.source).toBe("marked");
    expect(taskRunMetrics(plan, evaluate)).toEqual([
      { name: "f1", value: 0.8 },
      { name: "auc", value: 0.9 },
      { name: "n", value: 3 },
    ]);
    expect(taskRunMetrics(plan, train)).toEqual([]);
  });

  it("otherwise qualifies each metric by its task, a loop iteration's by its index", () => {
    const plan = runMetricPlan(spec(false));
    expect(plan.source).toBe("tasks");
    expect(taskRunMetrics(plan, train)).toEqual([{ name: "train.loss", value: 0.1 }]);
    expect(qualifiedTaskName("root/for-loop-2/iteration-3/evaluate")).toBe("evaluate[3]");
    expect(qualifiedTaskName("root/for-loop-2/iteration-1/for-loop-4/iteration-0/fit")).toBe("fit[1][0]");
    // iterations by their item where they have a label, as the CLI and the UI show them
    const labels = new Map([["root/for-loop-2/iteration-1", "mlp"]]);
    expect(qualifiedTaskName("root/for-loop-2/iteration-1/for-loop-4/iteration-0/fit", labels)).toBe("fit[mlp][0]");
    expect(enclosingIterations("root/for-loop-2/iteration-1/for-loop-4/iteration-0/fit")).toEqual([
      "root/for-loop-2/iteration-1",
      "root/for-loop-2/iteration-1/for-loop-4/iteration-0",
    ]);
  });
});
