import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { serializePipeline } from "../ir/index.ts";
import { Condition, GroupNode, ParamChannel } from "../sdk/index.ts";
import { cpuToFloat, launcherScript, memoryToGB } from "./executor-spec.ts";
import { e2ePipeline } from "./fixtures/e2e-pipeline.ts";
import { collectedOutsideLoop, fromCondition, fromLoop } from "./fixtures/topology.ts";
import { CompilerError, compilePipeline, compilePipelineFile, compileToYaml, conditionCel } from "./index.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "weft-compiler-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function compileError(p: Promise<unknown> | (() => unknown)): Promise<CompilerError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    if (e instanceof CompilerError) return e;
    throw e;
  }
  throw new Error("expected a CompilerError");
}

/** Runs an executor's container command as the KFP launcher would, with `{{$}}` replaced. */
function runTask(container: { command?: string[]; args?: string[] }, executorInput: object, programDir: string) {
  const args = (container.args ?? []).map((a) => (a === "{{$}}" ? JSON.stringify(executorInput) : a));
  const [cmd, ...rest] = [...(container.command ?? []), ...args];
  return spawnSync(cmd as string, rest, {
    encoding: "utf8",
    env: { ...process.env, WEFT_PROGRAM_DIR: programDir, WEFT_SKIP_PACKAGE_INSTALL: "1" },
  });
}

