/**
 * deployModel: the Triton repository and KServe manifest it writes from a real ONNX file,
 * and its deploy, smoke test and rollback against an Open Inference Protocol server on
 * loopback that speaks the model repository extension (each version answers y = k·sum(x),
 * with k set per version, so a "bad" version is one whose k differs from the pipeline's).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onnx } from "onnx-proto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { executeComponent } from "../executor/index.ts";
import { startRestServer } from "../serving/http-server.ts";
import { resolveSources } from "../serving/repository.ts";
import { createModelService } from "../serving/service.ts";
import {
  inferenceServiceManifest,
  kubernetesName,
  tritonConfigOf,
  writeConfigPbtxt,
  writeTritonRepository,
} from "./deploy-manifests.ts";
import { checkSmokeTest, defaultServedName, deployModel, deployModelTo, parseModelUri } from "./deploy-model.ts";
import { ComponentError } from "./errors.ts";
import { readOnnxInfo } from "./onnx-info.ts";

const dir = mkdtempSync(join(tmpdir(), "weft-deploy-"));

/** A small ONNX model built with onnx-proto: x[batch,4] FP32 (+ a weight initializer) → y[batch,1], z INT64[batch]. */
function onnxModel(): Uint8Array {
  const vi = (name: string, elemType: number, dims: (number | string)[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType,
          shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
        },
      },
    });
  const w = Float32Array.of(1, 1, 1, 1);
  const graph = onnx.GraphProto.create({
    name: "g",
    node: [onnx.NodeProto.create({ opType: "MatMul", input: ["x", "w"], output: ["y"] })],
    initializer: [onnx.TensorProto.create({ name: "w", dims: [4, 1], dataType: 1, rawData: new Uint8Array(w.buffer) })],
    // older exporters list initializers among the inputs: they are not served inputs
    input: [vi("x", 1, ["batch", 4]), vi("w", 1, [4, 1])],
    output: [vi("y", 1, ["batch", 1]), vi("z", 7, ["batch"])],
  });
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ version: 13 }], graph }),
  ).finish();
}

const modelFile = join(dir, "model.onnx");
writeFileSync(modelFile, onnxModel());

/** x FP32 [batch,4] → y FP32 [batch,1] = x · [k, k, k, k], written to `file`. */
function matmulModel(file: string, k: number): string {
  const vi = (name: string, dims: (number | string)[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: 1,
          shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
        },
      },
    });
  const w = Float32Array.of(k, k, k, k);
  const graph = onnx.GraphProto.create({
    name: "matmul",
    node: [onnx.NodeProto.create({ opType: "MatMul", input: ["x", "w"], output: ["y"] })],
    initializer: [onnx.TensorProto.create({ name: "w", dims: [4, 1], dataType: 1, rawData: new Uint8Array(w.buffer) })],
    input: [vi("x", ["batch", 4])],
    output: [vi("y", ["batch", 1])],
  });
  const path = join(dir, file);
  writeFileSync(
    path,
    onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ version: 13 }], graph })).finish(),
  );
  return path;
}

/** x FP32 [batch,4] → y FP32 [batch] = x · [1, 2, 3, 4]: one scalar per row. */
function scalarModel(file: string): string {
  const vi = (name: string, dims: (number | string)[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: 1,
          shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
        },
      },
    });
  const w = Float32Array.of(1, 2, 3, 4);
  const graph = onnx.GraphProto.create({
    name: "scalar",
    node: [onnx.NodeProto.create({ opType: "MatMul", input: ["x", "w"], output: ["y"] })],
    initializer: [onnx.TensorProto.create({ name: "w", dims: [4], dataType: 1, rawData: new Uint8Array(w.buffer) })],
    input: [vi("x", ["batch", 4])],
    output: [vi("y", ["batch"])],
  });
  const path = join(dir, file);
  writeFileSync(
    path,
    onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ version: 13 }], graph })).finish(),
  );
  return path;
}

