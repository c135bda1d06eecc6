/**
 * The serving client against Weft's own servers on loopback: the real model service (ONNX
 * Runtime sessions in worker threads, the dynamic batcher) over the dense test model, behind
 * the gRPC server. The local fallback runs the same model file in this process, so the
 * answers of both paths are compared exactly; a stopped server makes the client fall back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { denseModel, denseReference } from "../../../test/serving/onnx-models.ts";
import { type GrpcServer, startGrpcServer } from "../grpc/server.ts";
import { resolveSources } from "../repository.ts";
import { createModelService, type WeftModelService } from "../service.ts";
import { createServingClient, output, type ServingClientError, toNumbers } from "./index.ts";

const ROWS = [0.5, 1, -1, 2, 0, 0, 0, 0, 3, -2, 1, 0.25, 1, 1, 1, 1];
const X = { x: { datatype: "FP32" as const, shape: [4, 4], data: ROWS } };
const FAST = { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 };

let service: WeftModelService;
let grpc: GrpcServer;
beforeAll(async () => {
  const sources = await resolveSources([{ source: denseModel(), name: "dense" }]);
  service = await createModelService(sources, { workers: 1 });
  grpc = await startGrpcServer(service, { port: 0 });
});
afterAll(async () => {
  await grpc?.close();
  await service?.close();
});

describe("weft/serving-client against weft's gRPC server", () => {
  it("infers over gRPC, and the local fallback gives the same answer bit for bit", async () => {
    const client = createServingClient({ url: `grpc://${grpc.target}` });
    const local = createServingClient({
      url: "http://127.0.0.1:9",
      retries: false,
      fallback: { modelFile: denseModel() },
    });
    try {
      expect(client.protocol).toBe("grpc");
      expect(await client.ready("dense")).toBe(true);
      const meta = await client.metadata("dense");
      expect(meta.inputs.map((i) => [i.name, i.datatype])).toEqual([["x", "FP32"]]);
      const remote = await client.infer("dense", X, { id: "g1", routingKey: "card-7" });
      expect(remote.answeredBy).toBe("remote");
      expect(remote.result.id).toBe("g1");
      expect(remote.result.modelVersion).toBe("1");
      const y = output(remote.result, "y");
      expect(y.shape).toEqual([4, 1]);
      const want = denseReference(ROWS);
      expect(toNumbers(y)).toEqual(want.map((v) => expect.closeTo(v, 6)));
      const fallback = await local.infer("dense", X);
      expect(fallback.answeredBy).toBe("fallback");
      expect(output(fallback.result, "y").data).toEqual(y.data);
    } finally {
      await client.close();
      await local.close();
    }
  });

  it("names an unknown model, without retrying or falling back", async () => {
    const client = createServingClient({
      url: grpc.target,
      protocol: "grpc",
      retries: FAST,
      fallback: { modelFile: denseModel() },
    });
    try {
      const e = (await client.infer("nope", X).catch((err: unknown) => err)) as ServingClientError;
      expect(e.code).toBe("SERVING_REMOTE");
      expect(e.remoteCode).toBe("NOT_FOUND");
      expect(e.attempts).toBe(1);
      expect(e.message).toContain("nope");
      expect(await client.ready("nope")).toBe(false);
    } finally {
      await client.close();
    }
  });

  it("falls back to the local model once the server is gone, and says so", async () => {
    const sources = await resolveSources([{ source: denseModel(), name: "dense" }]);
    const own = await createModelService(sources, { workers: 1 });
    const server = await startGrpcServer(own, { port: 0 });
    const client = createServingClient({
      url: `grpc://${server.target}`,
      retries: FAST,
      fallback: { modelFile: denseModel() },
    });
    try {
      const before = await client.infer("dense", X);
      expect(before.answeredBy).toBe("remote");
      await server.close();
      const after = await client.infer("dense", X);
      expect(after.answeredBy).toBe("fallback");
      expect(after.remoteError?.code).toBe("SERVING_UNREACHABLE");
      expect(after.attempts).toBe(2);
      expect(output(after.result, "y").data).toEqual(output(before.result, "y").data);
    } finally {
      await client.close();
      await own.close();
    }
  });
});
