/**
 * The fraud-detection example (examples/fraud-detection/pipeline.yaml, on 5,000 generated
 * transactions) run by a real `weft server`, with each artifact viewer opened on its
 * outputs: metrics, ROC and PR curves, confusion matrix, HTML report, Markdown summary,
 * model details and dataset previews.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildUi,
  launchBrowser,
  ROOT,
  screenshot,
  skipReason,
  startRun,
  startWeft,
  type Weft,
  waitRun,
} from "./harness.ts";

const reason = skipReason();

describe.skipIf(reason !== undefined)("fraud-detection outputs in the viewers", () => {
  let weft: Weft;
  let browser: Browser;
  let page: Page;
  let runId = "";

  beforeAll(async () => {
    buildUi();
    weft = await startWeft();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const form = new FormData();
    const yaml = readFileSync(join(ROOT, "examples/fraud-detection/pipeline.yaml"));
    form.append("uploadfile", new Blob([yaml], { type: "application/yaml" }), "pipeline.yaml");
    const res = await fetch(`${weft.apiUrl}/apis/v2beta1/pipelines/upload?name=fraud-detection`, {
      method: "POST",
      body: form,
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const p = (await res.json()) as { pipeline_id: string };
    const versions = (await (
      await fetch(`${weft.apiUrl}/apis/v2beta1/pipelines/${p.pipeline_id}/versions`)
    ).json()) as {
      pipeline_versions: Array<{ pipeline_version_id: string }>;
    };
    const versionId = versions.pipeline_versions[0]?.pipeline_version_id ?? "";
    runId = await startRun(
      weft.apiUrl,
      "fraud small",
      { pipelineId: p.pipeline_id, versionId },
      { rows: 5000, epochs: 1 },
    );
    expect(await waitRun(weft.apiUrl, runId, 300_000)).toBe("SUCCEEDED");
  }, 360_000);

  afterAll(async () => {
    await browser?.close();
    await weft?.stop();
  });

  it("draws the run: loop collapsed with its count, skipped condition", async () => {
    await page.goto(`${weft.url}/runs/${runId}`);
    await page.locator('[data-task="select-best"][data-state="SUCCEEDED"]').waitFor();
    expect(await page.locator('[data-task="for-loop-2"]').textContent()).toContain("Loop · 2 iterations");
    expect(
      await page.locator('[data-task="condition-3"], [data-group="condition-3"]').first().getAttribute("data-state"),
    ).not.toBe("FAILED");
    await screenshot(page, "fraud-run");
    await page.locator('[data-task="for-loop-2"]').click();
    await expect.poll(() => page.locator('[data-task="evaluate"]').count()).toBe(2);
    await screenshot(page, "fraud-run-loop-expanded");
  });

  it("shows evaluate's metrics, ROC and PR curves, confusion matrix and HTML report", async () => {
    await page.locator('[data-task="evaluate"]').first().click();
    const panel = page.getByTestId("task-panel");
    await panel.getByRole("tab", { name: /Artifacts/ }).click();
    expect(await panel.getByTestId("metrics-table").textContent()).toContain("roc_auc");
    await panel.getByTestId("roc-chart").locator("polyline").waitFor();
    await panel.getByTestId("pr-chart").locator("polyline").waitFor();
    // the areas drawn from the logged rows are the logged ROC-AUC and PR-AUC (a difference
    // in the shown digits would add "(logged ...)")
    const legend = async (chart: string) =>
      (await panel.getByTestId(chart).getByTestId("legend-value").textContent())?.trim();
    expect(await legend("roc-chart")).toMatch(/^ROC-AUC 0\.\d{3}$/);
    expect(await legend("pr-chart")).toMatch(/^average precision \(PR-AUC\) 0\.\d{3}$/);
    expect(await panel.getByTestId("confusion-matrix").textContent()).toMatch(/legit.*fraud/s);
    expect(await panel.getByTestId("html-viewer").getAttribute("sandbox")).toBe("");
    expect(
      (await page.frameLocator('[data-testid="html-viewer"]').locator("body").textContent())?.length,
    ).toBeGreaterThan(20);
    expect(await panel.getByTestId("model-viewer").textContent()).toContain("tensorflow.js");
    await screenshot(page, "fraud-evaluate-viewers");
  });

  it("shows select-best's Markdown summary and model, and previews the raw transactions", async () => {
    await page.locator('[data-task="select-best"]').click();
    const panel = page.getByTestId("task-panel");
    await panel.getByRole("tab", { name: /Artifacts/ }).click();
    expect(await panel.getByTestId("markdown-viewer").locator("h1").textContent()).toContain("model selection");
    expect(await panel.getByTestId("markdown-viewer").locator("table tr").count()).toBeGreaterThan(1);
    await panel.getByTestId("model-viewer").waitFor();
    await screenshot(page, "fraud-select-best");
    await page.locator('[data-task="load-data"]').click();
    await panel.getByRole("tab", { name: /Artifacts/ }).click();
    const csv = panel.locator('[data-testid="dataset-preview"][data-format="csv"]').first();
    await csv.waitFor();
    expect(await csv.locator("th").allTextContents()).toEqual(expect.arrayContaining(["Amount", "Is Fraud?"]));
    expect(await csv.locator("tbody tr").count()).toBe(50);
    await screenshot(page, "fraud-dataset-preview");
  });
});
