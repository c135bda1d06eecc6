import { afterEach, describe, expect, it } from "vitest";
import { parseRegistryFilter } from "../../../src/store/registry-filter.ts";
import {
  aliasHistoryFromWire,
  filterString,
  getAllStepMetrics,
  getStepMetrics,
  searchModels,
  searchModelVersions,
  stepMetricsFromWire,
  versionRecordFromWire,
  type WireVersion,
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
    const filter = u.searchParams.get("filter") ?? "";
    expect(filter).toBe("name = 'bob''s model'");
    // the server's parser reads it back as the name
    expect(parseRegistryFilter(filter, "versions")).toMatchObject([
      { type: "attribute", key: "name", comparator: "=", value: "bob's model" },
    ]);
    expect(u.searchParams.get("order_by")).toBe("version_number DESC");
    expect(filterString("fraud")).toBe("'fraud'");
  });

  it("asks for step metrics after the cursor it was given", async () => {
    const urls = answer({ run_id: "run 1", series: [], cursor: 42, more: false });
    expect((await getStepMetrics("run 1", "41")).cursor).toBe("42");
    expect(urls).toEqual(["/apis/weft/v1/runs/run%201/step-metrics?after=41"]);
    await getStepMetrics("r", undefined);
    expect(urls[1]).toBe("/apis/weft/v1/runs/r/step-metrics");
  });
});

describe("step metrics pages", () => {
  it("reads the server's answer: series per task and key, a NaN as NaN, the cursor and whether more wait", () => {
    const page = stepMetricsFromWire({
      run_id: "r",
      cursor: 12,
      more: true,
      series: [
        {
          run_id: "t1",
          task_id: "t1",
          task_name: "train",
          key: "loss",
          points: [
            { step: 0, value: 1, timestamp: 5 },
            { step: 1, value: "NaN", timestamp: 6 },
          ],
        },
        { run_id: "mlflow-run", key: "acc", points: [{ step: 0, value: 0.5, timestamp: 5 }] },
      ],
    });
    expect(page.cursor).toBe("12");
    expect(page.more).toBe(true);
    expect(page.series[0]?.points.map((p) => p.value)).toEqual([1, Number.NaN]);
    // a series logged outside a pipeline task is named by its MLflow run
    expect(page.series[1]).toMatchObject({ taskId: "mlflow-run", taskName: "mlflow-run", key: "acc" });
  });

  it("reads every page while the server says more wait, joining each series", async () => {
    const urls: string[] = [];
    globalThis.fetch = (async (input: string | URL | Request) => {
      const url = String(input);
      urls.push(url);
      const after = Number(new URL(url, "http://x").searchParams.get("after") ?? 0);
      const body = {
        cursor: after + 2,
        more: after < 4,
        series: [
          {
            task_id: "t",
            task_name: "train",
            key: "loss",
            points: [
              { step: after, value: 1, timestamp: 1 },
              { step: after + 1, value: 1, timestamp: 1 },
            ],
          },
        ],
      };
      return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
    }) as typeof fetch;
    const series = await getAllStepMetrics("r");
    expect(urls).toEqual([
      "/apis/weft/v1/runs/r/step-metrics",
      "/apis/weft/v1/runs/r/step-metrics?after=2",
      "/apis/weft/v1/runs/r/step-metrics?after=4",
    ]);
    expect(series).toHaveLength(1);
    expect(series[0]?.points.map((p) => p.step)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe("a version's record", () => {
  it("reads the record: version as a string, times in milliseconds, lineage flattened for the page", () => {
    const w: WireVersion = {
      name: "fraud",
      version: 2,
      status: "READY",
      stage: "Production",
      aliases: ["champion"],
      format: "onnx",
      digest: "sha256:ab",
      source: "file:///a/model.onnx",
      run_id: "t1",
      task_name: "train",
      artifact_id: "m1",
      created_at: "2026-12-05T18:00:00.000Z",
      updated_at: "2026-12-05T18:01:00.000Z",
      description: "",
      tags: { team: "risk" },
      signature: {
        inputs: [{ name: "x", dtype: "float32", shape: ["batch", 8] }],
        outputs: [{ name: "p", dtype: "float32", shape: [-1, 1] }],
      },
      metrics: { roc_auc: 0.93 },
      lineage: {
        run: { run_id: "r1", display_name: "seed 1" },
        task: { task_id: "t1", name: "train" },
        pipeline_version: { pipeline_version_id: "pv1", name: "v1", pipeline_id: "p1", pipeline_name: "fraud" },
        datasets: [{ name: "train", uri: "file:///d.csv", digest: "sha256:cd", task: "make-data", artifact_id: "a9" }],
        upstream: [],
      },
    };
    expect(versionRecordFromWire(w)).toMatchObject({
      version: "2",
      stage: "Production",
      aliases: ["champion"],
      createdAt: Date.parse("2026-12-05T18:00:00Z"),
      runId: "r1",
      runName: "seed 1",
      taskId: "t1",
      taskName: "train",
      pipelineId: "p1",
      pipelineName: "fraud",
      pipelineVersionId: "pv1",
      pipelineVersionName: "v1",
      artifactId: "m1",
      tags: { team: "risk" },
      metrics: { roc_auc: 0.93 },
    });
    // a version registered from outside a pipeline: no lineage
    const bare = versionRecordFromWire({
      ...w,
      run_id: undefined,
      signature: null,
      lineage: { run: null, task: null, pipeline_version: null, datasets: [], upstream: [] },
    } as unknown as WireVersion);
    expect([bare.runId, bare.taskId, bare.pipelineId, bare.signature]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe("alias history", () => {
  it("reads moves in the server's order (oldest first); a first set has no from, a delete no to", () => {
    expect(
      aliasHistoryFromWire({
        history: [
          { alias: "champion", from_version: null, to_version: 1, moved_at: "2026-12-05T18:00:01Z" },
          { alias: "champion", from_version: 1, to_version: 2, moved_by: "ana", moved_at: "2026-12-05T18:00:02Z" },
          { alias: "champion", from_version: 2, to_version: null, moved_by: "bo", moved_at: "2026-12-05T18:00:03Z" },
        ],
      }).map((m) => [m.from, m.to, m.movedBy]),
    ).toEqual([
      [undefined, "1", undefined],
      ["1", "2", "ana"],
      ["2", undefined, "bo"],
    ]);
  });
});
