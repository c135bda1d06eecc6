import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ModelArtifact } from "../../examples/fraud-detection/lib/model.ts";
import { buildOnnxModel, ONNX_INPUT, ONNX_OUTPUT } from "../../examples/fraud-detection/lib/onnx.ts";
import { readOnnxSignature, readTfjsModel, readTfjsSignature, SignatureError } from "./onnx-signature.ts";

const dir = mkdtempSync(join(tmpdir(), "weft-signature-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small dense model in the fraud example's artifact form: 3 features → 2 hidden → 1. */
function denseModel(): ModelArtifact {
  return {
    format: "weft-fraud-model/1",
    kind: "mlp",
    featureNames: ["amount", "hour", "distance"],
    scaler: { mean: [1, 2, 3], std: [1, 1, 1] },
    layers: [
      {
        weights: [
          [0.1, 0.2],
          [0.3, 0.4],
          [0.5, 0.6],
        ],
        bias: [0, 0],
        activation: "relu",
      },
      { weights: [[1], [-1]], bias: [0.5], activation: "sigmoid" },
    ],
    hyperparameters: {},
    training: { trainRows: 0, epochs: 0, seconds: 0, finalLoss: 0, classWeight: 1 },
  };
}

describe("readOnnxSignature", () => {
  it("reads the fraud example's exported model: names, float32, a symbolic batch dimension", async () => {
    const path = join(dir, "model.onnx");
    writeFileSync(path, await buildOnnxModel(denseModel()));
    const sig = readOnnxSignature(path);
    // The initializers (scaler_mean, W0, ...) are not inputs: only the declared graph input is.
    expect(sig).toEqual({
      inputs: [{ name: ONNX_INPUT, dtype: "float32", shape: ["batch", 3] }],
      outputs: [{ name: ONNX_OUTPUT, dtype: "float32", shape: ["batch", 1] }],
    });
  });

  it("leaves out graph inputs that are initializers, and reads int64 and unknown dimensions", async () => {
    const mod = (await import("onnx-proto")) as unknown as { onnx?: OnnxNs; default?: { onnx: OnnxNs } };
    const onnx = (mod.onnx ?? mod.default?.onnx)!;
    const info = (name: string, elemType: number, dims: ({ dimValue: number } | { dimParam: string } | object)[]) =>
      onnx.ValueInfoProto.create({
        name,
        type: { tensorType: { elemType, shape: { dim: dims } } },
      });
    const bytes = onnx.ModelProto.encode(
      onnx.ModelProto.create({
        irVersion: 3,
        graph: {
          name: "g",
          initializer: [{ name: "w", dims: [2], dataType: 1, floatData: [1, 2] }],
          input: [info("ids", 7, [{ dimParam: "n" }, {}]), info("w", 1, [{ dimValue: 2 }])],
          output: [info("out", 11, [{ dimValue: 4 }])],
        },
      }),
    ).finish();
    const path = join(dir, "old.onnx");
    writeFileSync(path, bytes);
    expect(readOnnxSignature(path)).toEqual({
      inputs: [{ name: "ids", dtype: "int64", shape: ["n", -1] }],
      outputs: [{ name: "out", dtype: "float64", shape: [4] }],
    });
  });

  it("refuses a file that is not an ONNX model, naming it", () => {
    const path = join(dir, "not-a-model.onnx");
    writeFileSync(path, "id,amount\n1,2\n");
    expect(() => readOnnxSignature(path)).toThrow(SignatureError);
    expect(() => readOnnxSignature(path)).toThrow(path);
  });

  it("refuses a truncated file, naming it", async () => {
    const bytes = await buildOnnxModel(denseModel());
    const path = join(dir, "truncated.onnx");
    writeFileSync(path, bytes.subarray(0, bytes.length - 40));
    expect(() => readOnnxSignature(path)).toThrow(/truncated/);
  });

  it("names a missing file", () => {
    expect(() => readOnnxSignature(join(dir, "absent.onnx"))).toThrow(/absent\.onnx: cannot open/);
  });
});

describe("readTfjsSignature", () => {
  it("reads a sequential tfjs layers model.json as tfjs saves it", async () => {
    const tf = await import("@tensorflow/tfjs");
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [5], units: 3, activation: "relu", name: "hidden" }),
        tf.layers.dense({ units: 1, activation: "sigmoid", name: "score" }),
      ],
    });
    const path = join(dir, "model.json");
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        writeFileSync(path, JSON.stringify({ modelTopology: artifacts.modelTopology, format: "layers-model" }));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
    );
    const sig = readTfjsSignature(path);
    expect(sig.inputs).toEqual([{ name: "hidden", dtype: "float32", shape: [-1, 5] }]);
    expect(sig.outputs.map((o) => o.name)).toEqual(["score"]);
  });

  it("refuses JSON that is not a layers model", () => {
    const path = join(dir, "other.json");
    writeFileSync(path, JSON.stringify({ hello: 1 }));
    expect(() => readTfjsSignature(path)).toThrow(/not a TensorFlow.js layers model/);
  });
});

describe("readTfjsModel", () => {
  it("reads a graph model's signature (the converter's model.json form), dtypes by name", () => {
    const path = join(dir, "graph", "model.json");
    mkdirSync(join(dir, "graph"), { recursive: true });
    writeFileSync(
      path,
      JSON.stringify({
        format: "graph-model",
        generatedBy: "2.15.0",
        modelTopology: { node: [{ name: "x", op: "Placeholder" }], versions: { producer: 1 } },
        signature: {
          inputs: { "x:0": { name: "x:0", dtype: "DT_FLOAT", tensorShape: { dim: [{ size: "-1" }, { size: "4" }] } } },
          outputs: { "Identity:0": { name: "Identity:0", dtype: "DT_INT64", tensorShape: { dim: [{ size: "-1" }] } } },
        },
        weightsManifest: [],
      }),
    );
    expect(readTfjsModel(path)).toEqual({
      format: "tfjs-graph",
      signature: {
        inputs: [{ name: "x:0", dtype: "float32", shape: [-1, 4] }],
        outputs: [{ name: "Identity:0", dtype: "int64", shape: [-1] }],
      },
    });
  });

  it("is undefined for JSON that is no TensorFlow.js model, and for text that is not JSON", () => {
    const json = join(dir, "plain.json");
    writeFileSync(json, JSON.stringify({ weights: [1, 2] }));
    expect(readTfjsModel(json)).toBeUndefined();
    const text = join(dir, "plain.txt");
    writeFileSync(text, "weights");
    expect(readTfjsModel(text)).toBeUndefined();
  });
});

// The parts of onnx-proto's generated namespace this test uses.
interface OnnxNs {
  ValueInfoProto: { create(v: object): object };
  ModelProto: { create(v: object): object; encode(m: object): { finish(): Uint8Array } };
}
