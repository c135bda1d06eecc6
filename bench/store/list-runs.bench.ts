/**
 * Lists a page of 50 filtered runs among 100,000 (first page and a later page, with the
 * total count), and measures a primary-key lookup in the same run as the baseline.
 * Goal: every indexed filtered page has p99 <= 20 ms (the API server's goal for the same
 * list over HTTP, which the store alone must leave room for); the unindexed substring scan
 * is shown for contrast and has no goal.
 * Run: `npx tsx bench/store/list-runs.bench.ts [runs]`. Prints a table, one JSON line per
 * goal (bench/report.ts), then one line of details.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ListQuery, openStore, type RuntimeState } from "../../src/store/index.ts";
import { report } from "../report.ts";

const total = Number(process.argv[2] ?? 100_000);
const home = mkdtempSync(join(tmpdir(), "weft-store-bench-"));
const store = openStore(home);
const spec = {
  pipelineInfo: { name: "bench" },
  schemaVersion: "2.1.0",
  root: { dag: { tasks: { a: { taskInfo: { name: "a" }, componentRef: { name: "comp-a" } } } } },
  components: { "comp-a": { executorLabel: "exec-a" } },
  deploymentSpec: { executors: { "exec-a": { container: { image: "alpine", command: ["echo", "hi"] } } } },
};
const states: RuntimeState[] = ["SUCCEEDED", "FAILED", "RUNNING", "CANCELED", "PENDING"];
const experiments = Array.from({ length: 10 }, (_, i) => store.experiments.create({ name: `exp-${i}` }));

const seedStart = performance.now();
store.transaction(() => {
  for (let i = 0; i < total; i++) {
    store.runs.create({
      displayName: `run-${i}`,
      experimentId: experiments[i % experiments.length]?.id,
      pipelineSpec: spec,
      parameters: { rows: i, lr: 0.01 },
      state: states[i % states.length],
      createdAt: 1_700_000_000_000 + i * 1000,
    });
  }
});
const seedMs = performance.now() - seedStart;

interface Row {
  label: string;
  /** Name of the goal line; none for the rows shown only for contrast. */
  goal?: string;
  p50: number;
  p99: number;
}

function measure(label: string, fn: () => unknown, n = 300, goal?: string): Row {
  for (let i = 0; i < 20; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
  return { label, ...(goal ? { goal } : {}), p50: at(0.5), p99: at(0.99) };
}

const someId = store.runs.list({ pageSize: 1 }).items[0]?.id ?? "";
const byExperiment: ListQuery = {
  pageSize: 50,
  filter: [{ field: "experimentId", op: "EQUALS", value: experiments[3]?.id ?? "" }],
};
const byState: ListQuery = { pageSize: 50, filter: [{ field: "state", op: "IN", value: ["FAILED", "CANCELED"] }] };
const page3Token = (() => {
  let q = store.runs.list(byExperiment);
  q = store.runs.list({ ...byExperiment, pageToken: q.nextPageToken });
  return q.nextPageToken;
})();

const rows = [
  measure("baseline: get run by id", () => store.runs.get(someId)),
  measure("list 50, experiment filter, page 1", () => store.runs.list(byExperiment), 300, "experiment-page1"),
  measure(
    "list 50, experiment filter, page 3",
    () => store.runs.list({ ...byExperiment, pageToken: page3Token }),
    300,
    "experiment-page3",
  ),
  measure("list 50, state IN filter, page 1", () => store.runs.list(byState), 300, "state-in"),
  measure(
    "list 50, storageState filter",
    () => store.runs.list({ pageSize: 50, filter: [{ field: "storageState", op: "EQUALS", value: "AVAILABLE" }] }),
    300,
    "storage-state",
  ),
  // Not backed by an index or the run counts: a full scan, shown for contrast.
  measure(
    "list 50, displayName substring (scan)",
    () => store.runs.list({ pageSize: 50, filter: [{ field: "displayName", op: "IS_SUBSTRING", value: "run-99" }] }),
    30,
  ),
];
const base = rows[0]?.p50 ?? 1;
const baseP99 = rows[0]?.p99 ?? Number.NaN;

console.log(`seeded ${total} runs in ${seedMs.toFixed(0)} ms`);
console.log("| query | p50 ms | p99 ms | p50 / baseline |");
console.log("| --- | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(`| ${r.label} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${(r.p50 / base).toFixed(1)} |`);
}
for (const r of rows) {
  if (!r.goal) continue;
  report({ name: `store.list-runs.${r.goal}`, value: r.p99, unit: "ms", baseline: baseP99, goal: "<= 20 ms" });
}
console.log(
  JSON.stringify({
    bench: "store.list-runs",
    runs: total,
    seedMs: Math.round(seedMs),
    results: rows.map((r) => ({ label: r.label, p50Ms: r.p50, p99Ms: r.p99, ratio: r.p50 / base })),
  }),
);
store.close();
rmSync(home, { recursive: true, force: true });
