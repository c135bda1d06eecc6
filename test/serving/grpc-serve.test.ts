/**
 * `weft serve` as a real child process, called over gRPC with a client generated from
 * `src/serving/grpc/service.proto` (proto-loader + grpc-js): health, metadata, infer with
 * typed and raw contents (answers equal to the REST port's), bad requests answered with
 * their status and a message naming the input while the server stays up, the repository
 * extension, and a clean stop on SIGTERM.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTritonRepository } from "../../src/serving/triton-repo.ts";
import { collect, type Sandbox, sandbox, spawnWeft, type WeftResult, waitFor } from "../cli/helpers.ts";
import { type GeneratedClient, generatedClient, grpcFailure, type Message } from "./grpc-client.ts";
import { denseConfig, denseModel, denseReference } from "./onnx-models.ts";

function hasOnnxRuntime(): boolean {
  try {
    createRequire(import.meta.url).resolve("onnxruntime-node");
    return true;
  } catch {
    return false;
  }
}
const ORT = hasOnnxRuntime();
if (!ORT)
  console.log("test/serving/grpc-serve.test.ts: onnxruntime-node is not installed; the gRPC serve tests are skipped");

describe.skipIf(!ORT)("weft serve over gRPC", () => {
  const box: Sandbox = sandbox();
  let child: ChildProcess;
  let done: Promise<WeftResult>;
  let restUrl = "";
  let generated: GeneratedClient;

  const call = (method: string, request: Message): Promise<Message> => generated.call(method, request);
  const failure = grpcFailure;

  beforeAll(async () => {
    const repository = join(box.dir, "repo");
    mkdirSync(repository, { recursive: true });
    writeTritonRepository(repository, {
      name: "dense",
      versions: [
        { version: "1", file: denseModel() },
        { version: "2", file: denseModel() },
      ],
      config: {
        ...denseConfig({
          maxBatchSize: 8,
          dynamicBatching: { preferredBatchSize: [], maxQueueDelayMicroseconds: 1000 },
        }),
        versionPolicy: { kind: "all" },
      },
    });
    child = spawnWeft(box.home, [
      "serve",
      "--repository",
      repository,
      "--port",
      "0",
      "--grpc-port",
      "0",
      "--workers",
      "1",
    ]);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    done = collect(child);
    const grpcPort = await waitFor(
      "weft serve to print its gRPC address",
      async () => {
        if (child.exitCode !== null) throw new Error(`weft serve exited ${child.exitCode}: ${(await done).stderr}`);
        const rest = /weft serve: REST (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        const g = /weft serve: gRPC 127\.0\.0\.1:(\d+)/.exec(out);
        if (!rest || !g) return undefined;
        restUrl = rest[1]!;
        return Number(g[1]);
      },
      60_000,
    );
    generated = generatedClient(`127.0.0.1:${grpcPort}`);
  });
  afterAll(async () => {
    generated?.client.close();
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    }
    box.cleanup();
  });

  it("answers health and metadata", async () => {
    expect(await call("ServerLive", {})).toEqual({ live: true });
    expect(await call("ServerReady", {})).toEqual({ ready: true });
    const server = await call("ServerMetadata", {});
    expect(server.name).toBe("weft");
    expect(server.extensions).toContain("model_repository");
    expect(await call("ModelReady", { name: "dense", version: "1" })).toEqual({ ready: true });
    expect(await call("ModelReady", { name: "nope" })).toEqual({ ready: false });
    expect(await call("ModelMetadata", { name: "dense" })).toEqual({
      name: "dense",
      versions: ["1", "2"],
      platform: "onnxruntime_onnx",
      inputs: [{ name: "x", datatype: "FP32", shape: ["-1", "4"] }],
      outputs: [{ name: "y", datatype: "FP32", shape: ["-1", "1"] }],
    });
  });

  it("infers with typed and raw contents, answering as the REST port does", async () => {
    const rows = [0.5, 1, -2, 0.25, 3, 0, 1, -1];
    const typed = await call("ModelInfer", {
      model_name: "dense",
      id: "g-1",
      inputs: [{ name: "x", datatype: "FP32", shape: [2, 4], contents: { fp32_contents: rows } }],
    });
    expect(typed).toMatchObject({ model_name: "dense", model_version: "2", id: "g-1" });
    const y: number[] = typed.outputs[0].contents.fp32_contents;
    const expected = denseReference(rows);
    for (const [i, v] of y.entries()) expect(v).toBeCloseTo(expected[i]!, 6);

    const raw = await call("ModelInfer", {
      model_name: "dense",
      model_version: "1",
      inputs: [{ name: "x", datatype: "FP32", shape: [2, 4] }],
      raw_input_contents: [Buffer.from(Float32Array.from(rows).buffer)],
    });
    expect(raw.model_version).toBe("1");
    const bytes: Buffer = raw.raw_output_contents[0];
    const rawY = Array.from(
      new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
    );
    expect(rawY).toEqual(y);

    const rest = await fetch(`${restUrl}/v2/models/dense/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputs: [{ name: "x", datatype: "FP32", shape: [2, 4], data: rows }] }),
    });
    expect(rest.status).toBe(200);
    const body = (await rest.json()) as { outputs: { data: number[] }[] };
    expect(body.outputs[0]!.data).toEqual(y);
  });

  it("answers bad requests with their status and a message naming what was wrong, and stays up", async () => {
    const x = (shape: number[], values: number[], datatype = "FP32") => ({
      model_name: "dense",
      inputs: [
        {
          name: "x",
          datatype,
          shape,
          contents: datatype === "FP32" ? { fp32_contents: values } : { int_contents: values },
        },
      ],
    });
    const cases: [Message, number, string[]][] = [
      [x([1, 3], [1, 2, 3]), grpc.status.INVALID_ARGUMENT, ['input "x"', "[1,3]"]],
      [x([1, 4], [1, 2, 3, 4], "INT32"), grpc.status.INVALID_ARGUMENT, ['input "x"', "FP32"]],
      [x([1, 4], [1, 2]), grpc.status.INVALID_ARGUMENT, ['input "x"', "needs 4"]],
      [{ ...x([1, 4], [1, 2, 3, 4]), model_name: "nope" }, grpc.status.NOT_FOUND, ["nope"]],
      [{ ...x([1, 4], [1, 2, 3, 4]), model_version: "9" }, grpc.status.NOT_FOUND, ["9"]],
      [
        {
          model_name: "dense",
          inputs: [{ name: "x", datatype: "FP32", shape: [1, 4] }],
          raw_input_contents: [Buffer.alloc(10)],
        },
        grpc.status.INVALID_ARGUMENT,
        ['input "x"', "10 bytes", "needs 16"],
      ],
    ];
    for (const [request, code, fragments] of cases) {
      const error = await failure(call("ModelInfer", request));
      expect(error.code, error.details).toBe(code);
      for (const fragment of fragments) expect(error.details).toContain(fragment);
    }
    expect(await call("ServerLive", {})).toEqual({ live: true });
  });

  it("lists, unloads and loads models through the repository extension", async () => {
    const index = await call("RepositoryIndex", {});
    expect(index.models.map((m: Message) => [m.name, m.version, m.state])).toEqual([
      ["dense", "1", "READY"],
      ["dense", "2", "READY"],
    ]);
    await call("RepositoryModelUnload", { model_name: "dense" });
    expect(await call("ModelReady", { name: "dense" })).toEqual({ ready: false });
    await call("RepositoryModelLoad", { model_name: "dense" });
    expect(await call("ModelReady", { name: "dense" })).toEqual({ ready: true });
    const unknown = await failure(call("RepositoryModelLoad", { model_name: "nope" }));
    expect(unknown.code).toBe(grpc.status.NOT_FOUND);
  });

  it("stops on SIGTERM with exit code 0", async () => {
    child.kill("SIGTERM");
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
  });
});
