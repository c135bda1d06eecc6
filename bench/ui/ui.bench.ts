/**
 * Web UI benchmark, measured in headless Chromium against a real `weft server` over a
 * temporary `$WEFT_HOME` seeded with {@link SEEDED} runs (the fraud-detection spec):
 *
 * 1. What the page adds to its data (goal: <= 300 ms each), each page against the same
 *    page's data fetched by a plain HTTP client (Node's fetch) in the same run:
 *    - the runs page: navigation start to the first frame painted after the first row is
 *      in the DOM, against the requests the page sends for it (the runs, experiments and
 *      pipelines lists, in parallel, bodies parsed);
 *    - the fraud run's details page: navigation start to the first frame painted after the
 *      page marks its DAG rendered (`weft:run-details-rendered`), against the run, its graph
 *      and its lineage fetched in parallel.
 *    The value judged is the median page time minus the median data time.
 * 2. Time to a rendered run-details page against a one-task run (ratios survive a noisy
 *    machine): the fraud-detection example (examples/fraud-detection/pipeline.yaml, 5,000
 *    rows, one epoch; when it cannot run here, the largest real run available is used
 *    instead and the table says so) within 1.5x, and a generated 500-task pipeline (20
 *    layers) within 3x.
 *
 * Prints tables, one JSON line per goal (bench/report.ts), then one line of details.
 *
 * `npx tsx bench/ui/ui.bench.ts [repeats]`; needs /usr/bin/chromium.
 */
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { openStore, type RuntimeState } from "../../src/store/index.ts";
import { loggerPipeline, viewersPipeline, widePipeline } from "../../ui/e2e/fixtures.ts";
import {
  buildUi,
  launchBrowser,
  ROOT,
  skipReason,
  startRun,
  startWeft,
  uploadPipeline,
  waitRun,
} from "../../ui/e2e/harness.ts";
import { report, skip } from "../report.ts";
import { fraudSpec, seedRuns } from "../store/seed-runs.ts";

const REPEATS = Number(process.argv[2] ?? 5);
/** Runs recorded before the server starts, so the runs page lists a realistic page. */
const SEEDED = 300;

function seed(home: string): void {
  const store = openStore(home);
  try {
    const experimentId = store.experiments.getDefault().id;
    const states: RuntimeState[] = ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED"];
    const t0 = Date.parse("2026-01-01T00:00:00Z");
    seedRuns(store, fraudSpec().spec, SEEDED, (i) => ({
      experimentId,
      displayName: `seeded-${String(i).padStart(4, "0")}`,
      parameters: { rows: 5000, epochs: 1 },
      state: states[i % states.length] ?? "SUCCEEDED",
      createdAt: t0 + i * 60_000,
    }));
  } finally {
    store.close();
  }
}

async function uploadYaml(
  base: string,
  name: string,
  file: string,
): Promise<{ pipelineId: string; versionId: string }> {
  const form = new FormData();
  form.append("uploadfile", new Blob([readFileSync(file)], { type: "application/yaml" }), "pipeline.yaml");
  const res = await fetch(`${base}/apis/v2beta1/pipelines/upload?name=${encodeURIComponent(name)}`, {
    method: "POST",
    body: form,
  });
  if (!res.ok) throw new Error(`upload ${name}: HTTP ${res.status} ${await res.text()}`);
  const p = (await res.json()) as { pipeline_id: string };
  const v = (await (await fetch(`${base}/apis/v2beta1/pipelines/${p.pipeline_id}/versions`)).json()) as {
    pipeline_versions?: Array<{ pipeline_version_id: string }>;
  };
  return { pipelineId: p.pipeline_id, versionId: v.pipeline_versions?.[0]?.pipeline_version_id ?? "" };
}

/**
 * Runs in the page: resolves after the frame that follows the rendered mark. A string, so
 * the TypeScript loader adds no helpers to it.
 */
const WAIT_RENDERED = `new Promise((resolve, reject) => {
  const timeout = setTimeout(() => reject(new Error("the run details page did not render in 60 s")), 60000);
  const check = () => {
    const mark = performance.getEntriesByName("weft:run-details-rendered")[0];
    if (!mark) return void setTimeout(check, 5);
    requestAnimationFrame(() => requestAnimationFrame(() => {
      clearTimeout(timeout);
      resolve({ at: performance.now(), nodes: document.querySelectorAll("[data-task-id]").length });
    }));
  };
  check();
})`;

