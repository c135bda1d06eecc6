/**
 * The serving client against Weft's own servers on loopback: the real model service (ONNX
 * Runtime sessions in worker threads, the dynamic batcher) over the dense test model, behind
 * the REST and gRPC servers. The local fallback runs the same model file in this process, so the
 * answers of both paths are compared exactly; a stopped server makes the client fall back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { denseModel, denseReference } from "../../../test/serving/onnx-models.ts";
import { type GrpcServer, startGrpcServer } from "../grpc/server.ts";
import { type RestServer, startRestServer } from "../http-server.ts";
import { resolveSources } from "../repository.ts";
import { createModelService, type WeftModelService } from "../service.ts";
import { createServingClient, output, type ServingClientError, toNumbers } from "./index.ts";

const ROWS = [0.5, 1, -1, 2, 0, 0, 0, 0, 3, -2, 1, 0.25, 1, 1, 1, 1];
const X = { x: { datatype: "FP32" as const, shape: [4, 4], data: ROWS } };
const FAST = { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 };

let service: WeftModelService;
let grpc: GrpcServer;
let rest: RestServer;
beforeAll(async () => {
  const sources = await resolveSources([{ source: denseModel(), name: "dense" }]);
  service = await createModelService(sources, { workers: 1 });
  grpc = await startGrpcServer(service, { port: 0 });
  rest = await startRestServer(service, { port: 0 });
});
afterAll(async () => {
  await grpc?.close();
  await rest?.close();
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

describe("weft/serving-client against weft's REST server", () => {
  it("gives the same answers over JSON, binary tensors and gRPC", async () => {
    const json = createServingClient({ url: rest.url });
    const binary = createServingClient({ url: rest.url, binary: true });
    const overGrpc = createServingClient({ url: `grpc://${grpc.target}` });
    try {
      expect(json.protocol).toBe("rest");
      expect(await json.ready("dense")).toBe(true);
      expect(await json.ready("dense", { version: "1" })).toBe(true);
      expect(await json.ready("nope")).toBe(false);
      const meta = await json.metadata("dense");
      expect(meta).toMatchObject({ name: "dense", versions: ["1"], platform: "onnxruntime_onnx" });
      expect(meta.inputs).toEqual([{ name: "x", datatype: "FP32", shape: [-1, 4] }]);
      const a = await json.infer("dense", X, { id: "r1", routingKey: "card-7" });
      const b = await binary.infer("dense", X, { version: "1", outputs: ["y"] });
      const c = await overGrpc.infer("dense", X);
      expect([a.answeredBy, b.answeredBy, a.attempts]).toEqual(["remote", "remote", 1]);
      expect(a.result).toMatchObject({ modelName: "dense", modelVersion: "1", id: "r1" });
      expect(output(a.result, "y").shape).toEqual([4, 1]);
      expect(output(b.result, "y").data).toEqual(output(a.result, "y").data);
      expect(output(c.result, "y").data).toEqual(output(a.result, "y").data);
    } finally {
      await json.close();
      await binary.close();
      await overGrpc.close();
    }
  });

  it("predicts over KServe v1", async () => {
    const client = createServingClient({ url: rest.url });
    try {
      const predictions = (await client.predict("dense", [ROWS.slice(0, 4), ROWS.slice(4, 8)])) as number[][];
      const want = denseReference(ROWS.slice(0, 8));
      expect(predictions.map((row) => row[0])).toEqual(want.map((v) => expect.closeTo(v, 6)));
    } finally {
      await client.close();
    }
  });

  it("passes the server's message about a bad input on, without retrying or falling back", async () => {
    const client = createServingClient({ url: rest.url, retries: FAST, fallback: { modelFile: denseModel() } });
    try {
      const bad = { x: { datatype: "FP32" as const, shape: [2, 3], data: [1, 2, 3, 4, 5, 6] } };
      const e = (await client.infer("dense", bad).catch((err: unknown) => err)) as ServingClientError;
      expect(e.code).toBe("SERVING_REMOTE");
      expect(e.status).toBe(400);
      expect(e.attempts).toBe(1);
      expect(e.message).toContain('"x"');
      const missing = (await client
        .infer("dense", X, { version: "9" })
        .catch((err: unknown) => err)) as ServingClientError;
      expect(missing.status).toBe(404);
      expect(missing.remoteCode).toBe("NOT_FOUND");
    } finally {
      await client.close();
    }
  });

  it("falls back once the REST server is gone", async () => {
    const sources = await resolveSources([{ source: denseModel(), name: "dense" }]);
    const own = await createModelService(sources, { workers: 1 });
    const server = await startRestServer(own, { port: 0 });
    const client = createServingClient({ url: server.url, retries: FAST, fallback: { modelFile: denseModel() } });
    try {
      const before = await client.infer("dense", X);
      expect(before.answeredBy).toBe("remote");
      await server.close();
      const after = await client.infer("dense", X);
      expect(after.answeredBy).toBe("fallback");
      expect(after.remoteError?.code).toBe("SERVING_UNREACHABLE");
      expect(output(after.result, "y").data).toEqual(output(before.result, "y").data);
    } finally {
      await client.close();
      await own.close();
    }
  });
});
