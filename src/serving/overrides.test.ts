import { describe, expect, it } from "vitest";
import { applyBatchingOverrides, withBatchingOverrides } from "./overrides.ts";
import type { ModelSource } from "./repository.ts";
import type { ModelConfig } from "./types.ts";

const base: ModelConfig = {
  name: "fraud",
  platform: "onnxruntime_onnx",
  maxBatchSize: 256,
  inputs: [{ name: "x", datatype: "FP32", shape: [4] }],
  outputs: [{ name: "y", datatype: "FP32", shape: [1] }],
  dynamicBatching: { preferredBatchSize: [8, 64, 128], maxQueueDelayMicroseconds: 100 },
  versionPolicy: { kind: "latest", numVersions: 1 },
};

describe("batching overrides", () => {
  it("replaces max batch size and queue delay, dropping preferred sizes above the new maximum", () => {
    expect(applyBatchingOverrides(base, { maxBatchSize: 64, maxQueueDelayMicroseconds: 500 })).toEqual({
      ...base,
      maxBatchSize: 64,
      dynamicBatching: { preferredBatchSize: [8, 64], maxQueueDelayMicroseconds: 500 },
    });
  });

  it("turns dynamic batching on for a batching model that had none, and leaves a model without a batch dimension alone", () => {
    const { dynamicBatching: _, ...plain } = base;
    expect(applyBatchingOverrides(plain, { maxQueueDelayMicroseconds: 200 }).dynamicBatching).toEqual({
      preferredBatchSize: [],
      maxQueueDelayMicroseconds: 200,
    });
    const unbatched = { ...plain, maxBatchSize: 0 };
    expect(applyBatchingOverrides(unbatched, { maxBatchSize: 64, maxQueueDelayMicroseconds: 200 })).toBe(unbatched);
    expect(applyBatchingOverrides(base, {})).toBe(base);
  });

  it("applies to every version a source gives, and forwards the rest", async () => {
    const version = { version: "3", file: "/m/3/model.onnx", config: base };
    let closed = false;
    const source = {
      name: "fraud",
      kind: "repository",
      origin: "/m",
      policy: { kind: "all" },
      versions: async () => [version],
      served: async () => [version],
      version: async () => version,
      resolveAlias: () => undefined,
      close: () => {
        closed = true;
      },
    } as ModelSource;
    const wrapped = withBatchingOverrides(source, { maxBatchSize: 8 });
    expect(wrapped.name).toBe("fraud");
    expect((await wrapped.served())[0]?.config.maxBatchSize).toBe(8);
    expect((await wrapped.versions())[0]?.config.maxBatchSize).toBe(8);
    expect((await wrapped.version("3")).config.dynamicBatching?.preferredBatchSize).toEqual([8]);
    wrapped.close();
    expect(closed).toBe(true);
  });
});
