/**
 * `Engine.startRun` validates the pipeline before it records anything, whoever calls it:
 * an invalid pipeline throws `IrValidationError` naming the IR path, and the store holds
 * no run and the home no logs or artifacts afterwards.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ParameterError } from "../../src/engine/index.ts";
import { IrValidationError, type PipelineSpec } from "../../src/ir/index.ts";
import { takesData } from "../cli/takes-data.ts";
import { ir, makeEnv, pkg, type TestEnv } from "./helpers.ts";

const PIPELINE = (task: string, extra = "") => `
pipelineInfo: {name: checked}
schemaVersion: 2.1.0
deploymentSpec:
  executors:
    exec-a: {container: {image: alpine, command: [sh, -c, "echo a"]}}
components:
  comp-a: {executorLabel: exec-a}
  comp-self:
    dag:
      tasks:
        again: {taskInfo: {name: again}, componentRef: {name: comp-self}}
root:
  dag:
    tasks:
      '${task}': {taskInfo: {name: a}, componentRef: {name: comp-a}${extra}}
`;

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith("weft.db"))
    .sort();
}

describe("Engine.startRun validates before recording", () => {
  let env: TestEnv | undefined;
  afterEach(() => env?.close());

  it.each([
    ["a task name with '../'", PIPELINE("../x"), "root.dag.tasks['../x']: task name contains '/'"],
    [
      "a negative retry count",
      PIPELINE("a", ", retryPolicy: {maxRetryCount: -1}"),
      "root.dag.tasks.a.retryPolicy.maxRetryCount: is -1",
    ],
    ["a component that runs itself", PIPELINE("a"), "components.comp-self: component 'comp-self' runs itself"],
  ])("refuses %s and records nothing", (_what, yaml, expected) => {
    env = makeEnv();
    const before = filesUnder(env.home);
    let thrown: unknown;
    try {
      env.engine.startRun({ pipeline: ir(yaml) });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(IrValidationError);
    expect((thrown as Error).message).toContain(`pipeline 'checked': ${expected}`);
    expect(env.store.runs.list().totalSize).toBe(0);
    expect(filesUnder(env.home)).toEqual(before);
  });
});

describe("Engine.startRun checks the artifacts given for the pipeline's artifact inputs", () => {
  let env: TestEnv | undefined;
  afterEach(() => env?.close());
  const takes = () => pkg(takesData() as PipelineSpec);

  it("refuses a run whose required artifact input is missing, naming it and --artifact, and records nothing", () => {
    env = makeEnv();
    const before = filesUnder(env.home);
    let thrown: unknown;
    try {
      env.engine.startRun({ pipeline: takes() });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ParameterError);
    expect((thrown as ParameterError).parameter).toBe("data");
    expect((thrown as Error).message).toContain("requires artifact input 'data' (system.Dataset)");
    expect((thrown as Error).message).toContain("--artifact data=");
    expect(env.store.runs.list().totalSize).toBe(0);
    expect(filesUnder(env.home)).toEqual(before);
  });

  it.each([
    [
      "an unknown name",
      { nope: "/" },
      "pipeline 'takes-data' has no artifact input 'nope'; its artifact inputs are: data",
    ],
    [
      "a parameter's name",
      { rows: "/" },
      "'rows' is an input parameter of pipeline 'takes-data', not an artifact input",
    ],
    ["a relative path", { data: "rows.csv" }, "'rows.csv' is a relative path"],
    ["a path that does not exist", { data: "/nonexistent/rows.csv" }, "/nonexistent/rows.csv does not exist"],
    ["a URI whose content is not here", { data: "gs://bucket/rows.csv" }, "(looked at /gcs/bucket/rows.csv)"],
  ])("refuses %s", (_what, given, expected) => {
    env = makeEnv();
    expect(() => env?.engine.startRun({ pipeline: takes(), inputArtifacts: given })).toThrow(expected);
    expect(env.store.runs.list().totalSize).toBe(0);
  });

  it("gives a directory to the task, records it once with a tree digest, and a retry reuses it", async () => {
    env = makeEnv();
    const dir = path.join(env.home, "given");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "part-0"), "x\n");
    const spec = takesData() as PipelineSpec;
    const exec = spec.deploymentSpec?.executors?.["exec-count"]?.container;
    if (!exec) throw new Error("fixture changed");
    exec.command = ["sh", "-c", 'cat "$0/part-0" > "$1"; test -e "$0/ok"', ...(exec.command ?? []).slice(3)];
    const first = await env.engine.startRun({ pipeline: pkg(spec), inputArtifacts: { data: dir } }).done;
    expect(first.state).toBe("FAILED");
    const [artifact, ...more] = env.store.artifacts.listByRun(first.runId);
    expect(more).toEqual([]);
    expect(artifact?.uri).toBe(`file://${fs.realpathSync(dir)}`);
    expect(artifact?.digest).toMatch(/^sha256:/);
    fs.writeFileSync(path.join(dir, "ok"), "");
    const second = await env.newEngine().resumeRun(first.runId).done;
    expect(second.state).toBe("SUCCEEDED");
    const given = env.store.artifacts.listByRun(first.runId).filter((a) => a.name === "data");
    expect(given.map((a) => a.id)).toEqual([artifact?.id]);
    const count = env.store.tasks.getByPath(first.runId, "root/count");
    expect(count?.inputs.artifacts.data).toEqual([artifact?.id]);
  });

  it("refuses to resume a run whose given artifact is gone, before any task runs again", async () => {
    env = makeEnv();
    const file = path.join(env.home, "rows.csv");
    fs.writeFileSync(file, "a\n");
    const spec = takesData() as PipelineSpec;
    const exec = spec.deploymentSpec?.executors?.["exec-count"]?.container;
    if (exec) exec.command = ["sh", "-c", "exit 1"];
    const first = await env.engine.startRun({ pipeline: pkg(spec), inputArtifacts: { data: file } }).done;
    expect(first.state).toBe("FAILED");
    fs.rmSync(file);
    expect(() => env?.engine.resumeRun(first.runId)).toThrow(`${file} does not exist`);
  });
});
