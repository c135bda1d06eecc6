/**
 * Run-level metrics through `weft run` and `weft runs list`: task-qualified by default,
 * the pipeline's declared outputs when it has them, a marked task's otherwise; identical
 * runs show identical metrics; `--metrics` picks the columns and `--sort metric:NAME`
 * orders by one (in SQL).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, type Sandbox, sandbox, weft } from "./helpers.ts";

const SDK = JSON.stringify(join(ROOT, "src/index.ts"));

/** Two scoring tasks that log the same metric names with different values. */
function source(body: string, outputs = ""): string {
  return `import { artifact, component, param, pipeline } from ${SDK};

export const score = component({
  name: "score",
  inputs: { value: param.float() },
  outputs: { metrics: artifact.Metrics, f1: param.float() },
  run: ({ value }, { metrics }) => {
    metrics.logMetric("f1", value);
    metrics.logMetric("auc", value / 2);
    return { f1: value };
  },
});

export const p = pipeline({ name: "scores", params: { n: param.float({ default: 0.5 }) } }, (p) => {
  const a = score({ value: p.n });
  const b = score({ value: 0.25 });
  ${body}
  ${outputs}
});
`;
}

interface ListedRun {
  run_id?: string;
  id?: string;
  metrics: Array<{ name: string; value: number }>;
}

describe("run metrics", () => {
  let box: Sandbox;
  const file = (name: string, text: string): string => {
    const f = join(box.dir, name);
    writeFileSync(f, text);
    return f;
  };
  const list = async (...args: string[]): Promise<ListedRun[]> => {
    const r = await weft(box.home, ["runs", "list", "--json", ...args]);
    expect(r.stderr).toBe("");
    return (JSON.parse(r.stdout) as { runs: ListedRun[] }).runs;
  };
  beforeAll(() => {
    box = sandbox();
    writeFileSync(join(box.dir, "package.json"), JSON.stringify({ type: "module" }));
  });
  afterAll(() => box.cleanup());

  it("names each metric by its task, the same for two identical runs", async () => {
    const f = file("tasks.ts", source("void [a, b];"));
    for (let i = 0; i < 2; i++) {
      const r = await weft(box.home, ["run", f]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
    const runs = await list();
    expect(runs).toHaveLength(2);
    const expected = [
      { name: "score-2.auc", value: 0.125 },
      { name: "score-2.f1", value: 0.25 },
      { name: "score.auc", value: 0.25 },
      { name: "score.f1", value: 0.5 },
    ];
    // the second run is all cache hits; its metrics are the first run's
    expect(runs[0]?.metrics).toEqual(expected);
    expect(runs[1]?.metrics).toEqual(expected);
  });

  it("shows the chosen metric columns and sorts by a metric", async () => {
    const f = file("tasks.ts", source("void [a, b];"));
    const r = await weft(box.home, ["run", f, "--param", "n=0.9"]);
    expect(r.code).toBe(0);
    const table = await weft(box.home, [
      "runs",
      "list",
      "--metrics",
      "score.f1,score-2.f1",
      "--sort",
      "metric:score.f1",
    ]);
    expect(table.stderr).toBe(`state in ${box.home} (from $WEFT_HOME)\n`);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/EXPERIMENT\s+score\.f1\s+score-2\.f1\s*$/);
    expect(lines[1]).toMatch(/\s0\.9\s+0\.25\s*$/);
    expect(lines[2]).toMatch(/\s0\.5\s+0\.25\s*$/);
    const asc = await list("--sort", "metric:score.f1 asc");
    expect(asc.map((x) => x.metrics.find((m) => m.name === "score.f1")?.value)).toEqual([0.5, 0.5, 0.9]);
    const bad = await weft(box.home, ["runs", "list", "--sort", "f1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("metric:NAME");
  });

  it("uses the pipeline's declared outputs when it has them", async () => {
    const home = join(box.dir, "outputs-home");
    const f = file("outputs.ts", source("", "return { best_f1: a.outputs.f1, quality: b.outputs.metrics };"));
    const r = await weft(home, ["run", f]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = await weft(home, ["runs", "list", "--json"]);
    const runs = (JSON.parse(out.stdout) as { runs: ListedRun[] }).runs;
    expect(runs[0]?.metrics).toEqual([
      { name: "auc", value: 0.125 },
      { name: "best_f1", value: 0.5 },
      { name: "f1", value: 0.25 },
    ]);
  });

  it("uses the marked task's metrics, kept through compile to YAML", async () => {
    const home = join(box.dir, "marked-home");
    const f = file("marked.ts", source("a.setRunMetrics(); void b;"));
    const yaml = join(box.dir, "marked.yaml");
    const c = await weft(home, ["compile", f, "-o", yaml]);
    expect(c.code).toBe(0);
    const r = await weft(home, ["run", yaml]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = await weft(home, ["runs", "list", "--json"]);
    const runs = (JSON.parse(out.stdout) as { runs: ListedRun[] }).runs;
    expect(runs[0]?.metrics).toEqual([
      { name: "auc", value: 0.25 },
      { name: "f1", value: 0.5 },
    ]);
  });

  it("names a loop iteration's metrics by its item, and sorts and picks columns by such a name", async () => {
    const looped = `import { artifact, component, param, parallelFor, pipeline } from ${SDK};

export const score = component({
  name: "score",
  inputs: { value: param.float() },
  outputs: { metrics: artifact.Metrics },
  run: ({ value }, { metrics }) => {
    metrics.logMetric("f1", value);
  },
});

export const p = pipeline({ name: "looped" }, () => {
  parallelFor(
    [
      { kind: "mlp", value: 0.75 },
      { kind: "lr", value: 0.5 },
    ],
    (cfg) => {
      score({ value: cfg.field("value") });
    },
  );
});
`;
    const f = file("looped.ts", looped);
    const r = await weft(box.home, ["run", f, "--run-name", "looped-run"]);
    expect(r.code).toBe(0);
    const runs = await list("--sort", "metric:score[kind=mlp, value=0.75].f1");
    const names = runs[0]?.metrics.map((m) => m.name);
    expect(names).toEqual(["score[kind=lr, value=0.5].f1", "score[kind=mlp, value=0.75].f1"]);
    const table = await weft(box.home, [
      "runs",
      "list",
      "--metrics",
      "score[kind=mlp, value=0.75].f1,score[kind=lr, value=0.5].f1",
      "--sort",
      "metric:score[kind=lr, value=0.5].f1 desc",
    ]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/score\[kind=mlp, value=0\.75\]\.f1\s+score\[kind=lr, value=0\.5\]\.f1\s*$/);
    expect(lines[1]).toMatch(/looped-run .*\s0\.75\s+0\.5\s*$/);
  });
});
