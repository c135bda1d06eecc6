import {
  artifact,
  concat,
  containerComponent,
  ifPresent,
  inputMetadata,
  inputPath,
  inputUri,
  inputValue,
  outputParameterFile,
  outputPath,
  outputUri,
  param,
  pipeline,
} from "../../src/index.ts";

/** Every KFP placeholder in a container component: values, paths, URIs, metadata, Concat and IfPresent. */
export const transform = containerComponent({
  name: "transform",
  image: "python:3.12-slim",
  inputs: {
    source: artifact.Dataset,
    mode: param.string({ default: "fast" }),
    limit: param.int({ optional: true }),
  },
  outputs: { result: artifact.Dataset, count: param.int() },
  command: ["python3", "-m", "transform"],
  args: [
    "--input",
    inputPath("source"),
    "--input-uri",
    inputUri("source"),
    "--input-metadata",
    inputMetadata("source"),
    concat(["--mode=", inputValue("mode")]),
    ifPresent("limit", [concat(["--limit=", inputValue("limit")])], ["--no-limit"]),
    "--output",
    outputPath("result"),
    "--output-uri",
    outputUri("result"),
    "--count-file",
    outputParameterFile("count"),
  ],
});

export const produce = containerComponent({
  name: "produce",
  image: "alpine",
  outputs: { data: artifact.Dataset },
  command: ["sh", "-c", 'echo hello > "$0"', outputPath("data")],
});

export default pipeline({ name: "container-placeholders" }, () => {
  const p = produce();
  transform({ source: p.outputs.data, limit: 10 });
  transform({ source: p.outputs.data, mode: "thorough" });
});
