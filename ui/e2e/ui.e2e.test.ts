/**
 * End-to-end tests of the web UI: Chromium against a real `weft server` executing real
 * runs. Screenshots are kept under test-output/screenshots.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controlFlowPipeline, loggerPipeline, viewersPipeline } from "./fixtures.ts";
import {
  api,
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

const reason = skipReason();

describe.skipIf(reason !== undefined)("web UI end to end", () => {
  let weft: Weft;
  let browser: Browser;
  let page: Page;
  let viewers: { pipelineId: string; versionId: string };
  let logger: { pipelineId: string; versionId: string };
  let flow: { pipelineId: string; versionId: string };
  let formRunId = "";

  beforeAll(async () => {
    buildUi();
    weft = await startWeft();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    viewers = await uploadPipeline(weft.apiUrl, "viewers-demo", viewersPipeline());
    logger = await uploadPipeline(weft.apiUrl, "slow-logger", loggerPipeline(30, 0.2));
    flow = await uploadPipeline(weft.apiUrl, "control-flow", controlFlowPipeline());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await weft?.stop();
  });

  it("creates a run from the form and watches it complete", async () => {
    await page.goto(`${weft.url}/pipelines/${viewers.pipelineId}`);
    await page.getByRole("heading", { name: "viewers-demo" }).waitFor();
    const seed = page.getByLabel(/^seed/);
    await seed.fill("twelve");
    await page.getByRole("button", { name: "Start run" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toContain("seed must be a whole number");
    await seed.fill("12");
    await page.getByLabel("Run name").fill("from the form");
    await screenshot(page, "create-run-form");
    await page.getByRole("button", { name: "Start run" }).click();
    await page.waitForURL(/\/runs\/[^/?]+/);
    formRunId = new URL(page.url()).pathname.split("/").pop() ?? "";
    await page.locator('h1 .badge[data-state="SUCCEEDED"]').waitFor({ timeout: 90_000 });
    await page.locator('[data-task="evaluate"][data-state="SUCCEEDED"]').waitFor();
    await page.locator('[data-task="make-data"][data-state="SUCCEEDED"]').waitFor();
    const run = await api<{ runtime_config?: { parameters?: Record<string, unknown> } }>(
      weft.apiUrl,
      `/apis/v2beta1/runs/${formRunId}`,
    );
    expect(run.runtime_config?.parameters?.seed).toBe(12);
    await screenshot(page, "run-details-succeeded");
  });

  it("opens every artifact viewer on the run's outputs", async () => {
    await page.locator('[data-task="evaluate"]').click();
    const panel = page.getByTestId("task-panel");
    await panel.waitFor();
    await panel.getByRole("tab", { name: /Artifacts/ }).click();
    const metrics = panel.getByTestId("metrics-table");
    await metrics.waitFor();
    expect(await metrics.textContent()).toMatch(/accuracy.*f1.*roc_auc/s);
    const roc = panel.getByTestId("roc-chart");
    await roc.locator("polyline").first().waitFor();
    expect(await roc.textContent()).toMatch(/AUC 0\.\d{3}/);
    await panel.getByTestId("pr-chart").locator("polyline").first().waitFor();
    const cm = panel.getByTestId("confusion-matrix");
    expect(await cm.textContent()).toContain("fraud");
    const frame = panel.getByTestId("html-viewer");
    expect(await frame.getAttribute("sandbox")).toBe("");
    const report = page.frameLocator('[data-testid="html-viewer"]');
    expect(await report.locator("#report").textContent()).toBe("Evaluation report");
    expect(await report.locator("body").getAttribute("data-ran")).toBeNull();
    const md = panel.getByTestId("markdown-viewer");
    expect(await md.locator("h1").textContent()).toBe("Model card");
    expect(await md.locator("table td").first().textContent()).toBe("accuracy");
    expect(await md.locator("img").getAttribute("onerror")).toBeNull();
    expect(await panel.getByTestId("model-viewer").textContent()).toContain("logreg.js");
    await screenshot(page, "viewers-evaluate");

    await panel.getByRole("tab", { name: "Overview" }).click();
    expect(await panel.getByTestId("cache-info").textContent()).toBeTruthy();
    await panel.getByRole("tab", { name: "Inputs & outputs" }).click();
    await panel.getByText("Input artifacts").waitFor();
    expect(await panel.locator(".io-section").nth(1).textContent()).toContain("data");

    await page.locator('[data-task="make-data"]').click();
    await panel.getByRole("tab", { name: /Artifacts/ }).click();
    const previews = panel.getByTestId("dataset-preview");
    await previews.nth(2).waitFor();
    const csv = panel.locator('[data-testid="dataset-preview"][data-format="csv"]');
    expect(await csv.locator("th").allTextContents()).toEqual(["id", "amount", "label"]);
    expect(await csv.textContent()).toContain("1,200.00");
    const jsonl = panel.locator('[data-testid="dataset-preview"][data-format="jsonl"]');
    expect(await jsonl.textContent()).toContain("Oslo");
    const parquet = panel.locator('[data-testid="dataset-preview"][data-format="parquet"]');
    expect(await parquet.locator("th").allTextContents()).toEqual(["user", "score", "country"]);
    expect(await parquet.textContent()).toContain("first 50 rows of 200");
    expect(await parquet.locator("tbody tr").first().textContent()).toBe("10NO");
    await screenshot(page, "viewers-datasets");
  });

  it("follows a task's log while it runs", async () => {
    const runId = await startRun(weft.apiUrl, "log follower", logger, { lines: 30 });
    await page.goto(`${weft.url}/runs/${runId}`);
    await page.locator('[data-task="talk"][data-state="RUNNING"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-task="talk"]').click();
    const panel = page.getByTestId("task-panel");
    await panel.getByRole("tab", { name: "Logs" }).click();
    const log = panel.getByTestId("task-log");
    await expect.poll(() => log.textContent(), { timeout: 20_000 }).toMatch(/tick [1-9] of 30/);
    const early = (await log.textContent()) ?? "";
    expect(early).not.toContain("tick 30 of 30");
    await panel.getByText("Live").waitFor();
    await screenshot(page, "log-live");
    await expect.poll(() => log.textContent(), { timeout: 30_000 }).toContain("tick 30 of 30");
    await panel.getByText("Complete").waitFor();
    expect(await waitRun(weft.apiUrl, runId)).toBe("SUCCEEDED");
  });

  it("compares two runs: differences highlighted, ROC curves overlaid", async () => {
    const other = await startRun(weft.apiUrl, "noisier", viewers, { seed: 3, noise: 1.6 });
    expect(await waitRun(weft.apiUrl, other)).toBe("SUCCEEDED");
    await page.goto(`${weft.url}/`);
    await page.getByRole("link", { name: "noisier" }).waitFor();
    await page.getByLabel("Select noisier").check();
    await page.getByLabel("Select from the form").check();
    await page.getByTestId("compare-btn").click();
    await page.waitForURL(/\/compare\?runs=/);
    const params = page.getByTestId("compare-parameters");
    await params.waitFor();
    expect(await params.locator('tr[data-differs="true"] th').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining("noise"), expect.stringContaining("seed")]),
    );
    const metrics = page.getByTestId("compare-metrics");
    expect(await metrics.locator('tr[data-differs="true"]').count()).toBeGreaterThan(0);
    await page.getByTestId("roc-chart").locator("polyline").nth(1).waitFor();
    expect(await page.getByTestId("roc-chart").locator("polyline").count()).toBe(2);
    await screenshot(page, "compare-runs");
  });

  it("lists runs with metrics columns, sorts and filters on the server", async () => {
    await page.goto(`${weft.url}/`);
    await page.getByRole("link", { name: "noisier" }).waitFor();
    await page
      .getByRole("columnheader", { name: /accuracy|roc_auc|f1/ })
      .first()
      .waitFor();
    await page.getByLabel("Filter runs by name").fill("noisi");
    await expect.poll(() => page.locator("[data-run-id]").count()).toBe(1);
    await page.getByLabel("Filter runs by name").fill("");
    await page.getByRole("button", { name: /^Run/ }).click();
    await expect.poll(() => page.locator("[data-run-id] a").first().textContent()).toBe("from the form");
    await screenshot(page, "runs-list");
  });

  it("shows loops collapsed with their count and expands them", async () => {
    const runId = await startRun(weft.apiUrl, "control flow", flow, { n: 9 });
    expect(await waitRun(weft.apiUrl, runId)).toBe("SUCCEEDED");
    await page.goto(`${weft.url}/runs/${runId}`);
    const loop = page.locator('[data-task="for-loop-1"]');
    await loop.waitFor();
    expect(await loop.textContent()).toContain("Loop · 3 iterations");
    await page.locator('[data-group="condition-2"] [data-task="big"]').waitFor();
    await loop.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator('[data-task="square"]').count()).toBe(3);
    await page.locator('[data-task="big"]').focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("task-panel").getByRole("heading", { level: 3 }).first().waitFor();
    expect(new URL(page.url()).searchParams.get("task")).toBeTruthy();
    await screenshot(page, "dag-control-flow");
  });

  it("explains server errors in words, and switches to the dark theme", async () => {
    await page.goto(`${weft.url}/runs/no-such-run`);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Not found.*no-such-run/s);
    await page.goto(`${weft.url}/`);
    await page.getByTestId("theme-toggle").click();
    await page.getByTestId("theme-toggle").click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await page.goto(`${weft.url}/runs/${formRunId}`);
    await page.locator('[data-task="evaluate"]').click();
    await page
      .getByTestId("task-panel")
      .getByRole("tab", { name: /Artifacts/ })
      .click();
    await page.getByTestId("roc-chart").waitFor();
    await screenshot(page, "run-details-dark");
  });
});
