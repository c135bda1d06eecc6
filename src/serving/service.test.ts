/**
 * The model service over real ONNX Runtime sessions: version tables and routing, metadata,
 * bad requests, the canary split, shadow mode, the repository extension's load and unload,
 * and versions retired while requests are in flight.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { denseConfig, denseModel, denseReference, invalidModel } from "../../test/serving/onnx-models.ts";
import { canarySplit, parsePercent, routingHash } from "./canary.ts";
import { ServingError } from "./errors.ts";
import type { ModelSource, ModelVersionSource } from "./repository.ts";
import { createModelService, type ModelServiceOptions, type WeftModelService } from "./service.ts";
import { compareOutputs, ShadowLog } from "./shadow.ts";
import type { InferEvent, InferRequest, VersionPolicy } from "./types.ts";

const dir = mkdtempSync(join(tmpdir(), "weft-service-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A Triton-style folder of dense-model versions (`<n>/model.onnx`), served as a source
 * that reads the folder's versions from a list the test can change.
 */
function denseSource(name: string, versions: string[], policy: VersionPolicy = { kind: "all" }, broken: string[] = []) {
  const available = new Set(versions);
  const closed = { count: 0 };
  const entry = (v: string): ModelVersionSource => {
    const folder = join(dir, name, v);
    mkdirSync(folder, { recursive: true });
    const file = join(folder, "model.onnx");
    copyFileSync(broken.includes(v) ? invalidModel() : denseModel(), file);
    return { version: v, file, config: { ...denseConfig({ name }), versionPolicy: policy } };
  };
  const all = () => [...available].sort((a, b) => Number(a) - Number(b)).map(entry);
  const source: ModelSource = {
    name,
    kind: "repository",
    origin: join(dir, name),
    policy,
    versions: async () => all(),
    served: async () =>
      policy.kind === "latest"
        ? all().slice(-policy.numVersions)
        : policy.kind === "specific"
          ? all().filter((v) => policy.versions.includes(Number(v.version)))
          : all(),
    version: async (v) => {
      if (!available.has(v)) throw new ServingError("NOT_FOUND", `model '${name}' has no version ${v}`);
      return entry(v);
    },
    resolveAlias: () => undefined,
    close: () => {
      closed.count++;
    },
  };
  return { source, available, closed };
}

function rows(n: number, seed = 0): Float32Array {
  return Float32Array.from({ length: n * 4 }, (_, i) => (((i + seed) * 37) % 17) / 8 - 1);
}

function request(data: Float32Array, id?: string): InferRequest {
  return { ...(id ? { id } : {}), inputs: [{ name: "x", datatype: "FP32", shape: [data.length / 4, 4], data }] };
}

function expectDense(out: ArrayLike<number>, input: Float32Array): void {
  const want = denseReference(input);
  expect(out.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(out[i]! - want[i]!)).toBeLessThan(1e-6);
}

const services: WeftModelService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});

async function serve(sources: ModelSource[], options: ModelServiceOptions = {}): Promise<WeftModelService> {
  const s = await createModelService(sources, { workers: 1, ...options });
  services.push(s);
  return s;
}

async function failure(p: Promise<unknown> | (() => unknown)): Promise<ServingError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(ServingError);
    return err as ServingError;
  }
  throw new Error("expected a ServingError");
}

