import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  denseConfig,
  denseModel,
  denseReference,
  identityConfig,
  identityModel,
  invalidModel,
  twoInputConfig,
  twoInputModel,
} from "../../../test/serving/onnx-models.ts";
import { saveLayersModel } from "../../../test/serving/tfjs-models.ts";
import { ServingError } from "../errors.ts";
import type { Backend, Datatype, ModelConfig, Tensor, TensorData } from "../types.ts";
import { DATATYPES } from "../types.ts";
import { backendConcurrency, inspectModel, loadBackend } from "./index.ts";
import { onnxWorkers, resolveOnnxRuntime } from "./onnx.ts";

const dir = mkdtempSync(join(tmpdir(), "weft-runtime-"));
const open: Backend[] = [];
afterAll(async () => {
  await Promise.all(open.map((b) => b.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function load(file: string, config: ModelConfig, workers = 1): Promise<Backend> {
  const b = await loadBackend(file, config, { workers, version: "1" });
  open.push(b);
  return b;
}

const enc = new TextEncoder();

/** Four elements of each datatype, with values at the edges of its range. */
function sample(datatype: Datatype): TensorData {
  switch (datatype) {
    case "BOOL":
      return new Uint8Array([1, 0, 0, 1]);
    case "UINT8":
      return new Uint8Array([0, 1, 254, 255]);
    case "INT8":
      return new Int8Array([-128, -1, 0, 127]);
    case "UINT16":
      return new Uint16Array([0, 1, 65534, 65535]);
    case "INT16":
      return new Int16Array([-32768, -1, 0, 32767]);
    case "UINT32":
      return new Uint32Array([0, 1, 4294967294, 4294967295]);
    case "INT32":
      return new Int32Array([-2147483648, -1, 0, 2147483647]);
    case "UINT64":
      return new BigUint64Array([0n, 1n, 2n ** 64n - 2n, 2n ** 64n - 1n]);
    case "INT64":
      return new BigInt64Array([-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n]);
    case "FP16":
      // 1.0, -2.0, 65504 (the largest half), a NaN
      return new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x7e00]);
    case "FP32":
      return new Float32Array([-1.5, 0, 3.4028234663852886e38, 1e-45]);
    case "FP64":
      return new Float64Array([-1.5, 0, Number.MAX_VALUE, 5e-324]);
    case "BYTES":
      return [enc.encode("fraud"), enc.encode("héllo ✓"), new Uint8Array(0), enc.encode("x")];
  }
}

describe("loadBackend (ONNX Runtime)", () => {
  it.each(DATATYPES)("runs an identity model of %s and returns the same elements", async (datatype) => {
    const backend = await load(identityModel(datatype), identityConfig(datatype));
    expect(backend.platform).toBe("onnxruntime_onnx");
    expect(backend.inputs).toEqual([{ name: "x", datatype, shape: [-1, 2] }]);
    const data = sample(datatype);
    const [y] = await backend.run([{ name: "x", datatype, shape: [2, 2], data }]);
    expect(y!.name).toBe("y");
    expect(y!.datatype).toBe(datatype);
    expect(y!.shape).toEqual([2, 2]);
    expect(y!.data.constructor).toBe(data.constructor);
    if (datatype === "BYTES")
      expect((y!.data as Uint8Array[]).map((b) => Array.from(b))).toEqual(
        (data as Uint8Array[]).map((b) => Array.from(b)),
      );
    else expect(Array.from(y!.data as Uint8Array)).toEqual(Array.from(data as Uint8Array));
  });

  it("computes the dense model as its reference does, for a batch of rows", async () => {
    const backend = await load(denseModel(), denseConfig());
    const rows = new Float32Array([1, 2, 3, 4, 0, 0, 0, 0, -1, 0.5, 2, -3]);
    const [y] = await backend.run([{ name: "x", datatype: "FP32", shape: [3, 4], data: rows }]);
    expect(y!.shape).toEqual([3, 1]);
    const expected = denseReference(rows);
    Array.from(y!.data as Float32Array).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 6);
    });
  });

  it("returns every output in the model's order, or only those asked for", async () => {
    const backend = await load(twoInputModel(), twoInputConfig());
    const a: Tensor = { name: "a", datatype: "FP32", shape: [1, 2], data: new Float32Array([5, 7]) };
    const b: Tensor = { name: "b", datatype: "FP32", shape: [1, 2], data: new Float32Array([1, 2]) };
    const all = await backend.run([b, a]);
    expect(all.map((t) => [t.name, Array.from(t.data as Float32Array)])).toEqual([
      ["sum", [6, 9]],
      ["diff", [4, 5]],
    ]);
    const some = await backend.run([a, b], ["diff"]);
    expect(some.map((t) => t.name)).toEqual(["diff"]);
  });

  it("leaves the caller's input arrays usable (a shadow call may send them again)", async () => {
    const backend = await load(denseModel(), denseConfig());
    const x = new Float32Array([1, 2, 3, 4]);
    await backend.run([{ name: "x", datatype: "FP32", shape: [1, 4], data: x }]);
    expect(x.byteLength).toBe(16);
    const [y] = await backend.run([{ name: "x", datatype: "FP32", shape: [1, 4], data: x }]);
    expect((y!.data as Float32Array)[0]).toBeCloseTo(denseReference(x)[0]!, 6);
  });

  it("copies inputs that are views of a larger buffer (a request body, a Node Buffer) without touching it", async () => {
    const backend = await load(identityModel("UINT8"), identityConfig("UINT8"));
    // a body large enough to have its own ArrayBuffer (not a slice of Node's Buffer pool)
    const body = Buffer.alloc(16384, 9);
    body.set([1, 2, 3, 4], 2);
    const [y] = await backend.run([{ name: "x", datatype: "UINT8", shape: [2, 2], data: body.subarray(2, 6) }]);
    expect(Array.from(y!.data as Uint8Array)).toEqual([1, 2, 3, 4]);
    expect(y!.data).not.toBeInstanceOf(Buffer);
    // the body is neither detached (its other tensors stay readable) nor changed
    expect(body.buffer.byteLength).toBe(16384);
    expect(Array.from(body.subarray(0, 8))).toEqual([9, 9, 1, 2, 3, 4, 9, 9]);
  });

  it("spreads concurrent calls over its worker threads and answers each with its own rows", async () => {
    const backend = await load(denseModel(), denseConfig(), 2);
    expect(backendConcurrency(backend)).toBe(2);
    const inputs = Array.from({ length: 40 }, (_, i) => new Float32Array([i, -i, i / 2, 1]));
    const results = await Promise.all(
      inputs.map((x) => backend.run([{ name: "x", datatype: "FP32", shape: [1, 4], data: x }])),
    );
    results.forEach(([y], i) => {
      expect((y!.data as Float32Array)[0]).toBeCloseTo(denseReference(inputs[i]!)[0]!, 6);
    });
  });

  it("fails only the calls a stopped worker held, and replaces the worker", async () => {
    const backend = await load(denseModel(), denseConfig(), 2);
    const [first, second] = onnxWorkers(backend);
    const row = (v: number): Tensor[] => [
      { name: "x", datatype: "FP32", shape: [1, 4], data: new Float32Array([v, 0, 0, 0]) },
    ];
    // the first worker is stopping (its exit not yet seen); least busy first, the calls
    // alternate between the two workers, so the first and third are lost with it
    const stopping = first!.terminate();
    const calls = [0, 1, 2, 3].map((v) => backend.run(row(v)));
    await stopping;
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "fulfilled", "rejected", "fulfilled"]);
    expect((outcomes[0] as PromiseRejectedResult).reason.message).toMatch(
      /model dense version 1: an ONNX Runtime worker stopped \(exit code 1\)/,
    );
    const now = onnxWorkers(backend);
    expect(now).toHaveLength(2);
    expect(now[1]).toBe(second);
    expect(now[0]).not.toBe(first);
    const again = await Promise.all([4, 5, 6].map((v) => backend.run(row(v))));
    again.forEach(([y], i) => {
      expect((y!.data as Float32Array)[0]).toBeCloseTo(denseReference([4 + i, 0, 0, 0])[0]!, 6);
    });
  });

  it("refuses calls once closed", async () => {
    const backend = await loadBackend(denseModel(), denseConfig(), { workers: 1, version: "3" });
    await backend.close();
    const call = backend.run([{ name: "x", datatype: "FP32", shape: [1, 4], data: new Float32Array(4) }]);
    await expect(call).rejects.toThrow(/model dense version 3 is unloaded/);
    await expect(call).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });

  it("answers a call the model fails with INTERNAL, and keeps serving", async () => {
    const backend = await load(denseModel(), denseConfig());
    // 3 columns where the Gemm takes 4: ONNX Runtime refuses it (the service validates first; this is the last line)
    const bad = backend.run([{ name: "x", datatype: "FP32", shape: [1, 3], data: new Float32Array(3) }]);
    await expect(bad).rejects.toMatchObject({ code: "INTERNAL" });
    await expect(bad).rejects.toThrow(/model dense version 1: ONNX Runtime failed/);
    const [y] = await backend.run([{ name: "x", datatype: "FP32", shape: [1, 4], data: new Float32Array(4) }]);
    expect(y!.shape).toEqual([1, 1]);
  });
});

