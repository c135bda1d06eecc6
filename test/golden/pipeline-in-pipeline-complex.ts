import { component, containerComponent, inputValue, parallelFor, param, pipeline, when } from "../../src/index.ts";

/** Mirrors the corpus pipeline `parallel_and_nested/pipeline_in_pipeline_complex`: a nested pipeline with conditions, in a loop. */
export const printOp1 = component({
  name: "print_op1",
  inputs: { msg: param.string() },
  outputs: { Output: param.string() },
  run: ({ msg }) => {
    console.log(msg);
    return msg;
  },
});

export const printOp = containerComponent({
  name: "print_op",
  image: "alpine",
  inputs: { msg: param.string() },
  command: ["echo", inputValue("msg")],
});

export const printOp2 = containerComponent({
  name: "print_op2",
  image: "alpine",
  inputs: { msg: param.string() },
  command: ["echo", inputValue("msg")],
});

export const innerPipeline = pipeline({ name: "inner-pipeline", params: { msg: param.string() } }, (p) => {
  const task = printOp1({ msg: p.msg });
  when(task.outputs.Output.eq("Hello"), () => {
    printOp2({ msg: "world" });
  });
  when(task.outputs.Output.ne("Hello"), () => {
    printOp({ msg: "Bye!" });
  });
});

export default pipeline(
  { name: "pipeline-in-pipeline-complex", params: { msg: param.string({ default: "Hello" }) } },
  (p) => {
    printOp1({ msg: p.msg });
    parallelFor(["Hello", "world!"], (item) => {
      innerPipeline({ msg: item });
    });
  },
);
