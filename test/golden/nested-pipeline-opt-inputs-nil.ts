import { component, param, pipeline } from "../../src/index.ts";

/** Mirrors the corpus pipeline `parallel_and_nested/nested_pipeline_opt_inputs_nil_compiled`: optional inputs left unset. */
export const componentBool = component({
  name: "component_bool",
  inputs: { componentInput: param.bool({ optional: true }) },
  run: ({ componentInput }) => {
    if (componentInput !== undefined && componentInput !== null)
      throw new Error(`componentInput should be unset but is ${componentInput}`);
  },
});

export const componentInt = component({
  name: "component_int",
  inputs: { componentInput: param.int({ optional: true }) },
  run: ({ componentInput }) => {
    if (componentInput !== undefined && componentInput !== null)
      throw new Error(`componentInput should be unset but is ${componentInput}`);
  },
});

export const componentStr = component({
  name: "component_str",
  inputs: { componentInput: param.string({ optional: true }) },
  run: ({ componentInput }) => {
    if (componentInput !== undefined && componentInput !== null)
      throw new Error(`componentInput should be unset but is ${componentInput}`);
  },
});

export const nestedPipeline = pipeline(
  {
    name: "nested-pipeline",
    params: {
      nestedInputBool: param.bool({ optional: true }),
      nestedInputInt: param.int({ optional: true }),
      nestedInputStr: param.string({ optional: true }),
    },
  },
  (p) => {
    componentBool({ componentInput: p.nestedInputBool }).setCaching(false);
    componentInt({ componentInput: p.nestedInputInt }).setCaching(false);
    componentStr({ componentInput: p.nestedInputStr }).setCaching(false);
  },
);

export default pipeline({ name: "nested-pipeline-opt-inputs-nil" }, () => {
  nestedPipeline().setCaching(false);
});