describe("model service: versions and routing", () => {
  it("serves the policy's versions; unversioned requests go to the highest, versioned ones to theirs", async () => {
    const events: InferEvent[] = [];
    const { source } = denseSource("dense", ["1", "2"]);
    const s = await serve([source], { observer: { infer: (e) => events.push(e) } });
    expect(s.isLive()).toBe(true);
    expect(s.isReady()).toBe(true);
    const x = rows(3);
    const latest = await s.infer("dense", undefined, request(x, "r1"));
    expect(latest).toMatchObject({ modelName: "dense", modelVersion: "2", id: "r1" });
    expectDense(latest.outputs[0]!.data as Float32Array, x);
    expect(latest.outputs[0]).toMatchObject({ name: "y", datatype: "FP32", shape: [3, 1] });
    const first = await s.infer("dense", "1", request(x));
    expect(first.modelVersion).toBe("1");
    expect(first.id).toBeUndefined();
    expectDense(first.outputs[0]!.data as Float32Array, x);
    expect(events.map((e) => [e.version, e.role, e.ok, e.requestId])).toEqual([
      ["2", "primary", true, "r1"],
      ["1", "primary", true, undefined],
    ]);
    expect(events[0]!.totalSeconds).toBeGreaterThan(0);

    const noVersion = await failure(s.infer("dense", "7", request(x)));
    expect(noVersion.code).toBe("NOT_FOUND");
    expect(noVersion.message).toContain("version 7");
    expect(noVersion.message).toContain("1, 2");
    const noModel = await failure(s.infer("nope", undefined, request(x)));
    expect(noModel.code).toBe("NOT_FOUND");
    expect(noModel.message).toContain("'nope'");
    expect(noModel.message).toContain("dense");
    // the unknown version is counted as the model's failure under no version (a caller's text
    // is no label); the unknown model is not counted
    expect(events.slice(2).map((e) => [e.model, e.version, e.ok, e.error])).toEqual([
      ["dense", "", false, "NOT_FOUND"],
    ]);
  });

  it("latest N serves the N highest versions", async () => {
    const { source } = denseSource("latest1", ["1", "2", "3"], { kind: "latest", numVersions: 2 });
    const s = await serve([source]);
    expect(s.describe()).toEqual([
      { name: "latest1", source: source.origin, versions: ["2", "3"], primary: "3", state: "READY" },
    ]);
    expect(s.repositoryIndex()).toEqual([
      { name: "latest1", version: "2", state: "READY" },
      { name: "latest1", version: "3", state: "READY" },
    ]);
  });

  it("metadata shows the batch dimension first, the loaded versions and the config", async () => {
    const { source } = denseSource("meta", ["1", "2"]);
    const s = await serve([source]);
    expect(s.modelMetadata("meta")).toEqual({
      name: "meta",
      versions: ["1", "2"],
      platform: "onnxruntime_onnx",
      inputs: [{ name: "x", datatype: "FP32", shape: [-1, 4] }],
      outputs: [{ name: "y", datatype: "FP32", shape: [-1, 1] }],
    });
    expect(s.modelConfig("meta", "1")).toMatchObject({ name: "meta", maxBatchSize: 8 });
    expect(s.modelReady("meta")).toBe(true);
    expect(s.modelReady("meta", "2")).toBe(true);
    expect(s.modelReady("meta", "3")).toBe(false);
    expect(s.modelReady("other")).toBe(false);
    expect((await failure(() => s.modelMetadata("meta", "9"))).code).toBe("NOT_FOUND");
    expect((await failure(() => s.modelConfig("other"))).code).toBe("NOT_FOUND");
    // only the extensions the server serves: no statistics routes, so no "statistics"
    expect(s.serverMetadata()).toEqual({
      name: "weft",
      version: "0",
      extensions: ["binary_tensor_data", "model_repository", "model_configuration"],
    });
  });

  it("a bad request fails with INVALID_ARGUMENT naming the input, is counted as a failure, and the next one succeeds", async () => {
    const events: InferEvent[] = [];
    const { source } = denseSource("bad", ["1"]);
    const s = await serve([source], { observer: { infer: (e) => events.push(e) } });
    const wrongShape = await failure(
      s.infer("bad", undefined, {
        inputs: [{ name: "x", datatype: "FP32", shape: [1, 3], data: new Float32Array(3) }],
      }),
    );
    expect(wrongShape.code).toBe("INVALID_ARGUMENT");
    expect(wrongShape.message).toContain('input "x"');
    const wrongType = await failure(
      s.infer("bad", undefined, { inputs: [{ name: "x", datatype: "INT32", shape: [1, 4], data: new Int32Array(4) }] }),
    );
    expect(wrongType.message).toContain("FP32");
    const unknownOutput = await failure(s.infer("bad", undefined, { ...request(rows(1)), outputs: [{ name: "z" }] }));
    expect(unknownOutput.message).toContain('"z"');
    expect(events.map((e) => [e.ok, e.error])).toEqual([
      [false, "INVALID_ARGUMENT"],
      [false, "INVALID_ARGUMENT"],
      [false, "INVALID_ARGUMENT"],
    ]);
    const ok = await s.infer("bad", undefined, request(rows(1)));
    expect(ok.modelVersion).toBe("1");
  });

  it("two sources with one name are refused, naming it", async () => {
    const a = denseSource("twice", ["1"]).source;
    const err = await failure(createModelService([a, a]));
    expect(err.message).toContain("'twice'");
  });
});

