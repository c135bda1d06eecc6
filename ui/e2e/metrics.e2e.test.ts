/**
 * Truthful metrics in the browser: the precision-recall chart shows the area the pipeline
 * logged (average precision) and no area for a partial curve; the runs table shows each
 * run's metrics from its page (no request per run), in columns the user picks (kept across
 * reloads), sorted and filtered by a metric on the server.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildUi,
  launchBrowser,
  screenshot,
  skipReason,
  startRun,
  startWeft,
  uploadPipeline,
  type Weft,
  waitRun,
} from "./harness.ts";

/**
 * Writes a Metrics artifact (`f1` from the parameter) and two ClassificationMetrics
 * artifacts: `whole` has confusion counts at every distinct score plus the row above them
 * all, and logs auPrc as scikit-learn's average precision; `partial` has only the rows of
 * thresholds 0.3 to 0.7.
 */
const CURVES_JS = `
const fs = require("node:fs");
const path = require("node:path");
const [execInput, f1Text] = process.argv.slice(1);
const ei = JSON.parse(execInput);
let s = 11;
const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
const data = [];
for (let i = 0; i < 300; i++) {
  const label = rand() < 0.2 ? 1 : 0;
  data.push({ label, score: Math.round((0.5 * rand() + 0.3 * label * rand()) * 100) / 100 });
}
const P = data.filter((d) => d.label).length;
const N = data.length - P;
const scores = [...new Set(data.map((d) => d.score))].sort((a, b) => b - a);
const rows = [{ confidenceThreshold: 1, truePositiveCount: 0, falsePositiveCount: 0, trueNegativeCount: N, falseNegativeCount: P }];
let ap = 0;
let prevRecall = 0;
for (const t of scores) {
  const tp = data.filter((d) => d.label && d.score >= t).length;
  const fp = data.filter((d) => !d.label && d.score >= t).length;
  rows.push({ confidenceThreshold: t, truePositiveCount: tp, falsePositiveCount: fp, trueNegativeCount: N - fp, falseNegativeCount: P - tp });
  ap += (tp / P - prevRecall) * (tp / (tp + fp));
  prevRecall = tp / P;
}
// no files: each output is its metadata
const partial = rows.filter((r) => r.confidenceThreshold >= 0.3 && r.confidenceThreshold <= 0.7);
const out = {
  artifacts: {
    metrics: { artifacts: [{ metadata: { f1: Number(f1Text), ap } }] },
    whole: { artifacts: [{ metadata: { confidenceMetrics: rows, auPrc: ap } }] },
    partial: { artifacts: [{ metadata: { confidenceMetrics: partial } }] },
  },
};
fs.mkdirSync(path.dirname(ei.outputs.outputFile), { recursive: true });
fs.writeFileSync(ei.outputs.outputFile, JSON.stringify(out));
`;

const art = (title: string) => ({ artifactType: { schemaTitle: title, schemaVersion: "0.0.1" } });

function curvesPipeline(): object {
  return {
    pipelineInfo: { name: "curves" },
    schemaVersion: "2.1.0",
    sdkVersion: "weft-e2e",
    root: {
      inputDefinitions: { parameters: { f1: { parameterType: "NUMBER_DOUBLE", defaultValue: 0.5 } } },
      dag: {
        tasks: {
          curves: {
            taskInfo: { name: "curves" },
            componentRef: { name: "comp-curves" },
            inputs: { parameters: { f1: { componentInputParameter: "f1" } } },
          },
        },
      },
    },
    components: {
      "comp-curves": {
        executorLabel: "exec-curves",
        inputDefinitions: { parameters: { f1: { parameterType: "NUMBER_DOUBLE" } } },
        outputDefinitions: {
          artifacts: {
            metrics: art("system.Metrics"),
            whole: art("system.ClassificationMetrics"),
            partial: art("system.ClassificationMetrics"),
          },
        },
      },
    },
    deploymentSpec: {
      executors: {
        "exec-curves": {
          container: {
            image: "node:20",
            command: ["node", "-e", CURVES_JS, "{{$}}", "{{$.inputs.parameters['f1']}}"],
          },
        },
      },
    },
  };
}

const reason = skipReason();

