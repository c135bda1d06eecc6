import { describe, expect, it } from "vitest";
import { ServingError } from "../errors.ts";
import type { Datatype, InferRequest, ModelConfig, Tensor, TensorData } from "../types.ts";
import {
  decodeInferRequest,
  decodeInferResult,
  encodeInferRequest,
  encodeInferResult,
  floatToHalf,
  halfToFloat,
  tensorFromJson,
  validateInferRequest,
} from "./index.ts";

const enc = new TextEncoder();

/** One tensor of every datatype, with values at the edges of each range. */
function samples(): Tensor[] {
  const t = (datatype: Datatype, data: TensorData, shape = [1, data.length]): Tensor => ({
    name: `in_${datatype.toLowerCase()}`,
    datatype,
    shape,
    data,
  });
  return [
    t("BOOL", Uint8Array.from([1, 0, 1])),
    t("UINT8", Uint8Array.from([0, 7, 255])),
    t("UINT16", Uint16Array.from([0, 65535])),
    t("UINT32", Uint32Array.from([0, 4294967295])),
    t("UINT64", BigUint64Array.from([0n, 18446744073709551615n])),
    t("INT8", Int8Array.from([-128, 127])),
    t("INT16", Int16Array.from([-32768, 32767])),
    t("INT32", Int32Array.from([-2147483648, 2147483647])),
    t("INT64", BigInt64Array.from([-9223372036854775808n, 9223372036854775807n, 3n])),
    t("FP16", Uint16Array.from([floatToHalf(1.5), floatToHalf(-0.25), floatToHalf(65504)])),
    t("FP32", Float32Array.from([0.1, -3.5, 1e-30, Number.NaN, Number.POSITIVE_INFINITY])),
    t("FP64", Float64Array.from([0.1, -1e300, Number.NEGATIVE_INFINITY])),
    t("BYTES", [enc.encode("héllo"), enc.encode(""), Uint8Array.from([0, 1, 2])], [3]),
  ];
}

function plain(tensors: Tensor[]): unknown {
  return tensors.map((t) => ({ ...t, data: Array.from(t.data as ArrayLike<unknown>, (v) => v) }));
}

