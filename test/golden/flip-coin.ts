import { component, fmt, param, pipeline, when } from "../../src/index.ts";

/** Mirrors the corpus pipeline `critical/flip_coin`: nested conditions on integer outputs, and channels inside strings. */
export const flipCoin = component({
  name: "flip_coin",
  outputs: { Output: param.string() },
  run: () => (Math.random() < 0.5 ? "heads" : "tails"),
});

export const randomNum = component({
  name: "random_num",
  inputs: { low: param.int(), high: param.int() },
  outputs: { Output: param.int() },
  run: ({ low, high }) => low + Math.floor(Math.random() * (high - low + 1)),
});

export const printMsg = component({
  name: "print_msg",
  inputs: { msg: param.string() },
  run: ({ msg }) => {
    console.log(msg);
  },
});

export default pipeline({ name: "conditional-execution-pipeline", description: "Shows how to use dsl.If()." }, () => {
  const flip = flipCoin().setCaching(false);
  when(flip.outputs.Output.eq("heads"), () => {
    const n = randomNum({ low: 0, high: 9 }).setCaching(false);
    when(n.outputs.Output.gt(5), () => {
      printMsg({ msg: fmt`heads and ${n.outputs.Output} > 5!` }).setCaching(false);
    });
    when(n.outputs.Output.lte(5), () => {
      printMsg({ msg: fmt`heads and ${n.outputs.Output} <= 5!` }).setCaching(false);
    });
  });
  when(flip.outputs.Output.eq("tails"), () => {
    const n = randomNum({ low: 10, high: 19 }).setCaching(false);
    when(n.outputs.Output.gt(15), () => {
      printMsg({ msg: fmt`tails and ${n.outputs.Output} > 15!` }).setCaching(false);
    });
    when(n.outputs.Output.lte(15), () => {
      printMsg({ msg: fmt`tails and ${n.outputs.Output} <= 15!` }).setCaching(false);
    });
  });
});
