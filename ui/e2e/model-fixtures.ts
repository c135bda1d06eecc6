/**
 * A registered model seeded straight into a store (before `weft server` opens it): the
 * model `fraud-detector` with two versions made by two recorded runs, aliases moved with
 * history, and one version in Production.
 */
import type { Store } from "../../src/store/index.ts";
import { widePipeline } from "./fixtures.ts";

/** What {@link seedRegistry} recorded. */
export interface SeededRegistry {
  model: string;
  runIds: [string, string];
  digests: [string, string];
}

/** Seeds the model, its two versions and their runs; `store` stays open. */
export function seedRegistry(store: Store, model = "fraud-detector"): SeededRegistry {
  const spec = widePipeline(1, 1) as never;
  const t0 = Date.parse("2026-12-01T09:00:00Z");
  const run = (displayName: string, at: number): string => {
    const id = store.runs.create({ displayName, pipelineSpec: spec, state: "PENDING", createdAt: at }).id;
    store.runs.updateState(id, "RUNNING", { at: at + 1000 });
    store.runs.updateState(id, "SUCCEEDED", { at: at + 61_000 });
    return id;
  };
  const runIds: [string, string] = [run("train seed 1", t0), run("train seed 2", t0 + 60_000)];
  const digests: [string, string] = [`sha256:${"1".repeat(64)}`, `sha256:${"2".repeat(64)}`];
  store.models.createModel({
    name: model,
    description: "Scores card transactions for fraud",
    tags: { team: "risk" },
    createdAt: t0,
  });
  const signature = {
    inputs: [{ name: "features", dtype: "float32", shape: [-1, 12] }],
    outputs: [{ name: "probability", dtype: "float32", shape: [-1, 1] }],
  };
  const metrics = [
    { roc_auc: 0.91, val_loss: 0.31 },
    { roc_auc: 0.95, val_loss: 0.24 },
  ];
  for (const i of [0, 1] as const) {
    store.models.createVersion({
      name: model,
      source: `file:///weft/artifacts/${runIds[i]}/train/model/model.onnx`,
      digest: digests[i],
      format: "onnx",
      signature,
      runId: runIds[i],
      taskName: "train",
      datasets: [
        {
          name: "transactions",
          uri: `file:///weft/artifacts/${runIds[i]}/generate/transactions.csv`,
          digest: `sha256:${String(i + 7).repeat(64)}`,
          task: "generate",
        },
      ],
      metrics: metrics[i],
      status: "READY",
      userId: "ana",
      createdAt: t0 + (i + 1) * 120_000,
    });
  }
  store.models.setAlias(model, "champion", 1, "ana");
  store.models.setAlias(model, "challenger", 2, "ana");
  store.models.setAlias(model, "champion", 2, "bo");
  store.models.transitionStage(model, 2, "Production", { archiveExistingVersions: true, userId: "bo" });
  return { model, runIds, digests };
}
