import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  denseConfig,
  denseModel,
  identityConfig,
  identityModel,
  twoInputConfig,
  twoInputModel,
} from "../../test/serving/onnx-models.ts";
import { createScheduler } from "./batcher.ts";
import { loadBackend } from "./runtime/index.ts";
import type { Backend, BatchEvent, DynamicBatching, ModelConfig, Tensor } from "./types.ts";

const labels = { model: "dense", version: "1" };
const backends: Backend[] = [];
let dense: Backend;
let two: Backend;
let identity: Backend;

beforeAll(async () => {
  // one worker: while one call runs, the requests behind it queue and are merged
  dense = await loadBackend(denseModel(), denseConfig(), { workers: 1 });
  two = await loadBackend(twoInputModel(), twoInputConfig(), { workers: 1 });
  identity = await loadBackend(
    identityModel("FP32", { dims: ["batch", "n"] }),
    { ...identityConfig("FP32"), inputs: [], outputs: [] },
    { workers: 1 },
  );
  backends.push(dense, two, identity);
});
afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
});

const batching = (over: Partial<DynamicBatching> = {}): DynamicBatching => ({
  preferredBatchSize: [],
  maxQueueDelayMicroseconds: 0,
  ...over,
});

const x = (rows: number, seed: number): Tensor => ({
  name: "x",
  datatype: "FP32",
  shape: [rows, 4],
  data: Float32Array.from({ length: rows * 4 }, (_, i) => Math.sin(seed * 7.1 + i) * 3),
});

function recorder() {
  const batches: BatchEvent[] = [];
  return { batches, observer: { batch: (e: BatchEvent) => batches.push(e) } };
}

