import { describe, expect, it } from "vitest";
import type { ModelConfig } from "../types.ts";
import { predictions, predictRequest } from "./v1.ts";

const config = (inputs: ModelConfig["inputs"], outputs: ModelConfig["outputs"] = []): ModelConfig => ({
  name: "m",
  platform: "onnxruntime_onnx",
  maxBatchSize: 8,
  inputs,
  outputs,
  versionPolicy: { kind: "latest", numVersions: 1 },
});

describe("KServe v1 bodies", () => {
  it("stacks rows of one input, typed by the configuration, scalars included", () => {
    const r = predictRequest({ instances: [3, 4, 5] }, config([{ name: "k", datatype: "INT64", shape: [] }]));
    expect(r.inputs[0]).toMatchObject({ name: "k", datatype: "INT64", shape: [3] });
    expect(Array.from(r.inputs[0]!.data as BigInt64Array)).toEqual([3n, 4n, 5n]);
    const nested = predictRequest(
      { inputs: [[[1, 2]], [[3, 4]]] },
      config([{ name: "x", datatype: "FP32", shape: [1, 2] }]),
    );
    expect(nested.inputs[0]).toMatchObject({ shape: [2, 1, 2] });
    expect(Array.from(nested.inputs[0]!.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  it("reads BYTES rows as strings or base64", () => {
    const r = predictRequest(
      { instances: ["hé", { b64: Buffer.from([0, 255]).toString("base64") }] },
      config([{ name: "s", datatype: "BYTES", shape: [] }]),
    );
    expect((r.inputs[0]!.data as Uint8Array[]).map((b) => [...b])).toEqual([
      [0x68, 0xc3, 0xa9],
      [0, 255],
    ]);
    expect(() => predictRequest({ instances: [1] }, config([{ name: "s", datatype: "BYTES", shape: [] }]))).toThrow(
      /input "s": element 0 is 1, expected a string or \{"b64": "..."\}/,
    );
  });

  it("names what is wrong with a body", () => {
    const two = config([
      { name: "a", datatype: "FP32", shape: [2] },
      { name: "b", datatype: "FP32", shape: [2] },
    ]);
    expect(() => predictRequest({ instances: [[1, 2]] }, two)).toThrow(
      /model "m" has 2 inputs, so each instance must be an object with a value for each of "a", "b"/,
    );
    expect(() => predictRequest({ instances: [{ a: [1, 2] }] }, two)).toThrow(/instance 0 has no value for input "b"/);
    expect(() => predictRequest({ instances: [{ a: [1, 2], b: [1, 2], c: 1 }] }, two)).toThrow(
      /instance 0 names "c", which is not an input of model "m"/,
    );
    expect(() => predictRequest({ inputs: { z: [[1]] } }, two)).toThrow(/"inputs" names "z", which is not an input/);
    expect(() => predictRequest({ instances: [] }, two)).toThrow(/needs "instances": a non-empty array/);
    expect(() => predictRequest([1, 2], two)).toThrow(/must be a JSON object with "instances"/);
    expect(() =>
      predictRequest({ instances: [[1, "x"]] }, config([{ name: "x", datatype: "FP32", shape: [2] }])),
    ).toThrow(/input "x": element 1 is "x", expected a number \(FP32\)/);
  });

  it("answers a row per batch row, an object per row for several outputs", () => {
    const y = { name: "y", datatype: "FP32" as const, shape: [2, 1], data: Float32Array.from([0.5, 0.25]) };
    expect(predictions({ modelName: "m", modelVersion: "1", outputs: [y] })).toEqual({ predictions: [[0.5], [0.25]] });
    const label = { name: "label", datatype: "INT64" as const, shape: [2], data: BigInt64Array.from([1n, 0n]) };
    expect(predictions({ modelName: "m", modelVersion: "1", outputs: [y, label] })).toEqual({
      predictions: [
        { y: [0.5], label: 1 },
        { y: [0.25], label: 0 },
      ],
    });
  });
});
