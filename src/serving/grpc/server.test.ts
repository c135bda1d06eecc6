/**
 * The gRPC server against a client generated from `service.proto` (proto-loader + grpc-js,
 * as any OIP client is built), over loopback, with real ONNX Runtime sessions behind it.
 */
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  grpcFailure as failure,
  type GeneratedClient,
  type GeneratedMethod,
  generatedClient,
  type Message,
} from "../../../test/serving/grpc-client.ts";
import {
  denseConfig,
  denseModel,
  denseReference,
  identityConfig,
  identityModel,
  twoInputConfig,
  twoInputModel,
} from "../../../test/serving/onnx-models.ts";
import { createOrtTestService, type OrtTestService } from "../../../test/serving/ort-service.ts";
import { ROUTING_KEY_HEADER } from "../client/transport.ts";
import type { Datatype, TensorData } from "../types.ts";
import { DATATYPES } from "../types.ts";
import { encodeRaw, LOADER_OPTIONS } from "./codec.ts";
import { SERVICE_DESCRIPTOR } from "./descriptor.ts";
import { type GrpcServer, startGrpcServer } from "./server.ts";

const PROTO = fileURLToPath(new URL("./service.proto", import.meta.url));

type Call = (request: Message, metadata?: grpc.Metadata) => Promise<Message>;

const IDENTITY_DATATYPES: readonly Datatype[] = DATATYPES;

/** Four elements of each datatype, edge values included. */
function sample(datatype: Datatype): TensorData {
  switch (datatype) {
    case "BOOL":
      return Uint8Array.from([1, 0, 0, 1]);
    case "UINT8":
      return Uint8Array.from([0, 1, 200, 255]);
    case "UINT16":
      return Uint16Array.from([0, 1, 40000, 65535]);
    case "UINT32":
      return Uint32Array.from([0, 1, 3000000000, 4294967295]);
    case "UINT64":
      return BigUint64Array.from([0n, 1n, 2n ** 63n, 2n ** 64n - 1n]);
    case "INT8":
      return Int8Array.from([-128, -1, 0, 127]);
    case "INT16":
      return Int16Array.from([-32768, -1, 0, 32767]);
    case "INT32":
      return Int32Array.from([-2147483648, -1, 0, 2147483647]);
    case "INT64":
      return BigInt64Array.from([-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n]);
    case "FP16":
      return Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001]); // 1, -2, 65504, smallest subnormal
    case "FP32":
      return Float32Array.from([0.5, -1.25, 3.4e38, 1e-45]);
    case "FP64":
      return Float64Array.from([0.1, -2.5, 1.7976931348623157e308, 5e-324]);
    case "BYTES":
      return ["a", "", "héllo", "x".repeat(300)].map((s) => new Uint8Array(Buffer.from(s, "utf8")));
  }
}

/** The typed `contents` of a sample, as a client writes them. */
function typedContents(datatype: Datatype, data: TensorData): Message {
  switch (datatype) {
    case "BOOL":
      return { bool_contents: Array.from(data as Uint8Array, (v) => v === 1) };
    case "INT8":
    case "INT16":
    case "INT32":
      return { int_contents: Array.from(data as Int32Array) };
    case "UINT8":
    case "UINT16":
    case "UINT32":
      return { uint_contents: Array.from(data as Uint32Array) };
    case "INT64":
      return { int64_contents: Array.from(data as BigInt64Array, String) };
    case "UINT64":
      return { uint64_contents: Array.from(data as BigUint64Array, String) };
    case "FP32":
      return { fp32_contents: Array.from(data as Float32Array) };
    case "FP64":
      return { fp64_contents: Array.from(data as Float64Array) };
    case "BYTES":
      return { bytes_contents: (data as Uint8Array[]).map((b) => Buffer.from(b)) };
    default:
      throw new Error(`${datatype} has no typed contents`);
  }
}