describe.skipIf(reason !== undefined)("truthful metrics in the web UI", () => {
  let weft: Weft;
  let browser: Browser;
  let page: Page;
  const runIds: string[] = [];

  beforeAll(async () => {
    buildUi();
    weft = await startWeft();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const curves = await uploadPipeline(weft.apiUrl, "curves", curvesPipeline());
    for (const [name, f1] of [
      ["low", 0.5],
      ["low again", 0.5],
      ["high", 0.9],
    ] as const) {
      const id = await startRun(weft.apiUrl, name, curves, { f1 });
      expect(await waitRun(weft.apiUrl, id)).toBe("SUCCEEDED");
      runIds.push(id);
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await weft?.stop();
  });

  it("shows the logged average precision under a whole PR curve, and no area under a partial one", async () => {
    await page.goto(`${weft.url}/runs/${runIds[0]}`);
    await page.locator('[data-task="curves"][data-state="SUCCEEDED"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-task="curves"]').click();
    const panel = page.getByTestId("task-panel");
    await panel.getByRole("tab", { name: /Artifacts/ }).click();
    const metrics = await fetch(`${weft.apiUrl}/apis/weft/v1/runs/${runIds[0]}/metrics`);
    const logged = ((await metrics.json()) as { metrics: Array<{ name: string; value: number }> }).metrics.find(
      (m) => m.name === "ap",
    )?.value as number;
    expect(logged).toBeGreaterThan(0.2);

    const whole = panel.locator('section[data-artifact="whole"]');
    await whole.getByTestId("pr-chart").locator("polyline").waitFor();
    const prArea = await whole.getByTestId("pr-chart").getByTestId("legend-value").textContent();
    expect(prArea?.trim()).toBe(`average precision (PR-AUC) ${logged.toFixed(3)}`);
    expect(await whole.getByTestId("roc-chart").getByTestId("legend-value").textContent()).toMatch(/ROC-AUC 0\.\d{3}/);

    const partial = panel.locator('section[data-artifact="partial"]');
    await partial.getByTestId("pr-chart").locator("polyline").waitFor();
    for (const chart of ["pr-chart", "roc-chart"]) {
      const text = await partial.getByTestId(chart).getByTestId("legend-value").textContent();
      expect(text).toContain("no area");
      expect(text).not.toMatch(/\d\.\d{3}/);
    }
    await screenshot(page, "metrics-pr-curves");
  });

  it("shows run metrics from the runs page alone, the same for identical runs, in chosen columns", async () => {
    const perRun: string[] = [];
    const listen = (req: { url(): string }) => {
      if (/\/apis\/weft\/v1\/runs\/[^/]+\/metrics/.test(req.url())) perRun.push(req.url());
    };
    page.on("request", listen);
    await page.evaluate(() => localStorage.removeItem("weft.runs.metricColumns"));
    await page.goto(`${weft.url}/`);
    const cell = (run: string, metric: string) =>
      page.locator(`tr[data-run-id="${run}"] td[data-metric="${metric}"]`).textContent();
    await page.locator(`tr[data-run-id="${runIds[2]}"] td[data-metric="curves.f1"]`).waitFor();
    expect(await cell(runIds[0] as string, "curves.f1")).toBe("0.5");
    expect(await cell(runIds[1] as string, "curves.f1")).toBe("0.5");
    expect(await cell(runIds[2] as string, "curves.f1")).toBe("0.9");
    expect(await cell(runIds[0] as string, "curves.ap")).toBe(await cell(runIds[1] as string, "curves.ap"));

    // choose the columns: only curves.f1, kept across a reload
    await page.getByTestId("metric-columns").locator("summary").click();
    await page.getByTestId("metric-columns").getByLabel("curves.ap").uncheck();
    await page.locator('th[data-metric="curves.ap"]').waitFor({ state: "detached" });
    await page.reload();
    await page.locator('th[data-metric="curves.f1"]').waitFor();
    expect(await page.locator("th[data-metric]").count()).toBe(1);

    // sort by the metric on the server
    const sorted = page.waitForResponse((r) => decodeURIComponent(r.url()).includes("sort_by=metric:curves.f1"));
    await page.locator('th[data-metric="curves.f1"] button').click();
    await sorted;
    await expect
      .poll(async () => page.locator("tbody tr[data-run-id]").first().getAttribute("data-run-id"))
      .toBe(runIds[2]);

    // filter by the metric on the server
    await page.getByLabel("Filter by metric: name").fill("curves.f1");
    await page.getByLabel("Filter by metric: comparison").selectOption("<");
    await page.getByLabel("Filter by metric: value").fill("0.7");
    await expect.poll(async () => page.locator("tbody tr[data-run-id]").count()).toBe(2);
    expect(await page.locator(`tr[data-run-id="${runIds[2]}"]`).count()).toBe(0);
    await screenshot(page, "runs-metric-columns");

    page.off("request", listen);
    expect(perRun).toEqual([]);
  });
});
