/**
 * A chain of TypeScript function components for the engine benchmark, written with the
 * SDK and compiled (bundled) like any user pipeline.
 */
import { compilePipeline } from "../../src/compiler/index.ts";
import type { PipelinePackage } from "../../src/ir/index.ts";
import { pipeline } from "../../src/sdk/index.ts";
import { noop } from "./ts-noop.ts";

/** Compiles a pipeline of `n` chained `noop` tasks. */
export function tsChainPipeline(n: number): PipelinePackage {
  const chain = pipeline({ name: "ts-chain" }, () => {
    let prev: ReturnType<typeof noop> | undefined;
    for (let i = 0; i < n; i++) {
      const task = noop({ i }).setCaching(false);
      if (prev) task.after(prev);
      prev = task;
    }
  });
  return compilePipeline(chain);
}
