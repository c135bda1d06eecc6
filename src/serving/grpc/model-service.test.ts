/**
 * gRPC over Weft's model service: a Triton repository folder served with dynamic batching
 * (ONNX Runtime in worker threads), called with a client generated from `service.proto`.
 * Concurrent calls are merged into batches and answered as they would be alone, a bad call
 * in a batch fails only itself, and the repository extension loads and unloads versions.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GeneratedClient, generatedClient, grpcFailure, type Message } from "../../../test/serving/grpc-client.ts";
import { denseConfig, denseModel, denseReference } from "../../../test/serving/onnx-models.ts";
import { resolveSources } from "../repository.ts";
import { createModelService, type WeftModelService } from "../service.ts";
import { writeTritonRepository } from "../triton-repo.ts";
import type { BatchEvent } from "../types.ts";
import { type GrpcServer, startGrpcServer } from "./server.ts";

const dir = mkdtempSync(join(tmpdir(), "weft-grpc-service-"));

describe("gRPC over the model service (Triton repository, dynamic batching)", () => {
  let service: WeftModelService;
  let server: GrpcServer;
  let generated: GeneratedClient;
  const batches: BatchEvent[] = [];

  const call = (method: string, request: Message): Promise<Message> => generated.call(method, request);
  const failure = grpcFailure;
  const rawFloats = (raw: Buffer): number[] =>
    Array.from(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)));
  const row = (i: number): number[] => [i / 4, 1 - i / 8, (i % 3) - 1, i / 16];
  const inferRow = (values: number[], version?: string) =>
    call("ModelInfer", {
      model_name: "dense",
      ...(version ? { model_version: version } : {}),
      inputs: [{ name: "x", datatype: "FP32", shape: [1, 4] }],
      raw_input_contents: [Buffer.from(Float32Array.from(values).buffer)],
    });

  beforeAll(async () => {
    const model = denseModel();
    writeTritonRepository(dir, {
      name: "dense",
      versions: [
        { version: "1", file: model },
        { version: "2", file: model },
      ],
      config: {
        ...denseConfig({
          maxBatchSize: 16,
          dynamicBatching: { preferredBatchSize: [], maxQueueDelayMicroseconds: 50_000 },
        }),
        versionPolicy: { kind: "all" },
      },
    });
    const sources = await resolveSources([{ source: dir, repository: true }]);
    service = await createModelService(sources, { workers: 1, observer: { batch: (e) => batches.push(e) } });
    server = await startGrpcServer(service, { port: 0 });
    generated = generatedClient(server.target);
  });
  afterAll(async () => {
    generated?.client.close();
    await server?.close();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the repository's versions: unversioned calls go to the highest", async () => {
    expect(await call("ServerReady", {})).toEqual({ ready: true });
    const metadata = await call("ModelMetadata", { name: "dense" });
    expect(metadata).toMatchObject({ name: "dense", versions: ["1", "2"], platform: "onnxruntime_onnx" });
    expect(metadata.inputs).toEqual([{ name: "x", datatype: "FP32", shape: ["-1", "4"] }]);
    expect((await inferRow(row(1))).model_version).toBe("2");
    expect((await inferRow(row(1), "1")).model_version).toBe("1");
    const server = await call("ServerMetadata", {});
    expect(server.extensions).toContain("model_repository");
  });

  it("merges concurrent calls into batches, answers each as alone, and fails only the bad one", async () => {
    // the rows one at a time: nothing to merge with
    const alone: number[][] = [];
    for (let i = 0; i < 12; i++) alone.push(rawFloats((await inferRow(row(i))).raw_output_contents[0]));
    batches.length = 0;
    const settled = await Promise.allSettled(
      Array.from({ length: 13 }, (_, i) =>
        i === 12
          ? call("ModelInfer", {
              model_name: "dense",
              inputs: [{ name: "x", datatype: "FP32", shape: [1, 3] }],
              raw_input_contents: [Buffer.from(Float32Array.from([1, 2, 3]).buffer)],
            })
          : inferRow(row(i)),
      ),
    );
    for (let i = 0; i < 12; i++) {
      const r = settled[i]!;
      expect(r.status).toBe("fulfilled");
      const values = rawFloats((r as PromiseFulfilledResult<Message>).value.raw_output_contents[0]);
      expect(values).toEqual(alone[i]);
      expect(values[0]).toBeCloseTo(denseReference(row(i))[0]!, 6);
    }
    const bad = settled[12]!;
    expect(bad.status).toBe("rejected");
    const error = (bad as PromiseRejectedResult).reason as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toContain('input "x" has shape [1,3]');
    expect(batches.reduce((n, b) => n + b.size, 0)).toBe(12);
    expect(Math.max(...batches.map((b) => b.requests))).toBeGreaterThan(1);
  });

  it("refuses an unknown model or version with NOT_FOUND naming it", async () => {
    const model = await failure(call("ModelInfer", { model_name: "nope", inputs: [] }));
    expect(model.code).toBe(grpc.status.NOT_FOUND);
    expect(model.details).toContain("nope");
    const version = await failure(inferRow(row(0), "9"));
    expect(version.code).toBe(grpc.status.NOT_FOUND);
    expect(version.details).toContain("9");
  });

  it("unloads and loads a version through the repository extension", async () => {
    const index = await call("RepositoryIndex", {});
    expect(index.models.filter((m: Message) => m.name === "dense").map((m: Message) => [m.version, m.state])).toEqual([
      ["1", "READY"],
      ["2", "READY"],
    ]);
    expect(await call("RepositoryModelUnload", { model_name: "dense" })).toEqual({});
    expect(await call("ModelReady", { name: "dense" })).toEqual({ ready: false });
    const gone = await failure(inferRow(row(0)));
    expect([grpc.status.UNAVAILABLE, grpc.status.NOT_FOUND]).toContain(gone.code);
    expect(gone.details).toContain("dense");

    expect(
      await call("RepositoryModelLoad", { model_name: "dense", parameters: { version: { string_param: "1" } } }),
    ).toEqual({});
    expect(await call("ModelReady", { name: "dense" })).toEqual({ ready: true });
    expect((await inferRow(row(2))).model_version).toBe("1");
  });
});
