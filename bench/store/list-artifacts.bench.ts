/**
 * Lists a page of 50 artifacts among 100,000 (1,000 runs of a ten-step chain, ten
 * artifacts a step), as `GET /apis/weft/v1/artifacts` and `weft artifacts list` read them
 * (`artifacts.list`): newest first, a later page, by type, by run, and a name substring
 * (a scan, shown for contrast); and walks the lineage graph ten executions upstream from
 * the end of a chain (`walkLineage`). A primary-key lookup of one artifact, measured in
 * the same run, is the baseline.
 * Goal: every indexed page has p99 <= 20 ms (the list goal of `list-runs.bench.ts`), and
 * the ten-step lineage walk p99 <= 50 ms.
 * Run: `npx tsx bench/store/list-artifacts.bench.ts [runs]`. Prints a table, one JSON line
 * per goal (bench/report.ts), then one line of details.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Artifact, type ListQuery, openStore, sampleSpec, walkLineage } from "../../src/store/index.ts";
import { report } from "../report.ts";

const runs = Number(process.argv[2] ?? 1000);
const STEPS = 10;
const PER_STEP = 10;
const TYPES = ["system.Dataset", "system.Model", "system.Metrics", "system.Artifact", "system.HTML"];
const home = mkdtempSync(join(tmpdir(), "weft-artifacts-bench-"));
const store = openStore(home);
const spec = sampleSpec();

const seedStart = performance.now();
let lastOfRun: Artifact | undefined;
let someRunId = "";
let t = 1_700_000_000_000;
for (let r = 0; r < runs; r++) {
  store.transaction(() => {
    const run = store.runs.create({ displayName: `run-${r}`, pipelineSpec: spec });
    someRunId = run.id;
    let previous: Artifact | undefined;
    for (let s = 0; s < STEPS; s++) {
      const task = store.tasks.upsert({ runId: run.id, path: `root/step-${s}`, name: `step-${s}`, kind: "container" });
      if (previous) {
        store.events.record({ runId: run.id, taskId: task.id, artifactId: previous.id, type: "INPUT", name: "in" });
      }
      for (let k = 0; k < PER_STEP; k++) {
        const name = `out-${s}-${k}`;
        const a = store.artifacts.create({
          runId: run.id,
          taskId: task.id,
          name,
          uri: `file:///store/${run.id}/step-${s}/${name}`,
          schemaTitle: TYPES[(s + k) % TYPES.length] ?? "system.Artifact",
          sizeBytes: 1000 + k,
          createdAt: t++,
        });
        store.events.record({ runId: run.id, taskId: task.id, artifactId: a.id, type: "OUTPUT", name });
        if (k === 0) previous = a;
      }
    }
    lastOfRun = previous;
  });
}
const seedMs = performance.now() - seedStart;
const total = runs * STEPS * PER_STEP;

interface Row {
  label: string;
  goal?: { name: string; target: string };
  p50: number;
  p99: number;
}

function measure(label: string, fn: () => unknown, n = 300, goal?: Row["goal"]): Row {
  for (let i = 0; i < 20; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
  return { label, ...(goal ? { goal } : {}), p50: at(0.5), p99: at(0.99) };
}

const page = (q: ListQuery) => () => store.artifacts.list({ pageSize: 50, ...q });
const page3Token = (() => {
  let q = store.artifacts.list({ pageSize: 50 });
  q = store.artifacts.list({ pageSize: 50, pageToken: q.nextPageToken });
  return q.nextPageToken;
})();
const someId = lastOfRun?.id ?? "";
const pageGoal = (name: string) => ({ name, target: "<= 20 ms" });

const rows: Row[] = [
  measure("baseline: get artifact by id", () => store.artifacts.get(someId)),
  measure("list 50 newest, page 1", page({}), 300, pageGoal("newest-page1")),
  measure("list 50 newest, page 3", page({ pageToken: page3Token }), 300, pageGoal("newest-page3")),
  measure(
    "list 50, type filter",
    page({ filter: [{ field: "schemaTitle", op: "EQUALS", value: "system.Model" }] }),
    300,
    pageGoal("type"),
  ),
  measure(
    "list 50, run filter",
    page({ filter: [{ field: "runId", op: "EQUALS", value: someRunId }] }),
    300,
    pageGoal("run"),
  ),
  measure(
    "list 50, name substring (scan)",
    page({ filter: [{ field: "name", op: "IS_SUBSTRING", value: "out-9-9" }] }),
    30,
  ),
  measure(
    "lineage: 10 executions upstream of a chain's end",
    () => walkLineage(store, { artifact: lastOfRun as Artifact }, { upstream: 10, downstream: 0 }),
    100,
    { name: "lineage-10-upstream", target: "<= 50 ms" },
  ),
];
const base = rows[0]?.p50 ?? 1;
const baseP99 = rows[0]?.p99 ?? Number.NaN;
const graph = walkLineage(store, { artifact: lastOfRun as Artifact }, { upstream: 10, downstream: 0 });

console.log(`seeded ${total} artifacts in ${runs} runs in ${seedMs.toFixed(0)} ms`);
console.log("| query | p50 ms | p99 ms | p50 / baseline |");
console.log("| --- | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(`| ${r.label} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${(r.p50 / base).toFixed(1)} |`);
}
for (const r of rows) {
  if (!r.goal) continue;
  report({
    name: `store.list-artifacts.${r.goal.name}`,
    value: r.p99,
    unit: "ms",
    baseline: baseP99,
    goal: r.goal.target,
    ...(r.goal.name.startsWith("lineage")
      ? { require: { "the walk reaches the chain's first step": graph.nodes.some((n) => n.hop === -STEPS) } }
      : {}),
  });
}
console.log(
  JSON.stringify({
    bench: "store.list-artifacts",
    artifacts: total,
    runs,
    seedMs: Math.round(seedMs),
    lineageNodes: graph.nodes.length,
    results: rows.map((r) => ({ label: r.label, p50Ms: r.p50, p99Ms: r.p99, ratio: r.p50 / base })),
  }),
);
store.close();
rmSync(home, { recursive: true, force: true });
