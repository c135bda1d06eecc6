/**
 * KFP API details over a real server on 127.0.0.1: boolean query parameters read as
 * KFP's gateway reads them (`cascade=True` from kfp_server_api), a run's pipeline root
 * and service account echoed and used, and task details carrying their input and output
 * artifact ids as KFP's PipelineTaskDetail does.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { uriToLocalPath } from "../../src/artifacts/index.ts";
import { from, IrBuilder, task } from "../engine/ir-builder.ts";
import { listeningHarnessPerTest } from "./harness.ts";

const KFP = "/apis/v2beta1";
const WEFT = "/apis/weft/v1";
const t = listeningHarnessPerTest({ concurrency: 2 });

/** A JSON response body: fields read by the tests. */
type Body = Record<string, unknown> & { message?: string };

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${t.base}${url}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A producer writing `out` and a consumer copying its input `data` to `copy`. */
function chainSpec(): Record<string, unknown> {
  return new IrBuilder("chain")
    .sh("produce", "printf 'hello\\n' > \"{{$.outputs.artifacts['out'].path}}\"", { outArt: ["out"] })
    .sh("consume", "cp \"{{$.inputs.artifacts['data'].path}}\" \"{{$.outputs.artifacts['copy'].path}}\"", {
      inArt: ["data"],
      outArt: ["copy"],
    })
    .root({
      produce: task("produce"),
      consume: task("consume", {
        dependentTasks: ["produce"],
        inputs: { artifacts: { data: from.artifact("produce", "out") } },
      }),
    })
    .build().pipelineSpec as unknown as Record<string, unknown>;
}