describe("model service: canary and shadow", () => {
  it("sends the canary's share by routing key, the same key always to the same version", async () => {
    const events: InferEvent[] = [];
    const { source } = denseSource("canary", ["1", "2"]);
    const s = await serve([source], {
      canary: { model: "canary", target: "1", percent: 30 },
      observer: { infer: (e) => events.push(e) },
    });
    expect(s.describe()[0]).toMatchObject({ primary: "2", canary: { version: "1", percent: 30 } });
    const x = rows(1);
    const byKey = new Map<string, string>();
    for (let k = 0; k < 200; k++) {
      const r = await s.infer("canary", undefined, request(x), { routingKey: `user-${k}` });
      byKey.set(`user-${k}`, r.modelVersion);
      expectDense(r.outputs[0]!.data as Float32Array, x);
    }
    for (let k = 0; k < 200; k += 10) {
      const again = await s.infer("canary", undefined, request(x), { routingKey: `user-${k}` });
      expect(again.modelVersion).toBe(byKey.get(`user-${k}`));
    }
    const toCanary = [...byKey.values()].filter((v) => v === "1").length;
    expect(toCanary).toBeGreaterThan(30);
    expect(toCanary).toBeLessThan(90);
    const roles = events.filter((e) => e.role === "canary");
    expect(roles.every((e) => e.version === "1")).toBe(true);
    expect(roles.length).toBeGreaterThanOrEqual(toCanary);
    // a versioned request is never split
    expect((await s.infer("canary", "2", request(x), { routingKey: "user-0" })).modelVersion).toBe("2");
  });

  it("mirrors requests to the shadow after answering and records its outputs and agreement", async () => {
    const shadowDone: InferEvent[] = [];
    let notify: () => void = () => {};
    const { source } = denseSource("shadow", ["1", "2"]);
    const s = await serve([source], {
      shadow: { model: "shadow", target: "1", capacity: 2 },
      observer: {
        infer: (e) => {
          if (e.role === "shadow") {
            shadowDone.push(e);
            notify();
          }
        },
      },
    });
    for (let i = 0; i < 3; i++) {
      const mirrored = new Promise<void>((r) => {
        notify = r;
      });
      const x = rows(2, i);
      const answer = await s.infer("shadow", undefined, request(x, `q${i}`));
      expect(answer.modelVersion).toBe("2");
      expectDense(answer.outputs[0]!.data as Float32Array, x);
      await mirrored;
    }
    expect(shadowDone.map((e) => [e.version, e.ok, e.requestId])).toEqual([
      ["1", true, "q0"],
      ["1", true, "q1"],
      ["1", true, "q2"],
    ]);
    const records = s.shadowRecords("shadow");
    expect(records.map((r) => [r.requestId, r.primaryVersion, r.shadowVersion, r.ok, r.agree, r.maxAbsDiff])).toEqual([
      ["q1", "2", "1", true, true, 0],
      ["q2", "2", "1", true, true, 0],
    ]);
    expectDense(records[1]!.outputs![0]!.data as Float32Array, rows(2, 2));
    expect(s.shadowSummary("shadow")).toEqual({
      model: "shadow",
      shadowVersion: "1",
      mirrored: 3,
      failed: 0,
      agreed: 3,
      disagreed: 0,
    });
    // a request for a version is not mirrored
    await s.infer("shadow", "2", request(rows(1)));
    expect(s.shadowSummary("shadow")?.mirrored).toBe(3);
  });

  it("a canary or shadow naming a model that is not served, or an alias of a file source, is refused", async () => {
    const { source } = denseSource("solo", ["1"]);
    const unknown = await failure(
      createModelService([source], { canary: { model: "ghost", target: "1", percent: 5 } }),
    );
    expect(unknown.message).toContain("'ghost'");
    const alias = await failure(createModelService([source], { shadow: { model: "solo", target: "challenger" } }));
    expect(alias.message).toContain("'challenger'");
  });
});

