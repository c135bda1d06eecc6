import { artifact, containerComponent, inputPath, inputValue, outputPath, param, pipeline } from "../../src/index.ts";

/** Mirrors the corpus pipeline `critical/two_step_pipeline_containerized`. */
export const component1 = containerComponent({
  name: "component1",
  image: "alpine",
  inputs: { text: param.string() },
  outputs: { output_gcs: artifact.Dataset },
  command: ["sh", "-c", 'mkdir --parents $(dirname "$1") && echo "$0" > "$1"'],
  args: [inputValue("text"), outputPath("output_gcs")],
});

export const component2 = containerComponent({
  name: "component2",
  image: "alpine",
  inputs: { input_gcs: artifact.Dataset },
  command: ["cat"],
  args: [inputPath("input_gcs")],
});

export const containerizedTwoStep = pipeline(
  { name: "containerized-two-step-pipeline", params: { text: param.string({ default: "Hello KFP Containerized!" }) } },
  (p) => {
    const one = component1({ text: p.text });
    component2({ input_gcs: one.outputs.output_gcs });
  },
);
