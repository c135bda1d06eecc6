/**
 * The REST model server against real ONNX Runtime sessions on loopback: every route of the
 * Open Inference Protocol v2 (responses checked against the protocol's OpenAPI spec), the
 * binary tensor data extension, Triton's config route, the repository extension, KServe v1,
 * transformers, the extra-route hook, and bad input that each answers a 4xx naming the input
 * while the server stays up. Without the spec (a clone without `../shared`) the answers are
 * still checked, only not against its schemas.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  denseConfig,
  denseModel,
  denseReference,
  identityConfig,
  identityModel,
  twoInputConfig,
  twoInputModel,
} from "../../test/serving/onnx-models.ts";
import { sharedPath } from "../../test/shared-dir.ts";
import { ServingError } from "./errors.ts";
import { type RestServer, startRestServer } from "./http-server.ts";
import { resolveSources } from "./repository.ts";
import { createModelService } from "./service.ts";
import { writeTritonRepository } from "./triton-repo.ts";
import type {
  Datatype,
  InferEvent,
  InferRequest,
  ModelConfig,
  ModelService,
  RepositoryIndexEntry,
  Transformer,
} from "./types.ts";
import { DATATYPES } from "./types.ts";
import { decodeInferResult, encodeInferRequest, floatToHalf } from "./wire/index.ts";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json(): unknown;
}

/** One HTTP request with node:http (raw bodies and headers, as a protocol client sends them). */
function send(
  base: string,
  method: string,
  path: string,
  body?: string | Uint8Array,
  headers: Record<string, string | number> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const buf = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: buf,
          json: () => JSON.parse(buf.toString("utf8")),
        });
      });
    });
    req.on("error", reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

const spec = sharedPath("specs/open-inference-protocol-rest.yaml");

/** The spec's response schemas as validators; everything accepted when the spec is absent. */
function specSchemas(): Record<string, ValidateFunction> {
  if (!spec.present) return {};
  const doc = parseYaml(readFileSync(spec.path, "utf8")) as { components: { schemas: Record<string, unknown> } };
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ components: doc.components }, "oip");
  const names = [
    "metadata_server_response",
    "metadata_model_response",
    "inference_response",
    "inference_error_response",
    "metadata_model_error_response",
  ];
  return Object.fromEntries(names.map((n) => [n, ajv.compile({ $ref: `oip#/components/schemas/${n}` })]));
}

const DATATYPES_SERVED: readonly Datatype[] = DATATYPES;

/** JSON values and the binary-path typed array of two rows of each datatype. */
function sampleRows(datatype: Datatype): unknown[] {
  switch (datatype) {
    case "BOOL":
      return [true, false, false, true];
    case "FP16":
      return [1.5, -2, 0.25, 1024];
    case "FP32":
    case "FP64":
      return [0.5, -1.25, 3, 0.125];
    case "BYTES":
      return ["a", "héllo", "", "z"];
    case "INT8":
    case "INT16":
    case "INT32":
    case "INT64":
      return [-3, 7, 0, 100];
    default:
      return [3, 7, 0, 100];
  }
}

