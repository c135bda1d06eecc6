import { artifact, component, containerComponent, inputValue, outputPath, param, pipeline } from "../../src/index.ts";

/**
 * Mirrors the corpus pipeline `essential/pipeline_with_outputs`: a nested pipeline returns a
 * parameter and an artifact of its tasks, and the outer pipeline returns the artifact.
 */
export const printOp1 = component({
  name: "print_op1",
  inputs: { msg: param.string() },
  outputs: { Output: param.string() },
  run: ({ msg }) => {
    console.log(msg);
    return { Output: msg };
  },
});

export const printOp2 = containerComponent({
  name: "print_op2",
  image: "alpine",
  inputs: { msg: param.string() },
  outputs: { data: artifact.Artifact },
  command: ["sh", "-c", 'mkdir --parents $(dirname "$1") && echo "$0" > "$1"'],
  args: [inputValue("msg"), outputPath("data")],
});

export const innerPipeline = pipeline({ name: "inner-pipeline", params: { msg: param.string() } }, (p) => {
  const op1 = printOp1({ msg: p.msg });
  const op2 = printOp2({ msg: op1.outputs.Output });
  return { msg: op1.outputs.Output, data: op2.outputs.data };
});

export default pipeline({ name: "pipeline-in-pipeline", params: { msg: param.string({ default: "Hello" }) } }, (p) => {
  printOp1({ msg: p.msg });
  const inner = innerPipeline({ msg: "world" });
  return { Output: inner.outputs.data };
});
