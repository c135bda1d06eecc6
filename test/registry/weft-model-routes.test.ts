/**
 * Weft's model routes through the API server, over a real run of the four-task lineage
 * chain (load → features → train → evaluate): a version registered from `train`'s model
 * shows its lineage (run, task, datasets transitively, upstream artifacts), the models
 * list shows latest versions and aliases, alias history records each move, a run lists
 * the versions it produced, and a `models:/` URI resolves to its version.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uriToLocalPath } from "../../src/artifacts/index.ts";
import type { Artifact, RunSummary } from "../../src/store/index.ts";
import { type Harness, makeHarness } from "../server/harness.ts";
import { lineageChainPipeline } from "../server/lineage-chain.ts";

let h: Harness;
let run: RunSummary;
let model: Artifact;
let transactions: Artifact;
let features: Artifact;

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON, read field by field
type Json = any;

async function get(url: string): Promise<{ status: number; body: Json }> {
  const res = await h.server.app.inject({ method: "GET", url });
  return { status: res.statusCode, body: res.json() };
}

async function post(url: string, body: object): Promise<Json> {
  const res = await h.server.app.inject({
    method: "POST",
    url,
    payload: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

beforeAll(async () => {
  h = makeHarness();
  const done = await h.engine.startRun({ pipeline: lineageChainPipeline(), runName: "chain" }).done;
  expect(done.state).toBe("SUCCEEDED");
  run = h.store.runs.get(done.runId)!;
  const artifacts = h.store.artifacts.listByRun(run.id);
  const named = (n: string) => artifacts.find((a) => a.name === n)!;
  model = named("model");
  transactions = named("transactions");
  features = named("features");
  await post("/api/2.0/mlflow/registered-models/create", { name: "chain-model", description: "from the chain" });
  await post("/api/2.0/mlflow/model-versions/create", { name: "chain-model", source: model.uri, run_id: run.id });
  await post("/api/2.0/mlflow/model-versions/create", { name: "chain-model", source: "s3://elsewhere/model" });
  await post("/api/2.0/mlflow/registered-models/alias", { name: "chain-model", alias: "champion", version: "1" });
  await post("/api/2.0/mlflow/registered-models/alias", { name: "chain-model", alias: "champion", version: "2" });
  await post("/api/2.0/mlflow/registered-models/alias", { name: "chain-model", alias: "challenger", version: "1" });
}, 120_000);

afterAll(async () => {
  await h?.dispose();
});

describe("Weft model routes", () => {
  it("a version's full record: digest, stage, aliases and lineage to run, task, datasets and upstream artifacts", async () => {
    const { status, body } = await get("/apis/weft/v1/models/chain-model/versions/1");
    expect(status).toBe(200);
    expect(body).toMatchObject({
      name: "chain-model",
      version: 1,
      status: "READY",
      stage: "None",
      aliases: ["challenger"],
      source: model.uri,
      digest: model.digest,
      artifact_id: model.id,
      run_id: run.id,
      task_name: "train",
    });
    expect(body.lineage.run).toMatchObject({ run_id: run.id, display_name: "chain", state: "SUCCEEDED" });
    expect(body.lineage.task).toEqual({ task_id: model.taskId, name: "train" });
    const datasets = body.lineage.datasets.map((d: Json) => [d.name, d.digest, d.task]).sort();
    expect(datasets).toEqual(
      [
        ["features", features.digest, "features"],
        ["transactions", transactions.digest, "load"],
      ].sort(),
    );
    // upstream: the artifacts the model came from, transitively (the scaler, which train did not read, is not one)
    expect(body.lineage.upstream.map((u: Json) => u.name).sort()).toEqual(["features", "transactions"]);
    expect(typeof body.created_at).toBe("string");
  });

  it("404 and 400 with MLflow error bodies for an unknown model, version or a bad number", async () => {
    expect((await get("/apis/weft/v1/models/nope/versions/1")).body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    const missing = await get("/apis/weft/v1/models/chain-model/versions/9");
    expect(missing.status).toBe(404);
    expect(missing.body.message).toContain("has no version 9");
    expect((await get("/apis/weft/v1/models/chain-model/versions/x")).status).toBe(400);
  });

  it("the models list shows each model's latest version and aliases", async () => {
    const { body } = await get("/apis/weft/v1/models");
    const m = body.models.find((x: Json) => x.name === "chain-model");
    expect(m).toMatchObject({
      description: "from the chain",
      aliases: { champion: 2, challenger: 1 },
      latest_version: { version: 2, status: "READY", source: "s3://elsewhere/model" },
    });
  });

  it("alias history: every move, oldest first, for one alias or all", async () => {
    const { body } = await get("/apis/weft/v1/models/chain-model/aliases/history?alias=champion");
    expect(body.history.map((m: Json) => [m.from_version, m.to_version])).toEqual([
      [null, 1],
      [1, 2],
    ]);
    const all = await get("/apis/weft/v1/models/chain-model/aliases/history");
    expect(all.body.history).toHaveLength(3);
  });

  it("a run lists the versions it produced", async () => {
    const { body } = await get(`/apis/weft/v1/runs/${run.id}/model-versions`);
    expect(body.model_versions.map((v: Json) => [v.name, v.version])).toEqual([["chain-model", 1]]);
    expect((await get("/apis/weft/v1/runs/no-such-run/model-versions")).status).toBe(404);
  });

  it("a file inside a folder artifact: its own digest, the folder's producer and upstream", async () => {
    await post("/api/2.0/mlflow/registered-models/create", { name: "inside" });
    const file = `${uriToLocalPath(features.uri)}/part-0.csv`;
    const created = await post("/api/2.0/mlflow/model-versions/create", { name: "inside", source: file });
    expect(created.model_version.status).toBe("READY");
    const { body } = await get("/apis/weft/v1/models/inside/versions/1");
    expect(body.digest).toBe(`sha256:${createHash("sha256").update(readFileSync(file)).digest("hex")}`);
    expect(body.digest).not.toBe(features.digest);
    expect(body.lineage.task.name).toBe("features");
    expect(body.lineage.datasets.map((d: Json) => d.name)).toEqual(["transactions"]);
  });

  it("resolves models:/ URIs by number, alias and stage to the full record", async () => {
    const byAlias = await get(`/apis/weft/v1/model-uri?uri=${encodeURIComponent("models:/chain-model@challenger")}`);
    expect(byAlias.body).toMatchObject({ version: 1, digest: model.digest });
    const byNumber = await get(`/apis/weft/v1/model-uri?uri=${encodeURIComponent("models:/chain-model/2")}`);
    expect(byNumber.body.version).toBe(2);
    const bad = await get(`/apis/weft/v1/model-uri?uri=${encodeURIComponent("models:/chain-model@nobody")}`);
    expect(bad.status).toBe(404);
    expect((await get("/apis/weft/v1/model-uri")).status).toBe(400);
  });
});
