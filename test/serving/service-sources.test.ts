/**
 * The model service over sources read from real model files (`resolveSources`), as `weft
 * serve` and the repository extension's `load` with a `uri` make them: a load naming another
 * file whose version number is the loaded one's moves to that file (drain, then close), and
 * a source's model files are inspected once however often its versions are read.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { resolveSources } from "../../src/serving/repository.ts";
import { createModelService, type WeftModelService } from "../../src/serving/service.ts";
import type { InferRequest } from "../../src/serving/types.ts";
import { denseModel, denseReference, identityModel } from "./onnx-models.ts";

/** The files the runtime's `inspectModel` was asked to read, in order. */
const inspected = vi.hoisted(() => [] as string[]);

vi.mock("../../src/serving/runtime/index.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/serving/runtime/index.ts")>();
  return {
    ...actual,
    inspectModel: (file: string) => {
      inspected.push(file);
      return actual.inspectModel(file);
    },
  };
});

const services: WeftModelService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});

async function serveFile(file: string, name: string): Promise<WeftModelService> {
  const s = await createModelService(await resolveSources([{ source: file, name }]), { workers: 1 });
  services.push(s);
  return s;
}

const x = Float32Array.of(0.5, -1, 2, 0.25);

function request(): InferRequest {
  return { inputs: [{ name: "x", datatype: "FP32", shape: [1, 4], data: x.slice() }] };
}

describe("model service: a load naming another model file", () => {
  it("moves to the new file when its version number is the loaded one's, answering what was accepted first", async () => {
    const dense = denseModel();
    // x FP32 [batch, 4] → y = x: the same input, another model, also version 1
    const identity = identityModel("FP32", { dims: ["batch", 4] });
    const s = await serveFile(dense, "m");
    const first = await s.infer("m", undefined, request());
    expect(first.outputs[0]!.shape).toEqual([1, 1]);
    expect(Math.abs((first.outputs[0]!.data as Float32Array)[0]! - denseReference(x)[0]!)).toBeLessThan(1e-6);

    const inFlight = Array.from({ length: 32 }, () => s.infer("m", undefined, request()));
    const move = s.load("m", { uri: identity });
    const answers = await Promise.all(inFlight);
    await move;
    expect(answers.every((a) => a.modelVersion === "1" && a.outputs[0]!.shape[1] === 1)).toBe(true);
    expect(s.describe()[0]).toMatchObject({ source: identity, versions: ["1"], primary: "1", state: "READY" });
    const moved = await s.infer("m", undefined, request());
    expect(moved.modelVersion).toBe("1");
    expect(moved.outputs[0]!.shape).toEqual([1, 4]);
    expect([...(moved.outputs[0]!.data as Float32Array)]).toEqual([...x]);
    expect(s.modelMetadata("m").outputs).toEqual([{ name: "y", datatype: "FP32", shape: [-1, 4] }]);

    // and back: deployModel's rollback names the file served before
    await s.load("m", { uri: dense });
    expect((await s.infer("m", undefined, request())).outputs[0]!.shape).toEqual([1, 1]);
  });
});

describe("model service: inspecting model files", () => {
  it("a source loaded by uri inspects its file once, however often a load reads its versions again", async () => {
    const dense = denseModel();
    const other = identityModel("FP32", { dims: ["batch", 3] });
    const s = await serveFile(dense, "dense");
    await s.load("other", { uri: other });
    for (let i = 0; i < 3; i++) await s.load("other");
    expect(
      (
        await s.infer("other", undefined, {
          inputs: [{ name: "x", datatype: "FP32", shape: [1, 3], data: Float32Array.of(1, 2, 3) }],
        })
      ).outputs[0]!.shape,
    ).toEqual([1, 3]);
    expect(inspected.filter((f) => f === other)).toHaveLength(1);
    for (let i = 0; i < 2; i++) await s.load("dense");
    expect(inspected.filter((f) => f === dense)).toHaveLength(1);
  });
});
