import { component, parallelFor, param, pipeline } from "../../src/index.ts";

/** Mirrors the corpus pipeline `parallel_and_nested/pipeline_with_loops`. */
export const argsGeneratorOp = component({
  name: "args_generator_op",
  outputs: { Output: param.list<{ A_a: string; B_b: string }>({ itemType: "STRUCT" }) },
  run: () => ({
    Output: [
      { A_a: "1", B_b: "2" },
      { A_a: "10", B_b: "20" },
    ],
  }),
});

export const printText = component({
  name: "print_text",
  inputs: { msg: param.string() },
  run: ({ msg }) => {
    console.log(msg);
  },
});

export const printStruct = component({
  name: "print_struct",
  inputs: { struct: param.object<{ A_a: string; B_b: string }>() },
  run: ({ struct }) => {
    console.log(struct);
  },
});

export const pipelineWithLoops = pipeline(
  { name: "pipeline-with-loops", params: { loop_parameter: param.list<string>({ default: ["a", "b"] }) } },
  (p) => {
    parallelFor(p.loop_parameter, (item) => {
      printText({ msg: item });
    });
    const gen = argsGeneratorOp();
    parallelFor(gen.outputs.Output, (item) => {
      printStruct({ struct: item });
      printText({ msg: item.field("A_a") });
      printText({ msg: item.field("B_b") });
    });
    parallelFor(
      [
        { A_a: "1", B_b: "2" },
        { A_a: "10", B_b: "20" },
      ],
      (item) => {
        printStruct({ struct: item });
        printText({ msg: item.field("A_a") });
        printText({ msg: item.field("B_b") });
      },
    );
  },
);