async function waitForEnd(runId: string): Promise<string> {
  const end = Date.now() + 60_000;
  for (;;) {
    const state = t.h.store.runs.get(runId)?.state;
    if (state === "SUCCEEDED" || state === "FAILED" || state === "CANCELED") return state;
    if (Date.now() > end) throw new Error(`run ${runId} is still ${state}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "weft-root-"));
  dirs.push(d);
  return d;
}

type ArtifactJson = { artifact_id: string; name: string; uri: string; task_id: string };

async function runArtifacts(runId: string): Promise<ArtifactJson[]> {
  const res = await call("GET", `${WEFT}/artifacts?run_id=${runId}`);
  expect(res.status).toBe(200);
  return (res.body.artifacts ?? []) as ArtifactJson[];
}

async function newPipeline(name: string): Promise<string> {
  const spec = new IrBuilder(name)
    .sh("a", "true")
    .root({ a: task("a") })
    .build().pipelineSpec;
  const created = await call("POST", `${KFP}/pipelines/create`, {
    pipeline: { display_name: name },
    pipeline_version: { display_name: `${name}-v1`, pipeline_spec: spec },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return String(created.body.pipeline_id);
}

describe("boolean query parameters", () => {
  it("accept every spelling of strconv.ParseBool (cascade=True as kfp_server_api sends it)", async () => {
    for (const value of ["True", "t", "1", "TRUE", "T", "true"]) {
      const id = await newPipeline(`p-${value}`);
      const res = await call("DELETE", `${KFP}/pipelines/${id}?cascade=${value}`);
      expect(res.status, `cascade=${value}: ${JSON.stringify(res.body)}`).toBe(200);
      expect((await call("GET", `${KFP}/pipelines/${id}`)).status).toBe(404);
    }
    for (const value of ["False", "f", "0", "FALSE", "F", "false"]) {
      const id = await newPipeline(`q-${value}`);
      const res = await call("DELETE", `${KFP}/pipelines/${id}?cascade=${value}`);
      // false: a pipeline with versions is not deleted
      expect(res.status, `cascade=${value}`).toBe(400);
      expect(res.body.message).toMatch(/cascade/);
      expect((await call("GET", `${KFP}/pipelines/${id}`)).status).toBe(200);
    }
  });

  it("refuse anything else with a 400 naming the parameter and the accepted values", async () => {
    const id = await newPipeline("p-yes");
    for (const value of ["yes", "on", "tRuE", "2"]) {
      const res = await call("DELETE", `${KFP}/pipelines/${id}?cascade=${value}`);
      expect(res.status, value).toBe(400);
      expect(res.body.message).toContain(`cascade "${value}" is not a boolean`);
      expect(res.body.message).toContain("1, t, T, TRUE, true, True");
      expect(res.body.message).toContain("0, f, F, FALSE, false, False");
    }
    expect((await call("GET", `${KFP}/pipelines/${id}`)).status).toBe(200);
    const exp = await call("POST", `${KFP}/experiments`, { display_name: "e-bool" });
    const del = await call("DELETE", `${KFP}/experiments/${String(exp.body.experiment_id)}?cascade=yes`);
    expect(del.status).toBe(400);
    expect(del.body.message).toContain('cascade "yes" is not a boolean');
    expect((await call("DELETE", `${KFP}/experiments/${String(exp.body.experiment_id)}?cascade=T`)).status).toBe(200);
  });
});

describe("a run's pipeline root and service account", () => {
  for (const form of ["file:// URI", "absolute path"] as const) {
    it(`lays the run's artifacts out under the pipeline root (${form}), listed and downloadable`, async () => {
      const root = path.join(tempDir(), "my root");
      const given = form === "file:// URI" ? `file://${encodeURI(root)}` : root;
      const created = await call("POST", `${KFP}/runs`, {
        display_name: "rooted",
        pipeline_spec: chainSpec(),
        runtime_config: { pipeline_root: given },
        service_account: "pipeline-runner",
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const runId = String(created.body.run_id);
      expect(created.body.runtime_config).toMatchObject({ pipeline_root: given });
      expect(created.body.service_account).toBe("pipeline-runner");
      expect(await waitForEnd(runId), JSON.stringify(t.h.store.runs.get(runId)?.error)).toBe("SUCCEEDED");

      const got = await call("GET", `${KFP}/runs/${runId}`);
      expect(got.body.runtime_config).toMatchObject({ pipeline_root: given });
      expect(got.body.service_account).toBe("pipeline-runner");
      const listed = await call("GET", `${KFP}/runs`);
      const inList = (listed.body.runs as Body[]).find((r) => r.run_id === runId);
      expect(inList?.runtime_config).toMatchObject({ pipeline_root: given });
      expect(inList?.service_account).toBe("pipeline-runner");

      const artifacts = await runArtifacts(runId);
      expect(artifacts.map((a) => a.name).sort()).toEqual(["copy", "out"]);
      for (const a of artifacts) {
        const local = uriToLocalPath(a.uri);
        expect(local.startsWith(path.join(root, runId) + path.sep), a.uri).toBe(true);
        expect(fs.readFileSync(local, "utf8")).toBe("hello\n");
        const res = await fetch(`${t.base}${WEFT}/artifacts/${a.artifact_id}/content`);
        expect(res.status, a.uri).toBe(200);
        expect(await res.text()).toBe("hello\n");
        const meta = await call("GET", `${WEFT}/artifacts/${a.artifact_id}`);
        expect(meta.body.content_kind).toBe("file");
      }
      expect(fs.readFileSync(path.join(root, runId, "produce", "out"), "utf8")).toBe("hello\n");
      // nothing of the run under the home's artifact store
      expect(fs.existsSync(path.join(t.h.home, "artifacts", runId))).toBe(false);
    });
  }

  it("still refuses content a record names outside the run's own place under its root", async () => {
    const root = tempDir();
    fs.writeFileSync(path.join(root, "secret"), "not an artifact\n");
    const created = await call("POST", `${KFP}/runs`, {
      display_name: "rooted",
      pipeline_spec: chainSpec(),
      runtime_config: { pipeline_root: root },
    });
    const runId = String(created.body.run_id);
    expect(await waitForEnd(runId)).toBe("SUCCEEDED");
    const [first] = await runArtifacts(runId);
    const taskId = String(first?.task_id);
    for (const uri of [`file://${root}/secret`, `file://${root}/${runId}/../secret`, "file:///etc/passwd"]) {
      const id = t.h.store.artifacts.create({ runId, taskId, name: "planted", uri, schemaTitle: "system.Artifact" }).id;
      const res = await call("GET", `${WEFT}/artifacts/${id}/content`);
      expect(res.status, uri).toBe(400);
      expect(res.body.message).toMatch(/outside the artifact store/);
    }
  });

  it("refuses an object-store root at create with a 400, recording nothing", async () => {
    for (const root of ["gs://bucket/root", "s3://bucket/root", "minio://mlpipeline/v2/artifacts", "relative/dir"]) {
      const res = await call("POST", `${KFP}/runs`, {
        display_name: "remote-root",
        pipeline_spec: chainSpec(),
        runtime_config: { pipeline_root: root },
      });
      expect(res.status, root).toBe(400);
      expect(res.body.message).toContain("run.runtime_config.pipeline_root");
      expect(res.body.message).toMatch(root.includes("://") ? /only under file:\/\/ roots/ : /not an absolute path/);
      const rec = await call("POST", `${KFP}/recurringruns`, {
        display_name: "remote-root",
        pipeline_spec: chainSpec(),
        runtime_config: { pipeline_root: root },
        trigger: { periodic_schedule: { interval_second: "3600" } },
      });
      expect(rec.status, root).toBe(400);
      expect(rec.body.message).toContain("recurring_run.runtime_config.pipeline_root");
    }
    expect((await call("GET", `${KFP}/runs`)).body.total_size).toBe(0);
    expect((await call("GET", `${KFP}/recurringruns`)).body.total_size).toBe(0);
  });

  it("echoes a recurring run's pipeline root and service account and gives them to its runs", async () => {
    const root = tempDir();
    const rec = await call("POST", `${KFP}/recurringruns`, {
      display_name: "nightly",
      pipeline_spec: chainSpec(),
      runtime_config: { pipeline_root: root },
      service_account: "sa-nightly",
      trigger: { periodic_schedule: { interval_second: "3600" } },
    });
    expect(rec.status, JSON.stringify(rec.body)).toBe(200);
    expect(rec.body.runtime_config).toMatchObject({ pipeline_root: root });
    expect(rec.body.service_account).toBe("sa-nightly");
    const got = await call("GET", `${KFP}/recurringruns/${String(rec.body.recurring_run_id)}`);
    expect(got.body.runtime_config).toMatchObject({ pipeline_root: root });
    expect(got.body.service_account).toBe("sa-nightly");
    // due now: the run it starts carries both, and writes under the root
    const id = String(rec.body.recurring_run_id);
    t.h.store.recurringRuns.update(id, { nextFireAt: Date.now() - 1000 });
    const [fired] = t.h.server.ctx.scheduler.tick();
    expect(fired?.recurringRunId).toBe(id);
    const runId = String(fired?.runId);
    const run = await call("GET", `${KFP}/runs/${runId}`);
    expect(run.body.runtime_config).toMatchObject({ pipeline_root: root });
    expect(run.body.service_account).toBe("sa-nightly");
    expect(await waitForEnd(runId)).toBe("SUCCEEDED");
    expect(fs.readFileSync(path.join(root, runId, "consume", "copy"), "utf8")).toBe("hello\n");
  });
});

