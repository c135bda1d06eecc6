/**
 * `runtime_config.input_artifacts` (a Weft extension) on run create: the TS client sends it,
 * the server checks it like `weft run --artifact` (a 400 naming the field otherwise),
 * echoes it, and the queued run's task reads the artifact, recorded as the run's input.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientError, WeftClient } from "../../src/client/index.ts";
import type { PipelineSpec } from "../../src/ir/index.ts";
import { takesData } from "../cli/takes-data.ts";
import { type Harness, makeHarness } from "./harness.ts";

const API = "/apis/v2beta1";
let h: Harness;
let base: string;
let dir: string;

beforeAll(async () => {
  h = makeHarness();
  base = await h.server.listen(0, "127.0.0.1");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "weft-input-artifacts-"));
  fs.writeFileSync(path.join(dir, "rows.csv"), "a\nb\n");
});
afterAll(async () => {
  await h.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function post(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${API}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("POST /apis/v2beta1/runs with runtime_config.input_artifacts", () => {
  it("runs the pipeline with the given artifact (sent by the client) and echoes it", async () => {
    const client = new WeftClient({ host: base });
    const file = path.join(dir, "rows.csv");
    const run = await client.createRun({
      displayName: "given",
      pipeline: { pipelineSpec: takesData() as PipelineSpec },
      inputArtifacts: { data: file },
    });
    expect(run.runtime_config?.input_artifacts).toEqual({ data: { uri: `file://${fs.realpathSync(file)}` } });
    const done = await client.waitForRunCompletion(run.run_id, { timeoutMs: 60_000, pollIntervalMs: 100 });
    expect(done.state).toBe("SUCCEEDED");
    const count = h.store.tasks.getByPath(run.run_id, "root/count");
    expect(String(count?.outputs.parameters.lines).trim()).toBe("2");
    const [given] = h.store.artifacts.listByRun(run.run_id).filter((a) => a.name === "data");
    expect(given?.schemaTitle).toBe("system.Dataset");
    expect(count?.inputs.artifacts.data).toEqual([given?.id]);
  });

  it.each([
    [
      "a missing required input",
      {},
      "run.runtime_config.input_artifacts.data: pipeline 'takes-data' requires artifact input 'data'",
    ],
    [
      "an unknown name",
      { data: { uri: "file:///" }, other: { uri: "file:///" } },
      "run.runtime_config.input_artifacts.other: pipeline 'takes-data' has no artifact input 'other'; its artifact inputs are: data",
    ],
    [
      "a URI whose content is not on the server",
      { data: { uri: "file:///nonexistent/rows.csv" } },
      "run.runtime_config.input_artifacts.data: artifact input 'data': file:///nonexistent/rows.csv does not exist",
    ],
  ])("answers 400 for %s and records no run", async (_what, inputArtifacts, message) => {
    const before = h.store.runs.list().totalSize;
    const r = await post({
      display_name: "refused",
      pipeline_spec: takesData(),
      runtime_config: { input_artifacts: inputArtifacts },
    });
    expect(r.status).toBe(400);
    expect(String(r.body.message)).toContain(message);
    expect(h.store.runs.list().totalSize).toBe(before);
  });

  it("refuses an entry without a uri, naming the field", async () => {
    const client = new WeftClient({ host: base });
    const err = await client
      .createRun({
        displayName: "x",
        pipeline: { pipelineSpec: takesData() as PipelineSpec },
        inputArtifacts: { data: "" },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientError);
    const r = await post({
      display_name: "x",
      pipeline_spec: takesData(),
      runtime_config: { input_artifacts: { data: {} } },
    });
    expect(r.status).toBe(400);
    expect(String(r.body.message)).toContain("run.runtime_config.input_artifacts.data.uri");
  });

  it("is refused on a recurring run, whose runs it would not reach", async () => {
    const res = await fetch(`${base}${API}/recurringruns`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        display_name: "every hour",
        pipeline_spec: takesData(),
        runtime_config: { input_artifacts: { data: { uri: "file:///" } } },
        trigger: { periodic_schedule: { interval_second: "3600" } },
      }),
    });
    expect(res.status).toBe(400);
    expect(String(((await res.json()) as { message?: string }).message)).toContain('unknown field "input_artifacts"');
  });
});
