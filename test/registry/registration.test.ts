/**
 * Registration from a real engine run: `weft run` of a TypeScript pipeline whose first task
 * writes a Dataset and whose second reads it and writes an ONNX Model (and a metric). The
 * model registered by its artifact URI records the dataset's digest, the producing task,
 * the run's pipeline version, the metrics and the ONNX signature, whether a third task
 * registers it through the engine's task service or the store is asked after the run. The
 * other source forms (the path a task sees, `runs:/...`) lead to the same artifact, and a
 * missing file or a foreign URI end as MLflow would record them.
 */
import { copyFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelArtifact } from "../../examples/fraud-detection/lib/model.ts";
import { buildOnnxModel } from "../../examples/fraud-detection/lib/onnx.ts";
import { uriToLocalPath } from "../../src/artifacts/index.ts";
import { registerModelVersion } from "../../src/registry/register.ts";
import { type Artifact, openStore, type Run, type Store } from "../../src/store/index.ts";
import { ROOT, type Sandbox, sandbox, weft } from "../cli/helpers.ts";

const SDK = JSON.stringify(join(ROOT, "src/index.ts"));

const PIPELINE = `import { copyFileSync, writeFileSync } from "node:fs";
import { artifact, component, param, pipeline } from ${SDK};

export const makeData = component({
  name: "make-data",
  outputs: { rows: artifact.Dataset },
  run: (_inputs, { rows }) => {
    writeFileSync(rows.path, "amount,label\\n12.5,0\\n990,1\\n");
  },
});

export const train = component({
  name: "train",
  inputs: { rows: artifact.Dataset, onnx: param.string() },
  outputs: { model: artifact.Model, metrics: artifact.Metrics },
  run: ({ rows, onnx }, { model, metrics }) => {
    if (!rows.path) throw new Error("no rows");
    copyFileSync(onnx, model.path);
    model.framework = "onnx";
    model.metadata.auc = 0.91;
    metrics.logMetric("f1", 0.8);
  },
});

// Registers its input model through the engine's task service, as an MLflow client in a task would.
export const register = component({
  name: "register",
  inputs: { model: artifact.Model },
  run: async ({ model }) => {
    const headers = {
      "content-type": "application/json",
      authorization: "Bearer " + process.env.MLFLOW_TRACKING_TOKEN,
    };
    const call = async (path: string, body: object) => {
      const res = await fetch(process.env.MLFLOW_TRACKING_URI + "/api/2.0/mlflow/" + path, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(path + ": " + res.status + " " + text);
      return JSON.parse(text);
    };
    await call("registered-models/create", { name: "from-task" });
    const { model_version } = await call("model-versions/create", {
      name: "from-task",
      source: model.path,
      run_id: process.env.WEFT_RUN_ID,
    });
    if (model_version.status !== "READY") throw new Error(model_version.status_message);
  },
});

export const p = pipeline({ name: "registration", params: { onnx: param.string() } }, (p) => {
  const data = makeData();
  const trained = train({ rows: data.outputs.rows, onnx: p.onnx });
  register({ model: trained.outputs.model });
});
`;

function denseModel(): ModelArtifact {
  return {
    format: "weft-fraud-model/1",
    kind: "logreg",
    featureNames: ["amount", "hour"],
    scaler: { mean: [0, 0], std: [1, 1] },
    layers: [{ weights: [[0.5], [-0.25]], bias: [0.1], activation: "sigmoid" }],
    hyperparameters: {},
    training: { trainRows: 0, epochs: 0, seconds: 0, finalLoss: 0, classWeight: 1 },
  };
}

let box: Sandbox;
let store: Store;
let run: Run;
let model: Artifact;
let rows: Artifact;

