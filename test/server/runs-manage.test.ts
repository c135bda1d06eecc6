/**
 * Managing runs over HTTP: tags and descriptions (create, PATCH, `tags.KEY` filters),
 * delete refused while a run is active, and the pipeline versions the store registers by
 * content digest (what `weft run` records) answering "New run" like an upload.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sampleSpec } from "../../src/store/index.ts";
import { type Harness, makeHarness } from "./harness.ts";

const API = "/apis/v2beta1";
let h: Harness;

beforeEach(() => {
  h = makeHarness({ concurrency: 0 });
});
afterEach(async () => {
  await h.dispose();
});

async function call(method: "GET" | "POST" | "DELETE" | "PATCH", url: string, payload?: unknown) {
  const res = await h.server.app.inject({
    method,
    url,
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

function filter(key: string, value: string): string {
  return encodeURIComponent(JSON.stringify({ predicates: [{ key, operation: "EQUALS", string_value: value }] }));
}

describe("run tags and descriptions", () => {
  it("creates a run with tags, changes them with PATCH and filters runs by one tag", async () => {
    const spec = sampleSpec();
    const a = await call("POST", `${API}/runs`, {
      display_name: "a",
      description: "first try",
      pipeline_spec: spec,
      tags: { team: "fraud", stage: "dev" },
    });
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body.tags).toEqual({ team: "fraud", stage: "dev" });
    const b = await call("POST", `${API}/runs`, { display_name: "b", pipeline_spec: spec, tags: { team: "ads" } });
    const id = a.body.run_id as string;

    const patched = await call("PATCH", `${API}/runs/${id}`, { description: "the baseline", tags: { team: "fraud" } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ description: "the baseline", tags: { team: "fraud" }, display_name: "a" });
    expect((await call("GET", `${API}/runs/${id}`)).body.tags).toEqual({ team: "fraud" });

    const fraud = await call("GET", `${API}/runs?filter=${filter("tags.team", "fraud")}`);
    expect(fraud.body.runs.map((r: { run_id: string }) => r.run_id)).toEqual([id]);
    const ads = await call("GET", `${API}/runs?filter=${filter("tags.team", "ads")}`);
    expect(ads.body.runs.map((r: { run_id: string }) => r.run_id)).toEqual([b.body.run_id]);
    expect((await call("GET", `${API}/runs?filter=${filter("tags.stage", "dev")}`)).body.runs ?? []).toEqual([]);
  });

  it("refuses a PATCH that changes nothing, an empty name, another run's id and bad tag filters", async () => {
    const run = (await call("POST", `${API}/runs`, { display_name: "a", pipeline_spec: sampleSpec() })).body;
    const id = run.run_id as string;
    const nothing = await call("PATCH", `${API}/runs/${id}`, {});
    expect(nothing.status).toBe(400);
    expect(nothing.body.message).toMatch(/nothing to update/);
    expect((await call("PATCH", `${API}/runs/${id}`, { display_name: "" })).status).toBe(400);
    expect((await call("PATCH", `${API}/runs/${id}`, { run_id: "other", description: "x" })).status).toBe(400);
    expect((await call("PATCH", `${API}/runs/${id}`, { state: "SUCCEEDED" })).status).toBe(400);
    expect((await call("PATCH", `${API}/runs/missing`, { description: "x" })).status).toBe(404);
    const badKey = await call("GET", `${API}/runs?filter=${filter("tags.a'b", "x")}`);
    expect(badKey.status).toBe(400);
    expect(badKey.body.message).toMatch(/tag key/);
    const whole = await call("GET", `${API}/runs?filter=${filter("tags", "x")}`);
    expect(whole.status).toBe(400);
    expect(whole.body.message).toMatch(/tags\.KEY/);
  });
});

describe("deleting runs", () => {
  it("refuses to delete an active run with the way out, and deletes it once stopped", async () => {
    const run = (await call("POST", `${API}/runs`, { display_name: "a", pipeline_spec: sampleSpec() })).body;
    const id = run.run_id as string;
    const refused = await call("DELETE", `${API}/runs/${id}`);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain(`run ${id} is PENDING; terminate it first`);
    expect((await call("GET", `${API}/runs/${id}`)).status).toBe(200);
    expect((await call("POST", `${API}/runs/${id}:terminate`)).status).toBe(200);
    expect((await call("DELETE", `${API}/runs/${id}`)).status).toBe(200);
    expect((await call("GET", `${API}/runs/${id}`)).status).toBe(404);
  });
});

describe("pipelines registered by content digest", () => {
  it("gives one version per distinct spec, usable for a new run like an uploaded one", async () => {
    const spec = sampleSpec("digest-demo");
    const first = h.store.pipelines.register({ spec });
    const again = h.store.pipelines.register({ spec: structuredClone(spec) });
    expect(first.createdVersion).toBe(true);
    expect(again.createdVersion).toBe(false);
    expect(again.version.id).toBe(first.version.id);
    const changed = structuredClone(spec);
    changed.pipelineInfo.description = "now documented";
    const second = h.store.pipelines.register({ spec: changed });
    expect(second.createdVersion).toBe(true);
    expect(second.pipeline.id).toBe(first.pipeline.id);
    expect(second.version.id).not.toBe(first.version.id);
    expect(second.version.name).toMatch(/^digest-demo-\d{4}-/);

    const versions = await call("GET", `${API}/pipelines/${first.pipeline.id}/versions`);
    expect(versions.body.pipeline_versions).toHaveLength(2);
    const run = await call("POST", `${API}/runs`, {
      display_name: "again",
      pipeline_version_reference: { pipeline_id: first.pipeline.id, pipeline_version_id: first.version.id },
    });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.pipeline_version_reference).toEqual({
      pipeline_id: first.pipeline.id,
      pipeline_version_id: first.version.id,
    });
  });
});

describe("deleting experiments", () => {
  it("refuses an experiment with runs unless cascade, and never while a run is active", async () => {
    const exp = (await call("POST", `${API}/experiments`, { display_name: "busy" })).body;
    const id = exp.experiment_id as string;
    const run = (
      await call("POST", `${API}/runs`, { display_name: "a", experiment_id: id, pipeline_spec: sampleSpec() })
    ).body;
    const plain = await call("DELETE", `${API}/experiments/${id}`);
    expect(plain.status).toBe(400);
    expect(plain.body.message).toMatch(/has 1 run\(s\).*cascade/);
    const active = await call("DELETE", `${API}/experiments/${id}?cascade=true`);
    expect(active.status).toBe(400);
    expect(active.body.message).toContain("has 1 active run(s); terminate them first");
    expect((await call("POST", `${API}/runs/${run.run_id}:terminate`)).status).toBe(200);
    expect((await call("DELETE", `${API}/experiments/${id}?cascade=true`)).status).toBe(200);
    expect((await call("GET", `${API}/experiments/${id}`)).status).toBe(404);
    expect((await call("GET", `${API}/runs/${run.run_id}`)).status).toBe(404);
  });
});
