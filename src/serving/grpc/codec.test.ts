/**
 * The gRPC codec on its own: what the server tests over the wire cannot reach (an FP16
 * output answered to a typed request, parameter kinds, byte lengths of 2 GiB and over).
 */
import { describe, expect, it } from "vitest";
import { ServingError } from "../errors.ts";
import { decodeInferRequest, decodeParameters, decodeRaw, encodeInferResponse, encodeParameters } from "./codec.ts";

describe("gRPC codec", () => {
  it("answers raw when an output is FP16, even to a typed request, and typed otherwise", () => {
    const fp16 = encodeInferResponse(
      {
        modelName: "m",
        modelVersion: "1",
        outputs: [
          { name: "h", datatype: "FP16", shape: [2], data: Uint16Array.from([0x3c00, 0xc000]) },
          { name: "f", datatype: "FP32", shape: [1], data: Float32Array.from([0.5]) },
        ],
      },
      false,
    );
    expect(fp16.outputs?.every((o) => o.contents === undefined)).toBe(true);
    expect(fp16.raw_output_contents?.map((b) => Array.from(b))).toEqual([
      [0x00, 0x3c, 0x00, 0xc0],
      Array.from(new Uint8Array(Float32Array.from([0.5]).buffer)),
    ]);
    const typed = encodeInferResponse(
      {
        modelName: "m",
        modelVersion: "1",
        outputs: [{ name: "f", datatype: "FP32", shape: [1], data: Float32Array.from([0.5]) }],
      },
      false,
    );
    expect(typed.raw_output_contents).toBeUndefined();
    expect(typed.outputs?.[0]?.contents).toEqual({ fp32_contents: [0.5] });
  });

  it("carries every parameter kind: whole numbers as int64, others as double", () => {
    const wire = encodeParameters({ a: true, b: 3, c: 0.25, d: "x" });
    expect(wire).toEqual({
      a: { bool_param: true },
      b: { int64_param: 3 },
      c: { double_param: 0.25 },
      d: { string_param: "x" },
    });
    expect(
      decodeParameters({
        a: { parameter_choice: "bool_param", bool_param: true },
        b: { parameter_choice: "int64_param", int64_param: "3" },
        c: { parameter_choice: "double_param", double_param: 0.25 },
        d: { parameter_choice: "string_param", string_param: "x" },
        e: { parameter_choice: "uint64_param", uint64_param: "7" },
        f: { parameter_choice: "bytes_param", bytes_param: Buffer.from("uri") },
      }),
    ).toEqual({ a: true, b: 3, c: 0.25, d: "x", e: 7, f: "uri" });
  });

  it("reads a BYTES length of 2 GiB or more as the unsigned number it is, and refuses it", () => {
    const raw = Buffer.from([0x00, 0x00, 0x00, 0x80, 65, 66]);
    let error: unknown;
    try {
      decodeRaw(raw, "BYTES", [1], 'input "s"');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ServingError);
    expect((error as ServingError).message).toBe(
      'input "s": raw BYTES element 0 says 2147483648 bytes but only 2 remain',
    );
  });

  it("refuses a negative or fractional dimension, naming the input", () => {
    expect(() =>
      decodeInferRequest({ model_name: "m", inputs: [{ name: "x", datatype: "FP32", shape: ["-1", "4"] }] }),
    ).toThrow('input "x" has shape [-1, 4]: every dimension must be a whole number >= 0');
  });
});
