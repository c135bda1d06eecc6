import { component, oneOf, param, pipeline, when } from "../../src/index.ts";

/** Mirrors the corpus pipeline `critical/parameter_oneof`: If/Else with OneOf inside nested pipelines. */
export const flipCoin = component({
  name: "flip_coin",
  outputs: { Output: param.string() },
  run: () => ({ Output: Math.random() < 0.5 ? "heads" : "tails" }),
});

export const coreComp = component({
  name: "core_comp",
  inputs: { input: param.string() },
  outputs: { Output: param.string() },
  run: ({ input }) => ({ Output: input }),
});

export const coreOutputComp = component({
  name: "core_output_comp",
  inputs: { input: param.string() },
  outputs: { output_key: param.string() },
  run: ({ input }) => ({ output_key: input }),
});

export const crustComp = component({
  name: "crust_comp",
  inputs: { input: param.string() },
  run: ({ input }) => {
    console.log("input :", input);
  },
});

export const core = pipeline({ name: "core" }, () => {
  const flip = flipCoin().setCaching(false);
  let heads: ReturnType<typeof coreComp> | undefined;
  let tails: ReturnType<typeof coreOutputComp> | undefined;
  when(flip.outputs.Output.eq("heads"), () => {
    heads = coreComp({ input: "Got heads!" }).setCaching(false);
  }).otherwise(() => {
    tails = coreOutputComp({ input: "Got tails!" }).setCaching(false);
  });
  if (!heads || !tails) throw new Error("both branches record a task");
  return { Output: oneOf(heads.outputs.Output, tails.outputs.output_key) };
});

export const mantle = pipeline({ name: "mantle" }, () => {
  const task = core().setCaching(false);
  return { Output: task.outputs.Output };
});

export const parameterOneofPipeline = pipeline({ name: "parameter-oneof-pipeline" }, () => {
  const task = mantle().setCaching(false);
  crustComp({ input: task.outputs.Output }).setCaching(false);
});

export default parameterOneofPipeline;
