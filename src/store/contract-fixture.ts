/** Shared pieces of the store contract: the fixture, a sample spec, error capture. */
import type { PipelineSpec } from "../ir/index.ts";
import type { StoreError } from "./errors.ts";
import type { Store } from "./types.ts";

/** The Vitest functions the contract uses. */
export type ContractApi = Pick<typeof import("vitest"), "describe" | "it" | "expect" | "beforeEach" | "afterEach">;

/** A fresh store per test, closed after it. */
export interface ContractFixture {
  readonly store: Store;
  readonly api: ContractApi;
}

/** A small valid PipelineSpec for the contract's records. */
export function sampleSpec(name = "sample-pipeline"): PipelineSpec {
  return {
    pipelineInfo: { name },
    schemaVersion: "2.1.0",
    sdkVersion: "weft-0.1.0",
    components: { "comp-train": { executorLabel: "exec-train" } },
    deploymentSpec: { executors: { "exec-train": { container: { image: "node:20", command: ["node", "-e", "1"] } } } },
    root: { dag: { tasks: { train: { taskInfo: { name: "train" }, componentRef: { name: "comp-train" } } } } },
  };
}

/** Runs `fn` and returns the store error it throws (fails the test if none). */
export function storeErrorOf(f: ContractFixture, fn: () => unknown): StoreError {
  try {
    fn();
  } catch (err) {
    f.api.expect(err).toHaveProperty("code");
    return err as StoreError;
  }
  throw new Error("expected a StoreError, but the call succeeded");
}
