import { readFileSync, writeFileSync } from "node:fs";
import { artifact, component, parallelFor, param, pipeline } from "../../src/index.ts";

/** Mirrors the corpus pipeline `parallel_and_nested/loop_consume_upstream`: a loop over an upstream output. */
export const splitInput = component({
  name: "split_input",
  inputs: { input: param.string() },
  outputs: { Output: param.list<string>() },
  run: ({ input }) => ({ Output: input.split(",") }),
});

export const createFile = component({
  name: "create_file",
  inputs: { content: param.string() },
  outputs: { file: artifact.Artifact },
  run: ({ content }, { file }) => {
    writeFileSync(file.path, content);
  },
});

export const readFile = component({
  name: "read_file",
  inputs: { file: artifact.Artifact },
  outputs: { Output: param.string() },
  run: ({ file }) => {
    console.log(readFileSync(file.path, "utf8"));
    return { Output: file.path };
  },
});

export const printInput = component({
  name: "print_input",
  inputs: { input: param.list<string>() },
  run: ({ input }) => {
    for (const item of input) console.log(`Input item: ${item}`);
  },
});

export const loopConsumeUpstream = pipeline(
  { name: "loop-consume-upstream", displayName: "Loop Consume Upstream" },
  () => {
    const split = splitInput({ input: "component1,component2,component3" })
      .setCaching(false)
      .setDisplayName("same display name");
    parallelFor(split.outputs.Output, (item) => {
      const file = createFile({ content: item }).setCaching(false).setDisplayName("same display name");
      readFile({ file: file.outputs.file }).setCaching(false).setDisplayName("same display name");
    });
    printInput({ input: split.outputs.Output }).setCaching(false).setDisplayName("same display name");
  },
);