describe("task details carry their artifacts as KFP's do", () => {
  it("inputs and outputs are {name: {artifact_ids}} matching the artifacts API", async () => {
    const created = await call("POST", `${KFP}/runs`, { display_name: "io", pipeline_spec: chainSpec() });
    const runId = String(created.body.run_id);
    expect(await waitForEnd(runId)).toBe("SUCCEEDED");
    const artifacts = await runArtifacts(runId);
    const idOf = (name: string) => artifacts.find((a) => a.name === name)?.artifact_id;
    expect(idOf("out")).toBeDefined();
    expect(idOf("copy")).toBeDefined();
    const run = await call("GET", `${KFP}/runs/${runId}`);
    const details = (run.body.run_details as { task_details: Body[] }).task_details;
    const byName = (n: string) => details.find((d) => d.display_name === n);
    expect(byName("produce")?.outputs).toEqual({ out: { artifact_ids: [idOf("out")] } });
    expect(byName("produce")?.inputs).toBeUndefined();
    expect(byName("consume")?.inputs).toEqual({ data: { artifact_ids: [idOf("out")] } });
    expect(byName("consume")?.outputs).toEqual({ copy: { artifact_ids: [idOf("copy")] } });
    // the producing task of each artifact is the task whose outputs name it
    for (const a of artifacts) {
      const producer = details.find((d) => d.task_id === a.task_id);
      expect(producer?.outputs).toEqual({ [a.name]: { artifact_ids: [a.artifact_id] } });
    }
    // Weft's task detail names the same ids
    const consume = await call("GET", `${WEFT}/runs/${runId}/tasks/root%2Fconsume`);
    expect(consume.status).toBe(200);
    expect(consume.body.outputs).toMatchObject({ artifacts: { copy: [idOf("copy")] } });
  });
});
