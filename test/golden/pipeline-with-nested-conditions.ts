import { component, param, pipeline, when } from "../../src/index.ts";

/** Mirrors the corpus pipeline `essential/pipeline_with_nested_conditions`. */
export const flipCoinOp = component({
  name: "flip_coin_op",
  outputs: { Output: param.string() },
  run: () => ({ Output: Math.random() < 0.5 ? "heads" : "tails" }),
});

export const printOp = component({
  name: "print_op",
  inputs: { msg: param.string() },
  run: ({ msg }) => {
    console.log(msg);
  },
});

export const nestedConditions = pipeline({ name: "nested-conditions-pipeline" }, () => {
  const flip1 = flipCoinOp();
  printOp({ msg: flip1.outputs.Output });
  const flip2 = flipCoinOp();
  printOp({ msg: flip2.outputs.Output });
  when(flip1.outputs.Output.ne("no-such-result"), () => {
    const flip3 = flipCoinOp();
    printOp({ msg: flip3.outputs.Output });
    when(flip2.outputs.Output.eq(flip3.outputs.Output), () => {
      const flip4 = flipCoinOp();
      printOp({ msg: flip4.outputs.Output });
    });
  });
});