async function hasOnnxRuntime(): Promise<boolean> {
  try {
    await import("onnxruntime-node");
    return true;
  } catch {
    console.log("skipped: onnxruntime-node is not installed");
    return false;
  }
}

describe("reading ONNX and writing the Triton repository and KServe manifest", () => {
  it("reads the graph's inputs (less initializers) and outputs with Triton types and dims", () => {
    expect(readOnnxInfo(readFileSync(modelFile), modelFile)).toEqual({
      inputs: [{ name: "x", dataType: "TYPE_FP32", dims: [-1, 4] }],
      outputs: [
        { name: "y", dataType: "TYPE_FP32", dims: [-1, 1] },
        { name: "z", dataType: "TYPE_INT64", dims: [-1] },
      ],
    });
    expect(() => readOnnxInfo(new TextEncoder().encode("not a model at all"), "m.onnx")).toThrow(
      /m\.onnx is not an ONNX model/,
    );
  });

  it("writes config.pbtxt with the batch dimension left out, and dynamic batching", () => {
    const config = tritonConfigOf("fraud", readOnnxInfo(readFileSync(modelFile), modelFile), {
      maxBatchSize: 256,
      maxQueueDelayMicroseconds: 100,
    });
    expect(writeConfigPbtxt(config)).toBe(
      [
        'name: "fraud"',
        'platform: "onnxruntime_onnx"',
        "max_batch_size: 256",
        "input [",
        "  {",
        '    name: "x"',
        "    data_type: TYPE_FP32",
        "    dims: [ 4 ]",
        "  }",
        "]",
        "output [",
        "  {",
        '    name: "y"',
        "    data_type: TYPE_FP32",
        "    dims: [ 1 ]",
        "  },",
        "  {",
        '    name: "z"',
        "    data_type: TYPE_INT64",
        "    dims: [ 1 ]",
        "    reshape: { shape: [ ] }",
        "  }",
        "]",
        "instance_group [ { count: 1, kind: KIND_CPU } ]",
        "dynamic_batching { max_queue_delay_microseconds: 100 }",
        "",
      ].join("\n"),
    );
    const unbatched = tritonConfigOf(
      "m",
      {
        inputs: [{ name: "x", dataType: "TYPE_FP32", dims: [3] }],
        outputs: [{ name: "y", dataType: "TYPE_FP32", dims: [-1] }],
      },
      { maxBatchSize: 256, maxQueueDelayMicroseconds: 100 },
    );
    expect(unbatched.maxBatchSize).toBe(0);
    expect(writeConfigPbtxt(unbatched)).not.toContain("dynamic_batching");
  });

  it("writes an InferenceService for KServe's Triton runtime with a DNS-safe name", () => {
    const text = inferenceServiceManifest({
      name: "Fraud_Detector",
      storageUri: "s3://models/fraud",
      modelUri: "models:/fraud-detector/3",
      version: "3",
    });
    expect(parseYaml(text)).toEqual({
      apiVersion: "serving.kserve.io/v1beta1",
      kind: "InferenceService",
      metadata: {
        name: "fraud-detector",
        annotations: { "weft.dev/model-uri": "models:/fraud-detector/3", "weft.dev/model-version": "3" },
      },
      spec: {
        predictor: {
          model: {
            modelFormat: { name: "onnx" },
            runtime: "kserve-tritonserver",
            protocolVersion: "v2",
            storageUri: "s3://models/fraud",
          },
        },
      },
    });
    expect(kubernetesName("--A..b__")).toBe("a-b");
  });

  it("reads model URIs and names, and checks smoke tests before deploying", () => {
    expect(parseModelUri("models:/fraud-detector/3")).toEqual({ registered: "fraud-detector", version: "3" });
    expect(parseModelUri("models:/fraud-detector@champion")).toMatchObject({
      registered: "fraud-detector",
      alias: "champion",
    });
    expect(parseModelUri("/tmp/m.onnx")).toEqual({});
    expect(defaultServedName("models:/fraud-detector@champion")).toBe("fraud-detector");
    expect(defaultServedName("/runs/1/model.onnx")).toBe("model");
    expect(() => checkSmokeTest({ inputs: [] }, "smoke")).toThrow(/smoke has no inputs/);
    expect(() => checkSmokeTest({ inputs: [{ name: "x" }], expected: [1] }, "smoke")).toThrow(
      /inputs\[0\] is not a tensor/,
    );
    expect(() =>
      checkSmokeTest(
        { inputs: [{ name: "x", datatype: "FP32", shape: [1], data: [1] }], expected: { y: ["a"] } },
        "smoke",
      ),
    ).toThrow(/expected\.y holds "a", not a number/);
  });
});

