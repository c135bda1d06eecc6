import { component, fmt, parallelFor, param, pipeline } from "../../src/index.ts";

/** Mirrors the corpus pipeline `essential/pipeline_with_params_containing_format`: parameters and outputs inside strings. */
export const printOp = component({
  name: "print_op",
  inputs: { text: param.string() },
  outputs: { Output: param.string() },
  run: ({ text }) => {
    console.log(text);
    return text;
  },
});

export const printOp2 = component({
  name: "print_op2",
  inputs: { text1: param.string(), text2: param.string() },
  outputs: { Output: param.string() },
  run: ({ text1, text2 }) => text1 + text2,
});

export default pipeline(
  { name: "pipeline-with-pipelineparam-containing-format", params: { name: param.string({ default: "KFP" }) } },
  (p) => {
    const first = printOp({ text: fmt`Hello ${p.name}` });
    printOp({ text: fmt`${first.outputs.Output}, again.` });
    parallelFor(["1", "2"], (item) => {
      printOp2({ text1: item, text2: fmt` and ${p.name}.` });
    });
  },
);
