/**
 * The real MLflow Python client against the engine's task service: where `import mlflow`
 * works, a script logs through `mlflow` (MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN, as
 * a task gets them) and the values are in the store. Elsewhere the suite is skipped and
 * says why.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTaskService, type TaskService } from "../../src/registry/task-service.ts";
import { type Harness, makeHarness } from "./harness.ts";

const probe = spawnSync("python3", ["-c", "import mlflow"], { encoding: "utf8" });
const hasMlflow = probe.status === 0;
if (!hasMlflow) {
  console.warn(
    "mlflow-client.test.ts: skipped: the MLflow Python client is not installed here (python3 -c 'import mlflow' failed)",
  );
}

const SCRIPT = `
import mlflow
mlflow.set_experiment("from-mlflow")
with mlflow.start_run(run_name="py") as run:
    mlflow.log_param("lr", "0.1")
    for step in range(5):
        mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
    mlflow.set_tag("source", "python")
    print(run.info.run_id)
`;

describe.skipIf(!hasMlflow)("the MLflow Python client", () => {
  let h: Harness;
  let service: TaskService;
  beforeAll(async () => {
    h = makeHarness();
    service = await startTaskService(h.store);
  });
  afterAll(async () => {
    await service.close();
    await h.dispose();
  });

  it("creates an experiment and a run, logs a param, step metrics and a tag into the store", () => {
    const r = spawnSync("python3", ["-c", SCRIPT], {
      encoding: "utf8",
      env: { ...process.env, MLFLOW_TRACKING_URI: service.url, MLFLOW_TRACKING_TOKEN: service.token },
    });
    expect(r.status, r.stderr).toBe(0);
    const runId = r.stdout.trim().split("\n").at(-1) as string;
    expect(h.store.tracking.getRun(runId)).toMatchObject({ runName: "py", status: "FINISHED" });
    expect(h.store.tracking.params(runId)).toEqual([{ key: "lr", value: "0.1" }]);
    expect(h.store.tracking.metricHistory(runId, "loss").items.map((m) => m.step)).toEqual([0, 1, 2, 3, 4]);
    expect(h.store.tracking.tags(runId)).toContainEqual({ key: "source", value: "python" });
  });
});
