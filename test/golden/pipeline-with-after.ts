import { containerComponent, inputValue, param, pipeline } from "../../src/index.ts";

/** Mirrors the corpus pipeline `essential/pipeline_with_after`. */
export const printText = containerComponent({
  name: "print-text",
  image: "alpine",
  inputs: { text: param.string() },
  command: ["sh", "-c", 'set -e -x\necho "$0"\n', inputValue("text")],
});

export const pipelineWithAfter = pipeline({ name: "pipeline-with-after" }, () => {
  const first = printText({ text: "1st task" });
  const second = printText({ text: "2nd task" }).after(first);
  printText({ text: "3rd task" }).after(first, second);
});
