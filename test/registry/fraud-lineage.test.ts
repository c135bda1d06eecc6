/**
 * Acceptance (issue 13): from `models:/fraud-detector@champion` to the parameters the
 * generator ran with, through the registry's lineage. Two runs of the fraud-detection
 * pipeline (20,000 rows, seeds 42 and 7) each register their exported ONNX model through
 * the registerModel task; then, over Weft's HTTP API only: the model URI resolves to the
 * champion version, its lineage names the run and the datasets upstream of the model, the
 * one the `load-data` task generated leads to that task, and its recorded inputs are the
 * run's `rows` and `seed`. Back the other way, the run lists the version it produced.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../cli/helpers.ts";
import { type Harness, makeHarness } from "../server/harness.ts";

const PIPELINE = "examples/fraud-detection/pipeline.ts";
const home = mkdtempSync(join(tmpdir(), "fraud-lineage-"));
const ROWS = 20_000;
/** The demo's policy, with a floor these small runs clear. */
const POLICY = JSON.stringify({ thresholds: ["roc_auc >= 0.7"], compare: { metric: "roc_auc", minDelta: 0 } });

interface Summary {
  runId: string;
  state: string;
  error?: string;
  tasks: { name: string; state: string }[];
}

function runFraud(seed: number): Summary {
  const params = [
    `rows=${ROWS}`,
    `seed=${seed}`,
    "epochs=4",
    "learning_rate=0.003",
    "min_roc_auc=0.7",
    "min_f1=0.05",
    `registry_policy=${POLICY}`,
  ];
  const res = spawnSync(
    process.execPath,
    ["bin/weft.js", "run", PIPELINE, "--json", ...params.flatMap((p) => ["--param", p])],
    {
      cwd: ROOT,
      env: { ...process.env, WEFT_HOME: home, NO_COLOR: "1" },
      encoding: "utf8",
      timeout: 280_000,
      maxBuffer: 64 << 20,
    },
  );
  const last = (res.stdout ?? "").trim().split("\n").pop() ?? "";
  if (!last.startsWith("{")) {
    throw new Error(`weft run printed no summary (exit ${res.status}, ${res.signal}):\n${res.stderr.slice(-4000)}`);
  }
  return JSON.parse(last) as Summary;
}

let h: Harness;
const seeds = new Map<string, number>();

async function get<T>(url: string): Promise<T> {
  const res = await h.server.app.inject({ method: "GET", url });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json() as T;
}

interface VersionRecord {
  name: string;
  version: number;
  aliases: string[];
  digest?: string;
  format?: string;
  metrics: Record<string, number>;
  lineage: {
    run: { run_id: string } | null;
    task: { name?: string } | null;
    datasets: { name: string; uri: string; digest?: string; task?: string; run_id?: string }[];
  };
}

interface KfpRun {
  run_id: string;
  run_details?: { task_details?: { display_name?: string; task_id?: string }[] };
}

beforeAll(() => {
  for (const seed of [42, 7]) {
    const s = runFraud(seed);
    expect(s.error).toBeUndefined();
    expect(s.state).toBe("SUCCEEDED");
    expect(s.tasks.find((t) => t.name === "register-model")?.state).toBe("SUCCEEDED");
    seeds.set(s.runId, seed);
  }
  h = makeHarness({}, home);
}, 600_000);

afterAll(async () => {
  await h?.dispose();
  rmSync(home, { recursive: true, force: true });
});

describe("fraud-detector lineage", () => {
  it("walks from models:/fraud-detector@champion to the generator's rows and seed", async () => {
    const champion = await get<VersionRecord>(
      `/apis/weft/v1/model-uri?uri=${encodeURIComponent("models:/fraud-detector@champion")}`,
    );
    expect(champion.name).toBe("fraud-detector");
    expect(champion.aliases).toContain("champion");
    expect(champion.format).toBe("onnx");
    expect(champion.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // the task that made the model: export, inside the pipeline's two quality-gate conditions
    expect(champion.lineage.task?.name).toMatch(/(^|\/)export$/);
    const runId = champion.lineage.run?.run_id ?? "";
    expect(seeds.has(runId)).toBe(true);

    // the generated transactions are among the datasets upstream of the model
    const generated = champion.lineage.datasets.find(
      (d) => /(^|\/)load-data$/.test(d.task ?? "") && d.name === "transactions",
    );
    expect(generated, JSON.stringify(champion.lineage.datasets)).toBeDefined();
    expect(generated?.digest).toMatch(/^sha256:/);

    // the task that generated them (the run's task list over the KFP API), and the parameters it ran with
    const kfp = await get<KfpRun>(`/apis/v2beta1/runs/${encodeURIComponent(generated?.run_id ?? runId)}`);
    const detail = kfp.run_details?.task_details?.find((t) => t.display_name === "load-data");
    expect(detail?.task_id).toBeTruthy();
    const loadData = h.store.tasks.get(detail?.task_id ?? "");
    expect(loadData?.state).toBe("SUCCEEDED");
    expect(loadData?.inputs.parameters).toMatchObject({ rows: ROWS, seed: seeds.get(runId) });
    // that task's recorded output is the dataset the registry names, with the same digest
    const artifact = h.store.artifacts.listByRun(kfp.run_id).find((a) => a.uri === generated?.uri);
    expect(artifact).toMatchObject({ taskId: loadData?.id, digest: generated?.digest });
  });

  it("lists each run's version from the run, and registers the second run as version 2", async () => {
    const versions: number[] = [];
    for (const runId of seeds.keys()) {
      const { model_versions } = await get<{ model_versions: { name: string; version: number }[] }>(
        `/apis/weft/v1/runs/${runId}/model-versions`,
      );
      expect(model_versions.map((v) => v.name)).toEqual(["fraud-detector"]);
      versions.push(model_versions[0]!.version);
    }
    expect(versions).toEqual([1, 2]);
    const { history } = await get<{ history: { alias: string; to_version: number | null }[] }>(
      "/apis/weft/v1/models/fraud-detector/aliases/history?alias=challenger",
    );
    expect(history.map((m) => m.to_version)).toEqual([1, 2]);
  });
});