describe("function components compiled and run as task processes", () => {
  const pkg = compilePipeline(e2ePipeline);
  const executors = pkg.pipelineSpec.deploymentSpec?.executors ?? {};

  it("writes the KFP container command around the bundle", () => {
    const c = executors["exec-scale"]?.container;
    expect(c?.image).toBe("node:20-slim");
    expect(c?.command?.slice(0, 2)).toEqual(["sh", "-ec"]);
    expect(c?.command?.[2]).toBe(launcherScript([]));
    expect(c?.args).toEqual(["--executor_input", "{{$}}", "--function_to_execute", "scale"]);
    expect(executors["exec-importer"]).toEqual({
      importer: {
        artifactUri: { constant: "gs://bucket/values.txt" },
        typeSchema: { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" },
      },
    });
  });

  it("is deterministic and carries no absolute paths", () => {
    const yaml = serializePipeline(pkg);
    expect(compileToYaml(e2ePipeline)).toBe(yaml);
    expect(yaml).not.toContain(process.cwd());
    const bundle = executors["exec-scale"]?.container?.command?.[3] ?? "";
    expect(bundle).not.toMatch(/from\s*"(zod|yaml|esbuild)"/);
    expect(bundle).not.toMatch(/require\("(zod|yaml)"\)/);
  });

  it("reads --executor_input, writes output parameters, artifacts and executor_output.json", () => {
    const dir = join(scratch, "scale");
    mkdirSync(join(dir, "in"), { recursive: true });
    writeFileSync(join(dir, "in", "values.txt"), "1\n2\n3\n");
    const input = {
      inputs: {
        parameterValues: { factor: 2.5, tags: ["a", "b"] },
        artifacts: {
          data: {
            artifacts: [
              { name: "values", uri: join(dir, "in", "values.txt"), type: { schemaTitle: "system.Dataset" } },
            ],
          },
        },
      },
      outputs: {
        parameters: {
          total: { outputFile: join(dir, "out", "total") },
          summary: { outputFile: join(dir, "out", "summary") },
        },
        artifacts: {
          scaled: {
            artifacts: [{ name: "scaled", uri: join(dir, "out", "scaled"), type: { schemaTitle: "system.Dataset" } }],
          },
        },
        outputFile: join(dir, "out", "executor_output.json"),
      },
    };
    const res = runTask(executors["exec-scale"]?.container ?? {}, input, join(dir, "program"));
    expect(res.stderr).toBe("");
    expect(res.status).toBe(0);
    expect(readFileSync(join(dir, "out", "scaled"), "utf8")).toBe("2.5\n5\n7.5");
    expect(readFileSync(join(dir, "out", "total"), "utf8")).toBe("15");
    expect(JSON.parse(readFileSync(join(dir, "out", "summary"), "utf8"))).toEqual({ rows: 3, tags: ["a", "b"] });
    const output = JSON.parse(readFileSync(join(dir, "out", "executor_output.json"), "utf8"));
    expect(output.parameterValues).toEqual({ total: 15, summary: { rows: 3, tags: ["a", "b"] } });
    expect(output.artifacts.scaled.artifacts[0]).toMatchObject({
      uri: join(dir, "out", "scaled"),
      metadata: { rows: 3 },
    });
  });

  it("fails the task with a message when an input is missing", () => {
    const dir = join(scratch, "missing");
    const res = runTask(
      executors["exec-report"]?.container ?? {},
      { inputs: { parameterValues: {} }, outputs: { outputFile: join(dir, "out.json") } },
      join(dir, "program"),
    );
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('component "report" failed');
  });
});

describe("bundle limits", () => {
  it("rejects a bundle over 120 KiB, naming the component and the fix", async () => {
    const dir = mkdtempSync(join(here, ".tmp-"));
    try {
      const big = JSON.stringify("x".repeat(130 * 1024));
      writeFileSync(
        join(dir, "big.ts"),
        [
          'import { component, pipeline } from "../../index.ts";',
          `const blob = ${big};`,
          'export const heavy = component({ name: "heavy", run: () => { console.log(blob.length); } });',
          'export const p = pipeline({ name: "big" }, () => { heavy(); });',
        ].join("\n"),
      );
      const e = await compileError(compilePipelineFile(join(dir, "big.ts")));
      if (e.code !== "COMPILE_BUNDLE_TOO_LARGE") throw e;
      expect(e.code).toBe("COMPILE_BUNDLE_TOO_LARGE");
      expect(e.message).toMatch(
        /^component "heavy": its bundle is 1\d\d KiB, over the 120 KiB a task command can carry; move heavy dependencies to the component's packages/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("installs listed packages unless the engine says they are present", () => {
    const script = launcherScript(["@tensorflow/tfjs@4.22.0", "it's"]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
    expect(script).toContain('if [ "${WEFT_SKIP_PACKAGE_INSTALL:-}" != "1" ]; then');
    expect(script).toContain(
      `npm install --prefix "$program_path" --no-save --no-audit --no-fund '@tensorflow/tfjs@4.22.0' 'it'"'"'s'`,
    );
  });
});

describe("topology errors", () => {
  it("rejects reading an output from inside a condition outside it", async () => {
    const e = await compileError(() => compilePipeline(fromCondition, { bundle: false }));
    expect(e.code).toBe("COMPILE_INVALID_TOPOLOGY");
    expect(e.message).toBe(
      'task "use" depends on task "num-2" inside condition "condition-1"; a task outside a when()/exitHandler() block cannot depend on a task inside it (use oneOf() for branch outputs, or move "use" into the block)',
    );
  });

  it("rejects a loop output used without collected()", async () => {
    const e = await compileError(() => compilePipeline(fromLoop, { bundle: false }));
    expect(e.message).toBe(
      'task "use" reads an output of task "num" inside parallelFor "for-loop-2"; wrap it in collected(...) to fan in all iterations',
    );
  });

  it("rejects collected() of a task outside any loop", async () => {
    const e = await compileError(() => compilePipeline(collectedOutsideLoop, { bundle: false }));
    expect(e.message).toContain("collected(num-Output) fans in outputs of a task inside a parallelFor");
  });
});

describe("compilePipelineFile", () => {
  it("names the file and lists the exported pipelines", async () => {
    const file = join(here, "fixtures", "topology.ts");
    const many = await compileError(compilePipelineFile(file));
    expect(many.code).toBe("COMPILE_AMBIGUOUS_PIPELINE");
    expect(many.message).toBe(
      `${file}: exports several pipelines (fromCondition, fromLoop, collectedOutsideLoop); choose one with --export <name>, or export the main one as default`,
    );
    const wrong = await compileError(compilePipelineFile(file, { exportName: "nope" }));
    expect(wrong.message).toBe(
      `${file}: export "nope" is not a pipeline; exported pipelines: fromCondition, fromLoop, collectedOutsideLoop`,
    );
    const missing = await compileError(compilePipelineFile(join(here, "fixtures", "absent.ts")));
    expect(missing.code).toBe("COMPILE_FILE_NOT_FOUND");
  });

  it("requires function components to be exported, so tasks can find them", async () => {
    const file = join(here, "fixtures", "not-exported.ts");
    const e = await compileError(compilePipelineFile(file));
    expect(e.code).toBe("COMPILE_NOT_EXPORTED");
    expect(e.message).toBe(
      `component "hidden" is not exported by ${file}; export it (e.g. export const hidden = component({...})) so its task can find it`,
    );
  });

  it("compiles the chosen export", async () => {
    const pkg = await compilePipelineFile(join(here, "fixtures", "e2e-pipeline.ts"));
    expect(pkg.pipelineSpec.pipelineInfo.name).toBe("e2e");
    expect(pkg.pipelineSpec.sdkVersion).toMatch(/^weft-\d+\.\d+\.\d+/);
  });
});

describe("lowering details", () => {
  it("writes CEL as KFP does", () => {
    const g = new GroupNode("condition", "condition-1", undefined);
    const n = new ParamChannel<number>("Output", "NUMBER_INTEGER", undefined);
    const s = new ParamChannel<string>("mode", "STRING", undefined);
    const f = new ParamChannel<number>("auc", "NUMBER_DOUBLE", undefined);
    expect(conditionCel(g, [new Condition(">", n, 5)])).toBe(
      "int(inputs.parameter_values['pipelinechannel--Output']) > 5",
    );
    expect(conditionCel(g, [new Condition("==", s, "a", true), new Condition(">=", f, 0.9)])).toBe(
      "!(inputs.parameter_values['pipelinechannel--mode'] == 'a') && inputs.parameter_values['pipelinechannel--auc'] >= 0.9",
    );
  });

  it("converts resources as KFP does", () => {
    expect(cpuToFloat("500m")).toBe(0.5);
    expect(memoryToGB("4G")).toBe(4);
    expect(memoryToGB("512Mi")).toBeCloseTo(0.536870912);
  });
});
