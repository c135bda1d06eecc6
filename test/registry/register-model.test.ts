/**
 * The prebuilt registerModel component in real runs: `weft run` of a TypeScript pipeline
 * whose registerModel task reaches the registry through the engine's task service
 * (MLFLOW_TRACKING_URI and its token). Runs one after another register versions 1, 2, 3 and
 * 4 of one model: the first becomes champion (no champion yet), a worse one stays
 * challenger, one below the threshold fails its task (and stays registered as challenger),
 * a better one takes champion; the alias history records each move. The compiled KFP YAML
 * form runs too, and a run submitted to `weft server` registers in the server's registry.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uriToLocalPath } from "../../src/artifacts/index.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { ROOT, type Sandbox, sandbox, startWeftServer, weft } from "../cli/helpers.ts";

const SDK = JSON.stringify(join(ROOT, "src/index.ts"));

const PIPELINE = `import { writeFileSync } from "node:fs";
import { artifact, component, param, pipeline, registerModel } from ${SDK};

export const makeData = component({
  name: "make-data",
  inputs: { seed: param.int() },
  outputs: { rows: artifact.Dataset },
  run: ({ seed }, { rows }) => {
    writeFileSync(rows.path, "amount,label\\n" + seed + ",0\\n990,1\\n");
  },
});

export const train = component({
  name: "train",
  inputs: { rows: artifact.Dataset, auc: param.float() },
  outputs: { model: artifact.Model, metrics: artifact.Metrics },
  run: ({ rows, auc }, { model, metrics }) => {
    writeFileSync(model.path, JSON.stringify({ trainedOn: rows.uri, auc }));
    metrics.logMetric("roc_auc", auc);
  },
});

export const gated = pipeline(
  { name: "gated", params: { seed: param.int({ default: 1 }), auc: param.float() } },
  (p) => {
    const data = makeData({ seed: p.seed });
    const trained = train({ rows: data.outputs.rows, auc: p.auc });
    const reg = registerModel({
      model: trained.outputs.model,
      metrics: trained.outputs.metrics,
      model_name: "gate-model",
      policy: { thresholds: ["roc_auc >= 0.5"], compare: { metric: "roc_auc", minDelta: 0.01 } },
      tags: { team: "risk" },
    });
    return {
      version: reg.outputs.version,
      promoted: reg.outputs.promoted,
      model_uri: reg.outputs.model_uri,
      decision: reg.outputs.decision,
    };
  },
);
`;

interface Summary {
  runId: string;
  state: string;
  error?: string;
  tasks: { name: string; state: string }[];
  outputs: { parameters: Record<string, unknown>; artifacts: Record<string, { uri: string }[]> };
}

let box: Sandbox;
let file: string;
let store: Store;

async function run(seed: number, auc: number): Promise<Summary> {
  const r = await weft(box.home, ["run", file, "--param", `seed=${seed}`, "--param", `auc=${auc}`, "--json"]);
  const last = r.stdout.trim().split("\n").pop() ?? "";
  if (!last.startsWith("{")) throw new Error(`weft run printed no summary (exit ${r.code}):\n${r.stderr}`);
  return JSON.parse(last) as Summary;
}

function decisionOf(s: Summary): string {
  return readFileSync(uriToLocalPath(s.outputs.artifacts.decision?.[0]?.uri ?? ""), "utf8");
}

beforeAll(() => {
  box = sandbox();
  writeFileSync(join(box.dir, "package.json"), JSON.stringify({ type: "module" }));
  file = join(box.dir, "pipeline.ts");
  writeFileSync(file, PIPELINE);
});

afterAll(() => {
  store?.close();
  box?.cleanup();
});

describe("registerModel in weft run", () => {
  it("registers, sets challenger, and moves champion only when the policy passes", async () => {
    const first = await run(1, 0.8);
    expect(first.state, first.error).toBe("SUCCEEDED");
    expect(first.outputs.parameters).toMatchObject({ version: 1, promoted: true, model_uri: "models:/gate-model/1" });
    expect(decisionOf(first)).toContain("passed: no current champion");

    const worse = await run(2, 0.805);
    expect(worse.state, worse.error).toBe("SUCCEEDED");
    expect(worse.outputs.parameters).toMatchObject({ version: 2, promoted: false });
    expect(decisionOf(worse)).toContain("failed: not >= the champion's (version 1) 0.8 + 0.01");

    const low = await run(3, 0.4);
    expect(low.state).toBe("FAILED");
    const failed = low.tasks.find((t) => t.name === "register-model");
    expect(failed?.state).toBe("FAILED");

    const better = await run(4, 0.9);
    expect(better.state, better.error).toBe("SUCCEEDED");
    expect(better.outputs.parameters).toMatchObject({ version: 4, promoted: true });

    store = openStore(box.home);
    const model = store.models.getModel("gate-model");
    expect(model?.aliases).toEqual({ challenger: 4, champion: 4 });
    const v3 = store.models.getVersion("gate-model", 3);
    expect(v3?.status).toBe("READY");
    expect(v3?.runId).toBe(low.runId);
    // the failed task says which metric, its value and the threshold
    const task = store.tasks.listByRun(low.runId).find((t) => t.name === "register-model");
    expect(task?.error?.stderrTail ?? "").toContain(
      'gate-model version 3 failed the threshold "roc_auc >= 0.5": roc_auc is 0.4, threshold 0.5',
    );
    // each version: the run that made it, the task, its dataset, the gate's metrics and the caller's tags
    const v1 = store.models.getVersion("gate-model", 1)!;
    expect(v1).toMatchObject({ runId: first.runId, taskName: "train", status: "READY" });
    expect(v1.datasets.map((d) => d.task)).toEqual(["make-data"]);
    expect(v1.tags).toEqual({ "weft.metric.roc_auc": "0.8", team: "risk" });
    expect(store.models.aliasHistory("gate-model", "champion").map((m) => [m.fromVersion, m.toVersion])).toEqual([
      [null, 1],
      [1, 4],
    ]);
  }, 240_000);

  it("runs the KFP YAML form, components/register-model.yaml, loaded into a pipeline", async () => {
    const yamlPipeline = join(box.dir, "from-yaml.ts");
    writeFileSync(
      yamlPipeline,
      `import { writeFileSync } from "node:fs";
import { artifact, component, loadComponentFromFile, pipeline } from ${SDK};

const registerFromYaml = loadComponentFromFile(${JSON.stringify(join(ROOT, "components/register-model.yaml"))});

export const makeModel = component({
  name: "make-model",
  outputs: { model: artifact.Model },
  run: (_inputs, { model }) => writeFileSync(model.path, "weights"),
});

export const fromYaml = pipeline({ name: "from-yaml" }, () => {
  const made = makeModel();
  const reg = registerFromYaml({
    model: made.outputs.model,
    model_name: "yaml-model",
    metric_values: { accuracy: 0.97 },
    policy: { thresholds: ["accuracy > 0.9"] },
  });
  return { model_uri: reg.outputs.model_uri, promoted: reg.outputs.promoted };
});
`,
    );
    const r = await weft(box.home, ["run", yamlPipeline, "--json"]);
    const s = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as Summary;
    expect(s.state, `${s.error}\n${r.stderr}`).toBe("SUCCEEDED");
    expect(s.outputs.parameters).toMatchObject({ model_uri: "models:/yaml-model/1", promoted: true });
    const check = openStore(box.home);
    try {
      expect(check.models.getVersion("yaml-model", 1)).toMatchObject({
        status: "READY",
        runId: s.runId,
        tags: { "weft.metric.accuracy": "0.97" },
      });
    } finally {
      check.close();
    }
  }, 120_000);

  it("registers in weft server's registry when the run is submitted to the server", async () => {
    const serverHome = join(box.dir, "server-home");
    const server = await startWeftServer(serverHome);
    try {
      const r = await weft(serverHome, ["--host", server.url, "run", file, "--param", "auc=0.7"]);
      expect(r.code, r.stderr).toBe(0);
      const res = await fetch(`${server.url}/api/2.0/mlflow/registered-models/alias?name=gate-model&alias=champion`);
      expect(res.status).toBe(200);
      const { model_version } = (await res.json()) as { model_version: { version: string; tags: unknown[] } };
      expect(model_version.version).toBe("1");
      expect(model_version.tags).toContainEqual({ key: "weft.metric.roc_auc", value: "0.7" });
    } finally {
      await server.stop();
    }
  }, 120_000);
});
