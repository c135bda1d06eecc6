/**
 * Step metrics from a TypeScript component: `ctx.log` in a real task process reaches the
 * store through the engine's task service, under a child MLflow run of the pipeline run,
 * while the task is still running.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AnyPipeline } from "../../src/compiler/index.ts";
import { compilePipeline } from "../../src/compiler/index.ts";
import { makeEnv } from "./helpers.ts";

const SDK = JSON.stringify(resolve(import.meta.dirname, "../../src/index.ts"));

const SOURCE = `import { existsSync } from "node:fs";
import { component, param, pipeline } from ${SDK};

export const train = component({
  name: "train",
  inputs: { steps: param.int(), gate: param.string({ default: "" }) },
  outputs: { final: param.float() },
  run: async ({ steps, gate }, _outputs, ctx) => {
    ctx.log.param("lr", 0.01);
    ctx.log.tag("task", String(ctx.taskName));
    let loss = 1;
    for (let step = 0; step < steps; step++) {
      loss = 1 / (step + 1);
      ctx.log.metric("loss", loss, { step });
    }
    if (gate !== "") {
      await ctx.log.flush();
      // the test writes the gate once it has seen the metrics in the store
      for (let i = 0; i < 1200 && !existsSync(gate); i++) await new Promise((r) => setTimeout(r, 50));
      if (!existsSync(gate)) throw new Error("the gate file never came");
    }
    return { final: loss };
  },
});

export const many = pipeline({ name: "many-metrics" }, () => {
  train({ steps: 2000 });
});

export const gated = pipeline({ name: "gated", params: { gate: param.string() } }, (p) => {
  train({ steps: 10, gate: p.gate });
});
`;

describe("ctx.log in a task", () => {
  const env = makeEnv({ capacity: { cpus: 4000 } });
  let mod: Record<string, AnyPipeline>;
  beforeAll(async () => {
    const dir = join(env.home, "project");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    const file = join(dir, "pipeline.ts");
    writeFileSync(file, SOURCE);
    mod = (await import(file)) as Record<string, AnyPipeline>;
  });
  afterAll(async () => {
    await env.engine.close();
    env.close();
  });

  it("records 2,000 step metrics and a param under the task's run, a child of the pipeline run, history in order", async () => {
    const s = await env.engine.startRun({ pipeline: compilePipeline(mod.many as AnyPipeline) }).done;
    expect(s.state, JSON.stringify(s.tasks.map((t) => t.error))).toBe("SUCCEEDED");
    const task = s.tasks.find((t) => t.name === "train");
    const taskId = task?.id as string;
    const run = env.store.tracking.getRun(taskId);
    expect(run).toMatchObject({ parentRunId: s.runId, weftRunId: s.runId, weftTaskId: taskId, status: "FINISHED" });
    expect(env.store.tracking.getRun(s.runId)?.runId).toBe(s.runId);
    const history = env.store.tracking.metricHistory(taskId, "loss").items;
    expect(history).toHaveLength(2000);
    expect(history.map((m) => m.step)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(history[1999]?.value).toBeCloseTo(1 / 2000);
    expect(env.store.tracking.params(taskId)).toEqual([{ key: "lr", value: "0.01" }]);
    expect(env.store.tracking.tags(taskId)).toContainEqual({ key: "task", value: "train" });
    expect(env.store.tracking.tags(taskId)).toContainEqual({ key: "mlflow.parentRunId", value: s.runId });
    const steps = env.store.tracking.stepMetrics(s.runId);
    expect(steps.series.map((x) => [x.taskName, x.key, x.points.length])).toEqual([["train", "loss", 2000]]);
  });

  it("the metrics are in the store while the task still runs", async () => {
    const gate = join(env.home, "gate");
    const handle = env.engine.startRun({ pipeline: compilePipeline(mod.gated as AnyPipeline), parameters: { gate } });
    await vi.waitFor(
      () => {
        expect(env.store.tracking.stepMetrics(handle.runId).series[0]?.points).toHaveLength(10);
      },
      { timeout: 60_000, interval: 100 },
    );
    const running = env.store.tasks.listByRun(handle.runId).find((t) => t.name === "train");
    expect(running?.state).toBe("RUNNING");
    writeFileSync(gate, "go");
    const s = await handle.done;
    expect(s.state).toBe("SUCCEEDED");
  });
});