describe("config checks", () => {
  const cases: [string, (c: ModelConfig) => ModelConfig, RegExp][] = [
    [
      "an input the model does not have",
      (c) => ({ ...c, inputs: [{ name: "features", datatype: "FP32", shape: [4] }] }),
      /names input features, which the model does not have \(it has x\)/,
    ],
    [
      "another datatype",
      (c) => ({ ...c, inputs: [{ name: "x", datatype: "FP64", shape: [4] }] }),
      /says input x is FP64, the model has FP32/,
    ],
    [
      "other dims",
      (c) => ({ ...c, outputs: [{ name: "y", datatype: "FP32", shape: [2] }] }),
      /gives output y dims \[2\], the model has y FP32 \[-1, 1\]/,
    ],
    [
      "the batch dimension written into dims",
      (c) => ({ ...c, inputs: [{ name: "x", datatype: "FP32", shape: [-1, 4] }] }),
      /gives input x dims \[-1, 4\].*left out of dims/,
    ],
    [
      "another platform",
      (c) => ({ ...c, platform: "tensorflow_js" }),
      /configured for platform tensorflow_js but the file is a ONNX model/,
    ],
  ];
  it.each(cases)("refuses a config with %s, naming the file", async (_, change, message) => {
    const file = denseModel();
    const load = loadBackend(file, change(denseConfig()), { workers: 1 });
    await expect(load).rejects.toBeInstanceOf(ServingError);
    await expect(load).rejects.toMatchObject({ code: "MODEL_INVALID" });
    await expect(load).rejects.toThrow(file);
    await expect(load).rejects.toThrow(message);
  });

  it("refuses batching a model whose first dimension is fixed", async () => {
    const file = identityModel("FP32", { dims: [3, 2] });
    const config: ModelConfig = { ...identityConfig("FP32"), inputs: [], outputs: [] };
    await expect(loadBackend(file, config, { workers: 1 })).rejects.toThrow(
      /max_batch_size 8 but x FP32 \[3, 2\] has no variable first \(batch\) dimension/,
    );
    const unbatched = await load(file, { ...config, maxBatchSize: 0 });
    expect(unbatched.inputs).toEqual([{ name: "x", datatype: "FP32", shape: [3, 2] }]);
  });

  it("refuses a file that is not a model, and a missing file, naming them", async () => {
    const bad = invalidModel();
    await expect(loadBackend(bad, denseConfig(), { workers: 1 })).rejects.toMatchObject({ code: "MODEL_INVALID" });
    await expect(loadBackend(bad, denseConfig(), { workers: 1 })).rejects.toThrow(bad);
    const missing = join(dir, "nope", "model.onnx");
    await expect(loadBackend(missing, denseConfig())).rejects.toThrow(`${missing}: no such model file`);
    await expect(inspectModel(missing)).rejects.toMatchObject({ code: "MODEL_INVALID" });
  });
});

