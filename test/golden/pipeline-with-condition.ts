import { component, param, pipeline, when } from "../../src/index.ts";

/** Mirrors the corpus pipeline `essential/pipeline_with_condition`. */
export const flipCoinOp = component({
  name: "flip_coin_op",
  outputs: { Output: param.string() },
  run: () => (Math.random() < 0.5 ? "heads" : "tails"),
});

export const printOp = component({
  name: "print_op",
  inputs: { msg: param.string() },
  run: ({ msg }) => {
    console.log(msg);
  },
});

export default pipeline(
  { name: "single-condition-pipeline", params: { text: param.string({ default: "condition test" }) } },
  (p) => {
    const flip1 = flipCoinOp().setCaching(false);
    printOp({ msg: flip1.outputs.Output });
    when(flip1.outputs.Output.eq("heads"), () => {
      const flip2 = flipCoinOp().setCaching(false);
      printOp({ msg: flip2.outputs.Output });
      printOp({ msg: p.text });
    });
  },
);
