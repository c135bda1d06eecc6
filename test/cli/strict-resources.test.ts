import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, sandbox, shPipeline, weft } from "./helpers.ts";

/** One task asking for more than any test machine has: 100,000 CPUs and 64 GPUs. */
function greedy(): object {
  const ir = shPipeline("greedy", [{ name: "greedy", script: "echo ran", cache: false }]) as {
    deploymentSpec: { executors: Record<string, { container: Record<string, unknown> }> };
  };
  const container = ir.deploymentSpec.executors["exec-greedy"]?.container;
  if (container) {
    container.resources = {
      resourceCpuLimit: "100000",
      accelerator: { resourceType: "nvidia.com/gpu", resourceCount: "64" },
    };
  }
  return ir;
}

describe("weft run --strict-resources", () => {
  let box: Sandbox;
  beforeAll(() => {
    box = sandbox();
  });
  afterAll(() => box.cleanup());

  it("without it, runs a task that asks for more than this machine has, saying what was not honoured", async () => {
    const file = box.write("greedy.yaml", greedy());
    const r = await weft(box.home, ["run", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[greedy\] weft: resource request not honoured: it requests 100000 CPUs/);
    expect(r.stdout).toMatch(/\[greedy\] weft: resource request not honoured: it requests 64 GPUs/);
    expect(r.stdout).toMatch(/\[greedy\] ran/);
  });

  it("with it, fails the task with RESOURCES_UNSATISFIABLE and exits non-zero; runs retry takes it too", async () => {
    const file = box.write("greedy.yaml", greedy());
    const r = await weft(box.home, ["run", file, "--strict-resources", "--run-name", "strict"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain("[RESOURCES_UNSATISFIABLE] task 'root/greedy' can never run here");
    expect(r.stdout).not.toMatch(/\[greedy\] ran/);
    const retry = await weft(box.home, ["runs", "retry", "strict", "--strict-resources"]);
    expect(retry.code).not.toBe(0);
    expect(retry.stdout).toContain("[RESOURCES_UNSATISFIABLE]");
    const lenient = await weft(box.home, ["runs", "retry", "strict"]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/\[greedy\] ran/);
  });

  it("is refused with --host: the server decides", async () => {
    const file = box.write("greedy.yaml", greedy());
    const r = await weft(box.home, ["--host", "http://127.0.0.1:9", "run", file, "--strict-resources"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--strict-resources only works locally");
  });
});
