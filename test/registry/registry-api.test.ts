/**
 * MLflow's model registry REST API through the API server (`app.inject`): every route,
 * its response shape, its errors (code, HTTP status, MLflow's message), pagination, the
 * filter grammar and stage transitions. The expected key sets are those of MLflow's REST
 * API reference for MLflow 2.x (https://mlflow.org/docs/latest/rest-api.html, generated from
 * `mlflow/protos/model_registry.proto`), section named at each.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../server/harness.ts";

const API = "/api/2.0/mlflow";

// "Data Structures" → RegisteredModel
const REGISTERED_MODEL_KEYS = [
  "aliases",
  "creation_timestamp",
  "description",
  "last_updated_timestamp",
  "latest_versions",
  "name",
  "tags",
  "user_id",
];
// "Data Structures" → ModelVersion
const MODEL_VERSION_KEYS = [
  "aliases",
  "creation_timestamp",
  "current_stage",
  "description",
  "last_updated_timestamp",
  "name",
  "run_id",
  "run_link",
  "source",
  "status",
  "status_message",
  "tags",
  "user_id",
  "version",
];

let h: Harness;

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** One call: GET parameters in the query string (repeated keys for lists), others as a JSON body. */
async function api(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, params: object = {}): Promise<Reply> {
  let url = `${API}${path}`;
  let payload: string | undefined;
  if (method === "GET") {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      for (const item of Array.isArray(v) ? v : [v]) q.append(k, String(item));
    }
    if ([...q.keys()].length > 0) url += `?${q}`;
  } else payload = JSON.stringify(params);
  const res = await h.server.app.inject({
    method,
    url,
    ...(payload !== undefined ? { payload, headers: { "content-type": "application/json" } } : {}),
  });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

