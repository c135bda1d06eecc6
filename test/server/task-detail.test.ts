import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { TaskDetailJson } from "../../src/server/index.ts";
import { corpusFile, type Harness, makeHarness, SHARED_CORPUS } from "./harness.ts";

const WEFT = "/apis/weft/v1";
let h: Harness;
let markers: string;

/** A task that fails its first attempt (exit 3) and succeeds on the retry. */
function flakySpec(marker: string): Record<string, unknown> {
  return {
    pipelineInfo: { name: "flaky" },
    schemaVersion: "2.1.0",
    sdkVersion: "kfp-2.14.6",
    root: {
      dag: {
        tasks: {
          flaky: {
            taskInfo: { name: "flaky" },
            componentRef: { name: "comp-flaky" },
            retryPolicy: { maxRetryCount: 1, backoffDuration: "0s" },
          },
        },
      },
    },
    components: { "comp-flaky": { executorLabel: "exec-flaky" } },
    deploymentSpec: {
      executors: {
        "exec-flaky": {
          container: {
            image: "busybox",
            command: ["sh", "-c", 'if [ -f "$0" ]; then echo ok; else touch "$0"; echo first-try >&2; exit 3; fi'],
            args: [marker],
          },
        },
      },
    },
  };
}

async function runToEnd(
  spec: unknown,
  parameters: Record<string, unknown> = {},
  expected: "SUCCEEDED" | "FAILED" = "SUCCEEDED",
): Promise<string> {
  const res = await h.server.app.inject({
    method: "POST",
    url: "/apis/v2beta1/runs",
    payload: { display_name: "detail", pipeline_spec: spec, runtime_config: { parameters } },
  });
  expect(res.statusCode, res.body).toBe(200);
  const runId = (JSON.parse(res.body) as { run_id: string }).run_id;
  const end = Date.now() + 60_000;
  for (;;) {
    const state = h.store.runs.get(runId)?.state;
    if (state === "SUCCEEDED" || state === "FAILED" || state === "CANCELED") {
      expect(state, JSON.stringify(h.store.runs.get(runId)?.error)).toBe(expected);
      return runId;
    }
    if (Date.now() > end) throw new Error(`run ${runId} is still ${state}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

async function detail(runId: string, task: string): Promise<{ status: number; body: TaskDetailJson }> {
  const res = await h.server.app.inject({
    method: "GET",
    url: `${WEFT}/runs/${runId}/tasks/${encodeURIComponent(task)}`,
  });
  return { status: res.statusCode, body: JSON.parse(res.body) as TaskDetailJson };
}

beforeAll(() => {
  h = makeHarness({ concurrency: 2 });
  markers = mkdtempSync(join(tmpdir(), "weft-task-detail-"));
});
afterAll(async () => {
  await h.dispose();
  rmSync(markers, { recursive: true, force: true });
});

describe.skipIf(!SHARED_CORPUS.present)("GET /apis/weft/v1/runs/{run_id}/tasks/{task_id}", () => {
  it("answers inputs, outputs, the cache decision and attempts, by id and by path", async () => {
    const spec = parse(corpusFile("valid/critical/producer_consumer_param_pipeline.yaml"));
    const first = await runToEnd(spec, { text: "hi" });
    const byPath = await detail(first, "root/producer");
    expect(byPath.status).toBe(200);
    const producer = byPath.body;
    expect(producer).toMatchObject({
      run_id: first,
      path: "root/producer",
      state: "SUCCEEDED",
      inputs: { parameters: { input_text: "hi" }, artifacts: {} },
      outputs: { parameters: { output_value: "hi, this is an output parameter\n" } },
      cache: { hit: false },
      exit_code: 0,
    });
    expect(producer.cache?.key).toMatch(/\S/);
    expect(producer.attempts).toHaveLength(1);
    expect(producer.attempts[0]).toMatchObject({ attempt: 1, exit_code: 0 });
    expect(Date.parse(producer.attempts[0]?.started_at ?? "")).toBeLessThanOrEqual(
      Date.parse(producer.attempts[0]?.finished_at ?? ""),
    );
    expect(producer.error).toBeUndefined();
    expect((await detail(first, producer.task_id)).body).toEqual(producer);

    const second = await runToEnd(spec, { text: "hi" });
    const cached = (await detail(second, "root/producer")).body;
    expect(cached.state).toBe("CACHED");
    expect(cached.cache).toMatchObject({
      key: producer.cache?.key,
      hit: true,
      source_run_id: first,
      source_task_id: producer.task_id,
    });
    expect(cached.outputs.parameters).toEqual(producer.outputs.parameters);
  });

  it("lists every attempt of a retried task with the failed attempt's exit code and error", async () => {
    const runId = await runToEnd(flakySpec(join(markers, "flaky-1")));
    const t = (await detail(runId, "root/flaky")).body;
    expect(t.state).toBe("SUCCEEDED");
    expect(t.attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(t.attempts[0]?.exit_code).toBe(3);
    expect(t.attempts[0]?.error?.message).toMatch(/\S/);
    expect(t.attempts[0]?.error).toMatchObject({
      code: "EXIT_NONZERO",
      action: expect.stringContaining("weft runs retry"),
      stderr_tail: "first-try",
    });
    expect(t.attempts[1]).toMatchObject({ attempt: 2, exit_code: 0 });
    expect(t.attempts[1]?.error).toBeUndefined();
  });

  it("answers a failed task's error with its code and action, here and in the KFP run JSON", async () => {
    const spec = flakySpec(join(markers, "never"));
    const flaky = (spec.root as { dag: { tasks: { flaky: Record<string, unknown> } } }).dag.tasks.flaky;
    delete flaky.retryPolicy;
    const runId = await runToEnd(spec, {}, "FAILED");
    const t = (await detail(runId, "root/flaky")).body;
    expect(t.state).toBe("FAILED");
    expect(t.error).toMatchObject({
      code: "EXIT_NONZERO",
      message: expect.stringContaining("exited with 3"),
      action: expect.stringContaining("weft runs retry"),
      stderr_tail: "first-try",
    });
    const res = await h.server.app.inject({ method: "GET", url: `/apis/v2beta1/runs/${runId}` });
    const run = JSON.parse(res.body) as {
      error: { details: { reason: string; metadata?: { action: string } }[] };
      run_details: { task_details: { display_name: string; error?: { code: number; details: unknown[] } }[] };
    };
    expect(run.error.details[0]).toMatchObject({ reason: "TASK_FAILED", metadata: { action: t.error?.action } });
    const kfpTask = run.run_details.task_details.find((d) => d.display_name === "flaky");
    expect(kfpTask?.error).toMatchObject({
      code: 2,
      details: [{ "@type": "type.googleapis.com/weft.ErrorInfo", reason: "EXIT_NONZERO" }],
    });
  });

  it("answers 404 for an unknown run, an unknown task and a task of another run", async () => {
    const spec = parse(corpusFile("valid/critical/producer_consumer_param_pipeline.yaml"));
    const runId = await runToEnd(spec, { text: "other" });
    const other = await runToEnd(flakySpec(join(markers, "flaky-2")));
    const otherTask = h.store.tasks.getByPath(other, "root/flaky");
    for (const [run, task] of [
      ["no-such-run", "root/producer"],
      [runId, "root/nothing"],
      [runId, otherTask?.id ?? "x"],
    ] as const) {
      const res = await detail(run, task);
      expect(res.status, `${run}/${task}`).toBe(404);
      expect(res.body).toMatchObject({ code: 5, error: expect.stringMatching(/was not found/) });
    }
  });

  it("is documented in the OpenAPI document", async () => {
    const res = await h.server.app.inject({ method: "GET", url: "/docs/openapi.json" });
    const doc = JSON.parse(res.body) as { paths: Record<string, { get?: { summary?: string } }> };
    expect(doc.paths[`${WEFT}/runs/{run_id}/tasks/{task_id}`]?.get?.summary).toBe("Task details");
  });
});