describe("model service: repository extension", () => {
  it("unload stops routing and says why; load serves again; a load naming a version serves only it", async () => {
    const { source } = denseSource("repo", ["1", "2"]);
    const s = await serve([source]);
    await s.unload("repo");
    expect(s.modelReady("repo")).toBe(false);
    expect(s.repositoryIndex()).toEqual([
      { name: "repo", state: "UNAVAILABLE", reason: expect.stringContaining("unloaded") },
    ]);
    expect(s.repositoryIndex({ ready: true })).toEqual([]);
    const refused = await failure(s.infer("repo", undefined, request(rows(1))));
    expect(refused.code).toBe("UNAVAILABLE");
    expect(refused.message).toContain("load it");
    expect((await failure(s.infer("repo", "1", request(rows(1))))).code).toBe("NOT_FOUND");

    await s.load("repo");
    expect(s.describe()[0]).toMatchObject({ versions: ["1", "2"], primary: "2", state: "READY" });
    await s.load("repo", { version: "1" });
    expect(s.describe()[0]).toMatchObject({ versions: ["1"], primary: "1" });
    expect((await s.infer("repo", undefined, request(rows(1)))).modelVersion).toBe("1");
    await s.load("repo");
    expect(s.describe()[0]).toMatchObject({ versions: ["1", "2"], primary: "2" });
  });

  it("a load that fails leaves the model serving what it served, and says why", async () => {
    const { source } = denseSource("keep", ["1"]);
    const s = await serve([source], { resolveSource: null });
    const err = await failure(s.load("keep", { version: "5" }));
    expect(err.code).toBe("NOT_FOUND");
    expect(err.message).toContain("5");
    expect(s.describe()[0]).toMatchObject({ versions: ["1"], primary: "1", state: "READY" });
    expect((await s.infer("keep", undefined, request(rows(1)))).modelVersion).toBe("1");
    expect(s.repositoryIndex()).toEqual([
      { name: "keep", version: "1", state: "READY" },
      { name: "keep", version: "5", state: "UNAVAILABLE", reason: err.message },
    ]);
    expect((await failure(s.load("ghost"))).code).toBe("NOT_FOUND");
    expect((await failure(s.load("keep", { uri: "models:/keep/1" }))).code).toBe("INVALID_ARGUMENT");
  });

  it("a version whose file cannot be loaded is refused with MODEL_INVALID; the version before keeps serving", async () => {
    const { source } = denseSource("half", ["1", "2"], { kind: "all" }, ["2"]);
    const err = await failure(createModelService([source], { workers: 1 }));
    expect(err.code).toBe("MODEL_INVALID");
    const { source: again } = denseSource("half2", ["1", "2"], { kind: "specific", versions: [1] }, ["2"]);
    const s = await serve([again]);
    const refused = await failure(s.load("half2", { version: "2" }));
    expect(refused.code).toBe("MODEL_INVALID");
    expect(refused.message).toContain("model.onnx");
    expect(s.repositoryIndex()).toEqual([
      { name: "half2", version: "1", state: "READY" },
      { name: "half2", version: "2", state: "UNAVAILABLE", reason: refused.message },
    ]);
    expect((await s.infer("half2", undefined, request(rows(1)))).modelVersion).toBe("1");
  });

  it("requests in flight when their version is retired all finish on it; none fails", async () => {
    const { source } = denseSource("drain", ["1", "2"]);
    const s = await serve([source]);
    const x = rows(1);
    const inFlight = Array.from({ length: 64 }, () => s.infer("drain", undefined, request(x)));
    const move = s.load("drain", { version: "1" });
    const answers = await Promise.all(inFlight);
    await move;
    expect(answers.every((a) => a.modelVersion === "2")).toBe(true);
    for (const a of answers) expectDense(a.outputs[0]!.data as Float32Array, x);
    expect(s.describe()[0]).toMatchObject({ versions: ["1"] });
    expect((await s.infer("drain", undefined, request(x))).modelVersion).toBe("1");
  });

  it("close drains, closes the sources and stops answering", async () => {
    const { source, closed } = denseSource("bye", ["1"]);
    const s = await createModelService([source], { workers: 1 });
    const pending = s.infer("bye", undefined, request(rows(1)));
    await s.close();
    expect((await pending).modelVersion).toBe("1");
    expect(closed.count).toBe(1);
    expect(s.isLive()).toBe(false);
    expect(s.isReady()).toBe(false);
    expect((await failure(s.infer("bye", undefined, request(rows(1))))).code).toBe("UNAVAILABLE");
    expect((await failure(s.load("bye"))).message).toContain("shutting down");
  });

  it("a load still queued when the service closes is refused, not run", async () => {
    const { source } = denseSource("late", ["1", "2"], { kind: "specific", versions: [1] });
    const s = await createModelService([source], { workers: 1 });
    const loading = failure(s.load("late", { version: "2" }));
    await s.close();
    const refused = await loading;
    expect(refused.code).toBe("UNAVAILABLE");
    expect(refused.message).toContain("shutting down");
    expect(s.describe()[0]).toMatchObject({ versions: [], state: "UNAVAILABLE" });
  });
});

