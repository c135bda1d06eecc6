/** loadTransformer: imports a module's default export as a transformer, with clear errors. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ServingError } from "./errors.ts";
import { loadTransformer } from "./transformer.ts";

const dir = mkdtempSync(join(tmpdir(), "weft-transformer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function failure(path: string): Promise<ServingError> {
  const err = await loadTransformer(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServingError);
  expect((err as ServingError).code).toBe("MODEL_INVALID");
  return err as ServingError;
}

describe("loadTransformer", () => {
  it("loads a TypeScript module's default export and runs its pre- and postprocess", async () => {
    writeFileSync(join(dir, "package.json"), '{"type": "module"}');
    file("scale.ts", "export const factor: number = 2;\n");
    const path = file(
      "double.ts",
      `import { factor } from "./scale.ts";
interface Payload { values: number[] }
export default {
  preprocess(payload: Payload) {
    return { inputs: [{ name: "x", datatype: "FP32", shape: [payload.values.length], data: Float32Array.from(payload.values, (v) => v * factor) }] };
  },
  postprocess(result: { outputs: Array<{ data: Float32Array }> }, context: { protocol: string }) {
    return { protocol: context.protocol, y: Array.from(result.outputs[0]!.data) };
  },
};
`,
    );
    const t = await loadTransformer(path);
    const context = { modelName: "m", protocol: "v1" as const, headers: {} };
    const request = await t.preprocess({ values: [1, 2.5] }, context);
    expect(request.inputs[0]?.shape).toEqual([2]);
    expect(Array.from(request.inputs[0]?.data as Float32Array)).toEqual([2, 5]);
    const result = { modelName: "m", modelVersion: "1", outputs: request.inputs };
    expect(t.postprocess?.(result, context)).toEqual({ protocol: "v1", y: [2, 5] });
  });

  it("refuses a missing file, naming it", async () => {
    const err = await failure(join(dir, "nope.ts"));
    expect(err.message).toContain("nope.ts: no such file");
  });

  it("refuses a module without a default export or without preprocess", async () => {
    expect((await failure(file("none.ts", "export const x = 1;\n"))).message).toContain(
      "its default export is missing",
    );
    expect((await failure(file("nopre.ts", "export default { postprocess() { return 1; } };\n"))).message).toContain(
      "has no preprocess function",
    );
    expect(
      (
        await failure(
          file("badpost.ts", "export default { preprocess() { return { inputs: [] }; }, postprocess: 3 };\n"),
        )
      ).message,
    ).toContain("postprocess is number");
  });

  it("refuses a module that throws on import, quoting its error", async () => {
    const err = await failure(file("throws.ts", 'throw new Error("encoders.json is missing");\n'));
    expect(err.message).toContain("importing it failed: encoders.json is missing");
  });
});
