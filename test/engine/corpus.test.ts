import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadPipelineFile } from "../../src/ir/index.ts";
import { sharedPath } from "../shared-dir.ts";
import { logOf, makeEnv } from "./helpers.ts";

const SHARED = sharedPath("kfp-conformance/valid");
const CORPUS = SHARED.path;
const RUNNABLE = [
  "critical/container_component_with_no_inputs",
  "critical/producer_consumer_param_pipeline",
  "critical/two_step_pipeline_containerized",
  "essential/container_no_input",
  "essential/pipeline_with_after",
  "essential/pipeline_with_nested_conditions_yaml",
  "essential/placeholder_with_if_placeholder_none_input_value",
];

function allValid(): string[] {
  const out: string[] = [];
  if (!SHARED.present) return out;
  for (const group of fs.readdirSync(CORPUS)) {
    for (const f of fs.readdirSync(path.join(CORPUS, group))) {
      if (f.endsWith(".yaml")) out.push(`${group}/${f.slice(0, -5)}`);
    }
  }
  return out.sort();
}

describe.skipIf(!SHARED.present)("KFP conformance corpus", () => {
  const env = makeEnv();
  afterAll(() => env.close());

  it.each(RUNNABLE)("%s runs to SUCCEEDED", async (name) => {
    const p = loadPipelineFile(path.join(CORPUS, `${name}.yaml`));
    const summary = await env.engine.startRun({ pipeline: p }).done;
    if (summary.state !== "SUCCEEDED") console.error(JSON.stringify(summary.tasks, null, 2));
    expect(summary.state).toBe("SUCCEEDED");
    const leaves = summary.tasks.filter((t) => t.kind === "container");
    expect(leaves.length).toBeGreaterThan(0);
    for (const t of leaves) expect(["SUCCEEDED", "SKIPPED", "CACHED"]).toContain(t.state);
  });

  it("produces the right outputs", async () => {
    const byName = (s: Awaited<ReturnType<typeof run>>, n: string) => s.tasks.find((t) => t.name === n);
    const run = (name: string, parameters = {}) =>
      env.engine.startRun({
        pipeline: loadPipelineFile(path.join(CORPUS, `${name}.yaml`)),
        parameters,
        enableCache: false,
      }).done;

    const pc = await run("critical/producer_consumer_param_pipeline", { text: "Bonjour" });
    expect(logOf(byName(pc, "consumer")?.logPath)).toContain("Bonjour, this is an output parameter");
    const producer = env.store.tasks.get(byName(pc, "producer")?.id ?? "");
    expect(producer?.outputs.parameters.output_value).toBe("Bonjour, this is an output parameter\n");

    const two = await run("critical/two_step_pipeline_containerized", { text: "payload-42" });
    expect(logOf(byName(two, "component2")?.logPath)).toBe("payload-42\n");
    const arts = env.store.artifacts.listByRun(two.runId);
    expect(arts.map((a) => a.name)).toEqual(["output_gcs"]);
    expect(arts[0]?.digest).toMatch(/^sha256:/);

    const after = await run("essential/pipeline_with_after");
    const t1 = byName(after, "print-text");
    const t3 = byName(after, "print-text-3");
    expect(logOf(t3?.logPath)).toContain("3rd task");
    expect(t3?.startedAt ?? 0).toBeGreaterThanOrEqual(t1?.finishedAt ?? Number.POSITIVE_INFINITY);

    const ifp = await run("essential/placeholder_with_if_placeholder_none_input_value");
    expect(logOf(byName(ifp, "component-with-optional-inputs")?.logPath)).toBe("--arg0 input0 --arg2 default value\n");

    const nested = await run("essential/pipeline_with_nested_conditions_yaml");
    const coin = env.store.tasks.get(byName(nested, "flip-coin")?.id ?? "")?.outputs.parameters.output;
    const c1 = byName(nested, "condition-1");
    const c4 = byName(nested, "condition-4");
    expect(c1?.state).toBe(coin === "heads" ? "SUCCEEDED" : "SKIPPED");
    expect(c4?.state).toBe(coin === "tails" ? "SUCCEEDED" : "SKIPPED");
    const printed = nested.tasks.filter((t) => t.name.startsWith("print") && t.state === "SUCCEEDED");
    expect(printed).toHaveLength(1);
    expect(logOf(printed[0]?.logPath)).toMatch(/^(heads|tails) and \d+ (>|<=) \d+!\n$/);
  });

  it.each(allValid())("%s plans without error", (name) => {
    const p = loadPipelineFile(path.join(CORPUS, `${name}.yaml`));
    const plan = env.engine.plan(p);
    expect(plan.tasks.length).toBeGreaterThan(0);
  });
});

describe.skipIf(!SHARED.present)("KFP lightweight Python components", () => {
  const env = makeEnv();
  afterAll(() => env.close());

  // With their own environments (the default) they install kfp there: test/engine/python-env.test.ts.
  it("launch without their own environments (WEFT_PYTHON_VENV=0) only where python3 can import kfp, and say so otherwise", async () => {
    const p = loadPipelineFile(path.join(CORPUS, "critical/parameters_simple.yaml"));
    const saved = process.env.WEFT_PYTHON_VENV;
    process.env.WEFT_PYTHON_VENV = "0";
    const summary = await env.engine.startRun({ pipeline: p }).done.finally(() => {
      if (saved === undefined) delete process.env.WEFT_PYTHON_VENV;
      else process.env.WEFT_PYTHON_VENV = saved;
    });
    const kfp = spawnSync("python3", ["-c", "import kfp"]).status === 0;
    if (kfp) {
      expect(summary.state).toBe("SUCCEEDED");
      return;
    }
    expect(summary.state).toBe("FAILED");
    const failed = summary.tasks.filter((t) => t.kind === "container" && t.state === "FAILED");
    expect(failed.length).toBeGreaterThan(0);
    for (const t of failed) expect(t.error).toContain("runs only where the host's python3 can import 'kfp'");
  });
});
