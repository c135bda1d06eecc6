import { component, param, pipeline } from "../../src/index.ts";

/** Mirrors the corpus pipeline `parallel_and_nested/pipeline_in_pipeline`: a nested TS pipeline. */
export const printOp1 = component({
  name: "print_op1",
  inputs: { msg: param.string() },
  outputs: { Output: param.string() },
  run: ({ msg }) => {
    console.log(msg);
    return { Output: msg };
  },
});

export const printOp2 = containerPrint();

function containerPrint() {
  return component({
    name: "print_op2",
    inputs: { msg: param.string() },
    run: ({ msg }) => {
      console.log(msg);
    },
  });
}

export const innerPipeline = pipeline({ name: "inner-pipeline", params: { msg: param.string() } }, (p) => {
  const task = printOp1({ msg: p.msg });
  printOp2({ msg: task.outputs.Output });
});

export const pipelineInPipeline = pipeline({ name: "pipeline-in-pipeline" }, () => {
  printOp1({ msg: "Hello" });
  innerPipeline({ msg: "world" });
});

export default pipelineInPipeline;
