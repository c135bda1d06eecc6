import { describe, expect, it } from "vitest";
import { ONNX_INPUT, ONNX_OUTPUT, TRITON_MODEL_NAME, tritonConfig } from "../../examples/fraud-detection/lib/onnx.ts";
import { ServingError } from "./errors.ts";
import { parseModelConfig, readModelConfig, writeModelConfig } from "./pbtxt.ts";
import { DATATYPES, type ModelConfig } from "./types.ts";

const FILE = "/repo/fraud/config.pbtxt";

function errorOf(fn: () => unknown): ServingError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ServingError);
    return err as ServingError;
  }
  throw new Error("expected an error");
}

describe("parseModelConfig", () => {
  it("reads the config the fraud example writes for Triton", () => {
    const text = [
      `name: "fraud_detection"`,
      `platform: "onnxruntime_onnx"`,
      `max_batch_size: 1024`,
      `input [`,
      `  {`,
      `    name: "features"`,
      `    data_type: TYPE_FP32`,
      `    dims: [ 24 ]`,
      `  }`,
      `]`,
      `output [`,
      `  {`,
      `    name: "fraud_probability"`,
      `    data_type: TYPE_FP32`,
      `    dims: [ 1 ]`,
      `  }`,
      `]`,
      `instance_group [ { count: 1, kind: KIND_CPU } ]`,
      `dynamic_batching { }`,
    ].join("\n");
    expect(parseModelConfig(text, FILE)).toEqual({
      name: "fraud_detection",
      platform: "onnxruntime_onnx",
      maxBatchSize: 1024,
      inputs: [{ name: "features", datatype: "FP32", shape: [24] }],
      outputs: [{ name: "fraud_probability", datatype: "FP32", shape: [1] }],
      dynamicBatching: { preferredBatchSize: [], maxQueueDelayMicroseconds: 0 },
      versionPolicy: { kind: "latest", numVersions: 1 },
      instanceCount: 1,
    } satisfies ModelConfig);
  });

  it("reads the text format's other spellings: field: { }, < >, repeated scalars, comments, ; and , separators, 'strings'", () => {
    const text = `
      # a comment
      name: 'm' ; backend: "onnxruntime"
      max_batch_size: 8
      input: { name: "x" data_type: 11 dims: 2 dims: -1 }, input < name: "y\\"q" data_type: TYPE_INT64 dims: [3] >
      output [{ name: "z", data_type: TYPE_STRING, dims: [ 1 ], reshape: { shape: [ ] } }]
      version_policy { specific { versions: [1, 3] } }
      dynamic_batching: { preferred_batch_size: [ 4, 8 ] max_queue_delay_microseconds: 100 preserve_ordering: true }
      instance_group [ { count: 2 kind: KIND_GPU gpus: [0] }, { kind: KIND_CPU } ]
      optimization { execution_accelerators { cpu_execution_accelerator: [ { name: "openvino" } ] } }
      parameters { key: "k" value: { string_value: "v" } }
    `;
    expect(parseModelConfig(text, FILE)).toEqual({
      name: "m",
      platform: "onnxruntime_onnx",
      maxBatchSize: 8,
      inputs: [
        { name: "x", datatype: "FP32", shape: [2, -1] },
        { name: 'y"q', datatype: "INT64", shape: [3] },
      ],
      outputs: [{ name: "z", datatype: "BYTES", shape: [] }],
      versionPolicy: { kind: "specific", versions: [1, 3] },
      dynamicBatching: { preferredBatchSize: [4, 8], maxQueueDelayMicroseconds: 100 },
      instanceCount: 3,
    });
  });

  it("takes Triton's defaults for what the file leaves out, the folder's name for the name", () => {
    expect(parseModelConfig("", FILE)).toEqual({
      name: "fraud",
      platform: "onnxruntime_onnx",
      maxBatchSize: 0,
      inputs: [],
      outputs: [],
      versionPolicy: { kind: "latest", numVersions: 1 },
    });
    expect(readModelConfig("", FILE)).toEqual({});
    expect(parseModelConfig("version_policy: { all { } }", FILE).versionPolicy).toEqual({ kind: "all" });
    expect(parseModelConfig("version_policy: { latest { num_versions: 3 } }", FILE).versionPolicy).toEqual({
      kind: "latest",
      numVersions: 3,
    });
    expect(readModelConfig(`default_model_filename: "fraud.onnx"`, FILE).defaultModelFilename).toBe("fraud.onnx");
  });

  it("refuses what would change the model's meaning, naming the file, the line and what to do", () => {
    const cases: [string, RegExp][] = [
      ["sequence_batching { }", /:1: sequence batching .*stateless/],
      ["\n\nensemble_scheduling { step [] }", /:3: ensembles are not supported/],
      [`platform: "tensorrt_plan"`, /platform 'tensorrt_plan' cannot be served here; Weft serves ONNX/],
      [`backend: "python"`, /backend 'python' cannot be served/],
      [
        `input [{ name: "x" data_type: TYPE_FP32 dims: [4] reshape: { shape: [2, 2] } }]`,
        /input 'x': reshape is not supported/,
      ],
      [
        `input [{ name: "x" data_type: TYPE_BF16 dims: [4] }]`,
        /input 'x': data_type TYPE_BF16 cannot be served; use one of TYPE_BOOL/,
      ],
      [`input [{ name: "x" dims: [4] }]`, /input 'x' has no data_type; write data_type: TYPE_FP32/],
      [`input [{ data_type: TYPE_FP32 dims: [4] }]`, /an input has no name/],
      [
        `input [{ name: "x" data_type: TYPE_FP32 dims: [4] is_shape_tensor: true }]`,
        /is_shape_tensor is not supported/,
      ],
      [`input [{ name: "x" data_type: TYPE_FP32 dims: [4] colour: 1 }]`, /'colour' is not a field of an input/],
      [`max_batch_sizes: 4`, /'max_batch_sizes' is not a field of Triton's model configuration; check its spelling/],
      [`max_batch_size: -1`, /'max_batch_size' must be a whole number from 0/],
      [`max_batch_size: 4\nmax_batch_size: 8`, /'max_batch_size' is given 2 times/],
      [`dynamic_batching { }`, /dynamic_batching needs max_batch_size above 0/],
      [
        `max_batch_size: 4 dynamic_batching { preferred_batch_size: 8 }`,
        /preferred_batch_size 8 is larger than max_batch_size 4/,
      ],
      [`version_policy { newest { } }`, /version_policy 'newest' is not one of latest, specific, all/],
      [`version_policy { specific { } }`, /names no versions/],
      [`model_transaction_policy { decoupled: true }`, /decoupled models are not supported/],
      [`default_model_filename: "../../etc/passwd"`, /must be a file name inside the version folder/],
      [
        `input [{ name: "x" data_type: TYPE_FP32 dims: [1] }, { name: "x" data_type: TYPE_FP32 dims: [1] }]`,
        /input 'x' is listed twice/,
      ],
      [`name: "m`, /:1: a string is not closed/],
      [`name "m"`, /:1: ':' expected after 'name'/],
      [`input [ { name: "x" `, /'}' expected before the end of the file/],
      [`name: @`, /unexpected character '@'/],
    ];
    for (const [text, message] of cases) {
      const err = errorOf(() => parseModelConfig(text, FILE));
      expect(err.code).toBe("MODEL_INVALID");
      expect(err.message).toContain(FILE);
      expect(err.message).toMatch(message);
    }
  });
});

describe("writeModelConfig", () => {
  const configs: ModelConfig[] = [
    {
      name: "fraud",
      platform: "onnxruntime_onnx",
      maxBatchSize: 64,
      inputs: [{ name: "features", datatype: "FP32", shape: [24] }],
      outputs: [
        { name: "fraud_probability", datatype: "FP32", shape: [1] },
        { name: "score", datatype: "FP64", shape: [] },
      ],
      dynamicBatching: { preferredBatchSize: [8, 16], maxQueueDelayMicroseconds: 250 },
      versionPolicy: { kind: "latest", numVersions: 2 },
      instanceCount: 2,
    },
    {
      name: "every type",
      platform: "tensorflow_js",
      maxBatchSize: 0,
      inputs: DATATYPES.map((datatype, i) => ({ name: `in_${i}`, datatype, shape: [-1, 3] })),
      outputs: [{ name: 'quote"d', datatype: "BYTES", shape: [] }],
      versionPolicy: { kind: "specific", versions: [1, 4] },
    },
    {
      name: "m",
      platform: "onnxruntime_onnx",
      maxBatchSize: 4,
      inputs: [{ name: "x", datatype: "INT8", shape: [2] }],
      outputs: [{ name: "y", datatype: "INT8", shape: [2] }],
      dynamicBatching: { preferredBatchSize: [], maxQueueDelayMicroseconds: 0 },
      versionPolicy: { kind: "all" },
    },
  ];

  it("writes text that reads back to an equal configuration", () => {
    for (const config of configs) {
      expect(parseModelConfig(writeModelConfig(config), FILE)).toEqual(config);
    }
  });

  it("reads the text format's escapes (hex, octal, \\u as JSON writes them) and writes any name back", () => {
    expect(parseModelConfig(`name: "\\x41\\102\\t\\u00e9"`, FILE).name).toBe("AB\té");
    const config: ModelConfig = { ...configs[2]!, name: 'a\u0001b "é" \\ c' };
    expect(parseModelConfig(writeModelConfig(config), FILE)).toEqual(config);
    expect(() => parseModelConfig(`name: "\\q"`, FILE)).toThrow(/unknown escape \\q in a string/);
  });

  it("writes Triton's spelling: TYPE_ names, TYPE_STRING for BYTES, a per-row scalar as dims [1] reshaped to []", () => {
    const text = writeModelConfig(configs[0]!);
    expect(text).toContain("data_type: TYPE_FP32");
    expect(text).toContain("dims: [ 1 ]\n    reshape: { shape: [ ] }");
    expect(text).toContain("version_policy: { latest: { num_versions: 2 } }");
    expect(text).toContain("preferred_batch_size: [ 8, 16 ]");
    expect(text).toContain("instance_group [ { count: 2, kind: KIND_CPU } ]");
    expect(writeModelConfig(configs[1]!)).toContain("data_type: TYPE_STRING");
  });

  it("reads the fraud example's own Triton config", () => {
    const config = parseModelConfig(tritonConfig(24), FILE);
    expect(config).toMatchObject({ name: TRITON_MODEL_NAME, maxBatchSize: 1024, instanceCount: 1 });
    expect(config.inputs).toEqual([{ name: ONNX_INPUT, datatype: "FP32", shape: [24] }]);
    expect(config.outputs).toEqual([{ name: ONNX_OUTPUT, datatype: "FP32", shape: [1] }]);
    expect(config.dynamicBatching).toEqual({ preferredBatchSize: [], maxQueueDelayMicroseconds: 0 });
  });
});
