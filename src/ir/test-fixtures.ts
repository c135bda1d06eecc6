/**
 * A small, valid two-task pipeline (prep produces a Dataset and a row count, train
 * consumes both) that validation tests copy and break one rule at a time.
 */
import type { PipelinePackage } from "./spec.ts";

/** Returns a fresh copy of the sample pipeline package. */
export function samplePipeline(): PipelinePackage {
  return {
    pipelineSpec: {
      pipelineInfo: { name: "sample" },
      schemaVersion: "2.1.0",
      sdkVersion: "weft-0.1.0",
      components: {
        "comp-prep": {
          executorLabel: "exec-prep",
          inputDefinitions: { parameters: { rows: { parameterType: "NUMBER_INTEGER" } } },
          outputDefinitions: {
            artifacts: { dataset: { artifactType: { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" } } },
            parameters: { count: { parameterType: "NUMBER_INTEGER" } },
          },
        },
        "comp-train": {
          executorLabel: "exec-train",
          inputDefinitions: {
            artifacts: { data: { artifactType: { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" } } },
            parameters: {
              n: { parameterType: "NUMBER_INTEGER" },
              lr: { parameterType: "NUMBER_DOUBLE", defaultValue: 0.1, isOptional: true },
            },
          },
          outputDefinitions: {
            artifacts: { model: { artifactType: { schemaTitle: "system.Model", schemaVersion: "0.0.1" } } },
          },
        },
      },
      deploymentSpec: {
        executors: {
          "exec-prep": { container: { image: "alpine", command: ["sh", "-c", "echo prep"] } },
          "exec-train": { container: { image: "alpine", command: ["sh", "-c", "echo train"] } },
        },
      },
      root: {
        inputDefinitions: { parameters: { rows: { parameterType: "NUMBER_INTEGER", defaultValue: 100 } } },
        outputDefinitions: {
          artifacts: { model: { artifactType: { schemaTitle: "system.Model", schemaVersion: "0.0.1" } } },
        },
        dag: {
          outputs: {
            artifacts: { model: { artifactSelectors: [{ producerSubtask: "train", outputArtifactKey: "model" }] } },
          },
          tasks: {
            prep: {
              taskInfo: { name: "prep" },
              componentRef: { name: "comp-prep" },
              inputs: { parameters: { rows: { componentInputParameter: "rows" } } },
            },
            train: {
              taskInfo: { name: "train" },
              componentRef: { name: "comp-train" },
              dependentTasks: ["prep"],
              inputs: {
                artifacts: { data: { taskOutputArtifact: { producerTask: "prep", outputArtifactKey: "dataset" } } },
                parameters: { n: { taskOutputParameter: { producerTask: "prep", outputParameterKey: "count" } } },
              },
            },
          },
        },
      },
    },
  };
}
