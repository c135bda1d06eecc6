/**
 * The serving client against real HTTP servers on loopback: a small server in this file
 * that speaks the Open Inference Protocol's REST routes over a real ONNX Runtime session of
 * the dense test model, and that can be told to fail (503, 400, no answer) a number of
 * times; a port nobody listens on for "unreachable". The fallback runs the same model file
 * in-process, so its answers are compared with the server's exactly.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { denseModel, denseReference, identityModel, twoInputModel } from "../../../test/serving/onnx-models.ts";
import type { InferRequest, Tensor } from "../types.ts";
import { decodeInferRequest, encodeInferResult } from "../wire/index.ts";
import {
  backoffDelay,
  createServingClient,
  loadLocalOnnxModel,
  output,
  ROUTING_KEY_HEADER,
  retryPolicy,
  ServingClientError,
  type ServingClientError as ServingClientErrorType,
  tensor,
  toNumbers,
  toStrings,
} from "./index.ts";

/** How the server treats the next requests of `/v2/models/dense/infer`. */
type Fault = "503" | "400" | "hang";

interface Served {
  url: string;
  /** Requests received, by path. */
  hits: Map<string, number>;
  /** Headers of the last infer request. */
  lastHeaders: http.IncomingHttpHeaders;
  /** Content type and header-length header of the last infer request. */
  faults: Fault[];
  close(): Promise<void>;
}

async function expectError(promise: Promise<unknown>): Promise<ServingClientErrorType> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServingClientError);
  return error as ServingClientErrorType;
}

/** A REST server of the dense model, over a real ORT session. */
async function serveDense(): Promise<Served> {
  const session = await ort.InferenceSession.create(denseModel());
  const hanging: http.ServerResponse[] = [];
  const served: Served = {
    url: "",
    hits: new Map(),
    lastHeaders: {},
    faults: [],
    close: async () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      await session.release();
    },
  };
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const path = req.url ?? "";
      served.hits.set(path, (served.hits.get(path) ?? 0) + 1);
      const body = Buffer.concat(chunks);
      if (path === "/v2/models/dense/ready") return send(res, 200, {});
      if (path === "/v2/models/missing/ready") return send(res, 404, { error: "unknown model 'missing'" });
      if (path === "/v2/models/dense") {
        return send(res, 200, {
          name: "dense",
          versions: ["1"],
          platform: "onnxruntime_onnx",
          inputs: [{ name: "x", datatype: "FP32", shape: [-1, 4] }],
          outputs: [{ name: "y", datatype: "FP32", shape: [-1, 1] }],
        });
      }
      if (path === "/v1/models/dense:predict") {
        const { instances } = JSON.parse(body.toString()) as { instances: number[][] };
        return send(res, 200, { predictions: instances.map((row) => denseReference(row)) });
      }
      if (path !== "/v2/models/dense/infer" && path !== "/v2/models/dense/versions/2/infer") {
        return send(res, 404, { error: `no route ${path}` });
      }
      served.lastHeaders = req.headers;
      const fault = served.faults.shift();
      if (fault === "503") return send(res, 503, { error: "model 'dense' is loading" });
      if (fault === "400") return send(res, 400, { error: "input 'x': expected shape [-1,4]" });
      if (fault === "hang") {
        hanging.push(res);
        return;
      }
      let request: InferRequest;
      try {
        const length = req.headers["inference-header-content-length"];
        request = decodeInferRequest(new Uint8Array(body), length === undefined ? undefined : Number(length));
      } catch (e) {
        return send(res, 400, { error: (e as Error).message });
      }
      const x = request.inputs[0] as Tensor;
      const out = await session.run({ x: new ort.Tensor("float32", x.data as Float32Array, x.shape) });
      const y = out.y as ort.Tensor;
      const encoded = encodeInferResult(
        {
          modelName: "dense",
          modelVersion: path.includes("/versions/2/") ? "2" : "1",
          ...(request.id === undefined ? {} : { id: request.id }),
          outputs: [{ name: "y", datatype: "FP32", shape: [...y.dims], data: y.data as Float32Array }],
        },
        request,
      );
      const headers: http.OutgoingHttpHeaders = { "content-type": encoded.contentType };
      if (encoded.headerLength !== undefined) headers["inference-header-content-length"] = encoded.headerLength;
      res.writeHead(200, headers);
      res.end(encoded.body);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  served.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return served;
}

/** A loopback port nobody listens on (a server bound, then closed). */
async function deadPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((done) => s.listen(0, "127.0.0.1", done));
  const { port } = s.address() as AddressInfo;
  await new Promise((done) => s.close(done));
  return port;
}

const ROWS = [0.5, 1, -1, 2, 0, 0, 0, 0, 3, -2, 1, 0.25];
const X = { x: { datatype: "FP32" as const, shape: [3, 4], data: ROWS } };
const FAST = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