describe("gRPC server (inference.GRPCInferenceService)", () => {
  let service: OrtTestService;
  let server: GrpcServer;
  let client: GeneratedClient;
  let call: Call & ((method: string, request: Message, metadata?: grpc.Metadata) => Promise<Message>);

  beforeAll(async () => {
    const models: Record<string, { file: string; config: ReturnType<typeof denseConfig> }> = {
      dense: { file: denseModel(), config: denseConfig() },
      two_input: { file: twoInputModel(), config: twoInputConfig() },
    };
    for (const datatype of IDENTITY_DATATYPES) {
      models[`identity_${datatype.toLowerCase()}`] = {
        file: identityModel(datatype),
        config: identityConfig(datatype),
      };
    }
    service = await createOrtTestService(models);
    server = await startGrpcServer(service, { port: 0, maxMessageBytes: 64 * 1024 });
    client = generatedClient(server.target);
    call = client.call as typeof call;
  });
  afterAll(async () => {
    client?.client.close();
    await server?.close();
    await service?.close();
  });

  it("loads the same service as service.proto describes", () => {
    // what proto-loader makes of the .proto file and of descriptor.ts: every message and method alike
    const fromFile = protoLoader.loadSync(PROTO, LOADER_OPTIONS);
    const fromModule = protoLoader.fromJSON(
      SERVICE_DESCRIPTOR as Parameters<typeof protoLoader.fromJSON>[0],
      LOADER_OPTIONS,
    );
    const shape = (definition: protoLoader.PackageDefinition) =>
      Object.fromEntries(
        Object.entries(definition).map(([name, d]) => [
          name,
          "type" in d
            ? d.type
            : Object.fromEntries(
                Object.entries(d as protoLoader.ServiceDefinition).map(([m, md]) => [
                  m,
                  [md.path, md.requestType.type, md.responseType.type],
                ]),
              ),
        ]),
      );
    expect(Object.keys(fromModule).sort()).toEqual(Object.keys(fromFile).sort());
    expect(shape(fromModule), "descriptor.ts differs from service.proto: write it again (see its header)").toEqual(
      shape(fromFile),
    );
  });

  it("listens on 127.0.0.1 unless told otherwise", () => {
    expect(server.target).toBe(`127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it("answers server live, ready and metadata", async () => {
    expect(await call("ServerLive", {})).toEqual({ live: true });
    expect(await call("ServerReady", {})).toEqual({ ready: true });
    service.ready = false;
    try {
      expect(await call("ServerReady", {})).toEqual({ ready: false });
    } finally {
      service.ready = true;
    }
    expect(await call("ServerMetadata", {})).toEqual({
      name: "weft",
      version: "0.1.0",
      extensions: ["model_repository", "binary_tensor_data"],
    });
  });

  it("answers model ready and model metadata, and NOT_FOUND naming an unknown model or version", async () => {
    expect(await call("ModelReady", { name: "dense" })).toEqual({ ready: true });
    expect(await call("ModelReady", { name: "dense", version: "1" })).toEqual({ ready: true });
    expect(await call("ModelReady", { name: "nope" })).toEqual({ ready: false });
    expect(await call("ModelMetadata", { name: "dense", version: "1" })).toEqual({
      name: "dense",
      versions: ["1"],
      platform: "onnxruntime_onnx",
      inputs: [{ name: "x", datatype: "FP32", shape: ["-1", "4"] }],
      outputs: [{ name: "y", datatype: "FP32", shape: ["-1", "1"] }],
    });
    const unknown = await failure(call("ModelMetadata", { name: "nope" }));
    expect(unknown.code).toBe(grpc.status.NOT_FOUND);
    expect(unknown.details).toContain('"nope"');
    expect(unknown.metadata.get("weft-serving-code")).toEqual(["NOT_FOUND"]);
    const version = await failure(call("ModelMetadata", { name: "dense", version: "7" }));
    expect(version.code).toBe(grpc.status.NOT_FOUND);
    expect(version.details).toContain('"7"');
  });

  it("infers with typed contents and answers with typed contents", async () => {
    const rows = [1, 2, 3, 4, -1, 0.5, 0, 2];
    const response = await call("ModelInfer", {
      model_name: "dense",
      id: "req-1",
      inputs: [{ name: "x", datatype: "FP32", shape: [2, 4], contents: { fp32_contents: rows } }],
    });
    expect(response.model_name).toBe("dense");
    expect(response.model_version).toBe("1");
    expect(response.id).toBe("req-1");
    expect(response.raw_output_contents).toEqual([]);
    expect(response.outputs).toHaveLength(1);
    const [y] = response.outputs;
    expect(y.name).toBe("y");
    expect(y.datatype).toBe("FP32");
    expect(y.shape).toEqual(["2", "1"]);
    const expected = denseReference(rows);
    expect(y.contents.fp32_contents).toHaveLength(2);
    for (const [i, v] of (y.contents.fp32_contents as number[]).entries()) expect(v).toBeCloseTo(expected[i]!, 6);
  });

  it("infers with raw contents and answers raw, with only the outputs asked for", async () => {
    const a = Float32Array.from([1, 2, 3, 4]);
    const b = Float32Array.from([0.5, 0.5, 1, 10]);
    const response = await call("ModelInfer", {
      model_name: "two_input",
      inputs: [
        { name: "a", datatype: "FP32", shape: [2, 2] },
        { name: "b", datatype: "FP32", shape: [2, 2] },
      ],
      outputs: [{ name: "diff" }],
      raw_input_contents: [Buffer.from(a.buffer), Buffer.from(b.buffer)],
    });
    expect(response.outputs.map((o: Message) => o.name)).toEqual(["diff"]);
    expect(response.outputs[0].contents).toBeNull();
    expect(response.raw_output_contents).toHaveLength(1);
    const raw: Buffer = response.raw_output_contents[0];
    const diff = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    expect(Array.from(diff)).toEqual([0.5, 1.5, 2, -6]);
  });

  for (const datatype of IDENTITY_DATATYPES) {
    it(`round-trips ${datatype} raw contents through the model exactly`, async () => {
      const data = sample(datatype);
      const response = await call("ModelInfer", {
        model_name: `identity_${datatype.toLowerCase()}`,
        inputs: [{ name: "x", datatype, shape: [2, 2] }],
        raw_input_contents: [Buffer.from(encodeRaw(datatype, data))],
      });
      expect(response.outputs[0]).toMatchObject({ name: "y", datatype, shape: ["2", "2"] });
      expect(Buffer.compare(response.raw_output_contents[0], Buffer.from(encodeRaw(datatype, data)))).toBe(0);
    });

    if (datatype !== "FP16") {
      it(`round-trips ${datatype} typed contents through the model exactly`, async () => {
        const contents = typedContents(datatype, sample(datatype));
        const response = await call("ModelInfer", {
          model_name: `identity_${datatype.toLowerCase()}`,
          inputs: [{ name: "x", datatype, shape: [2, 2], contents }],
        });
        expect(response.raw_output_contents).toEqual([]);
        const field = Object.keys(contents)[0]!;
        expect(response.outputs[0].contents[field]).toEqual(contents[field]);
      });
    }
  }

  it("refuses FP16 in typed contents, saying to send it raw", async () => {
    const bad = await failure(
      call("ModelInfer", {
        model_name: "identity_fp16",
        inputs: [{ name: "x", datatype: "FP16", shape: [1, 2], contents: { fp32_contents: [1, 2] } }],
      }),
    );
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.details).toContain('input "x" is FP16');
    expect(bad.details).toContain("raw_input_contents");
  });

  it("refuses malformed tensors with INVALID_ARGUMENT naming the input and what was expected, and stays up", async () => {
    const cases: [Message, string[]][] = [
      [
        {
          model_name: "dense",
          inputs: [{ name: "x", datatype: "FP32", shape: [1, 4] }],
          raw_input_contents: [Buffer.alloc(12)],
        },
        ['input "x"', "12 bytes", "needs 16"],
      ],
      [
        {
          model_name: "dense",
          inputs: [{ name: "x", datatype: "FP32", shape: [1, 4], contents: { fp32_contents: [1] } }],
        },
        ['input "x"', "1 elements in contents.fp32_contents", "needs 4"],
      ],
      [
        { model_name: "dense", inputs: [{ name: "x", datatype: "FLOAT", shape: [1, 4] }] },
        ['input "x"', '"FLOAT"', "expected one of BOOL"],
      ],
      [
        {
          model_name: "dense",
          inputs: [{ name: "x", datatype: "FP32", shape: [1, 4], contents: { int_contents: [1, 2, 3, 4] } }],
        },
        ['input "x" is FP32', "contents.fp32_contents", "not contents.int_contents"],
      ],
      [
        {
          model_name: "identity_int8",
          inputs: [{ name: "x", datatype: "INT8", shape: [1, 2], contents: { int_contents: [1, 300] } }],
        },
        ['input "x" element 1 is 300', "-128..127"],
      ],
      [
        {
          model_name: "dense",
          inputs: [
            { name: "x", datatype: "FP32", shape: [1, 4] },
            { name: "z", datatype: "FP32", shape: [1, 4] },
          ],
          raw_input_contents: [Buffer.alloc(16)],
        },
        ["raw_input_contents has 1 entries for 2 inputs"],
      ],
      [
        {
          model_name: "identity_bytes",
          inputs: [{ name: "x", datatype: "BYTES", shape: [1, 1] }],
          raw_input_contents: [Buffer.from([9, 0, 0, 0, 65])],
        },
        ['input "x"', "element 0 says 9 bytes but only 1 remain"],
      ],
      [{ model_name: "", inputs: [] }, ["model_name is empty"]],
      [
        {
          model_name: "dense",
          inputs: [{ name: "x", datatype: "INT32", shape: [1, 4], contents: { int_contents: [1, 2, 3, 4] } }],
        },
        ['input "x"', "expected FP32"],
      ],
    ];
    for (const [request, fragments] of cases) {
      const error = await failure(call("ModelInfer", request));
      expect(error.code, error.details).toBe(grpc.status.INVALID_ARGUMENT);
      for (const fragment of fragments) expect(error.details).toContain(fragment);
    }
    const unknown = await failure(
      call("ModelInfer", {
        model_name: "nope",
        inputs: [{ name: "x", datatype: "FP32", shape: [1, 1], contents: { fp32_contents: [1] } }],
      }),
    );
    expect(unknown.code).toBe(grpc.status.NOT_FOUND);
    expect(await call("ServerLive", {})).toEqual({ live: true });
  });

  it("refuses a message over the size limit with RESOURCE_EXHAUSTED and stays up", async () => {
    const big = Buffer.alloc(128 * 1024);
    const error = await failure(
      call("ModelInfer", {
        model_name: "dense",
        inputs: [{ name: "x", datatype: "FP32", shape: [8192, 4] }],
        raw_input_contents: [big],
      }),
    );
    expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(await call("ServerLive", {})).toEqual({ live: true });
  });

  it("passes the routing key metadata and a cancellation signal to the service", async () => {
    const metadata = new grpc.Metadata();
    metadata.set(ROUTING_KEY_HEADER, "card-42");
    service.inferOptions.length = 0;
    await call(
      "ModelInfer",
      {
        model_name: "dense",
        inputs: [{ name: "x", datatype: "FP32", shape: [1, 4], contents: { fp32_contents: [0, 0, 0, 0] } }],
      },
      metadata,
    );
    expect(service.inferOptions[0]?.routingKey).toBe("card-42");
    expect(service.inferOptions[0]?.signal).toBeInstanceOf(AbortSignal);

    // a cancelled call aborts the service's signal
    let aborted: (reason: unknown) => void = () => {};
    const sawAbort = new Promise((resolve) => {
      aborted = resolve;
    });
    let entered: () => void = () => {};
    const inService = new Promise<void>((resolve) => {
      entered = resolve;
    });
    service.beforeInfer = (_name, options) =>
      new Promise<void>((_resolve, reject) => {
        options?.signal?.addEventListener("abort", () => {
          aborted(options.signal?.reason);
          reject(options.signal?.reason);
        });
        entered();
      });
    try {
      const pending = (client.client as unknown as Record<string, GeneratedMethod>).ModelInfer!.call(
        client.client,
        {
          model_name: "dense",
          inputs: [{ name: "x", datatype: "FP32", shape: [1, 4], contents: { fp32_contents: [0, 0, 0, 0] } }],
        },
        new grpc.Metadata(),
        () => {},
      );
      await inService;
      pending.cancel();
      expect(await sawAbort).toBeInstanceOf(Error);
    } finally {
      service.beforeInfer = undefined;
    }
  });

  it("answers the repository extension: index, load and unload with their parameters", async () => {
    const all = await call("RepositoryIndex", {});
    expect(all.models).toContainEqual({ name: "dense", version: "1", state: "READY", reason: "" });
    expect(all.models).toContainEqual({ name: "retired", version: "", state: "UNAVAILABLE", reason: "unloaded" });
    const ready = await call("RepositoryIndex", { ready: true });
    expect(ready.models.some((m: Message) => m.name === "retired")).toBe(false);

    service.repositoryCalls.length = 0;
    expect(
      await call("RepositoryModelLoad", {
        model_name: "dense",
        parameters: { version: { string_param: "2" }, force: { bool_param: true }, n: { int64_param: "3" } },
      }),
    ).toEqual({});
    expect(await call("RepositoryModelUnload", { model_name: "dense" })).toEqual({});
    expect(service.repositoryCalls).toEqual([
      { call: "load", name: "dense", parameters: { version: "2", force: true, n: 3 } },
      { call: "unload", name: "dense" },
    ]);
    const broken = await failure(call("RepositoryModelLoad", { model_name: "broken" }));
    expect(broken.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(broken.details).toContain("model broken");
    const unnamed = await failure(call("RepositoryModelUnload", {}));
    expect(unnamed.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(unnamed.details).toContain("model_name is empty");
  });

  it("says which address is taken when the port is in use", async () => {
    await expect(startGrpcServer(service, { port: server.port })).rejects.toThrow(
      new RegExp(`cannot listen for gRPC on 127\\.0\\.0\\.1:${server.port}.*pick another port`),
    );
  });

  it("answers the calls in flight when it closes, and cuts off a call that outlasts the grace period", async () => {
    const own = await startGrpcServer(service, { port: 0 });
    const ownClient = generatedClient(own.target);
    let release: () => void = () => {};
    let entered: () => void = () => {};
    let inService = new Promise<void>((resolve) => {
      entered = resolve;
    });
    service.beforeInfer = () =>
      new Promise<void>((resolve) => {
        release = resolve;
        entered();
      });
    const request = {
      model_name: "dense",
      inputs: [{ name: "x", datatype: "FP32", shape: [1, 4], contents: { fp32_contents: [0, 0, 0, 0] } }],
    };
    try {
      const pending = ownClient.call("ModelInfer", request);
      await inService;
      const closing = own.close();
      release();
      expect((await pending).model_name).toBe("dense");
      await closing;
      const refused = await failure(ownClient.call("ServerLive", {}));
      expect(refused.code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      ownClient.client.close();
    }

    // a call that never ends: close gives up after the grace period and still resolves
    const stuck = await startGrpcServer(service, { port: 0 });
    const stuckClient = generatedClient(stuck.target);
    inService = new Promise<void>((resolve) => {
      entered = resolve;
    });
    service.beforeInfer = () =>
      new Promise<void>(() => {
        entered();
      });
    try {
      const pending = failure(stuckClient.call("ModelInfer", request));
      await inService;
      await stuck.close(10);
      expect((await pending).code).toBeGreaterThan(0);
    } finally {
      service.beforeInfer = undefined;
      stuckClient.client.close();
    }
  });
});