describe("createScheduler with dynamic batching", () => {
  it("merges the requests that queue behind a running call, and their results equal unbatched results exactly", async () => {
    const { batches, observer } = recorder();
    const config = denseConfig({ maxBatchSize: 16, dynamicBatching: batching() });
    const scheduler = createScheduler(dense, config, labels, observer);
    const inputs = [x(1, 0), x(2, 1), x(1, 2), x(3, 3), x(1, 4), x(1, 5)];
    const results = await Promise.all(inputs.map((t) => scheduler.run([t])));
    // the first runs at once (delay 0, a free worker); the five behind it form one call
    expect(batches).toEqual([
      { ...labels, size: 1, requests: 1 },
      { ...labels, size: 8, requests: 5 },
    ]);
    expect(results.map((r) => r.batchSize)).toEqual([1, 8, 8, 8, 8, 8]);
    for (const [i, r] of results.entries()) {
      const [alone] = await dense.run([inputs[i]!]);
      expect(r.value[0]!.shape).toEqual([inputs[i]!.shape[0], 1]);
      expect(Array.from(r.value[0]!.data as Float32Array)).toEqual(Array.from(alone!.data as Float32Array));
      expect(r.queueSeconds).toBeGreaterThanOrEqual(0);
      expect(r.computeSeconds).toBeGreaterThan(0);
    }
    expect(scheduler.pending).toBe(0);
  });

  it("never puts more than max_batch_size rows in a call", async () => {
    const { batches, observer } = recorder();
    const scheduler = createScheduler(
      dense,
      denseConfig({ maxBatchSize: 4, dynamicBatching: batching() }),
      labels,
      observer,
    );
    const inputs = [x(1, 0), x(3, 1), x(2, 2), x(2, 3), x(1, 4), x(4, 5)];
    await Promise.all(inputs.map((t) => scheduler.run([t])));
    expect(batches.map((b) => b.size)).toEqual([1, 3, 4, 1, 4]);
    expect(batches.every((b) => b.size <= 4)).toBe(true);
  });

  it("never mixes requests whose non-batch dims differ", async () => {
    const { batches, observer } = recorder();
    const config: ModelConfig = {
      ...identityConfig("FP32", { dynamicBatching: batching() }),
      inputs: [{ name: "x", datatype: "FP32", shape: [-1] }],
      outputs: [{ name: "y", datatype: "FP32", shape: [-1] }],
    };
    const scheduler = createScheduler(identity, config, labels, observer);
    const req = (n: number, v: number): Tensor[] => [
      { name: "x", datatype: "FP32", shape: [1, n], data: new Float32Array(n).fill(v) },
    ];
    const results = await Promise.all(
      [req(2, 0), req(2, 1), req(3, 2), req(2, 3), req(3, 4)].map((r) => scheduler.run(r)),
    );
    expect(results.map((r) => Array.from(r.value[0]!.data as Float32Array))).toEqual([
      [0, 0],
      [1, 1],
      [2, 2, 2],
      [3, 3],
      [4, 4, 4],
    ]);
    // first alone; then the [*, 2] requests together, then the [*, 3] ones
    expect(batches.map((b) => [b.size, b.requests])).toEqual([
      [1, 1],
      [2, 2],
      [2, 2],
    ]);
  });

  it("merges only requests asking for the same outputs, and splits every output back", async () => {
    const { batches, observer } = recorder();
    const scheduler = createScheduler(two, twoInputConfig({ dynamicBatching: batching() }), labels, observer);
    const req = (a: number, b: number): Tensor[] => [
      { name: "b", datatype: "FP32", shape: [1, 2], data: new Float32Array([b, b]) },
      { name: "a", datatype: "FP32", shape: [1, 2], data: new Float32Array([a, a]) },
    ];
    const results = await Promise.all([
      scheduler.run(req(0, 0)),
      scheduler.run(req(5, 1)),
      scheduler.run(req(7, 2), ["diff"]),
      scheduler.run(req(9, 3)),
    ]);
    expect(results.map((r) => r.value.map((t) => [t.name, t.shape, Array.from(t.data as Float32Array)]))).toEqual([
      [
        ["sum", [1, 2], [0, 0]],
        ["diff", [1, 2], [0, 0]],
      ],
      [
        ["sum", [1, 2], [6, 6]],
        ["diff", [1, 2], [4, 4]],
      ],
      [["diff", [1, 2], [5, 5]]],
      [
        ["sum", [1, 2], [12, 12]],
        ["diff", [1, 2], [6, 6]],
      ],
    ]);
    expect(batches.map((b) => b.requests)).toEqual([1, 2, 1]);
  });

  it("fails a bad request alone: refused before merging, or re-run alone when the merged call fails", async () => {
    // a backend that fails any call holding the value 666 (a request the model cannot run)
    const calls: number[] = [];
    const picky: Backend = {
      ...dense,
      run: (inputs, names) => {
        calls.push(inputs[0]!.shape[0]!);
        return (inputs[0]!.data as Float32Array).includes(666)
          ? Promise.reject(new Error("the model cannot run 666"))
          : dense.run(inputs, names);
      },
    };
    const scheduler = createScheduler(picky, denseConfig({ maxBatchSize: 8, dynamicBatching: batching() }), labels);
    const poisoned = x(1, 9);
    (poisoned.data as Float32Array)[2] = 666;
    const outcomes = await Promise.allSettled([
      scheduler.run([x(1, 0)]),
      scheduler.run([x(2, 1)]),
      scheduler.run([poisoned]),
      scheduler.run([x(9, 2)]), // over max_batch_size
      scheduler.run([{ ...x(1, 3), shape: [2, 4] }]), // 4 elements for a [2, 4] shape
      scheduler.run([x(1, 4)]),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "rejected",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    const reason = (i: number) => (outcomes[i] as PromiseRejectedResult).reason;
    expect(reason(2)).toMatchObject({ code: "INTERNAL" });
    expect(reason(2).message).toMatch(/model dense version 1: the model cannot run 666/);
    expect(reason(3)).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(reason(3).message).toMatch(/batch size 9 is over the model's max_batch_size 8/);
    expect(reason(4).message).toMatch(/input x has shape \[2, 4\] \(8 elements\) but 4 elements of data/);
    // the first alone, then 1 merged call of 2 + 1 + 1 rows that failed, then its three requests alone
    expect(calls).toEqual([1, 4, 2, 1, 1]);
    const good = outcomes[5] as PromiseFulfilledResult<Awaited<ReturnType<typeof scheduler.run>>>;
    const [alone] = await dense.run([x(1, 4)]);
    expect(Array.from(good.value.value[0]!.data as Float32Array)).toEqual(Array.from(alone!.data as Float32Array));
  });

  it("refuses inputs whose batch sizes differ", async () => {
    const scheduler = createScheduler(two, twoInputConfig({ dynamicBatching: batching() }), labels);
    const call = scheduler.run([
      { name: "a", datatype: "FP32", shape: [1, 2], data: new Float32Array(2) },
      { name: "b", datatype: "FP32", shape: [2, 2], data: new Float32Array(4) },
    ]);
    await expect(call).rejects.toThrow(/input b has batch size 2 but a has 1/);
  });

  it("waits up to the queue delay for requests to join, and runs at once when a preferred size is reached", async () => {
    const { batches, observer } = recorder();
    // a delay no test waits for: only a preferred size (or drain) can start these calls
    const config = denseConfig({
      maxBatchSize: 8,
      dynamicBatching: batching({ preferredBatchSize: [4], maxQueueDelayMicroseconds: 600_000_000 }),
    });
    const scheduler = createScheduler(dense, config, labels, observer);
    const first = [x(1, 0), x(1, 1), x(2, 2)].map((t) => scheduler.run([t]));
    expect(scheduler.pending).toBe(3);
    await Promise.resolve();
    expect(batches).toEqual([]);
    const fifth = scheduler.run([x(1, 3)]);
    await Promise.all(first);
    expect(batches.map((b) => [b.size, b.requests])).toEqual([[4, 3]]);
    // the last request did not fit the preferred 4 rows: it waits, until drain runs it
    expect(scheduler.pending).toBe(1);
    await scheduler.drain();
    await fifth;
    expect(batches.map((b) => [b.size, b.requests])).toEqual([
      [4, 3],
      [1, 1],
    ]);
    expect(scheduler.pending).toBe(0);
  });

  it("merges requests that arrive within the queue delay while the backend is free", async () => {
    const { batches, observer } = recorder();
    const config = denseConfig({ maxBatchSize: 8, dynamicBatching: batching({ maxQueueDelayMicroseconds: 5_000 }) });
    const scheduler = createScheduler(dense, config, labels, observer);
    await Promise.all([x(1, 0), x(1, 1), x(1, 2)].map((t) => scheduler.run([t])));
    expect(batches.map((b) => [b.size, b.requests])).toEqual([[3, 3]]);
  });

  it("merges with a sub-millisecond queue delay too", async () => {
    const { batches, observer } = recorder();
    const config = denseConfig({ maxBatchSize: 8, dynamicBatching: batching({ maxQueueDelayMicroseconds: 100 }) });
    const scheduler = createScheduler(dense, config, labels, observer);
    const results = await Promise.all([x(1, 0), x(1, 1)].map((t) => scheduler.run([t])));
    expect(batches.map((b) => [b.size, b.requests])).toEqual([[2, 2]]);
    // the first request waited the delay out before the call started
    expect(results[0]!.queueSeconds).toBeGreaterThanOrEqual(0.0001);
  });
});

describe("createScheduler without dynamic batching", () => {
  it("runs every request as its own call", async () => {
    const { batches, observer } = recorder();
    const scheduler = createScheduler(dense, denseConfig({ maxBatchSize: 8 }), labels, observer);
    const results = await Promise.all([x(1, 0), x(3, 1), x(1, 2)].map((t) => scheduler.run([t])));
    expect(batches.map((b) => [b.size, b.requests])).toEqual([
      [1, 1],
      [3, 1],
      [1, 1],
    ]);
    expect(results.map((r) => r.value[0]!.shape)).toEqual([
      [1, 1],
      [3, 1],
      [1, 1],
    ]);
    await expect(scheduler.run([x(9, 0)])).rejects.toThrow(/over the model's max_batch_size 8/);
  });

  it("runs a model without a batch dimension (max_batch_size 0) as is", async () => {
    const { batches, observer } = recorder();
    const scheduler = createScheduler(dense, denseConfig({ maxBatchSize: 0 }), labels, observer);
    const r = await scheduler.run([x(2, 0)]);
    expect(r.value[0]!.shape).toEqual([2, 1]);
    expect(batches).toEqual([{ ...labels, size: 1, requests: 1 }]);
  });
});

describe("drain", () => {
  it("answers every accepted request, then refuses new ones with UNAVAILABLE", async () => {
    for (const config of [denseConfig({ dynamicBatching: batching() }), denseConfig()]) {
      const scheduler = createScheduler(dense, config, labels);
      const accepted = [x(1, 0), x(1, 1), x(1, 2)].map((t) => scheduler.run([t]));
      expect(scheduler.pending).toBe(3);
      const drained = scheduler.drain();
      const late = scheduler.run([x(1, 3)]);
      await expect(late).rejects.toMatchObject({ code: "UNAVAILABLE" });
      await expect(late).rejects.toThrow(/model dense version 1 is draining/);
      await drained;
      expect(scheduler.pending).toBe(0);
      expect((await Promise.allSettled(accepted)).map((o) => o.status)).toEqual([
        "fulfilled",
        "fulfilled",
        "fulfilled",
      ]);
      await scheduler.drain();
    }
  });
});
