import { containerComponent, ifPresent, inputValue, param, pipeline } from "../../src/index.ts";

/** Mirrors the corpus pipeline `essential/placeholder_with_if_placeholder_none_input_value`. */
export const componentWithOptionalInputs = containerComponent({
  name: "component-with-optional-inputs",
  image: "ghcr.io/containerd/busybox",
  inputs: {
    required_input: param.string(),
    optional_input_1: param.string({ optional: true }),
    optional_input_2: param.string({ optional: true }),
  },
  command: ["echo"],
  args: [
    "--arg0",
    inputValue("required_input"),
    ifPresent("optional_input_1", ["--arg1", inputValue("optional_input_1")]),
    ifPresent("optional_input_2", ["--arg2", inputValue("optional_input_2")], ["--arg2", "default value"]),
  ],
});

export const onePipeline = pipeline(
  {
    name: "one-step-pipeline-with-if-placeholder-supply-none",
    params: { input0: param.string({ default: "input0" }) },
  },
  (p) => {
    componentWithOptionalInputs({ required_input: p.input0 });
  },
);
