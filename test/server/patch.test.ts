/**
 * KFP `PATCH` of pipelines and pipeline versions over real HTTP, as the v2beta1 swagger
 * defines them: `display_name` and `tags` change; other fields may only repeat their
 * current values; an unknown id is a 404.
 */
import { describe, expect, it } from "vitest";
import { WeftClient } from "../../src/client/index.ts";
import { corpusFile, listeningHarnessPerTest } from "./harness.ts";

const API = "/apis/v2beta1";
const server = listeningHarnessPerTest({ concurrency: 0 });

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(server.base + path, {
    method,
    ...(body !== undefined ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function uploaded(): Promise<{ pipelineId: string; versionId: string }> {
  const form = new FormData();
  form.append("uploadfile", new Blob([corpusFile("valid/critical/add_numbers.yaml")]), "add.yaml");
  const res = await fetch(`${server.base}${API}/pipelines/upload?name=adder`, { method: "POST", body: form });
  expect(res.status).toBe(200);
  const pipelineId = ((await res.json()) as { pipeline_id: string }).pipeline_id;
  const versions = await call("GET", `${API}/pipelines/${pipelineId}/versions`);
  const versionId = (versions.body.pipeline_versions as { pipeline_version_id: string }[])[0]?.pipeline_version_id;
  return { pipelineId, versionId: versionId ?? "" };
}

describe("PATCH /pipelines/{pipeline.pipeline_id}", () => {
  it("changes display_name and tags, keeps the rest, and reads back the same", async () => {
    const { pipelineId } = await uploaded();
    const res = await call("PATCH", `${API}/pipelines/${pipelineId}`, {
      pipeline_id: pipelineId,
      display_name: "Adder v2",
      tags: { team: "ml-ops" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      pipeline_id: pipelineId,
      name: "adder",
      display_name: "Adder v2",
      tags: { team: "ml-ops" },
    });
    expect((await call("GET", `${API}/pipelines/${pipelineId}`)).body).toEqual(res.body);
    // camelCase, the full object as read back, and tags alone
    const again = await call("PATCH", `${API}/pipelines/${pipelineId}`, { ...res.body, tags: { team: "core" } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ display_name: "Adder v2", tags: { team: "core" } });
    const camel = await call("PATCH", `${API}/pipelines/${pipelineId}`, { displayName: "Adder v3" });
    expect(camel.body).toMatchObject({ display_name: "Adder v3", tags: { team: "core" } });
  });

  it("answers an unknown id with 404 and immutable or empty updates with 400, changing nothing", async () => {
    const { pipelineId } = await uploaded();
    const missing = await call("PATCH", `${API}/pipelines/no-such-id`, { display_name: "x" });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 5 });
    const name = await call("PATCH", `${API}/pipelines/${pipelineId}`, { name: "renamed", display_name: "x" });
    expect(name.status).toBe(400);
    expect(String(name.body.message)).toMatch(/pipeline\.name cannot be changed.*display_name and tags/);
    const empty = await call("PATCH", `${API}/pipelines/${pipelineId}`, {});
    expect(empty.status).toBe(400);
    expect(String(empty.body.message)).toMatch(/nothing to update/);
    const unknown = await call("PATCH", `${API}/pipelines/${pipelineId}`, { display_name: "x", colour: "red" });
    expect(unknown.status).toBe(400);
    expect(String(unknown.body.message)).toMatch(/unknown field "colour"/);
    const badTags = await call("PATCH", `${API}/pipelines/${pipelineId}`, { tags: { "a.b": "c" } });
    expect(badTags.status).toBe(400);
    expect(String(badTags.body.message)).toMatch(/pipeline\.tags/);
    const other = await call("PATCH", `${API}/pipelines/${pipelineId}`, { pipeline_id: "another", display_name: "x" });
    expect(other.status).toBe(400);
    const now = await call("GET", `${API}/pipelines/${pipelineId}`);
    expect(now.body).toMatchObject({ name: "adder", display_name: "adder" });
    expect(now.body.tags).toBeUndefined();
  });
});

describe("PATCH /pipelines/{pipeline_id}/versions/{pipeline_version_id}", () => {
  it("changes display_name and tags of a version and keeps its spec", async () => {
    const { pipelineId, versionId } = await uploaded();
    const before = await call("GET", `${API}/pipelines/${pipelineId}/versions/${versionId}`);
    const res = await call("PATCH", `${API}/pipelines/${pipelineId}/versions/${versionId}`, {
      display_name: "first",
      tags: { stage: "prod" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...before.body, display_name: "first", tags: { stage: "prod" } });
    expect((await call("GET", `${API}/pipelines/${pipelineId}/versions/${versionId}`)).body).toEqual(res.body);
    // sending back what was read, with a new display name, is accepted
    const full = await call("PATCH", `${API}/pipelines/${pipelineId}/versions/${versionId}`, {
      ...res.body,
      display_name: "second",
    });
    expect(full.status).toBe(200);
    expect(full.body.display_name).toBe("second");
  });

  it("answers unknown ids with 404 and immutable changes with 400", async () => {
    const { pipelineId, versionId } = await uploaded();
    expect((await call("PATCH", `${API}/pipelines/${pipelineId}/versions/nope`, { display_name: "x" })).status).toBe(
      404,
    );
    expect((await call("PATCH", `${API}/pipelines/nope/versions/${versionId}`, { display_name: "x" })).status).toBe(
      404,
    );
    for (const body of [
      { description: "new words", display_name: "x" },
      { pipeline_spec: { pipelineInfo: { name: "other" }, root: {} }, display_name: "x" },
      { package_url: { pipeline_url: "https://example.com/p.yaml" }, display_name: "x" },
    ]) {
      const res = await call("PATCH", `${API}/pipelines/${pipelineId}/versions/${versionId}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(String(res.body.message)).toMatch(/pipeline_version\.\w+ cannot be changed/);
    }
    const v = await call("GET", `${API}/pipelines/${pipelineId}/versions/${versionId}`);
    expect(v.body.display_name).toBe("adder");
  });
});

describe("the client's update methods", () => {
  it("update a pipeline and a version and report a 404 as an error with the status", async () => {
    const { pipelineId, versionId } = await uploaded();
    const client = new WeftClient({ host: server.base });
    expect(await client.updatePipeline(pipelineId, { tags: { a: "1" } })).toMatchObject({ tags: { a: "1" } });
    expect(await client.updatePipelineVersion(pipelineId, versionId, { displayName: "v" })).toMatchObject({
      display_name: "v",
    });
    await expect(client.updatePipeline("nope", { displayName: "x" })).rejects.toMatchObject({ status: 404 });
  });
});
