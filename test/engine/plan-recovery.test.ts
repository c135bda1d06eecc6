import os from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { PlanError } from "../../src/engine/index.ts";
import { makeEnv } from "./helpers.ts";
import { from, IrBuilder, task } from "./ir-builder.ts";

const env = makeEnv({ capacity: { cpus: 2000, memoryBytes: 2 ** 30, gpus: [] } });
afterAll(() => env.close());

describe("plan", () => {
  const good = () =>
    new IrBuilder("plan", { n: { type: "NUMBER_INTEGER", default: 3 } })
      .sh("a", "echo {{$.inputs.parameters['n']}} > {{$.outputs.parameters['o'].output_file}}", {
        in: { n: "NUMBER_INTEGER" },
        out: { o: "STRING" },
      })
      .sh("b", "echo {{$.inputs.parameters['x']}}", { in: { x: "STRING" } })
      .dag(
        "for-loop-1",
        { b: task("b", { inputs: { parameters: { x: from.param("pipelinechannel--loop-item-param-1") } } }) },
        { in: { "pipelinechannel--loop-item-param-1": "STRING" } },
      )
      .root({
        a: task("a", { inputs: { parameters: { n: from.param("n") } } }),
        "for-loop-1": task("for-loop-1", {
          dependentTasks: ["a"],
          parameterIterator: { items: { raw: '["x","y"]' }, itemInput: "pipelinechannel--loop-item-param-1" },
        }),
      });

  it("resolves the whole DAG statically without running anything", () => {
    const plan = env.engine.plan(good().build(), { n: 5 });
    expect(plan.tasks.map((t) => [t.path, t.kind])).toEqual([
      ["root/a", "container"],
      ["root/for-loop-1", "loop"],
      ["root/for-loop-1/iteration-0/b", "container"],
      ["root/for-loop-1/iteration-1/b", "container"],
    ]);
    expect(plan.tasks[0]?.command).toEqual(["sh", "-c", "echo 5 > <outputs>/o/data"]);
    expect(plan.tasks[2]?.command).toEqual(["sh", "-c", "echo x"]);
    expect(plan.tasks[1]?.iterations).toBe(2);
    expect(env.store.runs.list({ pageSize: 1 }).totalSize).toBe(0);
  });

  it("names the task when wiring, components, conditions or resources are wrong", () => {
    const missingProducer = good();
    const a = missingProducer.spec.root.dag?.tasks?.["for-loop-1"];
    if (a) a.dependentTasks = ["nope"];
    expect(() => env.engine.plan(missingProducer.build())).toThrow(PlanError);
    expect(() => env.engine.plan(missingProducer.build())).toThrow("task 'root/for-loop-1': depends on 'nope'");

    const badCel = good();
    const t = badCel.spec.root.dag?.tasks?.a;
    if (t) t.triggerPolicy = { condition: "inputs.parameter_values[" };
    expect(() => env.engine.plan(badCel.build())).toThrow(/task 'root\/a': trigger condition .* is not valid CEL/);

    const huge = new IrBuilder("huge")
      .sh("h", "true", {}, { resources: { resourceMemoryLimit: "64Gi" } })
      .root({ h: task("h") });
    expect(() => env.newEngine({ strictResources: true }).plan(huge.build())).toThrow(
      /task 'root\/h': can never run on this machine: it requests 64.00 GiB/,
    );
    expect(env.engine.plan(huge.build()).tasks[0]).toMatchObject({
      demand: { memoryBytes: 2 ** 30 },
      notes: [expect.stringMatching(/requests 64.00 GiB of memory but this machine has 1.00 GiB/)],
    });

    const cycle = new IrBuilder("cycle")
      .sh("x", "true")
      .root({ p: task("x", { name: "p", dependentTasks: ["q"] }), q: task("x", { name: "q", dependentTasks: ["p"] }) });
    expect(() => env.engine.plan(cycle.build())).toThrow(/dependency cycle/);
  });
});

describe("orphan recovery", () => {
  it("leaves live owners alone and marks dead or silent ones", () => {
    const spec = new IrBuilder("o")
      .sh("x", "true")
      .root({ x: task("x") })
      .build().pipelineSpec;
    const live = env.store.runs.create({ displayName: "live", pipelineSpec: spec });
    env.store.runs.setOwner(live.id, process.pid, os.hostname());
    env.store.runs.updateState(live.id, "RUNNING");
    const remote = env.store.runs.create({ displayName: "remote", pipelineSpec: spec });
    env.store.runs.setOwner(remote.id, 1, "some-other-host", Date.now() - 120_000);
    env.store.runs.updateState(remote.id, "RUNNING");
    const fresh = env.store.runs.create({ displayName: "fresh", pipelineSpec: spec });
    env.store.runs.setOwner(fresh.id, 1, "some-other-host", Date.now());
    env.store.runs.updateState(fresh.id, "RUNNING");
    const ids = env.engine.recoverOrphans();
    expect(ids).toEqual([remote.id]);
    expect(env.store.runs.get(remote.id)?.error?.code).toBe("OWNER_DIED");
    expect(env.store.runs.get(live.id)?.state).toBe("RUNNING");
    expect(env.store.runs.get(fresh.id)?.state).toBe("RUNNING");
  });

  it("records the run's state history as it goes", async () => {
    const b = new IrBuilder("hist").sh("x", "true").root({ x: task("x") });
    const s = await env.engine.startRun({ pipeline: b.build(), runName: "history" }).done;
    const run = env.store.runs.get(s.runId);
    expect(run?.stateHistory.map((h) => h.state)).toEqual(["PENDING", "RUNNING", "SUCCEEDED"]);
    expect(run?.displayName).toBe("history");
    expect(run?.ownerPid).toBeUndefined();
  });
});
