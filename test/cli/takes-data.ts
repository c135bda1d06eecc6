/**
 * A pipeline with an artifact input (`root.inputDefinitions.artifacts`), shared by the
 * CLI, engine and server tests of root artifact inputs.
 */

/** A pipeline whose task counts the lines of its `data` artifact input and prints it. */
export function takesData(optional = false): object {
  const data = {
    artifactType: { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" },
    ...(optional ? { isOptional: true } : {}),
  };
  return {
    pipelineInfo: { name: "takes-data" },
    schemaVersion: "2.1.0",
    components: {
      "comp-count": {
        executorLabel: "exec-count",
        inputDefinitions: { artifacts: { data } },
        outputDefinitions: { parameters: { lines: { parameterType: "STRING" } } },
      },
    },
    deploymentSpec: {
      executors: {
        "exec-count": {
          container: {
            image: "alpine:3",
            command: [
              "sh",
              "-c",
              'cat "$0"; wc -l < "$0" | tr -d " " > "$1"',
              "{{$.inputs.artifacts['data'].path}}",
              "{{$.outputs.parameters['lines'].output_file}}",
            ],
          },
        },
      },
    },
    root: {
      inputDefinitions: {
        artifacts: { data },
        parameters: { rows: { parameterType: "NUMBER_INTEGER", defaultValue: 1 } },
      },
      dag: {
        tasks: {
          count: {
            taskInfo: { name: "count" },
            componentRef: { name: "comp-count" },
            inputs: { artifacts: { data: { componentInputArtifact: "data" } } },
          },
        },
      },
    },
  };
}