/** Milliseconds from navigation start to the first frame after the DAG was rendered, per repeat. */
async function timeRunPage(browser: Browser, url: string): Promise<{ ms: number[]; nodes: number }> {
  const ms: number[] = [];
  let nodes = 0;
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  for (let i = 0; i < REPEATS + 1; i++) {
    await page.goto(url, { waitUntil: "commit" });
    const r = (await page.evaluate(WAIT_RENDERED)) as { at: number; nodes: number };
    nodes = r.nodes;
    if (i > 0) ms.push(r.at); // the first load warms the HTTP cache and the server
  }
  await context.close();
  return { ms, nodes };
}

/**
 * Installed before the page's scripts: records, on `window.__weftFirstRow`, the time of the
 * first frame painted after the first runs-table row entered the DOM.
 */
const RECORD_FIRST_ROW = `(() => {
  const seen = () => document.querySelector("[data-run-id]");
  const observer = new MutationObserver(() => {
    if (!seen()) return;
    observer.disconnect();
    requestAnimationFrame(() => requestAnimationFrame(() => { window.__weftFirstRow = performance.now(); }));
  });
  observer.observe(document, { childList: true, subtree: true });
})()`;

const WAIT_FIRST_ROW = `new Promise((resolve, reject) => {
  const timeout = setTimeout(() => reject(new Error("the runs page showed no row in 60 s")), 60000);
  const check = () => {
    if (window.__weftFirstRow === undefined) return void setTimeout(check, 5);
    clearTimeout(timeout);
    resolve(window.__weftFirstRow);
  };
  check();
})`;

/** Milliseconds from navigation start to the first frame showing a row of the runs page, per repeat. */
async function timeRunsPage(browser: Browser, url: string): Promise<number[]> {
  const ms: number[] = [];
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript(RECORD_FIRST_ROW);
  const page = await context.newPage();
  for (let i = 0; i < REPEATS + 1; i++) {
    await page.goto(url, { waitUntil: "commit" });
    const at = (await page.evaluate(WAIT_FIRST_ROW)) as number;
    if (i > 0) ms.push(at); // the first load warms the HTTP cache and the server
  }
  await context.close();
  return ms;
}

/** Milliseconds to fetch `paths` in parallel and parse their JSON, per repeat (after one warm-up). */
async function timeData(base: string, paths: string[]): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < REPEATS + 1; i++) {
    const started = performance.now();
    await Promise.all(
      paths.map(async (p) => {
        const res = await fetch(`${base}${p}`);
        if (!res.ok) throw new Error(`${p}: HTTP ${res.status}`);
        return res.json();
      }),
    );
    if (i > 0) ms.push(performance.now() - started);
  }
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

const reason = skipReason();
if (reason) {
  skip("ui", reason);
  process.exit(0);
}