/** A model server on loopback: versions of models loaded from `models:/NAME/N` URIs; version N answers y = k[N]·sum(x). */
class OipServer {
  server!: Server;
  url = "";
  /** Factor per registered version. */
  factors = new Map<string, number>();
  /** Per served model, its loaded version (one at a time, as a pinned primary). */
  served = new Map<string, string>();
  calls: string[] = [];
  /** Loads that must fail. */
  refuse = new Set<string>();

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req).then(
        ([status, body]) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        },
        (err: unknown) => {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: String(err) }));
        },
      );
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async handle(req: IncomingMessage): Promise<[number, unknown]> {
    let text = "";
    for await (const chunk of req) text += chunk;
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const path = new URL(req.url ?? "/", this.url).pathname;
    this.calls.push(`${req.method} ${path}${path.endsWith("/load") ? ` ${JSON.stringify(body.parameters)}` : ""}`);
    if (path === "/v2/health/live") return [200, {}];
    let m = /^\/v2\/repository\/models\/([^/]+)\/(load|unload)$/.exec(path);
    if (m) {
      const [, name, op] = m as unknown as [string, string, string];
      if (op === "unload") {
        this.served.delete(name);
        return [200, {}];
      }
      const uri = String((body.parameters as Record<string, unknown>)?.uri ?? "");
      const v = /^models:\/[^/]+\/(\d+)$/.exec(uri)?.[1];
      if (v === undefined || !this.factors.has(v) || this.refuse.has(uri))
        return [400, { error: `cannot load ${uri}` }];
      this.served.set(name, v);
      return [200, {}];
    }
    m = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/.exec(path);
    if (!m) return [404, { error: "no route" }];
    const [, name, version, op] = m as unknown as [string, string, string | undefined, string | undefined];
    const served = this.served.get(name);
    if (served === undefined || (version !== undefined && version !== served)) {
      return [404, { error: `model '${name}'${version ? ` version ${version}` : ""} is not loaded` }];
    }
    if (op === "/ready") return [200, {}];
    if (op === undefined)
      return [200, { name, versions: [served], platform: "onnxruntime_onnx", inputs: [], outputs: [] }];
    const x = (body.inputs as Array<{ data: number[]; shape: number[] }>)[0]!;
    const rows = x.shape[0]!;
    const width = x.data.length / rows;
    const k = this.factors.get(served)!;
    const y = Array.from(
      { length: rows },
      (_, r) => k * x.data.slice(r * width, (r + 1) * width).reduce((a, b) => a + b, 0),
    );
    return [
      200,
      {
        model_name: name,
        model_version: served,
        outputs: [{ name: "y", datatype: "FP32", shape: [rows, 1], data: y }],
      },
    ];
  }
}

const oip = new OipServer();
beforeAll(() => oip.start());
afterAll(async () => {
  await new Promise((r) => oip.server.close(r));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  oip.factors = new Map([
    ["1", 1],
    ["2", 1],
    ["3", 2],
  ]);
  oip.served.clear();
  oip.calls = [];
  oip.refuse.clear();
});

/** Two rows; the pipeline expects y = sum(x). */
const smoke = {
  inputs: [{ name: "x", datatype: "FP32", shape: [2, 4], data: [0.5, 0.25, 0, 1, 1, 2, 3, 4] }],
  expected: { y: [1.75, 10] },
  tolerance: 1e-6,
};

