import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { corpusFile, type Harness, makeHarness, multipartBody, SHARED_CORPUS } from "./harness.ts";

const API = "/apis/v2beta1";
let h: Harness;

beforeEach(() => {
  h = makeHarness({ concurrency: 0 });
});
afterEach(async () => {
  await h.dispose();
});

async function call(method: "GET" | "POST" | "DELETE", url: string, payload?: unknown) {
  const res = await h.server.app.inject({
    method,
    url,
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

async function upload(file: string, query = ""): Promise<Record<string, string>> {
  const { body, contentType } = multipartBody("uploadfile", file.split("/").pop() ?? "p.yaml", corpusFile(file));
  const res = await h.server.app.inject({
    method: "POST",
    url: `${API}/pipelines/upload${query}`,
    payload: body,
    headers: { "content-type": contentType },
  });
  expect(res.statusCode, res.body).toBe(200);
  return JSON.parse(res.body);
}

describe("health and errors", () => {
  it("answers healthz and KFP error bodies for unknown routes", async () => {
    expect(await call("GET", `${API}/healthz`)).toEqual({
      status: 200,
      body: { multi_user: false, pipeline_store: "database" },
    });
    const nf = await call("GET", `${API}/nothing-here`);
    expect(nf.status).toBe(404);
    expect(nf.body).toMatchObject({ code: 5, error: expect.stringContaining("no route GET") });
    expect(nf.body.message).toBe(nf.body.error);
    expect(Array.isArray(nf.body.details)).toBe(true);
  });

  it("rejects malformed JSON and unknown fields with 400", async () => {
    const bad = await h.server.app.inject({
      method: "POST",
      url: `${API}/experiments`,
      payload: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).code).toBe(3);
    const proto = await h.server.app.inject({
      method: "POST",
      url: `${API}/experiments`,
      payload: '{"display_name":"p","__proto__":{"polluted":true}}',
      headers: { "content-type": "application/json" },
    });
    expect(proto.statusCode).toBe(400);
    const created = await call("POST", `${API}/experiments`, { display_name: "verbs" });
    const emptyBody = await h.server.app.inject({
      method: "POST",
      url: `${API}/experiments/${created.body.experiment_id}:archive`,
      headers: { "content-type": "application/json" },
    });
    expect(emptyBody.statusCode).toBe(200);
    const unknown = await call("POST", `${API}/experiments`, { display_name: "e", colour: "blue" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/experiment: unknown field "colour"/);
  });
});

describe("experiments", () => {
  it("creates, gets, lists, archives, unarchives and deletes", async () => {
    const created = await call("POST", `${API}/experiments`, { display_name: "exp-a", description: "first" });
    expect(created.status).toBe(200);
    const id = created.body.experiment_id as string;
    expect(created.body).toMatchObject({ display_name: "exp-a", description: "first", storage_state: "AVAILABLE" });
    expect(created.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(created.body).not.toHaveProperty("namespace"); // unset fields are omitted
    await call("POST", `${API}/experiments`, { displayName: "exp-b" }); // camelCase accepted
    expect((await call("GET", `${API}/experiments/${id}`)).body.display_name).toBe("exp-a");
    const list = await call("GET", `${API}/experiments?sort_by=display_name`);
    expect(list.body.experiments.map((e: { display_name: string }) => e.display_name)).toEqual(["exp-a", "exp-b"]);
    expect(list.body.total_size).toBe(2);
    expect((await call("POST", `${API}/experiments/${id}:archive`)).status).toBe(200);
    expect((await call("GET", `${API}/experiments/${id}`)).body.storage_state).toBe("ARCHIVED");
    await call("POST", `${API}/experiments/${id}:unarchive`);
    expect((await call("GET", `${API}/experiments/${id}`)).body.storage_state).toBe("AVAILABLE");
    expect((await call("DELETE", `${API}/experiments/${id}`)).status).toBe(200);
    expect((await call("GET", `${API}/experiments/${id}`)).status).toBe(404);
    expect((await call("POST", `${API}/experiments/nope:archive`)).status).toBe(404);
  });

  it("pages with page_size and opaque page_token, and rejects a token for another query", async () => {
    for (let i = 0; i < 5; i++) await call("POST", `${API}/experiments`, { display_name: `e${i}` });
    const first = await call("GET", `${API}/experiments?page_size=2&sort_by=display_name`);
    expect(first.body.experiments).toHaveLength(2);
    const token = first.body.next_page_token as string;
    const second = await call("GET", `${API}/experiments?page_size=2&sort_by=display_name&page_token=${token}`);
    expect(second.body.experiments.map((e: { display_name: string }) => e.display_name)).toEqual(["e2", "e3"]);
    const other = await call("GET", `${API}/experiments?page_size=2&sort_by=display_name%20desc&page_token=${token}`);
    expect(other.status).toBe(400);
    expect(other.body.message).toMatch(/different filter or sort_by/);
    expect((await call("GET", `${API}/experiments?page_token=garbage`)).status).toBe(400);
    expect((await call("GET", `${API}/experiments?page_size=-1`)).status).toBe(400);
  });
});

describe.skipIf(!SHARED_CORPUS.present)("pipelines", () => {
  it("uploads, gets by id and name, uploads a version, lists and deletes", async () => {
    const p = await upload("valid/critical/add_numbers.yaml", "?name=adder&description=adds");
    expect(p).toMatchObject({ name: "adder", display_name: "adder", description: "adds" });
    expect((await call("GET", `${API}/pipelines/${p.pipeline_id}`)).body.name).toBe("adder");
    expect((await call("GET", `${API}/pipelines/names/adder`)).body.pipeline_id).toBe(p.pipeline_id);
    expect((await call("GET", `${API}/pipelines/names/missing`)).status).toBe(404);

    const { body, contentType } = multipartBody("uploadfile", "v2.yaml", corpusFile("valid/critical/add_numbers.yaml"));
    const v2 = await h.server.app.inject({
      method: "POST",
      url: `${API}/pipelines/upload_version?pipelineid=${p.pipeline_id}&name=v2`,
      payload: body,
      headers: { "content-type": contentType },
    });
    expect(v2.statusCode, v2.body).toBe(200);
    const version = JSON.parse(v2.body);
    expect(version).toMatchObject({ pipeline_id: p.pipeline_id, name: "v2" });
    expect(version.pipeline_spec.pipelineInfo.name).toBe("add-numbers");

    const versions = await call("GET", `${API}/pipelines/${p.pipeline_id}/versions`);
    expect(versions.body.total_size).toBe(2);
    const got = await call("GET", `${API}/pipelines/${p.pipeline_id}/versions/${version.pipeline_version_id}`);
    expect(got.body.name).toBe("v2");
    const list = await call(
      "GET",
      `${API}/pipelines?filter=${encodeURIComponent(JSON.stringify({ predicates: [{ key: "name", operation: "IS_SUBSTRING", string_value: "add" }] }))}`,
    );
    expect(list.body.pipelines).toHaveLength(1);

    const refused = await call("DELETE", `${API}/pipelines/${p.pipeline_id}`);
    expect(refused.status).toBe(400);
    expect((await call("DELETE", `${API}/pipelines/${p.pipeline_id}?cascade=true`)).status).toBe(200);
    expect((await call("GET", `${API}/pipelines/${p.pipeline_id}`)).status).toBe(404);
  });

  it("rejects invalid IR and uploads without the uploadfile field", async () => {
    const { body, contentType } = multipartBody("uploadfile", "no_name.yaml", corpusFile("invalid/no_name.yaml"));
    const res = await h.server.app.inject({
      method: "POST",
      url: `${API}/pipelines/upload`,
      payload: body,
      headers: { "content-type": contentType },
    });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).message).toMatch(/no_name\.yaml/);
    const wrong = multipartBody("file", "p.yaml", corpusFile("valid/critical/add_numbers.yaml"));
    const res2 = await h.server.app.inject({
      method: "POST",
      url: `${API}/pipelines/upload`,
      payload: wrong.body,
      headers: { "content-type": wrong.contentType },
    });
    expect(res2.statusCode).toBe(400);
    expect(JSON.parse(res2.body).message).toMatch(/field "uploadfile"/);
    const notMultipart = await call("POST", `${API}/pipelines/upload`, { a: 1 });
    expect(notMultipart.status).toBe(400);
  });
});

describe.skipIf(!SHARED_CORPUS.present)("runs", () => {
  it("creates runs from a version reference and from an inline spec, checking parameters", async () => {
    const p = await upload("valid/critical/add_numbers.yaml", "?name=adder");
    const exp = (await call("POST", `${API}/experiments`, { display_name: "runs-exp" })).body;
    const created = await call("POST", `${API}/runs`, {
      display_name: "r1",
      experiment_id: exp.experiment_id,
      pipeline_version_reference: { pipeline_id: p.pipeline_id },
      runtime_config: { parameters: { a: 1, b: 2 } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({
      display_name: "r1",
      experiment_id: exp.experiment_id,
      state: "PENDING",
      runtime_config: { parameters: { a: 1, b: 2 } },
      pipeline_version_reference: { pipeline_id: p.pipeline_id },
    });
    const got = await call("GET", `${API}/runs/${created.body.run_id}`);
    expect(got.body.run_id).toBe(created.body.run_id);
    expect(got.body.state_history[0].state).toBe("PENDING");

    const badType = await call("POST", `${API}/runs`, {
      display_name: "r2",
      pipeline_version_reference: { pipeline_id: p.pipeline_id },
      runtime_config: { parameters: { a: "one", b: 2 } },
    });
    expect(badType.status).toBe(400);
    expect(badType.body.message).toMatch(/run\.runtime_config\.parameters\.a: expected an integer/);
    const missing = await call("POST", `${API}/runs`, {
      display_name: "r3",
      pipeline_version_reference: { pipeline_id: p.pipeline_id },
      runtime_config: { parameters: { a: 1 } },
    });
    expect(missing.body.message).toMatch(/requires input parameter 'b'/);

    const spec = (await call("GET", `${API}/pipelines/${p.pipeline_id}/versions`)).body.pipeline_versions[0]
      .pipeline_spec;
    const inline = await call("POST", `${API}/runs`, {
      display_name: "inline",
      pipeline_spec: spec,
      runtime_config: { parameters: { a: 3, b: 4 } },
    });
    expect(inline.status).toBe(200);
    expect(inline.body.pipeline_spec.pipelineInfo.name).toBe("add-numbers");
    const badIr = await call("POST", `${API}/runs`, { display_name: "bad", pipeline_spec: { root: {} } });
    expect(badIr.status).toBe(400);
    expect(badIr.body.message).toMatch(/run\.pipeline_spec/);
    expect((await call("POST", `${API}/runs`, { display_name: "none" })).status).toBe(400);
    expect(
      (await call("POST", `${API}/runs`, { display_name: "x", pipeline_version_reference: { pipeline_id: "nope" } }))
        .status,
    ).toBe(404);
  });

  it("lists runs without their pipeline spec; getting one run returns it", async () => {
    const p = await upload("valid/critical/add_numbers.yaml", "?name=adder");
    const spec = (await call("GET", `${API}/pipelines/${p.pipeline_id}/versions`)).body.pipeline_versions[0]
      .pipeline_spec;
    const inline = await call("POST", `${API}/runs`, {
      display_name: "inline",
      pipeline_spec: spec,
      runtime_config: { parameters: { a: 3, b: 4 } },
    });
    const byVersion = await call("POST", `${API}/runs`, {
      display_name: "by-version",
      pipeline_version_reference: { pipeline_id: p.pipeline_id },
      runtime_config: { parameters: { a: 1, b: 2 } },
    });
    const listed = (await call("GET", `${API}/runs?sort_by=display_name`)).body.runs;
    expect(listed.map((r: { display_name: string }) => r.display_name)).toEqual(["by-version", "inline"]);
    for (const r of listed) expect(r).not.toHaveProperty("pipeline_spec");
    // everything else a list shows is what getting the run shows
    const {
      pipeline_spec: _spec,
      run_details: _details,
      ...inlineRest
    } = (await call("GET", `${API}/runs/${inline.body.run_id}`)).body;
    expect(listed[1]).toEqual(inlineRest);
    expect(listed[1].runtime_config.parameters).toEqual({ a: 3, b: 4 });
    expect(listed[0].pipeline_version_reference).toEqual(byVersion.body.pipeline_version_reference);
    expect((await call("GET", `${API}/runs/${inline.body.run_id}`)).body.pipeline_spec.pipelineInfo.name).toBe(
      "add-numbers",
    );
  });

  it("lists runs with filters in every spelling, sorts, and rejects bad filters", async () => {
    const p = await upload("valid/critical/add_numbers.yaml", "?name=adder");
    for (const name of ["alpha", "beta", "gamma"]) {
      await call("POST", `${API}/runs`, {
        display_name: name,
        pipeline_version_reference: { pipeline_id: p.pipeline_id },
        runtime_config: { parameters: { a: 1, b: 2 } },
      });
    }
    const list = async (filter: unknown, extra = "") =>
      call("GET", `${API}/runs?filter=${encodeURIComponent(JSON.stringify(filter))}${extra}`);
    const names = (r: { body: { runs?: { display_name: string }[] } }) =>
      (r.body.runs ?? []).map((x) => x.display_name).sort();
    expect(
      names(await list({ predicates: [{ key: "display_name", operation: "EQUALS", string_value: "beta" }] })),
    ).toEqual(["beta"]);
    expect(names(await list({ predicates: [{ key: "name", operation: 2, stringValue: "beta" }] }))).toEqual([
      "alpha",
      "gamma",
    ]);
    expect(
      names(
        await list({
          predicates: [{ key: "display_name", operation: "IN", string_values: { values: ["alpha", "gamma"] } }],
        }),
      ),
    ).toEqual(["alpha", "gamma"]);
    expect(
      names(await list({ predicates: [{ key: "display_name", op: "IS_SUBSTRING", string_value: "mm" }] })),
    ).toEqual(["gamma"]);
    expect(
      names(
        await list({
          predicates: [{ key: "created_at", operation: "GREATER_THAN", timestamp_value: "2000-01-01T00:00:00Z" }],
        }),
      ),
    ).toHaveLength(3);
    expect(
      names(await list({ predicates: [{ key: "created_at", operation: "LESS_THAN", long_value: "946684800" }] })),
    ).toHaveLength(0);
    const sorted = await call("GET", `${API}/runs?sort_by=display_name%20desc`);
    expect(sorted.body.runs.map((r: { display_name: string }) => r.display_name)).toEqual(["gamma", "beta", "alpha"]);

    const bad = [
      "not json",
      JSON.stringify({ predicates: [{ key: "colour", operation: "EQUALS", string_value: "x" }] }),
      JSON.stringify({ predicates: [{ key: "state", operation: "SOUNDS_LIKE", string_value: "x" }] }),
      JSON.stringify({ predicates: [{ key: "state", operation: "IN", string_value: "x" }] }),
      JSON.stringify({ predicates: [{ key: "created_at", operation: "EQUALS", timestamp_value: "yesterday" }] }),
    ];
    for (const f of bad) {
      const res = await call("GET", `${API}/runs?filter=${encodeURIComponent(f)}`);
      expect(res.status, f).toBe(400);
      expect(res.body.code).toBe(3);
    }
    expect((await call("GET", `${API}/runs?sort_by=colour`)).status).toBe(400);
  });

  it("terminates a queued run, retries it, archives, unarchives and deletes", async () => {
    const p = await upload("valid/critical/add_numbers.yaml", "?name=adder");
    const run = (
      await call("POST", `${API}/runs`, {
        display_name: "t",
        pipeline_version_reference: { pipeline_id: p.pipeline_id },
        runtime_config: { parameters: { a: 1, b: 2 } },
      })
    ).body;
    const id = run.run_id as string;
    expect((await call("POST", `${API}/runs/${id}:terminate`)).status).toBe(200);
    expect((await call("GET", `${API}/runs/${id}`)).body.state).toBe("CANCELED");
    expect((await call("POST", `${API}/runs/${id}:terminate`)).status).toBe(400);
    expect((await call("POST", `${API}/runs/${id}:retry`)).status).toBe(200);
    expect((await call("GET", `${API}/runs/${id}`)).body.state).toBe("PENDING");
    expect((await call("POST", `${API}/runs/${id}:retry`)).status).toBe(400);
    await call("POST", `${API}/runs/${id}:archive`);
    expect((await call("GET", `${API}/runs/${id}`)).body.storage_state).toBe("ARCHIVED");
    await call("POST", `${API}/runs/${id}:unarchive`);
    expect((await call("GET", `${API}/runs/${id}`)).body.storage_state).toBe("AVAILABLE");
    // a PENDING run is refused: it would go on writing to a deleted run
    const refused = await call("DELETE", `${API}/runs/${id}`);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/is PENDING; terminate it first/);
    expect((await call("POST", `${API}/runs/${id}:terminate`)).status).toBe(200);
    expect((await call("DELETE", `${API}/runs/${id}`)).status).toBe(200);
    expect((await call("GET", `${API}/runs/${id}`)).status).toBe(404);
  });
});

describe("metrics", () => {
  it("exposes Prometheus metrics", async () => {
    await call("GET", `${API}/healthz`);
    const res = await h.server.app.inject({ method: "GET", url: "/metrics" });
    expect(res.headers["content-type"]).toMatch(/text\/plain/);
    expect(res.body).toMatch(/^weft_runs\{state="SUCCEEDED"\} 0$/m);
    expect(res.body).toMatch(/^weft_run_queue_concurrency 0$/m);
    expect(res.body).toMatch(/^weft_http_responses_total\{class="2xx"\} \d+$/m);
  });
});

describe("docs", () => {
  it("serves the OpenAPI document and an HTML page", async () => {
    const doc = await call("GET", "/docs/openapi.json");
    expect(doc.body.openapi).toBe("3.0.3");
    expect(Object.keys(doc.body.paths)).toContain("/apis/weft/v1/runs/{run_id}/graph");
    const html = await h.server.app.inject({ method: "GET", url: "/docs" });
    expect(html.headers["content-type"]).toMatch(/text\/html/);
    expect(html.body).toContain("/apis/weft/v1/artifacts/{artifact_id}/content");
  });
});
