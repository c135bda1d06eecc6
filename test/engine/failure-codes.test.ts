/**
 * Each code of the task failure catalogue that a pipeline can provoke, provoked for real:
 * the task records the code, a message naming it and the catalogue's action (or a more
 * specific one), and the run's TASK_FAILED error carries that message.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type RunSummary, TASK_ERRORS, type TaskErrorCode } from "../../src/engine/index.ts";
import type { JsonValue } from "../../src/ir/index.ts";
import { makeEnv } from "./helpers.ts";
import { from, IrBuilder, task } from "./ir-builder.ts";

const env = makeEnv();
afterAll(() => env.close());

const byPath = (s: RunSummary, p: string) => s.tasks.find((t) => t.path === p);

/** Runs `b` and checks that `taskPath` failed with `code`; returns the recorded error. */
async function expectFailure(
  b: IrBuilder,
  taskPath: string,
  code: TaskErrorCode,
  params: Record<string, JsonValue> = {},
) {
  const s = await env.engine.startRun({ pipeline: b.build(), parameters: params, enableCache: false }).done;
  expect(s.state).toBe("FAILED");
  const t = byPath(s, taskPath);
  expect(t?.state, JSON.stringify(s.tasks.map((x) => [x.path, x.state, x.errorCode, x.error]))).toBe("FAILED");
  expect(t?.errorCode).toBe(code);
  const recorded = env.store.tasks.get(t?.id ?? "")?.error;
  expect(recorded?.code).toBe(code);
  expect(recorded?.message).toContain(taskPath);
  expect(recorded?.action?.length).toBeGreaterThan(3);
  expect(env.store.runs.get(s.runId)?.error?.code).toBe("TASK_FAILED");
  return recorded;
}

describe("task failure codes, each provoked by a real pipeline", () => {
  it("SIGNAL: a process killed by a signal Weft did not send", async () => {
    const b = new IrBuilder("signal").sh("dies", "echo going; kill -9 $$").root({ dies: task("dies") });
    const e = await expectFailure(b, "root/dies", "SIGNAL");
    expect(e?.message).toContain("signal SIGKILL");
    expect(e?.action).toBe(TASK_ERRORS.SIGNAL.action);
  });

  it("SPAWN_FAILED: a command that exists but cannot be executed", async () => {
    const file = path.join(env.home, "not-executable");
    fs.writeFileSync(file, "#!/bin/sh\necho hi\n", { mode: 0o644 });
    const b = new IrBuilder("spawn")
      .executor("x", { container: { image: "alpine", command: [file] } })
      .root({ x: task("x") });
    const e = await expectFailure(b, "root/x", "SPAWN_FAILED");
    expect(e?.message).toContain(`could not start '${file}'`);
  });

  it("INPUT_INVALID: a loop over a value that is not a JSON list", async () => {
    const item = "pipelinechannel--items-loop-item";
    const b = new IrBuilder("loop", { items: { type: "STRING" } })
      .sh("echo", "echo {{$.inputs.parameters['x']}}", { in: { x: "STRING" } })
      .dag(
        "for-loop-1",
        { echo: task("echo", { inputs: { parameters: { x: from.param(item) } } }) },
        {
          in: { [item]: "STRING", "pipelinechannel--items": "STRING" },
        },
      )
      .root({
        "for-loop-1": task("for-loop-1", {
          inputs: { parameters: { "pipelinechannel--items": from.param("items") } },
          parameterIterator: { items: { inputParameter: "pipelinechannel--items" }, itemInput: item },
        }),
      });
    const e = await expectFailure(b, "root/for-loop-1", "INPUT_INVALID", { items: "a, b, c" });
    expect(e?.message).toContain("not a JSON list");
  });

  it("CONDITION_INVALID: a trigger condition that cannot be evaluated at run time", async () => {
    const b = new IrBuilder("cond", { n: { type: "STRING" } })
      .sh("say", "echo yes", { in: { "pipelinechannel--n": "STRING" } })
      .root({
        say: task("say", {
          inputs: { parameters: { "pipelinechannel--n": from.param("n") } },
          triggerPolicy: { condition: "int(inputs.parameter_values['pipelinechannel--n']) > 1" },
        }),
      });
    const e = await expectFailure(b, "root/say", "CONDITION_INVALID", { n: "many" });
    expect(e?.message).toMatch(/trigger condition .* failed: Cannot convert many/);
  });
});