describe("resolveOnnxRuntime", () => {
  it("says how to install the runtime when it is missing", () => {
    expect(resolveOnnxRuntime("m.onnx")).toMatch(/onnxruntime-node/);
    expect(() => resolveOnnxRuntime("/models/m.onnx", "onnxruntime-node-absent")).toThrow(
      "serving /models/m.onnx needs onnxruntime-node-absent: run ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node-absent",
    );
  });
});

describe("inspectModel", () => {
  it("reads an ONNX model's inputs and outputs, with -1 for the batch dimension", async () => {
    expect(await inspectModel(twoInputModel())).toEqual({
      platform: "onnxruntime_onnx",
      inputs: [
        { name: "a", datatype: "FP32", shape: [-1, 2] },
        { name: "b", datatype: "FP32", shape: [-1, 2] },
      ],
      outputs: [
        { name: "sum", datatype: "FP32", shape: [-1, 2] },
        { name: "diff", datatype: "FP32", shape: [-1, 2] },
      ],
    });
    expect((await inspectModel(identityModel("BYTES"))).inputs).toEqual([
      { name: "x", datatype: "BYTES", shape: [-1, 2] },
    ]);
  });
});

describe("TensorFlow.js layers models", () => {
  /** Saves a small layers model (4 → 3 relu → 1 sigmoid) as model.save() does: model.json + weights.bin. */
  const saveModel = (folder: string) =>
    saveLayersModel(folder, (tf) => [
      tf.layers.dense({ inputShape: [4], units: 3, activation: "relu", name: "hidden", kernelInitializer: "ones" }),
      tf.layers.dense({ units: 1, activation: "sigmoid", name: "score", kernelInitializer: "glorotUniform" }),
    ]);

  it("serves a saved layers model with the predictions TensorFlow.js gives", async () => {
    const { tf, model, file } = await saveModel(join(dir, "tfjs"));
    const inspected = await inspectModel(file);
    expect(inspected).toEqual({
      platform: "tensorflow_js",
      inputs: [{ name: "hidden_input", datatype: "FP32", shape: [-1, 4] }],
      outputs: [{ name: "score", datatype: "FP32", shape: [-1, 1] }],
    });
    const config: ModelConfig = {
      name: "scorer",
      platform: "tensorflow_js",
      maxBatchSize: 8,
      inputs: [{ name: "hidden_input", datatype: "FP32", shape: [4] }],
      outputs: [{ name: "score", datatype: "FP32", shape: [1] }],
      versionPolicy: { kind: "latest", numVersions: 1 },
    };
    const backend = await load(file, config);
    expect(backendConcurrency(backend)).toBe(1);
    const rows = new Float32Array([1, 2, 3, 4, -1, 0, 0.5, 2]);
    const [y] = await backend.run([{ name: "hidden_input", datatype: "FP32", shape: [2, 4], data: rows }]);
    const expected = (model.predict(tf.tensor2d(rows, [2, 4])) as import("@tensorflow/tfjs").Tensor).dataSync();
    expect(y!.shape).toEqual([2, 1]);
    expect(Array.from(y!.data as Float32Array)).toEqual(Array.from(expected));
  });

  it("refuses weight files outside the model's folder, and graph models", async () => {
    const folder = join(dir, "escape");
    mkdirSync(folder, { recursive: true });
    const file = join(folder, "model.json");
    writeFileSync(
      file,
      JSON.stringify({ modelTopology: { config: {} }, weightsManifest: [{ paths: ["../secret.bin"], weights: [] }] }),
    );
    await expect(inspectModel(file)).rejects.toThrow(/weight file \.\.\/secret\.bin lies outside the model's folder/);
    writeFileSync(file, JSON.stringify({ format: "graph-model", modelTopology: { node: [] } }));
    await expect(inspectModel(file)).rejects.toThrow(/graph model; only layers models are served/);
  });
});
