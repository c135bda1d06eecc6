/**
 * KFP IR builders for the engine benchmark: chains of one command, independent
 * branches, and a ParallelFor over N items.
 */
import type { PipelinePackage, PipelineSpec } from "../../src/ir/index.ts";

function spec(
  name: string,
  components: Record<string, object>,
  executors: Record<string, object>,
  tasks: Record<string, object>,
): PipelinePackage {
  const pipelineSpec = {
    pipelineInfo: { name },
    schemaVersion: "2.1.0",
    sdkVersion: "weft-bench",
    components,
    deploymentSpec: { executors },
    root: { dag: { tasks } },
  } as unknown as PipelineSpec;
  return { pipelineSpec };
}

/** `n` tasks in a chain (each depends on the previous), all running `command`. */
export function chainPipeline(
  name: string,
  n: number,
  command: string[],
  opts: { cache?: boolean } = {},
): PipelinePackage {
  const tasks: Record<string, object> = {};
  for (let i = 0; i < n; i++) {
    tasks[`step-${i}`] = {
      taskInfo: { name: `step-${i}` },
      componentRef: { name: "comp-step" },
      cachingOptions: { enableCache: opts.cache ?? false },
      // a distinct constant per task so that each has its own cache key
      inputs: { parameters: { i: { runtimeValue: { constant: i } } } },
      ...(i > 0 ? { dependentTasks: [`step-${i - 1}`] } : {}),
    };
  }
  return spec(
    name,
    {
      "comp-step": {
        executorLabel: "exec-step",
        inputDefinitions: { parameters: { i: { parameterType: "NUMBER_INTEGER" } } },
      },
    },
    { "exec-step": { container: { image: "local", command, args: ["{{$.inputs.parameters['i']}}"] } } },
    tasks,
  );
}

/** `n` independent tasks running `command`. */
export function fanPipeline(name: string, n: number, command: string[]): PipelinePackage {
  const tasks: Record<string, object> = {};
  for (let i = 0; i < n; i++) {
    tasks[`branch-${i}`] = {
      taskInfo: { name: `branch-${i}` },
      componentRef: { name: "comp-branch" },
      cachingOptions: { enableCache: false },
      inputs: { parameters: { i: { runtimeValue: { constant: i } } } },
    };
  }
  return spec(
    name,
    {
      "comp-branch": {
        executorLabel: "exec-branch",
        inputDefinitions: { parameters: { i: { parameterType: "NUMBER_INTEGER" } } },
      },
    },
    { "exec-branch": { container: { image: "local", command, args: ["{{$.inputs.parameters['i']}}"] } } },
    tasks,
  );
}

/** A ParallelFor over `n` static items whose body is one task running `command`. */
export function parallelForPipeline(name: string, n: number, command: string[]): PipelinePackage {
  const item = "pipelinechannel--loop-item-param-1";
  return spec(
    name,
    {
      "comp-for-loop-1": {
        dag: {
          tasks: {
            noop: {
              taskInfo: { name: "noop" },
              componentRef: { name: "comp-noop" },
              cachingOptions: { enableCache: false },
              inputs: { parameters: { x: { componentInputParameter: item } } },
            },
          },
        },
        inputDefinitions: { parameters: { [item]: { parameterType: "NUMBER_INTEGER" } } },
      },
      "comp-noop": {
        executorLabel: "exec-noop",
        inputDefinitions: { parameters: { x: { parameterType: "NUMBER_INTEGER" } } },
      },
    },
    { "exec-noop": { container: { image: "local", command, args: ["{{$.inputs.parameters['x']}}"] } } },
    {
      "for-loop-1": {
        taskInfo: { name: "for-loop-1" },
        componentRef: { name: "comp-for-loop-1" },
        parameterIterator: { itemInput: item, items: { raw: JSON.stringify(Array.from({ length: n }, (_, i) => i)) } },
      },
    },
  );
}
