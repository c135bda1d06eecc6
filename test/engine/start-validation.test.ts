/**
 * `Engine.startRun` validates the pipeline before it records anything, whoever calls it:
 * an invalid pipeline throws `IrValidationError` naming the IR path, and the store holds
 * no run and the home no logs or artifacts afterwards.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { IrValidationError } from "../../src/ir/index.ts";
import { ir, makeEnv, type TestEnv } from "./helpers.ts";

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