let served: Served;
let dead: string;
beforeAll(async () => {
  served = await serveDense();
  dead = `http://127.0.0.1:${await deadPort()}`;
});
afterAll(async () => {
  await served.close();
});

describe("remote inference over REST", () => {
  it("runs a request and decodes the outputs (JSON)", async () => {
    const client = createServingClient({ url: served.url });
    try {
      const answer = await client.infer("dense", X, { id: "r1" });
      expect(answer.answeredBy).toBe("remote");
      expect(answer.attempts).toBe(1);
      expect(answer.result.modelName).toBe("dense");
      expect(answer.result.id).toBe("r1");
      const y = output(answer.result, "y");
      expect(y.shape).toEqual([3, 1]);
      expect(toNumbers(y)).toEqual([...Float32Array.from(denseReference(ROWS))].map((v) => expect.closeTo(v, 6)));
      expect(served.lastHeaders["content-type"]).toBe("application/json");
    } finally {
      await client.close();
    }
  });

  it("sends and reads the binary tensor data extension, with the same results as JSON", async () => {
    const json = createServingClient({ url: served.url });
    const binary = createServingClient({ url: served.url, binary: true });
    try {
      const a = await json.infer("dense", X);
      const b = await binary.infer("dense", X, { version: "2" });
      expect(served.lastHeaders["content-type"]).toBe("application/octet-stream");
      expect(Number(served.lastHeaders["inference-header-content-length"])).toBeGreaterThan(0);
      expect(b.result.modelVersion).toBe("2");
      expect(output(b.result, "y").data).toEqual(output(a.result, "y").data);
    } finally {
      await json.close();
      await binary.close();
    }
  });

  it("sends the routing key and the client's headers", async () => {
    const client = createServingClient({ url: served.url, headers: { authorization: "Bearer t" } });
    try {
      await client.infer("dense", X, { routingKey: "card-42" });
      expect(served.lastHeaders[ROUTING_KEY_HEADER]).toBe("card-42");
      expect(served.lastHeaders.authorization).toBe("Bearer t");
    } finally {
      await client.close();
    }
  });

  it("asks readiness and metadata, and predicts over KServe v1", async () => {
    const client = createServingClient({ url: served.url });
    try {
      expect(await client.ready("dense")).toBe(true);
      expect(await client.ready("missing")).toBe(false);
      const meta = await client.metadata("dense");
      expect(meta.inputs).toEqual([{ name: "x", datatype: "FP32", shape: [-1, 4] }]);
      expect(await client.predict("dense", [[0.5, 1, -1, 2]])).toEqual([denseReference([0.5, 1, -1, 2])]);
      const e = await expectError(client.metadata("nothing-here"));
      expect(e.code).toBe("SERVING_REMOTE");
      expect(e.status).toBe(404);
      expect(e.remoteCode).toBe("NOT_FOUND");
      expect(e.message).toContain("no route /v2/models/nothing-here");
    } finally {
      await client.close();
    }
  });
});

