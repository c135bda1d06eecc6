import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const pipelineFile = "examples/fraud-detection/pipeline.ts";
const home = mkdtempSync(join(tmpdir(), "fraud-pipeline-"));

interface Summary {
  type: "summary";
  runId: string;
  state: string;
  durationMs: number;
  error?: string;
  tasks: { name: string; path: string; kind: string; state: string; cached: boolean }[];
  metrics: { task: string; name: string; value: number }[];
  outputs: { parameters: Record<string, unknown>; artifacts: Record<string, { uri: string }[]> };
}

function weft(args: string[], timeout = 170_000) {
  const res = spawnSync(process.execPath, ["bin/weft.js", ...args], {
    cwd: root,
    env: { ...process.env, WEFT_HOME: home, NO_COLOR: "1" },
    encoding: "utf8",
    timeout,
    maxBuffer: 64 << 20,
  });
  return { status: res.status, signal: res.signal, stdout: res.stdout ?? "", stderr: res.stderr ?? "" };
}

function runPipeline(params: string[]): Summary {
  const res = weft(["run", pipelineFile, "--json", ...params.flatMap((p) => ["--param", p])]);
  if (res.signal !== null) {
    throw new Error(
      `weft run was stopped by ${res.signal} (timed out?); its stderr ended:\n${res.stderr.slice(-4000)}`,
    );
  }
  const last = res.stdout.trim().split("\n").pop() ?? "";
  if (!last.startsWith("{")) throw new Error(`weft run printed no summary (exit ${res.status}):\n${res.stderr}`);
  return JSON.parse(last) as Summary;
}

/** The IR with every long command-line string (a bundled component program) replaced by its digest. */
function withBundleDigests(value: unknown): unknown {
  if (typeof value === "string") {
    return value.length > 2000 ? `<program sha256:${createHash("sha256").update(value).digest("hex")}>` : value;
  }
  if (Array.isArray(value)) return value.map(withBundleDigests);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withBundleDigests(v)]));
  }
  return value;
}

const metric = (s: Summary, task: RegExp, name: string) =>
  s.metrics.find((m) => task.test(m.task) && m.name === name)?.value;

describe("fraud-detection pipeline", () => {
  it("pipeline.yaml is the current compiled IR of pipeline.ts", () => {
    const out = join(home, "compiled.yaml");
    const res = weft(["compile", pipelineFile, "-o", out], 60_000);
    expect(res.status, res.stderr).toBe(0);
    const fresh = readFileSync(out, "utf8");
    const golden = join(root, "examples/fraud-detection/pipeline.yaml");
    if (process.env.WEFT_UPDATE_GOLDEN === "1") writeFileSync(golden, fresh);
    const committed = readFileSync(golden, "utf8");
    const hint =
      "pipeline.yaml is stale; regenerate it with: node bin/weft.js compile examples/fraud-detection/pipeline.ts " +
      "-o examples/fraud-detection/pipeline.yaml (or run this test with WEFT_UPDATE_GOLDEN=1)";
    // Structure first (readable diff), with each bundled task program reduced to its digest.
    expect(withBundleDigests(parse(fresh)), hint).toEqual(withBundleDigests(parse(committed)));
    expect(fresh === committed, hint).toBe(true);
  }, 90_000);

  it("runs end to end on 20,000 rows, exports a checked ONNX model, then serves a rerun from cache", () => {
    const params = ["rows=20000", "epochs=4", "learning_rate=0.003", "min_roc_auc=0.75", "min_f1=0.05"];
    const started = Date.now();
    const first = runPipeline(params);
    const seconds = (Date.now() - started) / 1000;
    expect(first.error).toBeUndefined();
    expect(first.state).toBe("SUCCEEDED");
    expect(seconds).toBeLessThan(90);
    const ran = first.tasks.filter((t) => t.kind === "container").map((t) => t.name);
    for (const name of [
      "load-data",
      "validate-data",
      "preprocess",
      "train",
      "evaluate",
      "select-best",
      "export",
      "explain",
      "register-model",
    ]) {
      expect(ran.some((n) => n.startsWith(name))).toBe(true);
    }
    const roc = first.outputs.parameters.roc_auc as number;
    const oracle = first.outputs.parameters.oracle_roc_auc as number;
    expect(roc).toBeGreaterThan(0.75);
    expect(oracle).toBeGreaterThan(roc - 0.1);
    expect(first.outputs.parameters.gate_passed).toBe(true);
    expect(metric(first, /select/, "gate_passed")).toBe(1);
    // the exported model is registered (through the engine's task service) and, as the first version, becomes champion
    expect(first.tasks.find((t) => t.name === "register-model")?.state).toBe("SUCCEEDED");

    const again = runPipeline(params);
    expect(again.state).toBe("SUCCEEDED");
    const containers = again.tasks.filter((t) => t.kind === "container");
    expect(containers.length).toBeGreaterThan(0);
    expect(containers.every((t) => t.cached)).toBe(true);
    expect(again.outputs.parameters.roc_auc).toBe(roc);
  }, 180_000);

  it("skips export and explain below the quality gate, and the summary says so", () => {
    const s = runPipeline(["rows=20000", "epochs=4", "learning_rate=0.003", "min_roc_auc=0.9999", "min_f1=0.05"]);
    expect(s.state).toBe("SUCCEEDED");
    expect(s.outputs.parameters.gate_passed).toBe(false);
    const byName = (prefix: string) => s.tasks.filter((t) => t.name.startsWith(prefix));
    expect(byName("export").every((t) => t.state === "SKIPPED")).toBe(true);
    expect(byName("explain").every((t) => t.state === "SKIPPED")).toBe(true);
    expect(byName("register-model").every((t) => t.state === "SKIPPED")).toBe(true);
    const summaryPath = decodeURIComponent(s.outputs.artifacts.summary?.[0]?.uri.replace(/^file:\/\//, "") ?? "");
    expect(existsSync(summaryPath)).toBe(true);
    expect(readFileSync(summaryPath, "utf8")).toContain("**Below the gate**");
  }, 180_000);
});
