import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sameFunctionName } from "./args.ts";
import type { Dataset, Metrics } from "./artifact.ts";
import { executeComponent, runExecutor } from "./run-executor.ts";
import type { ExecutableComponent, ExecutorInput } from "./types.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "weft-executor-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const scale: ExecutableComponent = {
  name: "scale",
  inputs: {
    raw: { kind: "artifact", schemaTitle: "system.Dataset", schemaVersion: "0.0.1" },
    factor: { kind: "parameter", type: "NUMBER_INTEGER" },
    label: { kind: "parameter", type: "STRING", default: "scaled" },
    note: { kind: "parameter", type: "STRING", optional: true },
  },
  outputs: {
    scaled: { kind: "artifact", schemaTitle: "system.Dataset", schemaVersion: "0.0.1" },
    metrics: { kind: "artifact", schemaTitle: "system.Metrics", schemaVersion: "0.0.1" },
    total: { kind: "parameter", type: "NUMBER_INTEGER" },
    label: { kind: "parameter", type: "STRING" },
  },
  run(inputs, outputs) {
    const raw = inputs.raw as Dataset;
    const numbers = readFileSync(raw.path, "utf8").trim().split("\n").map(Number);
    const scaled = numbers.map((n) => n * (inputs.factor as number));
    writeFileSync((outputs.scaled as Dataset).path, scaled.join("\n"));
    (outputs.metrics as Metrics).logMetric("count", scaled.length);
    return { total: scaled.reduce((a, b) => a + b, 0), label: `${inputs.label}${inputs.note ?? ""}` };
  },
};

function inputFor(overrides: Partial<Record<string, unknown>> = {}): ExecutorInput {
  writeFileSync(join(dir, "raw.csv"), "1\n2\n3\n");
  return {
    inputs: {
      parameterValues: { factor: 10, ...overrides },
      artifacts: {
        raw: { artifacts: [{ name: "raw", uri: `file://${dir}/raw.csv`, type: { schemaTitle: "system.Dataset" } }] },
      },
    },
    outputs: {
      parameters: { total: { outputFile: `${dir}/out/total` }, label: { outputFile: `${dir}/out/label` } },
      artifacts: {
        scaled: {
          artifacts: [
            { name: "scaled", uri: `file://${dir}/store/scaled/data`, type: { schemaTitle: "system.Dataset" } },
          ],
        },
        metrics: {
          artifacts: [{ name: "metrics", uri: `file://${dir}/store/metrics`, type: { schemaTitle: "system.Metrics" } }],
        },
      },
      outputFile: `${dir}/out/executor_output.json`,
    },
  };
}

const argv = (input: ExecutorInput, fn = "scale") => [
  "--executor_input",
  JSON.stringify(input),
  "--function_to_execute",
  fn,
];