async function failure(p: Promise<unknown>): Promise<ComponentError> {
  const err = await p.then(
    () => new Error("expected a failure"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ComponentError);
  return err as ComponentError;
}

describe("deployModelTo", () => {
  it("loads a registry version, waits until ready, and passes the smoke test", async () => {
    oip.served.set("fraud", "1");
    const out = await deployModelTo({ modelUri: "models:/fraud/2", servedName: "fraud", serverUrl: oip.url, smoke });
    expect(out).toMatchObject({ servedName: "fraud", version: "2", previousVersion: "1", smokeMaxAbsDiff: 0 });
    expect(out.endpoint).toBe(`${oip.url}/v2/models/fraud/infer`);
    expect(oip.served.get("fraud")).toBe("2");
    expect(oip.calls).toContain('POST /v2/repository/models/fraud/load {"uri":"models:/fraud/2"}');
    expect(oip.calls).toContain("GET /v2/models/fraud/versions/2/ready");
    expect(oip.calls).toContain("POST /v2/models/fraud/versions/2/infer");
  });

  it("rolls back to the version served before when the smoke test fails, and says what differed", async () => {
    oip.served.set("fraud", "2");
    const err = await failure(
      deployModelTo({ modelUri: "models:/fraud/3", servedName: "fraud", serverUrl: oip.url, smoke }),
    );
    expect(err.code).toBe("DEPLOY_SMOKE_FAILED");
    expect(err.message).toContain("models:/fraud/3 (served as 'fraud' version 3) failed its smoke test");
    expect(err.message).toContain("output 'y'[0] is 3.5, expected 1.75");
    expect(err.message).toContain("loaded models:/fraud/2 back");
    expect(oip.served.get("fraud")).toBe("2");
  });

  it("unloads the model when the smoke test fails and nothing was served before", async () => {
    const err = await failure(
      deployModelTo({ modelUri: "models:/fraud/3", servedName: "fraud", serverUrl: oip.url, smoke }),
    );
    expect(err.code).toBe("DEPLOY_SMOKE_FAILED");
    expect(err.message).toContain("no version was served before, so 'fraud' was unloaded");
    expect(oip.served.has("fraud")).toBe(false);
  });

  it("says when the rollback fails too", async () => {
    oip.served.set("fraud", "2");
    oip.refuse.add("models:/fraud/2");
    const err = await failure(
      deployModelTo({ modelUri: "models:/fraud/3", servedName: "fraud", serverUrl: oip.url, smoke }),
    );
    expect(err.code).toBe("DEPLOY_ROLLBACK_FAILED");
    expect(err.message).toContain("rolling back failed too");
    expect(err.message).toContain("cannot load models:/fraud/2");
  });

  it("reports a refused load with the server's message, and an unreachable server with what to check", async () => {
    const refused = await failure(
      deployModelTo({ modelUri: "models:/fraud/9", servedName: "fraud", serverUrl: oip.url }),
    );
    expect(refused.code).toBe("DEPLOY_LOAD_FAILED");
    expect(refused.message).toContain("refused to load model 'fraud'");
    expect(refused.message).toContain("cannot load models:/fraud/9");

    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const gone = await failure(deployModelTo({ modelUri: "models:/fraud/2", serverUrl: `http://127.0.0.1:${port}` }));
    expect(gone.code).toBe("DEPLOY_SERVER_UNREACHABLE");
    expect(gone.message).toContain(`check that weft serve runs at http://127.0.0.1:${port}`);

    const bad = await failure(deployModelTo({ modelUri: "models:/fraud/2", serverUrl: "ftp://x" }));
    expect(bad.code).toBe("DEPLOY_INVALID_INPUT");
  });
});

describe("deployModel component", () => {
  function executorInput(
    params: Record<string, unknown>,
    out: string,
    smokeFile?: string,
    model = modelFile,
  ): string[] {
    mkdirSync(out, { recursive: true });
    const input = {
      inputs: {
        parameterValues: { max_batch_size: 1024, max_queue_delay_us: 100, ready_timeout_s: 30, ...params },
        artifacts: {
          model: { artifacts: [{ name: "model", uri: model, metadata: {} }] },
          ...(smokeFile ? { smoke_test: { artifacts: [{ name: "smoke_test", uri: smokeFile, metadata: {} }] } } : {}),
        },
      },
      outputs: {
        artifacts: {
          manifest: { artifacts: [{ name: "manifest", uri: join(out, "manifest"), metadata: {} }] },
          triton_repository: { artifacts: [{ name: "triton_repository", uri: join(out, "triton"), metadata: {} }] },
        },
        outputFile: join(out, "executor_output.json"),
        parameters: Object.fromEntries(
          ["deployed", "served_name", "served_version", "endpoint"].map((k) => [k, { outputFile: join(out, k) }]),
        ),
      },
    };
    return ["--executor_input", JSON.stringify(input), "--function_to_execute", "deploy_model"];
  }

  it("without server_url writes the Triton repository and the manifest and deploys nothing", async () => {
    const out = join(dir, "c1");
    const result = await executeComponent(
      deployModel as never,
      executorInput({ model_uri: "models:/fraud-detector/4", storage_uri: "s3://bucket/fraud" }, out),
    );
    expect(result.parameterValues).toEqual({
      deployed: false,
      served_name: "fraud-detector",
      served_version: "",
      endpoint: "",
    });
    expect(readFileSync(join(out, "triton", "fraud-detector", "config.pbtxt"), "utf8")).toContain(
      "max_batch_size: 1024",
    );
    expect(readFileSync(join(out, "triton", "fraud-detector", "4", "model.onnx"))).toEqual(readFileSync(modelFile));
    const manifest = parseYaml(readFileSync(join(out, "manifest"), "utf8"));
    expect(manifest.spec.predictor.model.storageUri).toBe("s3://bucket/fraud");
    expect(oip.calls).toEqual([]);
  });

  it("writes a per-row scalar as dims [1] reshaped to [], and weft serve --repository serves what it wrote", async () => {
    const out = join(dir, "c-scalar");
    await executeComponent(
      deployModel as never,
      executorInput(
        { model_uri: "models:/scores/1", storage_uri: "s3://bucket/scores" },
        out,
        undefined,
        scalarModel("scalar.onnx"),
      ),
    );
    const repo = join(out, "triton");
    expect(readFileSync(join(repo, "scores", "config.pbtxt"), "utf8")).toContain(
      ['    name: "y"', "    data_type: TYPE_FP32", "    dims: [ 1 ]", "    reshape: { shape: [ ] }"].join("\n"),
    );
    if (!(await hasOnnxRuntime())) return;
    const service = await createModelService(await resolveSources([{ source: repo, repository: true }]), {
      workers: 1,
    });
    const rest = await startRestServer(service, { host: "127.0.0.1", port: 0 });
    try {
      const res = await fetch(`${rest.url}/v2/models/scores/infer`, {
        method: "POST",
        body: JSON.stringify({
          inputs: [{ name: "x", datatype: "FP32", shape: [2, 4], data: [1, 1, 1, 1, 0, 0, 0, 1] }],
        }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        model_version: string;
        outputs: Array<{ name: string; shape: number[]; data: number[] }>;
      };
      expect(body.model_version).toBe("1");
      expect(body.outputs).toEqual([{ name: "y", datatype: "FP32", shape: [2], data: [10, 4] }]);
    } finally {
      await rest.close();
      await service.close();
    }
  });

  it("with server_url and a smoke-test artifact deploys, and fails the task when the smoke test fails", async () => {
    const smokeFile = join(dir, "smoke.json");
    writeFileSync(smokeFile, JSON.stringify(smoke));
    const ok = await executeComponent(
      deployModel as never,
      executorInput(
        { model_uri: "models:/fraud/2", served_name: "fraud", server_url: oip.url },
        join(dir, "c2"),
        smokeFile,
      ),
    );
    expect(ok.parameterValues).toMatchObject({
      deployed: true,
      served_version: "2",
      endpoint: `${oip.url}/v2/models/fraud/infer`,
    });
    const bad = await failure(
      executeComponent(
        deployModel as never,
        executorInput(
          { model_uri: "models:/fraud/3", served_name: "fraud", server_url: oip.url },
          join(dir, "c3"),
          smokeFile,
        ),
      ),
    );
    expect(bad.code).toBe("DEPLOY_SMOKE_FAILED");
    expect(oip.served.get("fraud")).toBe("2");
  });

  it("refuses a smoke_test file that is not JSON before contacting the server", async () => {
    const smokeFile = join(dir, "smoke.txt");
    writeFileSync(smokeFile, "rows,1,2");
    const err = await failure(
      executeComponent(deployModel as never, executorInput({ server_url: oip.url }, join(dir, "c4"), smokeFile)),
    );
    expect(err.message).toContain(`smoke_test ${smokeFile} is not a JSON file`);
    expect(oip.calls).toEqual([]);
  });
});

describe("deployModelTo against weft serve's model service and REST server", () => {
  it("deploys a model file that passes, and loads the served file back when a bad one fails, without the server going down", async () => {
    let onnxRuntime = true;
    try {
      await import("onnxruntime-node");
    } catch {
      onnxRuntime = false;
    }
    if (!onnxRuntime) {
      console.log("skipped: onnxruntime-node is not installed");
      return;
    }
    // Triton model folders written by deployModel's own writer: version 1 (y = sum(x)) and version 2 (y = 2·sum(x))
    const folder = (repo: string, version: string, k: number) => {
      const file = matmulModel(`${repo}.onnx`, k);
      const config = tritonConfigOf("m", readOnnxInfo(readFileSync(file), file), {
        maxBatchSize: 8,
        maxQueueDelayMicroseconds: 100,
      });
      writeTritonRepository(join(dir, repo), config, version, file);
      return join(dir, repo, "m");
    };
    const good = folder("repo-good", "1", 1);
    const same = folder("repo-same", "2", 1);
    const bad = folder("repo-bad", "3", 2);
    const service = await createModelService(await resolveSources([{ source: good, name: "m" }]), { workers: 1 });
    const rest = await startRestServer(service, { port: 0 });
    try {
      const ok = await deployModelTo({
        modelUri: same,
        servedName: "m",
        serverUrl: rest.url,
        smoke,
        rollbackUri: good,
      });
      expect(ok).toMatchObject({ version: "2", previousVersion: "1", smokeMaxAbsDiff: 0 });

      // a file source cannot be named again from the protocol: without rollback_uri nothing is deployed
      const refused = await failure(deployModelTo({ modelUri: bad, servedName: "m", serverUrl: rest.url, smoke }));
      expect(refused.code).toBe("DEPLOY_INVALID_INPUT");
      expect(refused.message).toContain("pass rollback_uri");

      const err = await failure(
        deployModelTo({ modelUri: bad, servedName: "m", serverUrl: rest.url, smoke, rollbackUri: good }),
      );
      expect(err.code).toBe("DEPLOY_SMOKE_FAILED");
      expect(err.message).toContain(
        "(served as 'm' version 3) failed its smoke test: output 'y'[0] is 3.5, expected 1.75",
      );
      expect(err.message).toContain(`loaded ${good} back`);
      const res = await fetch(`${rest.url}/v2/models/m/infer`, {
        method: "POST",
        body: JSON.stringify({ inputs: smoke.inputs }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { model_version: string; outputs: Array<{ data: number[] }> };
      expect(body.model_version).toBe("1");
      expect(body.outputs[0]?.data).toEqual([1.75, 10]);
    } finally {
      await rest.close();
      await service.close();
    }
  });
});
