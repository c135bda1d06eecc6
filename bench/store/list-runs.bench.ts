/**
 * Lists a page of 50 filtered runs among 100,000 that carry a realistic spec (the
 * fraud-detection pipeline's, about 274 KB, stored once by digest; `seed-runs.ts`): first
 * page and a later page, with the total count, as the API server and `weft runs list` read
 * them (`runs.listSummaries`, no spec read or parsed). A primary-key lookup of one run, with
 * its spec, measured in the same run, is the baseline; the same page read with its specs
 * (`runs.list`) is shown for contrast.
 * Goal: every indexed filtered page has p99 <= 20 ms (the API server's goal for the same
 * list over HTTP, which the store alone must leave room for); the unindexed substring scan
 * and the page with specs have no goal.
 * Run: `npx tsx bench/store/list-runs.bench.ts [runs]`. Prints a table, one JSON line per
 * goal (bench/report.ts), then one line of details.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ListQuery, openStore, type RuntimeState } from "../../src/store/index.ts";
import { report } from "../report.ts";
import { fraudSpec, seedRuns } from "./seed-runs.ts";

const total = Number(process.argv[2] ?? 100_000);
const home = mkdtempSync(join(tmpdir(), "weft-store-bench-"));
const store = openStore(home);
const { spec, bytes: specBytes } = fraudSpec();
const states: RuntimeState[] = ["SUCCEEDED", "FAILED", "RUNNING", "CANCELED", "PENDING"];
const experiments = Array.from({ length: 10 }, (_, i) => store.experiments.create({ name: `exp-${i}` }));

const seedStart = performance.now();
seedRuns(store, spec, total, (i) => ({
  displayName: `run-${i}`,
  experimentId: experiments[i % experiments.length]?.id ?? "",
  parameters: { rows: i, lr: 0.01 },
  state: states[i % states.length] ?? "SUCCEEDED",
  createdAt: 1_700_000_000_000 + i * 1000,
}));
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

const someId = store.runs.listSummaries({ pageSize: 1 }).items[0]?.id ?? "";
const byExperiment: ListQuery = {
  pageSize: 50,
  filter: [{ field: "experimentId", op: "EQUALS", value: experiments[3]?.id ?? "" }],
};
const byState: ListQuery = { pageSize: 50, filter: [{ field: "state", op: "IN", value: ["FAILED", "CANCELED"] }] };
const page3Token = (() => {
  let q = store.runs.listSummaries(byExperiment);
  q = store.runs.listSummaries({ ...byExperiment, pageToken: q.nextPageToken });
  return q.nextPageToken;
})();

// The pages first, then the baseline and the page with specs: both parse 250 KB specs, and
// the garbage they leave would be collected during whatever is measured next.
const pages = [
  measure("list 50, experiment filter, page 1", () => store.runs.listSummaries(byExperiment), 300, "experiment-page1"),
  measure(
    "list 50, experiment filter, page 3",
    () => store.runs.listSummaries({ ...byExperiment, pageToken: page3Token }),
    300,
    "experiment-page3",
  ),
  measure("list 50, state IN filter, page 1", () => store.runs.listSummaries(byState), 300, "state-in"),
  measure(
    "list 50, storageState filter",
    () =>
      store.runs.listSummaries({ pageSize: 50, filter: [{ field: "storageState", op: "EQUALS", value: "AVAILABLE" }] }),
    300,
    "storage-state",
  ),
  // Not backed by an index or the run counts: a full scan, shown for contrast.
  measure(
    "list 50, displayName substring (scan)",
    () =>
      store.runs.listSummaries({
        pageSize: 50,
        filter: [{ field: "displayName", op: "IS_SUBSTRING", value: "run-99" }],
      }),
    30,
  ),
];
const baseline = measure("baseline: get run by id (with its spec)", () => store.runs.get(someId));
// What lists read before they returned summaries: every run's spec, parsed.
const withSpecs = measure("list 50 with specs, experiment filter, page 1", () => store.runs.list(byExperiment), 20);
const rows = [baseline, ...pages, withSpecs];
const base = rows[0]?.p50 ?? 1;
const baseP99 = rows[0]?.p99 ?? Number.NaN;

console.log(`seeded ${total} runs (spec ${(specBytes / 1024).toFixed(0)} KB, stored once) in ${seedMs.toFixed(0)} ms`);
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
    specBytes,
    seedMs: Math.round(seedMs),
    results: rows.map((r) => ({ label: r.label, p50Ms: r.p50, p99Ms: r.p99, ratio: r.p50 / base })),
  }),
);
store.close();
rmSync(home, { recursive: true, force: true });
