/**
 * The serving client's gRPC transport against the gRPC server over loopback, with real
 * ONNX Runtime sessions behind it, and against a port nothing listens on.
 */
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  denseConfig,
  denseModel,
  denseReference,
  identityConfig,
  identityModel,
} from "../../../test/serving/onnx-models.ts";
import { createOrtTestService, type OrtTestService } from "../../../test/serving/ort-service.ts";
import { ServingError } from "../errors.ts";
import { type GrpcServer, startGrpcServer } from "../grpc/server.ts";
import type { InferRequest } from "../types.ts";
import { createServingClient } from "./client.ts";
import { ServingClientError } from "./errors.ts";
import { grpcTarget, grpcTransport } from "./grpc.ts";
import { ROUTING_KEY_HEADER } from "./transport.ts";

/** A port that was free a moment ago (nothing listens on it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function clientError(promise: Promise<unknown>): Promise<ServingClientError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ServingClientError);
    return error as ServingClientError;
  }
  throw new Error("the call succeeded; a failure was expected");
}

const denseRequest = (rows: number[]): InferRequest => ({
  inputs: [{ name: "x", datatype: "FP32", shape: [rows.length / 4, 4], data: Float32Array.from(rows) }],
});

describe("grpcTransport", () => {
  let service: OrtTestService;
  let server: GrpcServer;

  beforeAll(async () => {
    service = await createOrtTestService({
      dense: { file: denseModel(), config: denseConfig() },
      identity_int64: { file: identityModel("INT64"), config: identityConfig("INT64") },
      identity_fp16: { file: identityModel("FP16"), config: identityConfig("FP16") },
      identity_bytes: { file: identityModel("BYTES"), config: identityConfig("BYTES") },
    });
    server = await startGrpcServer(service, { port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await service?.close();
  });

  it("takes host:port, grpc:// and http:// targets, and refuses what is not one", () => {
    expect(grpcTarget("127.0.0.1:8001")).toBe("127.0.0.1:8001");
    expect(grpcTarget("grpc://127.0.0.1:8001")).toBe("127.0.0.1:8001");
    expect(grpcTarget("http://localhost:8001/")).toBe("localhost:8001");
    expect(() => grpcTarget("http://host:8001/v2/models")).toThrow(/not host:port/);
  });

  for (const typedContents of [false, true]) {
    it(`infers over gRPC with ${typedContents ? "typed" : "raw"} contents`, async () => {
      const transport = grpcTransport(`grpc://${server.target}`, { typedContents });
      try {
        expect(transport.protocol).toBe("grpc");
        expect(transport.target).toBe(server.target);
        const rows = [1, 2, 3, 4, 0, 0, 0, 0];
        const result = await transport.infer("dense", undefined, { id: "r1", ...denseRequest(rows) }, {});
        expect(result.modelName).toBe("dense");
        expect(result.modelVersion).toBe("1");
        expect(result.id).toBe("r1");
        const [y] = result.outputs;
        expect(y).toMatchObject({ name: "y", datatype: "FP32", shape: [2, 1] });
        expect(y!.data).toBeInstanceOf(Float32Array);
        const expected = denseReference(rows);
        for (const [i, v] of Array.from(y!.data as Float32Array).entries()) expect(v).toBeCloseTo(expected[i]!, 6);

        const big = await transport.infer(
          "identity_int64",
          "1",
          {
            inputs: [
              { name: "x", datatype: "INT64", shape: [1, 2], data: BigInt64Array.from([-(2n ** 63n), 2n ** 53n + 1n]) },
            ],
          },
          {},
        );
        expect(Array.from(big.outputs[0]!.data as BigInt64Array)).toEqual([-(2n ** 63n), 2n ** 53n + 1n]);

        const words = ["tap", "", "ünïcode", "z"].map((s) => new Uint8Array(Buffer.from(s)));
        const bytes = await transport.infer(
          "identity_bytes",
          undefined,
          { inputs: [{ name: "x", datatype: "BYTES", shape: [2, 2], data: words }] },
          {},
        );
        expect((bytes.outputs[0]!.data as Uint8Array[]).map((b) => Buffer.from(b).toString())).toEqual([
          "tap",
          "",
          "ünïcode",
          "z",
        ]);

        // FP16 travels raw even when typed contents are asked for
        const half = await transport.infer(
          "identity_fp16",
          undefined,
          { inputs: [{ name: "x", datatype: "FP16", shape: [1, 2], data: Uint16Array.from([0x3c00, 0xc000]) }] },
          {},
        );
        expect(Array.from(half.outputs[0]!.data as Uint16Array)).toEqual([0x3c00, 0xc000]);
      } finally {
        transport.close();
      }
    });
  }

  it("answers ready and metadata, false for a model the server does not know", async () => {
    const transport = grpcTransport(server.target);
    try {
      expect(await transport.ready("dense")).toBe(true);
      expect(await transport.ready("dense", "1")).toBe(true);
      expect(await transport.ready("nope")).toBe(false);
      expect(await transport.metadata("dense")).toEqual({
        name: "dense",
        versions: ["1"],
        platform: "onnxruntime_onnx",
        inputs: [{ name: "x", datatype: "FP32", shape: [-1, 4] }],
        outputs: [{ name: "y", datatype: "FP32", shape: [-1, 1] }],
      });
    } finally {
      transport.close();
    }
  });

  it("sends headers as metadata (the routing key reaches the service)", async () => {
    const transport = grpcTransport(server.target);
    try {
      service.inferOptions.length = 0;
      await transport.infer("dense", undefined, denseRequest([0, 0, 0, 0]), {
        headers: { [ROUTING_KEY_HEADER]: "user-7" },
      });
      expect(service.inferOptions[0]?.routingKey).toBe("user-7");
    } finally {
      transport.close();
    }
  });

  it("fails with the server's error: remote, not retryable, code and message kept", async () => {
    const transport = grpcTransport(server.target);
    try {
      const unknown = await clientError(transport.infer("nope", undefined, denseRequest([0, 0, 0, 0]), {}));
      expect(unknown.code).toBe("SERVING_REMOTE");
      expect(unknown.grpcCode).toBe(5);
      expect(unknown.remoteCode).toBe("NOT_FOUND");
      expect(unknown.message).toContain('model "nope" is not served');
      expect(unknown.retryable).toBe(false);

      const wrong = await clientError(
        transport.infer(
          "dense",
          undefined,
          { inputs: [{ name: "x", datatype: "INT32", shape: [1, 4], data: Int32Array.from([1, 2, 3, 4]) }] },
          {},
        ),
      );
      expect(wrong.remoteCode).toBe("INVALID_ARGUMENT");
      expect(wrong.message).toContain("expected FP32");
      expect(wrong.retryable).toBe(false);
    } finally {
      transport.close();
    }
  });

  it("tells a server's UNAVAILABLE (retryable, remote) from no connection", async () => {
    const transport = grpcTransport(server.target);
    service.beforeInfer = () => {
      throw new ServingError("UNAVAILABLE", "model dense is draining: try again");
    };
    try {
      const draining = await clientError(transport.infer("dense", undefined, denseRequest([0, 0, 0, 0]), {}));
      expect(draining.code).toBe("SERVING_REMOTE");
      expect(draining.remoteCode).toBe("UNAVAILABLE");
      expect(draining.message).toContain("draining");
      expect(draining.retryable).toBe(true);
    } finally {
      service.beforeInfer = undefined;
      transport.close();
    }

    const nowhere = grpcTransport(`127.0.0.1:${await freePort()}`);
    try {
      const refused = await clientError(nowhere.infer("dense", undefined, denseRequest([0, 0, 0, 0]), {}));
      expect(refused.code).toBe("SERVING_UNREACHABLE");
      expect(refused.retryable).toBe(true);
      await expect(nowhere.ready("dense")).rejects.toMatchObject({ code: "SERVING_UNREACHABLE" });
    } finally {
      nowhere.close();
    }
  });

  it("fails with SERVING_TIMEOUT past its deadline and SERVING_ABORTED when the caller aborts", async () => {
    const transport = grpcTransport(server.target);
    // the service holds the request until the call goes away
    service.beforeInfer = (_name, options) =>
      new Promise<void>((_resolve, reject) => {
        options?.signal?.addEventListener("abort", () => reject(options.signal?.reason));
      });
    try {
      const late = await clientError(
        transport.infer("dense", undefined, denseRequest([0, 0, 0, 0]), { timeoutMs: 50 }),
      );
      expect(late.code).toBe("SERVING_TIMEOUT");
      expect(late.retryable).toBe(true);

      const controller = new AbortController();
      const pending = transport.infer("dense", undefined, denseRequest([0, 0, 0, 0]), { signal: controller.signal });
      controller.abort();
      const aborted = await clientError(pending);
      expect(aborted.code).toBe("SERVING_ABORTED");
      expect(aborted.retryable).toBe(false);

      const already = await clientError(
        transport.infer("dense", undefined, denseRequest([0, 0, 0, 0]), { signal: controller.signal }),
      );
      expect(already.code).toBe("SERVING_ABORTED");
    } finally {
      service.beforeInfer = undefined;
      transport.close();
    }
  });

  it("refuses a request whose data does not fit its tensor before sending, and calls after close", async () => {
    const transport = grpcTransport(server.target);
    const bad = await clientError(
      transport.infer(
        "dense",
        undefined,
        { inputs: [{ name: "x", datatype: "FP32", shape: [2, 4], data: Float32Array.from([1, 2, 3, 4]) }] },
        {},
      ),
    );
    expect(bad.code).toBe("SERVING_BAD_INPUT");
    expect(bad.message).toContain('input "x" has 4 elements; its shape [2,4] needs 8');
    transport.close();
    const closed = await clientError(transport.infer("dense", undefined, denseRequest([0, 0, 0, 0]), {}));
    expect(closed.message).toContain("closed");
  });

  it("is what createServingClient uses for grpc:// URLs, retries and local fallback included", async () => {
    const client = createServingClient({ url: `grpc://${server.target}` });
    try {
      expect(client.protocol).toBe("grpc");
      service.inferOptions.length = 0;
      const answer = await client.infer(
        "dense",
        { x: { datatype: "FP32", shape: [1, 4], data: [1, 2, 3, 4] } },
        { routingKey: "card-1", id: "c1" },
      );
      expect(answer).toMatchObject({ answeredBy: "remote", attempts: 1 });
      expect(answer.result).toMatchObject({ modelName: "dense", modelVersion: "1", id: "c1" });
      expect((answer.result.outputs[0]!.data as Float32Array)[0]).toBeCloseTo(denseReference([1, 2, 3, 4])[0]!, 6);
      expect(service.inferOptions[0]?.routingKey).toBe("card-1");
      expect(await client.ready("dense")).toBe(true);
      expect((await client.metadata("dense")).inputs).toEqual([{ name: "x", datatype: "FP32", shape: [-1, 4] }]);
    } finally {
      await client.close();
    }

    const offline = createServingClient({
      url: `grpc://127.0.0.1:${await freePort()}`,
      retries: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      fallback: { modelFile: denseModel() },
    });
    try {
      const answer = await offline.infer("dense", { x: { datatype: "FP32", shape: [1, 4], data: [1, 2, 3, 4] } });
      expect(answer).toMatchObject({ answeredBy: "fallback", attempts: 2 });
      expect(answer.remoteError?.code).toBe("SERVING_UNREACHABLE");
      expect((answer.result.outputs[0]!.data as Float32Array)[0]).toBeCloseTo(denseReference([1, 2, 3, 4])[0]!, 6);
    } finally {
      await offline.close();
    }
  });
});