describe("executeComponent", () => {
  it("runs the component, writes parameter files, artifacts and executor_output.json", async () => {
    const output = await executeComponent(scale, argv(inputFor({ factor: "10" })));
    expect(readFileSync(`${dir}/store/scaled/data`, "utf8")).toBe("10\n20\n30");
    expect(readFileSync(`${dir}/out/total`, "utf8")).toBe("60");
    expect(readFileSync(`${dir}/out/label`, "utf8")).toBe("scaled");
    const written = JSON.parse(readFileSync(`${dir}/out/executor_output.json`, "utf8"));
    expect(written).toEqual(output);
    expect(written).toEqual({
      parameterValues: { total: 60, label: "scaled" },
      artifacts: {
        scaled: { artifacts: [{ name: "scaled", uri: `file://${dir}/store/scaled/data`, metadata: {} }] },
        metrics: { artifacts: [{ name: "metrics", uri: `file://${dir}/store/metrics`, metadata: { count: 3 } }] },
      },
    });
  });

  it("accepts --flag=value and a component name spelled as a function name", async () => {
    const input = inputFor({ note: "!" });
    const output = await executeComponent({ ...scale, name: "scale-it" }, [
      `--executor_input=${JSON.stringify(input)}`,
      "--function_to_execute=scale_it",
    ]);
    expect(output.parameterValues?.label).toBe("scaled!");
  });

  it("matches camelCase and snake_case function names to kebab-case components", () => {
    expect(sameFunctionName("selectBest", "select-best")).toBe(true);
    expect(sameFunctionName("select_best", "comp-select-best")).toBe(true);
    expect(sameFunctionName("select", "select-best")).toBe(false);
  });

  it("passes null and absent optional inputs, and rejects null required ones", async () => {
    const withNote = await executeComponent(scale, argv(inputFor({ note: null })));
    expect(withNote.parameterValues?.label).toBe("scaled");
    await expect(executeComponent(scale, argv(inputFor({ factor: null })))).rejects.toThrow(
      'input parameter "factor" (NUMBER_INTEGER) has a null value',
    );
  });

  it("names the output artifact whose directory cannot be created", async () => {
    const input = inputFor();
    writeFileSync(join(dir, "blocker"), "");
    const scaled = input.outputs?.artifacts?.scaled?.artifacts?.[0];
    if (scaled) scaled.uri = `file://${dir}/blocker/scaled/data`;
    await expect(executeComponent(scale, argv(input))).rejects.toMatchObject({
      code: "EXECUTOR_OUTPUT_PATH",
      message: expect.stringContaining('output artifact "scaled"'),
    });
  });

  it("unwraps a single output parameter named Output", async () => {
    const echo: ExecutableComponent = {
      name: "echo",
      inputs: { xs: { kind: "parameter", type: "LIST" } },
      outputs: { Output: { kind: "parameter", type: "LIST" } },
      run: ({ xs }) => [...(xs as number[]), 4],
    };
    const input: ExecutorInput = {
      inputs: { parameterValues: { xs: "[1,2,3]" } },
      outputs: { parameters: { Output: { outputFile: `${dir}/Output` } }, outputFile: `${dir}/eo.json` },
    };
    await executeComponent(echo, argv(input, "echo"));
    expect(readFileSync(`${dir}/Output`, "utf8")).toBe("[1,2,3,4]");
  });

  it("passes input artifact lists as arrays", async () => {
    const count: ExecutableComponent = {
      name: "count",
      inputs: { models: { kind: "artifact", schemaTitle: "system.Model", schemaVersion: "0.0.1", isList: true } },
      outputs: { Output: { kind: "parameter", type: "STRING" } },
      run: ({ models }) => (models as Array<{ path: string }>).map((m) => m.path).join(","),
    };
    const input: ExecutorInput = {
      inputs: { artifacts: { models: { artifacts: [{ uri: "gs://b/m1" }, { uri: "s3://b/m2" }] } } },
      outputs: { parameters: { Output: { outputFile: `${dir}/Output` } } },
    };
    const output = await executeComponent(count, argv(input, "count"));
    expect(output.parameterValues).toEqual({ Output: "/gcs/b/m1,/s3/b/m2" });
  });

  it("names the flag, the input or the output that is wrong", async () => {
    await expect(executeComponent(scale, ["--function_to_execute", "scale"])).rejects.toThrow(
      /--executor_input is missing/,
    );
    await expect(executeComponent(scale, ["--executor_input", "{}"])).rejects.toThrow(
      /--function_to_execute is missing/,
    );
    await expect(
      executeComponent(scale, ["--executor_input", "{oops", "--function_to_execute", "scale"]),
    ).rejects.toThrow(/--executor_input is not valid JSON/);
    await expect(executeComponent(scale, argv(inputFor(), "train"))).rejects.toThrow(
      /--function_to_execute is "train" but this bundle holds component "scale"/,
    );
    const noFactor = inputFor();
    delete noFactor.inputs?.parameterValues?.factor;
    await expect(executeComponent(scale, argv(noFactor))).rejects.toMatchObject({
      code: "EXECUTOR_INPUT_MISSING",
      message: expect.stringContaining('input parameter "factor" (NUMBER_INTEGER) has no value'),
    });
    const bad = { ...scale, run: () => ({ total: 1 }) };
    await expect(executeComponent(bad, argv(inputFor()))).rejects.toMatchObject({
      code: "EXECUTOR_OUTPUT_MISSING",
      message: expect.stringContaining('output parameter "label"'),
    });
  });
});

describe("runExecutor", () => {
  it("sets a non-zero exit code and writes the error with its stack to stderr instead of throwing", async () => {
    const before = process.exitCode;
    const written: string[] = [];
    const capture = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await runExecutor(scale, ["--function_to_execute", "scale"]);
      expect(process.exitCode).toBe(1);
    } finally {
      capture.mockRestore();
      process.exitCode = before;
    }
    expect(written.join("")).toMatch(/^component "scale" failed \[EXECUTOR_ARG_MISSING\]: --executor_input is missing/);
    expect(written.join("")).toContain("at parseExecutorArgs");
  });
});