describe("canary split and shadow comparison", () => {
  it("0% never and 100% always picks the challenger; a routing key hashes the same every time", () => {
    expect(canarySplit("m", 0).pick("k")).toBe(false);
    expect(canarySplit("m", 100).pick()).toBe(true);
    const half = canarySplit("m", 50, () => 0.2);
    expect(half.pick()).toBe(true);
    expect(routingHash("user-1")).toBe(routingHash("user-1"));
    expect(routingHash("user-1")).not.toBe(routingHash("user-2"));
    expect(() => canarySplit("m", 120)).toThrow(/0 to 100/);
    expect(parsePercent("m", "10%")).toBe(10);
    expect(parsePercent("m", "2.5")).toBe(2.5);
    expect(() => parsePercent("m", "ten")).toThrow(/'ten' is not a percentage/);
  });

  it("compares outputs by name: a missing output or another shape never agrees; the log keeps the newest", () => {
    const t = (name: string, data: number[]) => ({
      name,
      datatype: "FP32" as const,
      shape: [data.length],
      data: Float32Array.from(data),
    });
    expect(compareOutputs([t("y", [1, 2])], [t("y", [1, 2.5])])).toBe(0.5);
    expect(compareOutputs([t("y", [1, 2])], [t("z", [1, 2])])).toBe(Number.POSITIVE_INFINITY);
    expect(compareOutputs([t("y", [1, 2])], [t("y", [1])])).toBe(Number.POSITIVE_INFINITY);
    expect(compareOutputs([t("y", [Number.NaN])], [t("y", [Number.NaN])])).toBe(0);
    const log = new ShadowLog("m", 2);
    for (const id of ["a", "b", "c"]) {
      log.add({
        time: 0,
        model: "m",
        requestId: id,
        primaryVersion: "2",
        shadowVersion: "1",
        ok: id !== "b",
        agree: true,
      });
    }
    expect(log.records().map((r) => r.requestId)).toEqual(["b", "c"]);
    expect(log.summary()).toMatchObject({ mirrored: 3, failed: 1, agreed: 2 });
  });
});
