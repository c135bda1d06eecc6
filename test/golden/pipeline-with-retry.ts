import { component, param, pipeline } from "../../src/index.ts";

/** Mirrors the corpus pipeline `critical/pipeline_with_retry`. */
export const add = component({
  name: "add",
  inputs: { a: param.float(), b: param.float() },
  outputs: { Output: param.float() },
  run: ({ a, b }) => ({ Output: a + b }),
});

export const testPipeline = pipeline(
  { name: "test-pipeline", params: { a: param.float({ default: 1 }), b: param.float({ default: 7 }) } },
  (p) => {
    add({ a: p.a, b: p.b }).setRetry({ maxRetries: 3 });
  },
);