describe("wire codec", () => {
  it("round-trips a request of every datatype through JSON and through binary data", () => {
    const request: InferRequest = { id: "r1", parameters: { p: 1 }, inputs: samples(), outputs: [{ name: "y" }] };
    const json = encodeInferRequest(request);
    expect(json.headerLength).toBeUndefined();
    const fromJson = decodeInferRequest(json.body);
    // JSON carries BYTES as UTF-8 text, so the non-UTF-8 element differs there; everything else is exact
    expect(plain(fromJson.inputs.slice(0, 12))).toEqual(plain(request.inputs.slice(0, 12)));
    expect(fromJson.id).toBe("r1");
    expect(fromJson.outputs).toEqual([{ name: "y" }]);
    const bin = encodeInferRequest(request, { binary: true, binaryOutputs: true });
    expect(bin.contentType).toBe("application/octet-stream");
    const fromBin = decodeInferRequest(bin.body, bin.headerLength);
    expect(plain(fromBin.inputs)).toEqual(plain(request.inputs));
    expect(fromBin.parameters).toEqual({ p: 1, binary_data_output: true });
    expect(fromBin.inputs[0]!.parameters).toBeUndefined();
  });

  it("encodes results binary per output as the request asks, and decodes them back", () => {
    const outputs = samples();
    const result = { modelName: "m", modelVersion: "2", id: "x", outputs };
    const request: InferRequest = {
      inputs: [],
      parameters: { binary_data_output: true },
      outputs: [{ name: "in_fp32", parameters: { binary_data: false } }],
    };
    const body = encodeInferResult(result, request);
    expect(body.headerLength).toBeGreaterThan(0);
    const header = JSON.parse(new TextDecoder().decode((body.body as Uint8Array).subarray(0, body.headerLength)));
    const fp32 = header.outputs.find((o: { name: string }) => o.name === "in_fp32");
    expect(fp32.data).toEqual([0.10000000149011612, -3.5, 1.0000000031710769e-30, "NaN", "Infinity"]);
    expect(header.outputs[0].parameters).toEqual({ binary_data_size: 3 });
    const back = decodeInferResult(body.body, body.headerLength);
    expect(back.modelVersion).toBe("2");
    expect(plain(back.outputs)).toEqual(plain(outputs));
    // without the request's asking, a result is plain JSON
    const json = encodeInferResult(result);
    expect(typeof json.body).toBe("string");
    expect(JSON.parse(json.body as string).outputs[8].data).toEqual(["-9223372036854775808", "9223372036854775807", 3]);
  });

  it("converts every half-precision value exactly and rounds to nearest even", () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = halfToFloat(bits);
      if (Number.isNaN(value)) expect(Number.isNaN(halfToFloat(floatToHalf(value)))).toBe(true);
      else expect(floatToHalf(value)).toBe(bits);
    }
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // halfway between 1 and the next half: to even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalf(65520)).toBe(0x7c00); // rounds past the largest half: infinity
    expect(floatToHalf(2 ** -25)).toBe(0); // halfway to the smallest subnormal: to even (zero)
    expect(floatToHalf(3 * 2 ** -26)).toBe(1);
  });

  it("accepts nested data and converts half precision", () => {
    const t = tensorFromJson(
      {
        name: "x",
        datatype: "FP16",
        shape: [2, 2],
        data: [
          [1, 2],
          [0.5, -4],
        ],
      },
      "input",
      0,
    );
    expect(Array.from(t.data as Uint16Array, halfToFloat)).toEqual([1, 2, 0.5, -4]);
    expect(halfToFloat(floatToHalf(0.1))).toBeCloseTo(0.1, 3);
  });

  it.each([
    [{ name: "x", datatype: "FP33", shape: [1], data: [1] }, /input "x": datatype "FP33" is not one of/],
    [
      { name: "x", datatype: "FP32", shape: [2], data: [1] },
      /input "x": shape \[2\] holds 2 elements but "data" has 1/,
    ],
    [
      { name: "x", datatype: "INT8", shape: [1], data: [200] },
      /input "x": element 0 is 200, expected an integer from -128 to 127/,
    ],
    [
      { name: "x", datatype: "BOOL", shape: [1], data: ["yes"] },
      /input "x": element 0 is "yes", expected true or false/,
    ],
    [
      { name: "x", datatype: "FP32", shape: [-1], data: [] },
      /input "x": "shape" must be an array of non-negative integers/,
    ],
    [{ name: "x", datatype: "FP32", shape: [1] }, /input "x": "data" must be an array/],
  ])("rejects a bad JSON tensor %#", (input, message) => {
    expect(() => decodeInferRequest(JSON.stringify({ inputs: [input] }))).toThrow(message);
  });

  it("rejects malformed binary bodies with a message naming the input", () => {
    const good = encodeInferRequest(
      { inputs: [{ name: "x", datatype: "FP32", shape: [1, 2], data: Float32Array.from([1, 2]) }] },
      { binary: true },
    );
    const body = good.body as Uint8Array;
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ServingError);
        expect((e as ServingError).httpStatus).toBe(400);
        return (e as Error).message;
      }
      throw new Error("expected an error");
    };
    expect(err(() => decodeInferRequest(body, body.length + 1))).toMatch(
      /Inference-Header-Content-Length is \d+ but the body has/,
    );
    expect(err(() => decodeInferRequest(body, good.headerLength! - 1))).toMatch(
      /JSON header \(the first \d+ bytes\) is not valid JSON/,
    );
    expect(err(() => decodeInferRequest(body.subarray(0, body.length - 1), good.headerLength))).toMatch(
      /input "x": binary_data_size 8 runs past the end of the body \(7 bytes/,
    );
    const extra = new Uint8Array(body.length + 3);
    extra.set(body);
    expect(err(() => decodeInferRequest(extra, good.headerLength))).toMatch(
      /3 bytes of binary data after the last tensor's/,
    );
    const header = JSON.stringify({
      inputs: [{ name: "x", datatype: "FP32", shape: [1, 3], parameters: { binary_data_size: 8 } }],
    });
    const wrong = Buffer.concat([Buffer.from(header), Buffer.alloc(8)]);
    expect(err(() => decodeInferRequest(wrong, header.length))).toMatch(
      /input "x": shape \[1,3\] of FP32 takes 12 bytes but binary_data_size is 8/,
    );
    expect(err(() => decodeInferRequest(Buffer.from(header)))).toMatch(
      /input "x": parameters.binary_data_size is set but the request has no binary data/,
    );
    expect(err(() => decodeInferRequest("{"))).toMatch(/the body is not valid JSON/);
  });

  it("validates a request against the model's configuration", () => {
    const config: ModelConfig = {
      name: "dense",
      platform: "onnxruntime_onnx",
      maxBatchSize: 8,
      inputs: [
        { name: "x", datatype: "FP32", shape: [4] },
        { name: "k", datatype: "INT64", shape: [-1] },
      ],
      outputs: [{ name: "y", datatype: "FP32", shape: [1] }],
      versionPolicy: { kind: "latest", numVersions: 1 },
    };
    const x = (shape: number[], datatype: Datatype = "FP32"): Tensor => ({
      name: "x",
      datatype,
      shape,
      data: new Float32Array(shape.reduce((a, b) => a * b, 1)),
    });
    const k = (rows: number): Tensor => ({
      name: "k",
      datatype: "INT64",
      shape: [rows, 3],
      data: new BigInt64Array(rows * 3),
    });
    expect(() => validateInferRequest({ inputs: [x([2, 4]), k(2)], outputs: [{ name: "y" }] }, config)).not.toThrow();
    const cases: [InferRequest, RegExp][] = [
      [
        { inputs: [x([2, 5]), k(2)] },
        /input "x" has shape \[2,5\] but model "dense" expects \[-1,4\] .*dimension 1 must be 4/,
      ],
      [
        { inputs: [x([4]), k(2)] },
        /input "x" has shape \[4\] but model "dense" expects \[-1,4\] \(the first dimension is the batch, 1 to 8\)/,
      ],
      [{ inputs: [x([9, 4]), k(9)] }, /input "x" has a batch of 9 rows but model "dense" takes 1 to 8/],
      [{ inputs: [x([2, 4], "FP64"), k(2)] }, /input "x" has datatype FP64 but model "dense" expects FP32/],
      [{ inputs: [x([2, 4]), k(3)] }, /input "k" has a batch of 3 rows but input "x" has 2/],
      [{ inputs: [x([2, 4])] }, /model "dense" needs input "k" \(INT64 \[-1,-1\]\) but the request does not give it/],
      [
        { inputs: [x([2, 4]), k(2), { ...x([2, 4]), name: "z" }] },
        /input "z" is not an input of model "dense": its inputs are "x", "k"/,
      ],
      [{ inputs: [x([2, 4]), k(2), x([2, 4])] }, /input "x" is given twice/],
      [
        { inputs: [x([2, 4]), k(2)], outputs: [{ name: "p" }] },
        /requested output "p" is not an output of model "dense": its outputs are "y"/,
      ],
      [
        { inputs: [{ ...x([2, 4]), data: new Float32Array(7) }, k(2)] },
        /input "x": shape \[2,4\] holds 8 elements but its data has 7/,
      ],
    ];
    for (const [request, message] of cases) expect(() => validateInferRequest(request, config)).toThrow(message);
  });
});
