/**
 * Searches model versions as MLflow's `search-model-versions` does (`store.models.searchVersions`,
 * a page of 100): by model name, by tag, by run_id, by a name LIKE pattern, and unfiltered,
 * among 10,000 versions (100 models of 100 versions, two tags each, two versions per run).
 * The baseline is the same search among 1,000 versions (10 models of 100), seeded and measured
 * in the same run: the ratio says how the search grows with the registry.
 * Goal: every search has p99 <= 20 ms among 10,000 versions.
 * Run: `npx tsx bench/registry/search.bench.ts [versions]`. Prints a table, one JSON line
 * per goal (bench/report.ts), then one line of details.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type RegistrySearch, type Store } from "../../src/store/index.ts";
import { report } from "../report.ts";

const VERSIONS = Number(process.argv[2] ?? 10_000);
const PER_MODEL = 100;
const PAGE = 100;

function seed(versions: number): { store: Store; home: string; seedMs: number } {
  const home = mkdtempSync(join(tmpdir(), "weft-registry-bench-"));
  const store = openStore(home);
  const start = performance.now();
  let t = 1_700_000_000_000;
  const models = Math.ceil(versions / PER_MODEL);
  for (let m = 0; m < models; m++) {
    const name = `model-${String(m).padStart(3, "0")}`;
    store.transaction(() => {
      store.models.createModel({ name, tags: { team: m % 2 === 0 ? "risk" : "growth" }, createdAt: t++ });
      for (let v = 0; v < PER_MODEL && m * PER_MODEL + v < versions; v++) {
        const i = m * PER_MODEL + v;
        store.models.createVersion({
          name,
          source: `file:///artifacts/run-${Math.floor(i / 2)}/train/model.onnx`,
          runId: `run-${Math.floor(i / 2)}`,
          digest: `sha256:${i.toString(16).padStart(64, "0")}`,
          format: "onnx",
          metrics: { roc_auc: 0.9 + (i % 10) / 100 },
          tags: { seed: String(i % 20), dataset: `d-${i % 7}` },
          status: "READY",
          createdAt: t++,
        });
      }
    });
  }
  return { store, home, seedMs: performance.now() - start };
}

interface Case {
  label: string;
  key: string;
  query: RegistrySearch;
}

const CASES: Case[] = [
  { label: "name = (100 versions)", key: "name", query: { filter: "name = 'model-007'" } },
  { label: "tags.seed = (1 in 20)", key: "tag", query: { filter: "tags.seed = '7'" } },
  { label: "run_id = (2 versions)", key: "run-id", query: { filter: "run_id = 'run-321'" } },
  { label: "run_id IN (4 versions)", key: "run-id-in", query: { filter: "run_id IN ('run-10', 'run-400')" } },
  { label: "name LIKE '%-00%'", key: "like", query: { filter: "name LIKE '%-00%'" } },
  {
    label: "name = AND tag AND version_number >",
    key: "combined",
    query: { filter: "name = 'model-007' AND tags.dataset = 'd-3' AND version_number > 10" },
  },
  { label: "unfiltered, newest first", key: "newest", query: { orderBy: ["creation_timestamp DESC"] } },
  { label: "unfiltered, default order", key: "all", query: {} },
];

function p99(store: Store, query: RegistrySearch, n = 300): { p50: number; p99: number; items: number } {
  const q = { maxResults: PAGE, ...query };
  let items = 0;
  for (let i = 0; i < 20; i++) items = store.models.searchVersions(q).items.length;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    store.models.searchVersions(q);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), items };
}

const small = seed(VERSIONS / 10);
const large = seed(VERSIONS);
const rows = CASES.map((c) => ({ ...c, base: p99(small.store, c.query), big: p99(large.store, c.query) }));

console.log(
  `seeded ${VERSIONS / 10} versions in ${small.seedMs.toFixed(0)} ms and ${VERSIONS} in ${large.seedMs.toFixed(0)} ms`,
);
console.log(`| search (page of ${PAGE}) | items | p50 ms | p99 ms | p99 ms at ${VERSIONS / 10} | ratio |`);
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(
    `| ${r.label} | ${r.big.items} | ${r.big.p50.toFixed(3)} | ${r.big.p99.toFixed(3)} | ${r.base.p99.toFixed(3)} | ${(r.big.p99 / r.base.p99).toFixed(2)} |`,
  );
}
for (const r of rows) {
  report({
    name: `registry.search-versions.${r.key}`,
    value: r.big.p99,
    unit: "ms",
    baseline: r.base.p99,
    goal: "<= 20 ms",
    require: { "the search found versions": r.big.items > 0 },
  });
}
console.log(
  JSON.stringify({
    bench: "registry.search-versions",
    versions: VERSIONS,
    baselineVersions: VERSIONS / 10,
    seedMs: Math.round(large.seedMs),
    results: rows.map((r) => ({
      label: r.label,
      items: r.big.items,
      p50Ms: r.big.p50,
      p99Ms: r.big.p99,
      baselineP99Ms: r.base.p99,
    })),
  }),
);
for (const s of [small, large]) {
  s.store.close();
  rmSync(s.home, { recursive: true, force: true });
}
