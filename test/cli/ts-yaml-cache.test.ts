/**
 * One cache identity: a pipeline run from its TypeScript source and then from the YAML
 * `weft compile` wrote for it, on the same home, reuses every task. The components declare
 * their outputs out of alphabetical order (compiled YAML sorts them) and the pipeline has
 * an artifact, a loop over dict items and a condition, all through `bin/weft.js` child processes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, type Sandbox, sandbox, weft } from "./helpers.ts";

function source(): string {
  return `import { artifact, component, param, parallelFor, pipeline, when } from ${JSON.stringify(join(ROOT, "src/index.ts"))};
import { readFileSync, writeFileSync } from "node:fs";

export const make = component({
  name: "make",
  inputs: { rows: param.int() },
  outputs: { zeta: param.int(), table: artifact.Dataset, alpha: param.string() },
  run: ({ rows }, { table }) => {
    writeFileSync(table.path, "x\\n".repeat(rows));
    return { zeta: rows * 2, alpha: "a" };
  },
});

export const fit = component({
  name: "fit",
  inputs: { table: artifact.Dataset, slope: param.int(), kind: param.string() },
  outputs: { score: param.float(), metrics: artifact.Metrics, model: artifact.Model },
  run: ({ table, slope, kind }, { metrics, model }) => {
    const score = readFileSync(table.path, "utf8").length * slope + kind.length;
    metrics.logMetric("score", score);
    writeFileSync(model.path, kind + slope);
    return { score };
  },
});

export default pipeline({ name: "ts-yaml-cache", params: { rows: param.int({ default: 3 }), kind: param.string({ default: "mlp" }) } }, (p) => {
  const m = make({ rows: p.rows });
  parallelFor([{ slope: 3, kind: "mlp" }, { slope: 5, kind: "tree" }], (item) => {
    fit({ table: m.outputs.table, slope: item.field("slope"), kind: item.field("kind") });
  });
  when(p.kind.eq("mlp"), () => {
    fit({ table: m.outputs.table, slope: 1, kind: p.kind });
  });
});
`;
}

interface TaskRow {
  path: string;
  kind: string;
  state: string;
  cache?: string;
  cacheExplanation?: string;
}

async function tasksOf(home: string, stdout: string): Promise<TaskRow[]> {
  const runId = /Run ([0-9a-f-]{36})/.exec(stdout)?.[1] ?? "";
  const got = await weft(home, ["runs", "get", runId, "--json"]);
  expect(got.code).toBe(0);
  return (JSON.parse(got.stdout) as { tasks: TaskRow[] }).tasks;
}

describe("the same pipeline from .ts and from its compiled .yaml", () => {
  let box: Sandbox;
  let ts = "";
  beforeAll(() => {
    box = sandbox();
    writeFileSync(join(box.dir, "package.json"), JSON.stringify({ type: "module" }));
    ts = join(box.dir, "pipeline.ts");
    writeFileSync(ts, source());
  });
  afterAll(() => box.cleanup());

  it("hits the cache for every task the second time", async () => {
    const first = await weft(box.home, ["run", ts]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const ran = (await tasksOf(box.home, first.stdout)).filter((t) => t.kind === "container");
    // make, two loop iterations of fit, and fit under the condition
    expect(ran.map((t) => t.state)).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);

    const yaml = join(box.dir, "pipeline.yaml");
    const compiled = await weft(box.home, ["compile", ts, "-o", yaml]);
    expect(compiled.code).toBe(0);
    const second = await weft(box.home, ["run", yaml]);
    expect(second.code).toBe(0);
    const reused = (await tasksOf(box.home, second.stdout)).filter((t) => t.kind === "container");
    expect(reused).toHaveLength(4);
    for (const t of reused) expect(t.state, `${t.path} missed: ${t.cacheExplanation}`).toBe("CACHED");
  });
});