describe("REST model server", () => {
  if (!spec.present) console.log(`checking REST answers without the protocol's OpenAPI schemas: ${spec.reason}`);
  let server: RestServer;
  let service: ModelService;
  let base: string;
  let schemas: Record<string, ValidateFunction>;
  const refused: InferEvent[] = [];
  const repo = mkdtempSync(join(tmpdir(), "weft-rest-repo-"));

  const conforms = (schema: string, value: unknown) => {
    const validate = schemas[schema];
    if (validate === undefined) return; // the spec is absent (a clone without ../shared): said once above
    const ok = validate(value);
    expect(ok, JSON.stringify(validate.errors)).toBe(true);
  };

  beforeAll(async () => {
    schemas = specSchemas();
    const models: { file: string; config: ModelConfig }[] = [
      {
        file: denseModel(),
        config: denseConfig({ dynamicBatching: { preferredBatchSize: [], maxQueueDelayMicroseconds: 0 } }),
      },
      { file: denseModel(), config: denseConfig({ name: "scored" }) },
      { file: twoInputModel(), config: twoInputConfig() },
      ...DATATYPES_SERVED.map((d) => ({ file: identityModel(d), config: identityConfig(d) })),
    ];
    for (const m of models)
      writeTritonRepository(repo, {
        name: m.config.name,
        versions: [{ version: "1", file: m.file }],
        config: m.config,
      });
    const scaled: Transformer = {
      preprocess(payload) {
        const rows = (payload as { rows?: number[][] }).rows;
        if (!Array.isArray(rows)) throw new ServingError("INVALID_ARGUMENT", `the payload needs "rows"`);
        return {
          inputs: [{ name: "x", datatype: "FP32", shape: [rows.length, 4], data: Float32Array.from(rows.flat()) }],
        };
      },
      postprocess(result, context) {
        return { scores: Array.from(result.outputs[0]!.data as Float32Array), via: context.protocol };
      },
    };
    const sources = await resolveSources([{ source: repo, repository: true }]);
    service = await createModelService(sources, { workers: 1, transformers: { scored: scaled }, resolveSource: null });
    server = await startRestServer(service, {
      port: 0,
      bodyLimitBytes: 64 * 1024,
      observer: { infer: (e) => refused.push(e) },
      extraRoutes: (req, res) => {
        if (req.url !== "/metrics") return false;
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("weft_up 1\n");
        return true;
      },
    });
    base = server.url;
  });

  afterAll(async () => {
    await server?.close();
    await service?.close();
    rmSync(repo, { recursive: true, force: true });
  });

  it("listens on loopback and answers health and server metadata", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await send(base, "GET", "/v2/health/live")).status).toBe(200);
    expect((await send(base, "GET", "/v2/health/ready")).status).toBe(200);
    const head = await send(base, "HEAD", "/v2/health/ready");
    expect([head.status, head.body.length]).toEqual([200, 0]);
    for (const path of ["/v2", "/v2/"]) {
      const meta = await send(base, "GET", path);
      expect(meta.status).toBe(200);
      conforms("metadata_server_response", meta.json());
      expect(meta.json()).toMatchObject({
        name: "weft",
        extensions: expect.arrayContaining(["model_repository", "binary_tensor_data"]),
      });
    }
  });

  it("answers model metadata, readiness and Triton's config, versioned or not", async () => {
    for (const path of ["/v2/models/dense", "/v2/models/dense/versions/1"]) {
      const meta = await send(base, "GET", path);
      expect(meta.status).toBe(200);
      conforms("metadata_model_response", meta.json());
      expect(meta.json()).toMatchObject({ name: "dense", versions: ["1"], platform: "onnxruntime_onnx" });
      expect((await send(base, "GET", `${path}/ready`)).status).toBe(200);
    }
    const config = await send(base, "GET", "/v2/models/dense/config");
    expect(config.json()).toEqual({
      name: "dense",
      platform: "onnxruntime_onnx",
      backend: "onnxruntime",
      max_batch_size: 8,
      input: [{ name: "x", data_type: "TYPE_FP32", dims: [4] }],
      output: [{ name: "y", data_type: "TYPE_FP32", dims: [1] }],
      version_policy: { latest: { num_versions: 1 } },
      dynamic_batching: { preferred_batch_size: [], max_queue_delay_microseconds: 0 },
    });
    const unknown = await send(base, "GET", "/v2/models/nope");
    expect(unknown.status).toBe(404);
    conforms("metadata_model_error_response", unknown.json());
    expect((unknown.json() as { error: string }).error).toMatch(
      /^model 'nope' is not served here; served models: dense, /,
    );
    const version = await send(base, "GET", "/v2/models/dense/versions/7/ready");
    expect(version.status).toBe(404);
    expect(version.json()).toEqual({ error: "model 'dense' has no version 7 loaded; loaded versions: 1" });
  });

  it("infers over JSON, versioned or not, with the request's id and the outputs it asks for", async () => {
    const rows = [0.5, 1, -1, 2, 0, 0, 0, 0];
    const body = JSON.stringify({ id: "42", inputs: [{ name: "x", datatype: "FP32", shape: [2, 4], data: rows }] });
    for (const path of ["/v2/models/dense/infer", "/v2/models/dense/versions/1/infer"]) {
      const res = await send(base, "POST", path, body, { "content-type": "application/json" });
      expect(res.status).toBe(200);
      const json = res.json() as { outputs: { data: number[] }[] };
      conforms("inference_response", json);
      expect(json).toMatchObject({ model_name: "dense", model_version: "1", id: "42" });
      expect(json.outputs[0]).toMatchObject({ name: "y", datatype: "FP32", shape: [2, 1] });
      const expected = denseReference(rows);
      json.outputs[0]!.data.forEach((v, i) => {
        expect(v).toBeCloseTo(expected[i]!, 6);
      });
    }
    // nested data, and only the requested output of a two-output model
    const two = await send(
      base,
      "POST",
      "/v2/models/two_input/infer",
      JSON.stringify({
        inputs: [
          { name: "a", datatype: "FP32", shape: [1, 2], data: [[1, 2]] },
          { name: "b", datatype: "FP32", shape: [1, 2], data: [[10, 20]] },
        ],
        outputs: [{ name: "diff" }],
      }),
    );
    expect(two.status).toBe(200);
    conforms("inference_response", two.json());
    expect((two.json() as { outputs: unknown }).outputs).toEqual([
      { name: "diff", datatype: "FP32", shape: [1, 2], data: [-9, -18] },
    ]);
  });

  it.each(DATATYPES_SERVED)("infers %s over JSON and over binary tensor data, both ways", async (datatype) => {
    const path = `/v2/models/identity_${datatype.toLowerCase()}/infer`;
    const values = sampleRows(datatype);
    const json = await send(
      base,
      "POST",
      path,
      JSON.stringify({ inputs: [{ name: "x", datatype, shape: [2, 2], data: values }] }),
    );
    expect(json.status, json.body.toString()).toBe(200);
    conforms("inference_response", json.json());
    const out = (json.json() as { outputs: { data: unknown[]; datatype: string; shape: number[] }[] }).outputs[0]!;
    expect(out).toMatchObject({ datatype, shape: [2, 2] });
    expect(out.data).toEqual(values);
    // the same tensor in binary, asking for the output in binary
    const request: InferRequest = {
      inputs: [{ name: "x", datatype, shape: [2, 2], data: typedOf(datatype, values) }],
    };
    const encoded = encodeInferRequest(request, { binary: true, binaryOutputs: true });
    const bin = await send(base, "POST", path, encoded.body, {
      "content-type": "application/octet-stream",
      "inference-header-content-length": encoded.headerLength!,
    });
    expect(bin.status, bin.body.toString()).toBe(200);
    const headerLength = Number(bin.headers["inference-header-content-length"]);
    expect(headerLength).toBeGreaterThan(0);
    const header = JSON.parse(bin.body.subarray(0, headerLength).toString()) as { outputs: { parameters: object }[] };
    expect(header.outputs[0]!.parameters).toHaveProperty("binary_data_size");
    const result = decodeInferResult(bin.body, headerLength);
    const plain = (data: unknown) =>
      Array.from(data as ArrayLike<unknown>, (v) => (v instanceof Uint8Array ? [...v] : v));
    expect(plain(result.outputs[0]!.data)).toEqual(plain(request.inputs[0]!.data));
  });

  it("refuses bad input with a 4xx naming the input and what was expected, and stays up", async () => {
    const post = (path: string, body: unknown, headers?: Record<string, string | number>) =>
      send(
        base,
        "POST",
        path,
        typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
        headers,
      );
    const x = (shape: number[], data: unknown[], datatype = "FP32") => ({
      inputs: [{ name: "x", datatype, shape, data }],
    });
    const cases: [Promise<Answer>, number, RegExp][] = [
      [
        post("/v2/models/dense/infer", x([2, 3], [1, 2, 3, 4, 5, 6])),
        400,
        /input "x" has shape \[2,3\] but model "dense" expects \[-1,4\]/,
      ],
      [
        post("/v2/models/dense/infer", x([1, 4], [1, 2, 3, 4], "FP64")),
        400,
        /input "x" has datatype FP64 but model "dense" expects FP32/,
      ],
      [
        post("/v2/models/dense/infer", x([1, 4], [1, 2, 3])),
        400,
        /input "x": shape \[1,4\] holds 4 elements but "data" has 3/,
      ],
      [
        post("/v2/models/dense/infer", {
          inputs: [{ name: "z", datatype: "FP32", shape: [1, 4], data: [1, 2, 3, 4] }],
        }),
        400,
        /input "z" is not an input of model "dense": its inputs are "x"/,
      ],
      [post("/v2/models/nope/infer", x([1, 4], [1, 2, 3, 4])), 404, /model 'nope' is not served here/],
      [
        post("/v2/models/dense/versions/9/infer", x([1, 4], [1, 2, 3, 4])),
        404,
        /model 'dense' has no version 9 loaded; loaded versions: 1/,
      ],
      [post("/v2/models/dense/infer", "{not json"), 400, /the body is not valid JSON/],
      [post("/v2/models/nope/infer", "{not json"), 400, /the body is not valid JSON/],
      [
        post("/v2/models/dense/infer", JSON.stringify(x([1, 4], [1, 2, 3, 4])), {
          "inference-header-content-length": 999999,
        }),
        400,
        /Inference-Header-Content-Length is 999999 but the body has \d+ bytes/,
      ],
      [
        post("/v2/models/dense/infer", JSON.stringify(x([1, 4], [1, 2, 3, 4])), {
          "inference-header-content-length": "ten",
        }),
        400,
        /Inference-Header-Content-Length is "ten"/,
      ],
      [post("/v2/models/dense/infer", "x".repeat(70 * 1024)), 413, /over the server's limit of 65536 bytes/],
      [send(base, "GET", "/v2/models/dense/infer"), 400, /GET \/v2\/models\/dense\/infer is not allowed: use POST/],
      [send(base, "GET", "/v3/what"), 404, /no route GET \/v3\/what/],
    ];
    for (const [answer, status, message] of cases) {
      const res = await answer;
      expect(res.status, res.body.toString()).toBe(status);
      conforms("inference_error_response", res.json());
      expect((res.json() as { error: string }).error).toMatch(message);
    }
    // a binary header that promises more bytes than the body has
    const header = JSON.stringify({
      inputs: [{ name: "x", datatype: "FP32", shape: [1, 4], parameters: { binary_data_size: 16 } }],
    });
    const short = Buffer.concat([Buffer.from(header), Buffer.alloc(8)]);
    const bad = await post("/v2/models/dense/infer", short, {
      "inference-header-content-length": Buffer.byteLength(header),
    });
    expect(bad.status).toBe(400);
    expect((bad.json() as { error: string }).error).toMatch(
      /input "x": binary_data_size 16 runs past the end of the body \(8 bytes/,
    );
    // still up, still right
    const ok = await post("/v2/models/dense/infer", x([1, 4], [0, 0, 0, 0]));
    expect(ok.status).toBe(200);
    expect(refused.some((e) => e.model === "dense" && !e.ok && e.error === "INVALID_ARGUMENT")).toBe(true);
    // a name the server does not serve never becomes a metrics label
    expect(refused.some((e) => e.model === "nope")).toBe(false);
  });

  it("speaks KServe v1: model list, model status and :predict with instances or columns", async () => {
    const list = (await send(base, "GET", "/v1/models")).json() as { models: string[] };
    expect(list.models).toEqual(expect.arrayContaining(["dense", "two_input", "identity_fp32"]));
    expect((await send(base, "GET", "/v1/models/dense")).json()).toEqual({ name: "dense", ready: true });
    expect((await send(base, "GET", "/v1/models/nope")).status).toBe(404);
    const rows = [
      [0.5, 1, -1, 2],
      [0, 0, 0, 1],
    ];
    const predicted = (
      await send(base, "POST", "/v1/models/dense:predict", JSON.stringify({ instances: rows }))
    ).json() as {
      predictions: number[][];
    };
    const expected = denseReference(rows.flat());
    expect(predicted.predictions).toHaveLength(2);
    predicted.predictions.forEach((p, i) => {
      expect(p[0]).toBeCloseTo(expected[i]!, 6);
    });
    const columns = await send(
      base,
      "POST",
      "/v1/models/two_input:predict",
      JSON.stringify({ inputs: { a: [[1, 2]], b: [[3, 5]] } }),
    );
    expect(columns.json()).toEqual({ predictions: [{ sum: [4, 7], diff: [-2, -3] }] });
    const named = await send(
      base,
      "POST",
      "/v1/models/two_input:predict",
      JSON.stringify({ instances: [{ a: [1, 1], b: [2, 2] }] }),
    );
    expect(named.json()).toEqual({ predictions: [{ sum: [3, 3], diff: [-1, -1] }] });
    const ragged = await send(
      base,
      "POST",
      "/v1/models/dense:predict",
      JSON.stringify({
        instances: [
          [1, 2, 3, 4],
          [1, 2],
        ],
      }),
    );
    expect(ragged.status).toBe(400);
    expect((ragged.json() as { error: string }).error).toMatch(
      /input "x" of model "dense": instance 1 has shape \[2\] but instance 0 has \[4\]/,
    );
  });

  it("runs a model's transformer on v2 and v1 bodies", async () => {
    const rows = [[0.5, 1, -1, 2]];
    const v2 = await send(base, "POST", "/v2/models/scored/infer", JSON.stringify({ rows }));
    expect(v2.status, v2.body.toString()).toBe(200);
    const answer = v2.json() as { scores: number[]; via: string };
    expect(answer.via).toBe("v2");
    expect(answer.scores[0]).toBeCloseTo(denseReference(rows[0]!)[0]!, 6);
    const v1 = await send(base, "POST", "/v1/models/scored:predict", JSON.stringify({ rows }));
    expect((v1.json() as { via: string }).via).toBe("v1");
    const bad = await send(base, "POST", "/v2/models/scored/infer", JSON.stringify({ instances: rows }));
    expect(bad.status).toBe(400);
    expect(bad.json()).toEqual({ error: 'the payload needs "rows"' });
  });

  it("serves the repository extension: index, unload, load", async () => {
    const index = await send(base, "POST", "/v2/repository/index", "");
    expect(index.status).toBe(200);
    expect(index.json()).toEqual(expect.arrayContaining([{ name: "identity_int8", version: "1", state: "READY" }]));
    const unload = await send(base, "POST", "/v2/repository/models/identity_int8/unload", "{}");
    expect(unload.status).toBe(200);
    const notReady = await send(base, "GET", "/v2/models/identity_int8/ready");
    expect(notReady.status).toBe(404);
    expect((notReady.json() as { error: string }).error).toMatch(/model 'identity_int8' has no version loaded/);
    const ready = (
      await send(base, "POST", "/v2/repository/index", JSON.stringify({ ready: true }))
    ).json() as RepositoryIndexEntry[];
    expect(ready.map((e) => e.name)).not.toContain("identity_int8");
    const infer = await send(
      base,
      "POST",
      "/v2/models/identity_int8/infer",
      JSON.stringify({ inputs: [{ name: "x", datatype: "INT8", shape: [1, 2], data: [1, 2] }] }),
    );
    expect(infer.status).toBe(503);
    expect((infer.json() as { error: string }).error).toMatch(
      /model 'identity_int8' is not ready: it was unloaded; load it/,
    );
    const load = await send(
      base,
      "POST",
      "/v2/repository/models/identity_int8/load",
      JSON.stringify({ parameters: {} }),
    );
    expect(load.status).toBe(200);
    expect((await send(base, "GET", "/v2/models/identity_int8/ready")).status).toBe(200);
    expect((await send(base, "POST", "/v2/repository/models/nope/load")).status).toBe(404);
  });

  it("hands other paths to the extra-route hook", async () => {
    const metrics = await send(base, "GET", "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.body.toString()).toBe("weft_up 1\n");
  });

  it("refuses a streamed body past the limit (no content-length) and a binary body for a transformer", async () => {
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(`${base}/v2/models/dense/infer`, { method: "POST" }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString()) });
        });
      });
      req.on("error", reject);
      // chunked: the server only learns the size while reading
      for (let i = 0; i < 20; i++) req.write("x".repeat(8 * 1024));
      req.end();
    });
    expect(answer.status).toBe(413);
    expect((answer.json() as { error: string }).error).toMatch(/more than 65536 bytes/);
    const binary = encodeInferRequest(
      { inputs: [{ name: "x", datatype: "FP32", shape: [1, 4], data: new Float32Array(4) }] },
      { binary: true },
    );
    const refusedBinary = await send(base, "POST", "/v2/models/scored/infer", binary.body, {
      "inference-header-content-length": binary.headerLength!,
    });
    expect(refusedBinary.status).toBe(400);
    expect((refusedBinary.json() as { error: string }).error).toMatch(/model "scored" has a transformer/);
    expect((await send(base, "GET", "/v2/health/live")).status).toBe(200);
  });

  it("lets a request in flight finish when it closes, then refuses connections", async () => {
    let release!: () => void;
    let arrived!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const inside = new Promise<void>((r) => {
      arrived = r;
    });
    const gated: ModelService = Object.assign(Object.create(service) as ModelService, {
      async infer(...args: Parameters<ModelService["infer"]>) {
        arrived();
        await gate;
        return service.infer(...args);
      },
    });
    const second = await startRestServer(gated, { port: 0 });
    const body = JSON.stringify({ inputs: [{ name: "x", datatype: "FP32", shape: [1, 4], data: [0, 0, 0, 0] }] });
    const answer = send(second.url, "POST", "/v2/models/dense/infer", body);
    await inside;
    const closed = second.close();
    release();
    expect((await answer).status).toBe(200);
    await closed;
    await expect(send(second.url, "GET", "/v2/health/live")).rejects.toThrow(/ECONNREFUSED/);
  });
});

function typedOf(datatype: Datatype, values: unknown[]) {
  switch (datatype) {
    case "BOOL":
      return Uint8Array.from(values as boolean[], (v) => (v ? 1 : 0));
    case "FP16":
      return Uint16Array.from(values as number[], floatToHalf);
    case "BYTES":
      return (values as string[]).map((s) => new TextEncoder().encode(s));
    case "INT64":
      return BigInt64Array.from(values as number[], (v) => BigInt(v));
    case "UINT64":
      return BigUint64Array.from(values as number[], (v) => BigInt(v));
    default: {
      const ctor = {
        UINT8: Uint8Array,
        UINT16: Uint16Array,
        UINT32: Uint32Array,
        INT8: Int8Array,
        INT16: Int16Array,
        INT32: Int32Array,
        FP32: Float32Array,
        FP64: Float64Array,
      }[datatype as "UINT8"];
      return ctor.from(values as number[]);
    }
  }
}