beforeAll(async () => {
  box = sandbox();
  writeFileSync(join(box.dir, "package.json"), JSON.stringify({ type: "module" }));
  const onnxFile = join(box.dir, "model.onnx");
  writeFileSync(onnxFile, await buildOnnxModel(denseModel()));
  const file = join(box.dir, "pipeline.ts");
  writeFileSync(file, PIPELINE);
  const r = await weft(box.home, ["run", file, "--param", `onnx=${onnxFile}`, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  store = openStore(box.home);
  const runs = store.runs.list().items;
  expect(runs).toHaveLength(1);
  run = runs[0]!;
  expect(run.state).toBe("SUCCEEDED");
  const artifacts = store.artifacts.listByRun(run.id);
  model = artifacts.find((a) => a.name === "model")!;
  rows = artifacts.find((a) => a.name === "rows")!;
  expect(model.digest).toMatch(/^sha256:/);
  expect(rows.digest).toMatch(/^sha256:/);
  store.models.createModel({ name: "fraud-detector" });
}, 180_000);

afterAll(() => {
  store?.close();
  box?.cleanup();
});

describe("registering a model version from an engine run", () => {
  it("a task registers its input model through the task service (MLFLOW_TRACKING_URI) with full lineage", () => {
    const v = store.models.getVersion("from-task", 1);
    expect(v?.status, v?.statusMessage).toBe("READY");
    expect(v).toMatchObject({ runId: run.id, digest: model.digest, format: "onnx", taskName: "train" });
    expect(v?.datasets.map((d) => d.digest)).toEqual([rows.digest]);
    expect(store.models.versionsOfRun(run.id).map((x) => x.name)).toEqual(["from-task"]);
  });

  it("by the artifact's URI: READY, with digest, format, signature, task, pipeline version, dataset and metrics", async () => {
    const v = await registerModelVersion(store, {
      name: "fraud-detector",
      source: model.uri,
      tags: { "weft.gate": "manual", team: "risk" },
    });
    expect(v.status, v.statusMessage).toBe("READY");
    expect(v.version).toBe(1);
    expect(v.runId).toBe(run.id);
    expect(v.digest).toBe(model.digest);
    expect(v.format).toBe("onnx");
    expect(v.taskName).toBe("train");
    expect(v.taskId).toBe(model.taskId);
    expect(v.pipelineVersionId).toBe(run.pipelineVersionId);
    expect(v.pipelineVersionId).toBeTruthy();
    expect(v.datasets).toEqual([
      expect.objectContaining({ name: "rows", uri: rows.uri, digest: rows.digest, task: "make-data" }),
    ]);
    // the run's metrics (the train task's f1) and the model's own numeric metadata
    expect(v.metrics.auc).toBe(0.91);
    expect(Object.entries(v.metrics).some(([k, value]) => k.endsWith("f1") && value === 0.8)).toBe(true);
    expect(v.signature?.inputs).toEqual([
      { name: "features", dtype: "float32", shape: [-1, 2], dimParams: ["batch", null] },
    ]);
    expect(v.signature?.outputs[0]).toMatchObject({ name: "fraud_probability", dtype: "float32", shape: [-1, 1] });
    // a client's weft.* tags stay tags
    expect(v.tags).toEqual({ "weft.gate": "manual", team: "risk" });
  });

  it("by the absolute path a task sees and by runs:/<run>/<task>/<output>: the same artifact and lineage", async () => {
    const byPath = await registerModelVersion(store, { name: "fraud-detector", source: uriToLocalPath(model.uri) });
    const byRuns = await registerModelVersion(store, { name: "fraud-detector", source: `runs:/${run.id}/train/model` });
    for (const v of [byPath, byRuns]) {
      expect(v.status, v.statusMessage).toBe("READY");
      expect(v.digest).toBe(model.digest);
      expect(v.taskName).toBe("train");
      expect(v.datasets.map((d) => d.digest)).toEqual([rows.digest]);
    }
    expect([byPath.version, byRuns.version]).toEqual([2, 3]);
  });

  it("a runs:/ URI naming no task output fails the registration, saying what is missing", async () => {
    const v = await registerModelVersion(store, { name: "fraud-detector", source: `runs:/${run.id}/train/weights` });
    expect(v.status).toBe("FAILED_REGISTRATION");
    expect(v.statusMessage).toContain("has no output artifact 'weights'");
    // the failed version is kept, with what was known
    expect(store.models.getVersion("fraud-detector", v.version)?.status).toBe("FAILED_REGISTRATION");
  });

  it("a file that is gone fails the registration and names the file", async () => {
    const gone = join(box.dir, "gone.onnx");
    const v = await registerModelVersion(store, { name: "fraud-detector", source: `file://${gone}` });
    expect(v.status).toBe("FAILED_REGISTRATION");
    expect(v.statusMessage).toContain(`the model file ${gone} is missing`);
  });

  it("a file that claims ONNX but is not fails with the reader's message", async () => {
    const bad = join(box.dir, "bad.onnx");
    writeFileSync(bad, "not a model");
    const v = await registerModelVersion(store, { name: "fraud-detector", source: bad });
    expect(v.status).toBe("FAILED_REGISTRATION");
    expect(v.statusMessage).toContain(bad);
    rmSync(bad);
  });

  it("a file no artifact records, with run_id a task's id: that task is the producer, its inputs the datasets", async () => {
    const loose = join(box.dir, "exported.onnx");
    copyFileSync(uriToLocalPath(model.uri), loose);
    const v = await registerModelVersion(store, { name: "fraud-detector", source: loose, runId: model.taskId });
    expect(v.status, v.statusMessage).toBe("READY");
    expect(v.digest).toBe(model.digest);
    expect(v.format).toBe("onnx");
    expect(v.taskName).toBe("train");
    expect(v.datasets.map((d) => [d.name, d.digest])).toEqual([["rows", rows.digest]]);
  });

  it("a source outside Weft (s3://) registers READY without lineage; run_id may be a task's id", async () => {
    const v = await registerModelVersion(store, {
      name: "fraud-detector",
      source: "s3://bucket/models/fraud/1",
      runId: model.taskId,
    });
    expect(v.status).toBe("READY");
    expect(v.runId).toBe(model.taskId);
    expect(v.digest).toBeUndefined();
    expect(v.format).toBeUndefined();
    // the task's run gives the metrics snapshot
    expect(Object.keys(v.metrics).length).toBeGreaterThan(0);
  });
});
