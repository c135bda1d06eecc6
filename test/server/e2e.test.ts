import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientError, WeftClient } from "../../src/client/index.ts";
import { containerComponent, inputValue, param, pipeline } from "../../src/sdk/index.ts";
import { CORPUS, corpusFile, type Harness, makeHarness, SHARED_CORPUS } from "./harness.ts";

let h: Harness;
let client: WeftClient;
let baseUrl: string;

beforeAll(async () => {
  h = makeHarness({ concurrency: 2, schedulerIntervalMs: 100 });
  baseUrl = await h.server.listen(0, "127.0.0.1");
  client = new WeftClient({ host: baseUrl });
});
afterAll(async () => {
  await h.dispose();
});

describe.skipIf(!SHARED_CORPUS.present)("over a real socket through the client", () => {
  it("answers healthz and turns KFP error bodies into ClientErrors", async () => {
    expect(await client.healthz()).toEqual({ multi_user: false, pipeline_store: "database" });
    const err = await client.getRun("no-such-run").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientError);
    expect(err).toMatchObject({ status: 404, grpcCode: 5 });
  });

  it("drives a run from upload to completion, then reads its graph and logs", async () => {
    const exp = await client.getOrCreateExperiment("e2e");
    expect((await client.getOrCreateExperiment("e2e")).experiment_id).toBe(exp.experiment_id);
    const pipeline = await client.uploadPipeline(join(CORPUS, "valid/critical/two_step_pipeline_containerized.yaml"), {
      name: "two-step",
    });
    const versions = await client.listPipelineVersions(pipeline.pipeline_id);
    expect(versions.totalSize).toBe(1);
    const run = await client.createRun({
      displayName: "e2e-run",
      experimentId: exp.experiment_id,
      pipelineVersion: { pipelineId: pipeline.pipeline_id },
    });
    const done = await client.waitForRunCompletion(run.run_id, { timeoutMs: 60_000, pollIntervalMs: 100 });
    expect(done.state, JSON.stringify(done.error)).toBe("SUCCEEDED");
    expect(done.run_details?.task_details?.length).toBeGreaterThan(0);
    expect(done.pipeline_version_reference?.pipeline_id).toBe(pipeline.pipeline_id);
    // a queued run starts straight from PENDING: no intermediate FAILED entry
    expect(done.state_history?.map((s) => s.state)).toEqual(["PENDING", "RUNNING", "SUCCEEDED"]);

    const graph = await client.weft.runGraph(run.run_id);
    const containers = graph.nodes.filter((n) => n.kind === "container");
    expect(containers.length).toBe(2);
    expect(containers.every((n) => n.state === "SUCCEEDED")).toBe(true);
    expect(graph.edges.length).toBeGreaterThanOrEqual(1);

    const task = containers[0];
    const lines = await client.weft.taskLogs(run.run_id, task?.task_id ?? "");
    expect(Array.isArray(lines)).toBe(true);
    const events = [];
    for await (const e of client.weft.followTaskLogs(run.run_id, task?.task_id ?? "")) events.push(e);
    expect(events.at(-1)).toEqual({ type: "end", state: "SUCCEEDED" });
    expect(events.filter((e) => e.type === "log").map((e) => (e as { line: string }).line)).toEqual(lines);

    const listed = await client.listRuns({
      experimentId: exp.experiment_id,
      filter: [{ key: "state", op: "EQUALS", value: "SUCCEEDED" }],
    });
    expect(listed.items.map((r) => r.run_id)).toEqual([run.run_id]);
  });

  it("creates a run from inline IR text and a recurring run that fires", async () => {
    const text = corpusFile("valid/essential/container_no_input.yaml");
    const run = await client.createRun({ displayName: "inline", pipeline: text });
    const done = await client.waitForRunCompletion(run.run_id, { timeoutMs: 60_000, pollIntervalMs: 100 });
    expect(done.state).toBe("SUCCEEDED");

    const rr = await client.createRecurringRun({
      displayName: "every-second",
      pipeline: text,
      cron: "@every 1s",
      maxConcurrency: 1,
      noCatchup: true,
    });
    expect(rr).toMatchObject({ mode: "ENABLE", status: "ENABLED", trigger: { cron_schedule: { cron: "@every 1s" } } });
    const deadline = Date.now() + 20_000;
    let fired = 0;
    while (Date.now() < deadline && fired === 0) {
      await new Promise((r) => setTimeout(r, 200));
      fired = (
        await client.listRuns({ filter: [{ key: "recurring_run_id", op: "EQUALS", value: rr.recurring_run_id }] })
      ).totalSize;
    }
    expect(fired).toBeGreaterThan(0);
    await client.disableRecurringRun(rr.recurring_run_id);
    expect((await client.getRecurringRun(rr.recurring_run_id)).status).toBe("DISABLED");
    await client.deleteRecurringRun(rr.recurring_run_id);
  });

  it("creates a run from an SDK pipeline function, with parameters", async () => {
    const greet = containerComponent({
      name: "greet",
      image: "alpine",
      inputs: { who: param.string() },
      command: ["sh", "-c", 'echo "hello $0"'],
      args: [inputValue("who")],
    });
    const hello = pipeline({ name: "hello-fn", params: { who: param.string({ default: "nobody" }) } }, (p) => {
      greet({ who: p.who });
    });
    const run = await client.createRun({ displayName: "from-function", pipeline: hello, parameters: { who: "weft" } });
    const done = await client.waitForRunCompletion(run.run_id, { timeoutMs: 60_000, pollIntervalMs: 100 });
    expect(done.state, JSON.stringify(done.error)).toBe("SUCCEEDED");
    expect(await client.weft.taskLogs(run.run_id, "root/greet")).toContain("hello weft");
  });

  it("terminates a running run (CANCELED counts as finished) and retries a failed one", async () => {
    const sleeper = {
      pipelineInfo: { name: "sleeper" },
      schemaVersion: "2.1.0",
      root: { dag: { tasks: { nap: { taskInfo: { name: "nap" }, componentRef: { name: "comp-nap" } } } } },
      components: { "comp-nap": { executorLabel: "exec-nap" } },
      deploymentSpec: { executors: { "exec-nap": { container: { image: "busybox", command: ["sleep", "30"] } } } },
    };
    const run = await client.createRun({ displayName: "sleepy", pipeline: sleeper as never });
    const deadline = Date.now() + 30_000;
    while ((await client.getRun(run.run_id)).state !== "RUNNING" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const started = Date.now();
    await client.terminateRun(run.run_id);
    const done = await client.waitForRunCompletion(run.run_id, { timeoutMs: 20_000, pollIntervalMs: 100 });
    expect(done.state).toBe("CANCELED");
    expect(Date.now() - started).toBeLessThan(15_000);

    const failing = { ...sleeper, pipelineInfo: { name: "failing" } };
    failing.deploymentSpec = {
      executors: { "exec-nap": { container: { image: "busybox", command: ["sh", "-c", "exit 3"] } } },
    };
    const bad = await client.createRun({ displayName: "fails", pipeline: failing as never });
    expect((await client.waitForRunCompletion(bad.run_id, { timeoutMs: 30_000, pollIntervalMs: 100 })).state).toBe(
      "FAILED",
    );
    await client.retryRun(bad.run_id);
    const again = await client.waitForRunCompletion(bad.run_id, { timeoutMs: 30_000, pollIntervalMs: 100 });
    expect(again.state).toBe("FAILED");
    expect(again.state_history?.filter((s) => s.state === "RUNNING").length).toBeGreaterThanOrEqual(2);
  });

  it("rejects a bad cron with a 400 that says which forms exist", async () => {
    const err = await client
      .createRecurringRun({
        displayName: "bad",
        pipeline: corpusFile("valid/essential/container_no_input.yaml"),
        cron: "* * *",
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, grpcCode: 3 });
    expect((err as Error).message).toMatch(/recurring_run\.trigger\.cron_schedule\.cron: cron "\* \* \*" has 3 fields/);
  });
});