describe("retries", () => {
  it("retries a 503 with backoff until the server answers", async () => {
    const client = createServingClient({ url: served.url, retries: FAST });
    try {
      served.faults.push("503", "503");
      const answer = await client.infer("dense", X);
      expect(answer.attempts).toBe(3);
      expect(answer.answeredBy).toBe("remote");
    } finally {
      served.faults.length = 0;
      await client.close();
    }
  });

  it("gives up after the last try with the server's error", async () => {
    const client = createServingClient({ url: served.url, retries: { ...FAST, attempts: 2 } });
    const before = served.hits.get("/v2/models/dense/infer") ?? 0;
    try {
      served.faults.push("503", "503", "503");
      const e = await expectError(client.infer("dense", X));
      expect(e.code).toBe("SERVING_REMOTE");
      expect(e.remoteCode).toBe("UNAVAILABLE");
      expect(e.attempts).toBe(2);
      expect(e.message).toContain("model 'dense' is loading");
      expect(served.hits.get("/v2/models/dense/infer")).toBe(before + 2);
    } finally {
      served.faults.length = 0;
      await client.close();
    }
  });

  it("never retries a 4xx", async () => {
    const client = createServingClient({ url: served.url, retries: FAST });
    const before = served.hits.get("/v2/models/dense/infer") ?? 0;
    try {
      served.faults.push("400");
      const e = await expectError(client.infer("dense", X));
      expect(e.code).toBe("SERVING_REMOTE");
      expect(e.status).toBe(400);
      expect(e.retryable).toBe(false);
      expect(e.attempts).toBe(1);
      expect(e.message).toContain("input 'x': expected shape [-1,4]");
      expect(served.hits.get("/v2/models/dense/infer")).toBe(before + 1);
    } finally {
      served.faults.length = 0;
      await client.close();
    }
  });

  it("retries a server that does not answer in time, then reports the timeout", async () => {
    const client = createServingClient({ url: served.url, timeoutMs: 50, retries: { ...FAST, attempts: 2 } });
    const before = served.hits.get("/v2/models/dense/infer") ?? 0;
    try {
      served.faults.push("hang", "hang");
      const e = await expectError(client.infer("dense", X));
      expect(e.code).toBe("SERVING_TIMEOUT");
      expect(e.message).toContain("did not answer within 50 ms");
      expect(served.hits.get("/v2/models/dense/infer")).toBe(before + 2);
    } finally {
      served.faults.length = 0;
      await client.close();
    }
  });

  it("reports a refused connection as unreachable, after its retries", async () => {
    const client = createServingClient({ url: dead, retries: FAST });
    try {
      const e = await expectError(client.infer("dense", X));
      expect(e.code).toBe("SERVING_UNREACHABLE");
      expect(e.attempts).toBe(3);
      expect(e.message).toContain("ECONNREFUSED");
      await expect(client.ready("dense")).rejects.toMatchObject({ code: "SERVING_UNREACHABLE" });
    } finally {
      await client.close();
    }
  });

  it("stops when the caller aborts", async () => {
    const client = createServingClient({ url: served.url, retries: FAST, fallback: { modelFile: denseModel() } });
    try {
      served.faults.push("hang");
      const controller = new AbortController();
      const call = client.infer("dense", X, { signal: controller.signal });
      setImmediate(() => controller.abort());
      const e = await expectError(call);
      expect(e.code).toBe("SERVING_ABORTED");
    } finally {
      served.faults.length = 0;
      await client.close();
    }
  });

  it("backs off exponentially with jitter, capped", () => {
    const policy = retryPolicy({ attempts: 5, baseDelayMs: 100, maxDelayMs: 300 });
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, policy, () => 0))).toEqual([50, 100, 150, 150]);
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, policy, () => 1))).toEqual([100, 200, 300, 300]);
    expect(() => retryPolicy({ attempts: 0 })).toThrow(/retries.attempts is 0/);
    expect(() => retryPolicy({ baseDelayMs: -1 })).toThrow(/retries.baseDelayMs is -1/);
  });
});

describe("local fallback", () => {
  it("answers with the local model when the server is unreachable, and equals the server's answer", async () => {
    const remote = createServingClient({ url: served.url });
    const client = createServingClient({ url: dead, retries: FAST, fallback: { modelFile: denseModel() } });
    try {
      const a = await remote.infer("dense", X);
      const b = await client.infer("dense", X);
      expect(b.answeredBy).toBe("fallback");
      expect(b.attempts).toBe(3);
      expect(b.remoteError?.code).toBe("SERVING_UNREACHABLE");
      expect(b.result.modelName).toBe("dense");
      expect(b.result.modelVersion).toBe("local");
      expect(output(b.result, "y").data).toEqual(output(a.result, "y").data);
    } finally {
      await remote.close();
      await client.close();
    }
  });

  it("does not fall back on a 4xx unless asked to (when: error)", async () => {
    const unreachable = createServingClient({ url: served.url, fallback: { modelFile: denseModel() } });
    const onError = createServingClient({ url: served.url, fallback: { modelFile: denseModel(), when: "error" } });
    try {
      served.faults.push("400");
      expect((await expectError(unreachable.infer("dense", X))).status).toBe(400);
      served.faults.push("400");
      const b = await onError.infer("dense", X);
      expect(b.answeredBy).toBe("fallback");
      expect(b.remoteError?.status).toBe(400);
    } finally {
      served.faults.length = 0;
      await unreachable.close();
      await onError.close();
    }
  });

  it("answers with the local model when the server is slow (when: slow), and from the server when it is not", async () => {
    const client = createServingClient({
      url: served.url,
      fallback: { modelFile: denseModel(), when: "slow", slowMs: 100, version: "edge" },
    });
    try {
      served.faults.push("hang");
      const b = await client.infer("dense", X);
      expect(b.answeredBy).toBe("fallback");
      expect(b.result.modelVersion).toBe("edge");
      expect(b.remoteError?.code).toBe("SERVING_TIMEOUT");
      expect(b.remoteError?.message).toContain("fallback.slowMs");
      const c = await client.infer("dense", X);
      expect(c.answeredBy).toBe("remote");
    } finally {
      served.faults.length = 0;
      await client.close();
    }
  });

  it("reports both failures when the fallback fails too", async () => {
    const client = createServingClient({
      url: dead,
      retries: false,
      fallback: { modelFile: denseModel() },
    });
    try {
      const e = await expectError(
        client.infer("dense", { z: { datatype: "FP32", shape: [1, 4], data: [1, 2, 3, 4] } }),
      );
      expect(e.code).toBe("SERVING_FALLBACK_FAILED");
      expect(e.attempts).toBe(1);
      expect(e.message).toContain("ECONNREFUSED");
      expect(e.message).toContain("the fallback model failed too");
    } finally {
      await client.close();
    }
  });

  it("names a fallback file that is not a model", async () => {
    const bad = join(dirname(denseModel()), "not-a-model.onnx");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(bad, "id,amount\n");
    await expect(loadLocalOnnxModel(bad)).rejects.toThrow(/not-a-model\.onnx cannot be loaded/);
  });

  it("runs every datatype the local runtime takes, BYTES and FP16 included", async () => {
    const cases = [
      { datatype: "BYTES" as const, data: ["a", "bc"] },
      { datatype: "FP16" as const, data: [1.5, -2] },
      { datatype: "INT64" as const, data: [1n, -(2n ** 40n)] },
      { datatype: "BOOL" as const, data: [true, false] },
      { datatype: "UINT8" as const, data: [0, 255] },
    ];
    for (const c of cases) {
      const local = await loadLocalOnnxModel(identityModel(c.datatype));
      try {
        const [y] = await local.run([tensor("x", c.datatype, [1, 2], c.data)]);
        if (c.datatype === "BYTES") expect(toStrings(y as Tensor)).toEqual(c.data);
        else if (c.datatype === "INT64") expect([...((y as Tensor).data as BigInt64Array)]).toEqual(c.data);
        else expect(toNumbers(y as Tensor)).toEqual(c.data.map(Number));
      } finally {
        await local.close();
      }
    }
    const two = await loadLocalOnnxModel(twoInputModel());
    try {
      const a = tensor("a", "FP32", [1, 2], [1, 2]);
      const b = tensor("b", "FP32", [1, 2], [10, 20]);
      const outs = await two.run([a, b], ["diff"]);
      expect(outs.map((t) => [t.name, toNumbers(t)])).toEqual([["diff", [-9, -18]]]);
    } finally {
      await two.close();
    }
  });
});