buildUi();
const weft = await startWeft({ seed });
const browser = await launchBrowser();
try {
  const base = weft.apiUrl;
  const one = await uploadPipeline(base, "one-task", loggerPipeline(1, 0));
  const wide = await uploadPipeline(base, "wide-500", widePipeline(500));
  const baselineRun = await startRun(base, "baseline", one, { lines: 1 });
  const wideRun = await startRun(base, "500 tasks", wide);

  let fraudLabel = "fraud-detection";
  let fraudRun: string | undefined;
  try {
    const fraud = await uploadYaml(base, "fraud-detection", join(ROOT, "examples/fraud-detection/pipeline.yaml"));
    const id = await startRun(base, "fraud", fraud, { rows: 5000, epochs: 1 });
    const state = await waitRun(base, id, 600_000);
    if (state === "SUCCEEDED") fraudRun = id;
    else fraudLabel = `viewers-demo (fraud run ${state})`;
  } catch (err) {
    fraudLabel = `viewers-demo (fraud: ${(err as Error).message.slice(0, 80)})`;
  }
  if (!fraudRun) {
    const v = await uploadPipeline(base, "viewers-demo", viewersPipeline());
    fraudRun = await startRun(base, "viewers", v);
    await waitRun(base, fraudRun);
  }
  for (const id of [baselineRun, wideRun]) {
    const state = await waitRun(base, id, 600_000);
    if (state !== "SUCCEEDED") throw new Error(`run ${id} ended ${state}`);
  }

  const rows: Array<{ scenario: string; nodes: number; median: number; min: number; max: number }> = [];
  for (const [scenario, id] of [
    ["baseline (1 task)", baselineRun],
    [fraudLabel, fraudRun],
    ["generated 500 tasks", wideRun],
  ] as const) {
    const { ms, nodes } = await timeRunPage(browser, `${weft.url}/runs/${id}`);
    rows.push({ scenario, nodes, median: median(ms), min: Math.min(...ms), max: Math.max(...ms) });
  }

  // what the page adds to its data
  const runsPage = median(await timeRunsPage(browser, `${weft.url}/`));
  const runsData = median(
    await timeData(base, [
      "/apis/v2beta1/runs?page_size=100&sort_by=created_at+desc",
      "/apis/v2beta1/experiments?page_size=200&sort_by=created_at+desc",
      "/apis/v2beta1/pipelines?page_size=200&sort_by=created_at+desc",
    ]),
  );
  const graphPage = rows[1]?.median ?? Number.NaN;
  const graphData = median(
    await timeData(base, [
      `/apis/v2beta1/runs/${fraudRun}`,
      `/apis/weft/v1/runs/${fraudRun}/graph`,
      `/apis/weft/v1/runs/${fraudRun}/lineage`,
    ]),
  );
  console.log(
    `what a page adds to its data (Chromium against Node's fetch, median of ${REPEATS}, ms; load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores)`,
  );
  console.log(
    `${"page".padEnd(44)} ${"page".padStart(8)} ${"data".padStart(8)} ${"added".padStart(8)} ${"goal".padStart(8)}`,
  );
  for (const [label, page, data] of [
    [`runs page, first row (${SEEDED + 3} runs)`, runsPage, runsData],
    [`${fraudLabel}, graph drawn`, graphPage, graphData],
  ] as const) {
    console.log(
      `${label.padEnd(44)} ${page.toFixed(0).padStart(8)} ${data.toFixed(0).padStart(8)} ${(page - data)
        .toFixed(0)
        .padStart(8)} ${"<= 300".padStart(8)}`,
    );
  }
  report({
    name: "ui.runs-first-row",
    value: runsPage - runsData,
    unit: "ms",
    goal: "<= 300 ms",
    details: { page_ms: Math.round(runsPage), data_ms: Math.round(runsData), runs: SEEDED + 3 },
  });
  report({
    name: "ui.fraud-graph-drawn",
    value: graphPage - graphData,
    unit: "ms",
    goal: "<= 300 ms",
    details: {
      page_ms: Math.round(graphPage),
      data_ms: Math.round(graphData),
      label: fraudLabel,
      nodes: rows[1]?.nodes,
    },
  });

  const base0 = rows[0]?.median ?? Number.NaN;
  console.log(`time to a rendered run-details page (Chromium, ${REPEATS} loads each, ms from navigation start)`);
  console.log(
    `${"scenario".padEnd(44)} ${"nodes".padStart(6)} ${"median".padStart(8)} ${"min".padStart(8)} ${"max".padStart(8)} ${"x base".padStart(7)}`,
  );
  for (const r of rows) {
    console.log(
      `${r.scenario.padEnd(44)} ${String(r.nodes).padStart(6)} ${r.median.toFixed(0).padStart(8)} ${r.min.toFixed(0).padStart(8)} ${r.max
        .toFixed(0)
        .padStart(8)} ${(r.median / base0).toFixed(2).padStart(7)}`,
    );
  }
  report({
    name: "ui.run-details-fraud",
    value: rows[1]?.median ?? Number.NaN,
    unit: "ms",
    baseline: base0,
    goal: "<= 1.5x",
    details: { label: fraudLabel, nodes: rows[1]?.nodes },
  });
  report({
    name: "ui.run-details-500-tasks",
    value: rows[2]?.median ?? Number.NaN,
    unit: "ms",
    baseline: base0,
    goal: "<= 3x",
    details: { nodes: rows[2]?.nodes },
  });
  console.log(
    JSON.stringify({
      bench: "ui",
      metric: "run_details_rendered_ms",
      load_average_1m: Number(loadavg()[0]?.toFixed(1)),
      repeats: REPEATS,
      baseline_ms: Math.round(base0),
      fraud: {
        label: fraudLabel,
        nodes: rows[1]?.nodes,
        median_ms: Math.round(rows[1]?.median ?? 0),
        ratio: Number(((rows[1]?.median ?? 0) / base0).toFixed(2)),
      },
      tasks500: {
        nodes: rows[2]?.nodes,
        median_ms: Math.round(rows[2]?.median ?? 0),
        ratio: Number(((rows[2]?.median ?? 0) / base0).toFixed(2)),
      },
    }),
  );
} finally {
  await browser.close();
  await weft.stop();
}
