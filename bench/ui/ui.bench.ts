/**
 * Web UI benchmark: time to a rendered run-details page, measured in Chromium.
 *
 * Starts a real `weft server` over a temporary `$WEFT_HOME`, executes three runs and
 * opens each run's details page several times in headless Chromium, timing from the
 * start of navigation to the first frame painted after the page marks its DAG rendered
 * (`weft:run-details-rendered`, a performance mark):
 *  - baseline: a one-task run (the page, its data and a trivial graph);
 *  - fraud: the fraud-detection example (examples/fraud-detection/pipeline.yaml, small
 *    data); when it cannot run here, the largest real run available is used instead and
 *    the table says so;
 *  - 500 tasks: a generated pipeline of 500 tasks in 20 layers.
 * Ratios to the baseline survive a noisy machine. Goals: the fraud page renders within
 * 1.5x the baseline, the 500-task page within 3x. Prints a table, one JSON line per goal
 * (bench/report.ts), then one line of details.
 *
 * `npx tsx bench/ui/ui.bench.ts [repeats]`; needs /usr/bin/chromium.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
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

const REPEATS = Number(process.argv[2] ?? 5);

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
const weft = await startWeft();
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