describe("inputs and arguments", () => {
  it("checks inputs before sending anything, naming the input", async () => {
    const client = createServingClient({ url: served.url });
    const before = served.hits.get("/v2/models/dense/infer") ?? 0;
    try {
      const e = await expectError(client.infer("dense", { x: { datatype: "FP32", shape: [2, 4], data: [1, 2, 3] } }));
      expect(e.code).toBe("SERVING_BAD_INPUT");
      expect(e.message).toContain('input "x" has 3 elements but shape [2,4] holds 8');
      const f = await expectError(client.infer("dense", { x: { datatype: "INT8", shape: [1], data: [300] } }));
      expect(f.message).toContain('input "x"');
      expect(served.hits.get("/v2/models/dense/infer") ?? 0).toBe(before);
    } finally {
      await client.close();
    }
  });

  it("names a bad gRPC target on the first call, and a client never called leaves no error behind", async () => {
    // never called nor closed: its transport's rejection must be heard all the same
    createServingClient({ url: "grpc://no such host/x" });
    await import("./grpc.ts");
    await new Promise((done) => setImmediate(done));
    const client = createServingClient({ url: "grpc://no such host/x" });
    const e = await expectError(client.infer("dense", X));
    expect(e.code).toBe("SERVING_BAD_INPUT");
    expect(e.message).toContain("is not host:port");
    await client.close();
  });

  it("refuses bad settings with the setting named", () => {
    expect(() => createServingClient({ url: "ftp://x" })).toThrow(/not an http:\/\/ or https:\/\/ URL/);
    expect(() => createServingClient({ url: "nope" })).toThrow(/"nope" is not a URL/);
    expect(() => createServingClient({ url: "http://127.0.0.1:1", fallback: {} })).toThrow(/fallback needs modelFile/);
    expect(() => createServingClient({ url: "http://127.0.0.1:1", timeoutMs: -1 })).toThrow(/timeoutMs is -1/);
  });
});

describe("the package boundary", () => {
  it("imports nothing server-side: only the client, the wire codec, the shared types and errors", () => {
    const root = resolve(import.meta.dirname, "../../..");
    const seen = new Set<string>();
    const external = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      // static imports and re-exports (`import type` is erased, but is held to the same rule)
      for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)";/gms)) {
        const spec = m[1] as string;
        if (spec.startsWith(".")) walk(resolve(dirname(file), spec));
        else external.add(spec);
      }
    };
    walk(join(root, "src/serving/client/index.ts"));
    const files = [...seen].map((f) => f.slice(root.length + 1)).sort();
    for (const f of files) {
      expect(f).toMatch(/^src\/(serving\/(client|wire)\/[a-z-]+\.ts|serving\/(types|errors)\.ts|ir\/weft-error\.ts)$/);
    }
    expect([...external].filter((s) => !s.startsWith("node:"))).toEqual([]);
  });
});
