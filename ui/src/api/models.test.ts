import { afterEach, describe, expect, it } from "vitest";
import {
  filterString,
  getStepMetrics,
  normalizeAliasHistory,
  normalizeStepMetrics,
  normalizeVersionRecord,
  searchModels,
  searchModelVersions,
} from "./models.ts";

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

function answer(body: unknown): string[] {
  const urls: string[] = [];
  globalThis.fetch = (async (input: string | URL | Request) => {
    urls.push(String(input));
    return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  }) as typeof fetch;
  return urls;
}

describe("registry requests", () => {
  it("lists models through MLflow's search, newest change first, with the page token and a name filter", async () => {
    const urls = answer({ registered_models: [{ name: "fraud" }], next_page_token: "tok" });
    const page = await searchModels({ maxResults: 100, pageToken: "p2", filter: "name LIKE '%fr%'" });
    expect(page).toEqual({ items: [{ name: "fraud" }], nextPageToken: "tok" });
    const u = new URL(urls[0] ?? "", "http://x");
    expect(u.pathname).toBe("/api/2.0/mlflow/registered-models/search");
    expect(Object.fromEntries(u.searchParams)).toEqual({
      max_results: "100",
      order_by: "last_updated_timestamp DESC",
      page_token: "p2",
      filter: "name LIKE '%fr%'",
    });
  });

  it("searches a model's versions by its name, quoting a name that holds a quote", async () => {
    const urls = answer({});
    expect((await searchModelVersions("bob's model")).items).toEqual([]);
    const u = new URL(urls[0] ?? "", "http://x");
    expect(u.searchParams.get("filter")).toBe(`name = "bob's model"`);
    expect(u.searchParams.get("order_by")).toBe("version_number DESC");
    expect(filterString("fraud")).toBe("'fraud'");
  });

  it("asks for step metrics after the cursor it was given", async () => {
    const urls = answer({ series: [], next_after: "42" });
    expect((await getStepMetrics("run 1", "41")).cursor).toBe("42");
    expect(urls).toEqual(["/apis/weft/v1/runs/run%201/step-metrics?after=41"]);
    await getStepMetrics("r", undefined);
    expect(urls[1]).toBe("/apis/weft/v1/runs/r/step-metrics");
  });
});

describe("a version's record", () => {
  it("reads a flat snake_case record", () => {
    const v = normalizeVersionRecord({
      name: "fraud",
      version: "2",
      source: "file:///a/model.onnx",
      digest: "sha256:ab",
      format: "onnx",
      signature: {
        inputs: [{ name: "x", dtype: "float32", shape: [null, 8] }],
        outputs: [{ name: "p", dtype: "float32", shape: ["batch", 1] }],
      },
      metrics: { roc_auc: 0.93, f1: "0.5" },
      status: "READY",
      current_stage: "Production",
      aliases: ["champion"],
      tags: [{ key: "team", value: "risk" }],
      run_id: "r1",
      task_id: "t1",
      task_name: "root/train",
      pipeline_version_id: "pv1",
      datasets: [{ name: "train", uri: "file:///d.csv", digest: "sha256:cd", task: "make-data", artifact_id: "a9" }],
      creation_timestamp: 1700000000000,
    });
    expect(v).toMatchObject({
      name: "fraud",
      version: "2",
      digest: "sha256:ab",
      format: "onnx",
      metrics: { roc_auc: 0.93, f1: 0.5 },
      stage: "Production",
      aliases: ["champion"],
      tags: { team: "risk" },
      runId: "r1",
      taskId: "t1",
      taskName: "root/train",
      pipelineVersionId: "pv1",
      createdAt: 1700000000000,
    });
    expect(v.signature?.inputs).toEqual([{ name: "x", dtype: "float32", shape: [null, 8] }]);
    expect(v.signature?.outputs[0]?.shape).toEqual(["batch", 1]);
    expect(v.datasets).toEqual([
      { name: "train", uri: "file:///d.csv", digest: "sha256:cd", task: "make-data", artifactId: "a9" },
    ]);
  });

  it("reads a camelCase record whose lineage is an object of its own", () => {
    const v = normalizeVersionRecord({
      modelVersion: {
        name: "fraud",
        version: 3,
        currentStage: "Staging",
        aliases: [{ alias: "challenger" }],
        metrics: [{ key: "loss", value: 0.2 }],
        createdAt: "2026-12-05T18:00:00Z",
        lineage: {
          run: { runId: "r2", displayName: "seed 2" },
          task: { taskId: "t2", name: "train" },
          pipelineVersion: { pipelineId: "p", pipelineVersionId: "pv" },
          datasets: [{ name: "d", uri: "u", digest: "sha256:1", taskName: "gen", artifactId: "a1" }],
          upstream: [{ name: "features", schemaTitle: "system.Dataset", artifactId: "a2" }],
          model: { artifactId: "m1" },
        },
      },
    });
    expect(v).toMatchObject({
      version: "3",
      stage: "Staging",
      aliases: ["challenger"],
      metrics: { loss: 0.2 },
      runId: "r2",
      runName: "seed 2",
      taskId: "t2",
      taskName: "train",
      pipelineId: "p",
      pipelineVersionId: "pv",
      modelArtifactId: "m1",
      createdAt: Date.parse("2026-12-05T18:00:00Z"),
    });
    expect(v.datasets[0]).toEqual({ name: "d", uri: "u", digest: "sha256:1", task: "gen", artifactId: "a1" });
    expect(v.upstream[0]).toMatchObject({ name: "features", type: "system.Dataset", artifactId: "a2" });
  });
});

describe("alias history and step metrics", () => {
  it("reads alias moves oldest first, whichever spelling the server uses", () => {
    expect(
      normalizeAliasHistory({
        history: [
          { alias: "champion", from_version: "1", to_version: "2", moved_by: "ana", moved_at: 2000 },
          { alias: "champion", fromVersion: null, toVersion: 1, movedBy: "bo", movedAt: 1000 },
        ],
      }),
    ).toEqual([
      { alias: "champion", from: undefined, to: "1", movedBy: "bo", movedAt: 1000 },
      { alias: "champion", from: "1", to: "2", movedBy: "ana", movedAt: 2000 },
    ]);
  });

  it("reads series, or flat rows grouped by task and key, with the cursor", () => {
    expect(
      normalizeStepMetrics({
        series: [{ task_id: "t", task_name: "train", key: "loss", points: [{ step: 1, value: 0.5, timestamp: 9 }] }],
        next_after: 7,
      }),
    ).toEqual({
      series: [{ taskId: "t", taskName: "train", key: "loss", points: [{ step: 1, value: 0.5, timestamp: 9 }] }],
      cursor: "7",
    });
    const flat = normalizeStepMetrics({
      metrics: [
        { seq: 1, task_id: "t", task_name: "train", key: "loss", step: 0, value: 1, timestamp: 5 },
        { seq: 2, task_id: "t", task_name: "train", key: "acc", step: 0, value: 0.1, timestamp: 5 },
        { seq: 3, task_id: "t", task_name: "train", key: "loss", step: 1, value: 0.7, timestamp: 6 },
      ],
    });
    expect(flat.cursor).toBe("3");
    expect(flat.series.map((s) => [s.key, s.points.map((p) => p.value)])).toEqual([
      ["loss", [1, 0.7]],
      ["acc", [0.1]],
    ]);
  });
});
