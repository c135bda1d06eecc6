/**
 * The other pages end to end: uploading a pipeline and previewing its graph, experiments,
 * recurring runs with their next fire times, lineage of an artifact, and terminating and
 * retrying a run.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controlFlowPipeline, loggerPipeline, viewersPipeline } from "./fixtures.ts";
import {
  api,
  buildUi,
  launchBrowser,
  ROOT,
  screenshot,
  skipReason,
  startRun,
  startWeft,
  uploadPipeline,
  type Weft,
  waitRun,
} from "./harness.ts";

const reason = skipReason();

describe.skipIf(reason !== undefined)("pipelines, experiments, recurring runs, lineage, run control", () => {
  let weft: Weft;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    buildUi();
    weft = await startWeft();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await weft?.stop();
  });

  it("uploads a pipeline file, previews its graph and shows its versions", async () => {
    const dir = join(ROOT, "test-output", "ui-e2e");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "control-flow.json");
    writeFileSync(file, JSON.stringify(controlFlowPipeline()));
    const bad = join(dir, "broken.yaml");
    writeFileSync(bad, "pipelineInfo: [not, a, pipeline\n");
    await page.goto(`${weft.url}/pipelines`);
    await page.getByRole("button", { name: "Upload pipeline" }).click();
    await page.getByTestId("upload-input").setInputFiles(bad);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/request was not accepted/i);
    await page.getByLabel("Pipeline name (optional)").fill("flow-from-ui");
    await page.getByTestId("upload-input").setInputFiles(file);
    await page.waitForURL(/\/pipelines\/[^/]+$/);
    await page.getByRole("heading", { name: "flow-from-ui" }).waitFor();
    await page.getByRole("tab", { name: "Graph" }).click();
    await page.locator('[data-task="start"]').waitFor();
    expect(await page.locator('[data-task="for-loop-1"]').textContent()).toContain("Loop");
    await screenshot(page, "pipeline-graph-preview");
    await page.getByRole("tab", { name: /Versions/ }).click();
    await page.getByRole("link", { name: "flow-from-ui" }).waitFor();
  });

  it("creates an experiment and lists its runs", async () => {
    await page.goto(`${weft.url}/experiments`);
    await page.getByLabel("Experiment name").fill("churn-study");
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByRole("link", { name: "churn-study" }).click();
    await page.getByRole("heading", { name: "churn-study" }).waitFor();
    await page.getByText(/No runs match/).waitFor();
    const exp = new URL(page.url()).pathname.split("/").pop() ?? "";
    const p = await uploadPipeline(weft.apiUrl, "slow-logger", loggerPipeline(1, 0));
    const run = await api<{ run_id: string }>(weft.apiUrl, "/apis/v2beta1/runs", {
      display_name: "in churn-study",
      experiment_id: exp,
      pipeline_version_reference: { pipeline_id: p.pipelineId, pipeline_version_id: p.versionId },
    });
    await waitRun(weft.apiUrl, run.run_id);
    await page.reload();
    await page.getByRole("link", { name: "in churn-study" }).waitFor();
    expect(await page.locator("[data-run-id]").count()).toBe(1);
  });

  it("creates a recurring run, shows its next fire times, and disables it", async () => {
    await uploadPipeline(weft.apiUrl, "viewers-demo", viewersPipeline());
    await page.goto(`${weft.url}/recurring`);
    await page.getByRole("button", { name: "New recurring run" }).click();
    await page.getByLabel("Name", { exact: true }).fill("nightly");
    await page.getByLabel("Pipeline").selectOption({ label: "viewers-demo" });
    await page.getByLabel(/^seed/).waitFor();
    await page.getByLabel(/^Cron/).fill("0 30 2 * * *");
    await page.getByLabel("Enabled").uncheck();
    await page.getByRole("button", { name: "Create recurring run" }).click();
    const row = page.getByRole("row", { name: /nightly/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("Disabled");
    await row.getByRole("button", { name: "Enable" }).click();
    await expect.poll(() => row.textContent()).toContain("Enabled");
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("cron 0 30 2 * * *");
    expect(text.match(/\d{2}:\d{2}:\d{2}/g)?.length).toBeGreaterThanOrEqual(3);
    await screenshot(page, "recurring-runs");
    await row.getByRole("button", { name: "Disable" }).click();
    await expect.poll(() => row.textContent()).toContain("Disabled");
  });

  it("follows an artifact's lineage from its producer to its consumer", async () => {
    const v = await uploadPipeline(weft.apiUrl, "viewers-lineage", viewersPipeline());
    const runId = await startRun(weft.apiUrl, "lineage source", v);
    expect(await waitRun(weft.apiUrl, runId)).toBe("SUCCEEDED");
    const { artifacts } = await api<{ artifacts: Array<{ artifact_id: string; name: string }> }>(
      weft.apiUrl,
      `/apis/weft/v1/runs/${runId}/artifacts`,
    );
    const table = artifacts.find((a) => a.name === "table");
    expect(table).toBeDefined();
    await page.goto(`${weft.url}/artifacts/${table?.artifact_id}`);
    const flow = page.getByTestId("lineage");
    await flow.waitFor();
    expect(await flow.textContent()).toMatch(/Made by.*make-data.*Consumed by.*evaluate.*as data/s);
    await page.getByTestId("dataset-preview").waitFor();
    await screenshot(page, "lineage");
    await flow.getByRole("link", { name: /evaluate/ }).click();
    await page.waitForURL(/task=/);
    await page.getByTestId("task-panel").waitFor();
  });

  it("terminates a running run and retries it", async () => {
    const p = await uploadPipeline(weft.apiUrl, "long-logger", loggerPipeline(600, 0.1));
    const runId = await startRun(weft.apiUrl, "to terminate", p);
    await page.goto(`${weft.url}/runs/${runId}`);
    await page.locator('h1 .badge[data-state="RUNNING"]').waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Terminate" }).click();
    await page.locator('h1 .badge[data-state="CANCELED"]').waitFor({ timeout: 30_000 });
    const retry = page.getByRole("button", { name: "Retry" });
    expect(await retry.isEnabled()).toBe(true);
    await retry.click();
    await page.locator('h1 .badge[data-state="RUNNING"]').waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Terminate" }).click();
    await page.locator('h1 .badge[data-state="CANCELED"]').waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Terminate" }).isDisabled();
  });
});