/** The call must succeed; returns its body. */
async function ok(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, params: object = {}) {
  const r = await api(method, path, params);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as Json;
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON, read field by field
type Json = any;

type Version = { version: string; current_stage: string; name: string; run_id: string };

const keys = (o: unknown) => Object.keys(o as object).sort();

beforeAll(() => {
  h = makeHarness();
});
afterAll(async () => {
  await h.dispose();
});

describe("registered models", () => {
  it("create answers {registered_model} with MLflow's fields; a second create is RESOURCE_ALREADY_EXISTS (400)", async () => {
    const body = await ok("POST", "/registered-models/create", {
      name: "churn",
      description: "first",
      tags: [{ key: "team", value: "risk" }],
    });
    // "Create RegisteredModel" → Response Structure: registered_model
    expect(keys(body)).toEqual(["registered_model"]);
    expect(keys(body.registered_model)).toEqual(REGISTERED_MODEL_KEYS);
    expect(body.registered_model).toMatchObject({
      name: "churn",
      description: "first",
      tags: [{ key: "team", value: "risk" }],
      latest_versions: [],
      aliases: [],
    });
    expect(typeof body.registered_model.creation_timestamp).toBe("number");
    const again = await api("POST", "/registered-models/create", { name: "churn" });
    expect(again).toEqual({
      status: 400,
      body: { error_code: "RESOURCE_ALREADY_EXISTS", message: "Registered Model (name=churn) already exists." },
    });
  });

  it("a missing name is INVALID_PARAMETER_VALUE naming the parameter", async () => {
    const r = await api("POST", "/registered-models/create", {});
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(r.body.message).toMatch(/^Missing value for required parameter 'name'/);
    const bad = await api("POST", "/registered-models/create", { name: "a/b" });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("get, update (PATCH), rename and delete (DELETE), with MLflow's not-found errors", async () => {
    await ok("POST", "/registered-models/create", { name: "to-rename" });
    // "Get RegisteredModel" → registered_model
    const got = await ok("GET", "/registered-models/get", { name: "to-rename" });
    expect(keys(got.registered_model)).toEqual(REGISTERED_MODEL_KEYS);
    // "Update RegisteredModel" → registered_model
    const updated = await ok("PATCH", "/registered-models/update", { name: "to-rename", description: "new text" });
    expect(updated.registered_model.description).toBe("new text");
    expect(updated.registered_model.last_updated_timestamp).toBeGreaterThanOrEqual(
      got.registered_model.creation_timestamp,
    );
    // "Rename RegisteredModel" → registered_model
    const renamed = await ok("POST", "/registered-models/rename", { name: "to-rename", new_name: "renamed" });
    expect(renamed.registered_model).toMatchObject({ name: "renamed", description: "new text" });
    expect(await api("GET", "/registered-models/get", { name: "to-rename" })).toEqual({
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Registered Model with name=to-rename not found" },
    });
    const taken = await api("POST", "/registered-models/rename", { name: "renamed", new_name: "churn" });
    expect(taken.status).toBe(400);
    expect(taken.body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
    const noNewName = await api("POST", "/registered-models/rename", { name: "renamed" });
    expect(noNewName.body.message).toMatch(/'new_name'/);
    // "Delete RegisteredModel" → empty response
    expect(await ok("DELETE", "/registered-models/delete", { name: "renamed" })).toEqual({});
    expect((await api("DELETE", "/registered-models/delete", { name: "renamed" })).status).toBe(404);
    expect((await api("PATCH", "/registered-models/update", { name: "renamed", description: "x" })).status).toBe(404);
  });

  it("set-tag and delete-tag; deleting a tag that is not set is not an error (as MLflow)", async () => {
    await ok("POST", "/registered-models/create", { name: "tagged" });
    expect(await ok("POST", "/registered-models/set-tag", { name: "tagged", key: "k", value: "v" })).toEqual({});
    expect((await ok("GET", "/registered-models/get", { name: "tagged" })).registered_model.tags).toEqual([
      { key: "k", value: "v" },
    ]);
    expect(await ok("DELETE", "/registered-models/delete-tag", { name: "tagged", key: "k" })).toEqual({});
    expect(await ok("DELETE", "/registered-models/delete-tag", { name: "tagged", key: "k" })).toEqual({});
    expect((await ok("GET", "/registered-models/get", { name: "tagged" })).registered_model.tags).toEqual([]);
    const noValue = await api("POST", "/registered-models/set-tag", { name: "tagged", key: "k" });
    expect(noValue.body.message).toMatch(/'value'/);
    expect((await api("POST", "/registered-models/set-tag", { name: "absent", key: "k", value: "v" })).status).toBe(
      404,
    );
  });
});

describe("search-registered-models", () => {
  beforeAll(async () => {
    for (const name of ["fraud-a", "fraud-b", "fraud-c", "fraud-d", "fraud-e", "credit", "antifraud"]) {
      await ok("POST", "/registered-models/create", {
        name: `s-${name}`,
        tags: name === "fraud-c" || name === "credit" ? [{ key: "tier", value: "gold" }] : [],
      });
    }
  });

  it("pages with max_results and page_token until no next_page_token", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      // "Search RegisteredModels" → registered_models, next_page_token
      const body = await ok("GET", "/registered-models/search", {
        filter: "name LIKE 's-%'",
        max_results: 3,
        ...(token ? { page_token: token } : {}),
      });
      expect(body.registered_models.length).toBeLessThanOrEqual(3);
      for (const m of body.registered_models) expect(keys(m)).toEqual(REGISTERED_MODEL_KEYS);
      seen.push(...body.registered_models.map((m: { name: string }) => m.name));
      token = body.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    // default order: name ASC
    expect(seen).toEqual(["s-antifraud", "s-credit", "s-fraud-a", "s-fraud-b", "s-fraud-c", "s-fraud-d", "s-fraud-e"]);
  });

  it("filters with name LIKE '%fraud%' and tags.k = 'v', and orders by order_by", async () => {
    const like = await ok("GET", "/registered-models/search", { filter: "name LIKE '%fraud%'", order_by: "name DESC" });
    expect(like.registered_models.map((m: { name: string }) => m.name)).toEqual([
      "s-fraud-e",
      "s-fraud-d",
      "s-fraud-c",
      "s-fraud-b",
      "s-fraud-a",
      "s-antifraud",
    ]);
    expect(like.next_page_token).toBeUndefined();
    const tagged = await ok("GET", "/registered-models/search", { filter: "tags.tier = 'gold'" });
    expect(tagged.registered_models.map((m: { name: string }) => m.name)).toEqual(["s-credit", "s-fraud-c"]);
    const both = await ok("GET", "/registered-models/search", {
      filter: "name LIKE '%fraud%' AND tags.tier = 'gold'",
    });
    expect(both.registered_models.map((m: { name: string }) => m.name)).toEqual(["s-fraud-c"]);
  });

  it("refuses a bad filter, a max_results over 1000 and a bad page token with INVALID_PARAMETER_VALUE", async () => {
    for (const params of [
      { filter: "name ~ 'x'" },
      { filter: "owner = 'me'" },
      { max_results: 1001 },
      { max_results: "many" },
      { page_token: "not-a-token" },
      { order_by: "size DESC" },
    ]) {
      const r = await api("GET", "/registered-models/search", params);
      expect(r.status, JSON.stringify(params)).toBe(400);
      expect(r.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    }
  });
});

describe("model versions", () => {
  const create = async (name: string, extra: object = {}) =>
    (await ok("POST", "/model-versions/create", { name, source: "s3://bucket/m", ...extra })).model_version as Version &
      Record<string, unknown>;

  beforeAll(async () => {
    await ok("POST", "/registered-models/create", { name: "mv" });
  });

  it("create answers {model_version} with MLflow's fields, version as a string, READY for a foreign source", async () => {
    const body = await ok("POST", "/model-versions/create", {
      name: "mv",
      source: "s3://bucket/models/1",
      run_id: "run-1",
      run_link: "http://example/run-1",
      description: "v1",
      tags: [{ key: "weft.origin", value: "test" }],
    });
    // "Create ModelVersion" → Response Structure: model_version
    expect(keys(body)).toEqual(["model_version"]);
    expect(keys(body.model_version)).toEqual(MODEL_VERSION_KEYS);
    expect(body.model_version).toMatchObject({
      name: "mv",
      version: "1",
      current_stage: "None",
      status: "READY",
      source: "s3://bucket/models/1",
      run_id: "run-1",
      run_link: "http://example/run-1",
      description: "v1",
      tags: [{ key: "weft.origin", value: "test" }],
      aliases: [],
    });
    const missingSource = await api("POST", "/model-versions/create", { name: "mv" });
    expect(missingSource.body.message).toMatch(/^Missing value for required parameter 'source'/);
    expect(await api("POST", "/model-versions/create", { name: "nope", source: "s3://b/m" })).toEqual({
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Registered Model with name=nope not found" },
    });
  });

  it("get, update (PATCH), get-download-uri, set-tag, delete-tag and delete", async () => {
    const v = await create("mv");
    // "Get ModelVersion" → model_version
    const got = await ok("GET", "/model-versions/get", { name: "mv", version: v.version });
    expect(keys(got.model_version)).toEqual(MODEL_VERSION_KEYS);
    // "Update ModelVersion" → model_version
    const updated = await ok("PATCH", "/model-versions/update", { name: "mv", version: v.version, description: "d" });
    expect(updated.model_version.description).toBe("d");
    // "Get Download URI For ModelVersion Artifacts" → artifact_uri
    expect(await ok("GET", "/model-versions/get-download-uri", { name: "mv", version: v.version })).toEqual({
      artifact_uri: "s3://bucket/m",
    });
    expect(
      await ok("POST", "/model-versions/set-tag", { name: "mv", version: v.version, key: "k", value: "1" }),
    ).toEqual({});
    expect((await ok("GET", "/model-versions/get", { name: "mv", version: v.version })).model_version.tags).toEqual([
      { key: "k", value: "1" },
    ]);
    expect(await ok("DELETE", "/model-versions/delete-tag", { name: "mv", version: v.version, key: "k" })).toEqual({});
    expect(await ok("DELETE", "/model-versions/delete", { name: "mv", version: v.version })).toEqual({});
    expect(await api("GET", "/model-versions/get", { name: "mv", version: v.version })).toEqual({
      status: 404,
      body: {
        error_code: "RESOURCE_DOES_NOT_EXIST",
        message: `Model Version (name=mv, version=${v.version}) not found`,
      },
    });
    expect(await api("GET", "/model-versions/get", { name: "mv", version: "abc" })).toEqual({
      status: 400,
      body: { error_code: "INVALID_PARAMETER_VALUE", message: "Model version must be an integer, got 'abc'" },
    });
    expect((await api("GET", "/model-versions/get", { name: "mv" })).body.message).toMatch(/'version'/);
  });

  it("transition-stage moves a version; archive_existing_versions archives the others in that stage", async () => {
    await ok("POST", "/registered-models/create", { name: "staged" });
    const [a, b, c] = [await create("staged"), await create("staged"), await create("staged")];
    const move = (v: Version, stage: string, archive: boolean) =>
      ok("POST", "/model-versions/transition-stage", {
        name: "staged",
        version: v.version,
        stage,
        archive_existing_versions: archive,
      });
    // "Transition ModelVersion Stage" → model_version
    const first = await move(a, "production", false);
    expect(keys(first)).toEqual(["model_version"]);
    expect(first.model_version.current_stage).toBe("Production");
    await move(b, "Production", false);
    const stageOf = async (v: Version) =>
      (await ok("GET", "/model-versions/get", { name: "staged", version: v.version })).model_version.current_stage;
    expect([await stageOf(a), await stageOf(b)]).toEqual(["Production", "Production"]);
    await move(c, "Production", true);
    expect([await stageOf(a), await stageOf(b), await stageOf(c)]).toEqual(["Archived", "Archived", "Production"]);

    const bad = await api("POST", "/model-versions/transition-stage", {
      name: "staged",
      version: a.version,
      stage: "Prod",
      archive_existing_versions: false,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^Invalid Model Version stage: Prod/);
    const noFlag = await api("POST", "/model-versions/transition-stage", {
      name: "staged",
      version: a.version,
      stage: "Staging",
    });
    expect(noFlag.body.message).toMatch(/'archive_existing_versions'/);

    // "Get Latest ModelVersions" → model_versions, by POST and by GET
    const latest = await ok("POST", "/registered-models/get-latest-versions", { name: "staged" });
    expect(latest.model_versions.map((v: Version) => [v.current_stage, v.version])).toEqual([
      ["Production", c.version],
      ["Archived", b.version],
    ]);
    const prod = await ok("GET", "/registered-models/get-latest-versions", { name: "staged", stages: ["Production"] });
    expect(prod.model_versions.map((v: Version) => v.version)).toEqual([c.version]);
    // the registered model's latest_versions are the same list
    const model = await ok("GET", "/registered-models/get", { name: "staged" });
    expect(model.registered_model.latest_versions.map((v: Version) => v.version)).toEqual([c.version, b.version]);
    expect((await api("GET", "/registered-models/get-latest-versions", { name: "absent" })).status).toBe(404);
  });

  it("search-model-versions filters by name, run_id and tags, and pages", async () => {
    await ok("POST", "/registered-models/create", { name: "paged" });
    for (let i = 1; i <= 5; i++) {
      await create("paged", {
        run_id: i % 2 === 0 ? "run-even" : "run-odd",
        tags: [{ key: "parity", value: `${i % 2}` }],
      });
    }
    const versions: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      // "Search ModelVersions" → model_versions, next_page_token
      const body = await ok("GET", "/model-versions/search", {
        filter: "name = 'paged'",
        max_results: 2,
        ...(token ? { page_token: token } : {}),
      });
      for (const v of body.model_versions) expect(keys(v)).toEqual(MODEL_VERSION_KEYS);
      versions.push(...body.model_versions.map((v: Version) => v.version));
      token = body.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    // default order: name ASC, version DESC
    expect(versions).toEqual(["5", "4", "3", "2", "1"]);
    const even = await ok("GET", "/model-versions/search", { filter: "run_id = 'run-even'" });
    expect(even.model_versions.map((v: Version) => `${v.name}/${v.version}`)).toEqual(["paged/4", "paged/2"]);
    const odd = await ok("GET", "/model-versions/search", {
      filter: "name = 'paged' AND tags.parity = '1'",
      order_by: ["version_number ASC"],
    });
    expect(odd.model_versions.map((v: Version) => v.version)).toEqual(["1", "3", "5"]);
    const bad = await api("GET", "/model-versions/search", { filter: "stage = 'x'" });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe("INVALID_PARAMETER_VALUE");
  });
});

describe("aliases", () => {
  it("set (POST), get by alias (GET) and delete (DELETE); the model and versions list them", async () => {
    await ok("POST", "/registered-models/create", { name: "aliased" });
    for (let i = 0; i < 2; i++) await ok("POST", "/model-versions/create", { name: "aliased", source: "s3://b/m" });
    expect(await ok("POST", "/registered-models/alias", { name: "aliased", alias: "champion", version: "1" })).toEqual(
      {},
    );
    // "Get Model Version by Alias" → model_version
    const got = await ok("GET", "/registered-models/alias", { name: "aliased", alias: "champion" });
    expect(keys(got)).toEqual(["model_version"]);
    expect(got.model_version).toMatchObject({ version: "1", aliases: ["champion"] });
    await ok("POST", "/registered-models/alias", { name: "aliased", alias: "champion", version: "2" });
    const model = await ok("GET", "/registered-models/get", { name: "aliased" });
    expect(model.registered_model.aliases).toEqual([{ alias: "champion", version: "2" }]);
    expect(await ok("DELETE", "/registered-models/alias", { name: "aliased", alias: "champion" })).toEqual({});
    expect(await api("GET", "/registered-models/alias", { name: "aliased", alias: "champion" })).toEqual({
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Registered model alias champion not found." },
    });
    const noVersion = await api("POST", "/registered-models/alias", { name: "aliased", alias: "x", version: "9" });
    expect(noVersion).toEqual({
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Model Version (name=aliased, version=9) not found" },
    });
    const noAlias = await api("POST", "/registered-models/alias", { name: "aliased", version: "1" });
    expect(noAlias.body.message).toMatch(/'alias'/);
  });
});
