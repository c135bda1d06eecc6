/**
 * Managing runs and recurring runs in the browser: a recurring run's page (settings, the
 * runs it created, disable, delete), the create form's cron and time-range errors as the
 * field's error from the server's own parser, and a run's description and tags, clone,
 * archive (the "Archived runs" view) and delete, each behind a confirm dialog.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loggerPipeline } from "./fixtures.ts";
import {
  api,
  buildUi,
  launchBrowser,
  screenshot,
  skipReason,
  startWeft,
  uploadPipeline,
  type Weft,
  waitRun,
} from "./harness.ts";

const reason = skipReason();

describe.skipIf(reason !== undefined)("recurring run details and run management", () => {
  let weft: Weft;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    buildUi();
    weft = await startWeft();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await weft?.stop();
  });

  const confirm = async (): Promise<void> => {
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    await dialog.getByTestId("confirm-action").click();
    await dialog.waitFor({ state: "detached" });
  };

  it("shows a recurring run's settings and the runs it created, then disables and deletes it", async () => {
    const p = await uploadPipeline(weft.apiUrl, "ticker", loggerPipeline(1, 0));
    const exp = await api<{ experiment_id: string }>(weft.apiUrl, "/apis/v2beta1/experiments", {
      display_name: "scheduled",
    });
    const rr = await api<{ recurring_run_id: string }>(weft.apiUrl, "/apis/v2beta1/recurringruns", {
      display_name: "every few seconds",
      pipeline_version_reference: { pipeline_id: p.pipelineId, pipeline_version_id: p.versionId },
      trigger: { cron_schedule: { cron: "@every 3s", end_time: "2099-01-01T00:00:00Z" } },
      max_concurrency: "2",
      no_catchup: true,
      experiment_id: exp.experiment_id,
      mode: "ENABLE",
    });
    await page.goto(`${weft.url}/recurring`);
    await page.getByRole("link", { name: "every few seconds" }).click();
    await page.waitForURL(new RegExp(`/recurring/${rr.recurring_run_id}$`));
    const settings = page.getByTestId("recurring-settings");
    await settings.waitFor();
    // the experiment's name comes with the experiments list, which may answer after the run
    await expect.poll(async () => (await settings.textContent()) ?? "").toMatch(/Experiment\s*scheduled/);
    const text = (await settings.textContent()) ?? "";
    expect(text).toContain("cron @every 3s");
    expect(text).toContain("2 run(s) at once");
    expect(text).toMatch(/Catch-up\s*off/);
    expect(text).toMatch(/Ends\s*2099-01-01 00:00 UTC/);
    expect(text).toMatch(/Experiment\s*scheduled/);
    expect(await page.getByTestId("recurring-status").textContent()).toBe("Enabled");
    // the scheduler fires within seconds; the page polls and lists the run, linked
    const firstRun = page.getByTestId("recurring-runs").getByRole("link").first();
    await expect
      .poll(
        async () => {
          if ((await firstRun.count()) === 0) await page.reload();
          return firstRun.count();
        },
        { timeout: 60_000, interval: 2000 },
      )
      .toBeGreaterThan(0);
    await screenshot(page, "recurring-run-details");
    const href = (await firstRun.getAttribute("href")) ?? "";
    expect(href).toMatch(/^\/runs\/[0-9a-f-]{36}$/);

    await page.getByRole("button", { name: "Disable" }).click();
    await confirm();
    await expect.poll(() => page.getByTestId("recurring-status").textContent()).toBe("Disabled");
    await page.getByRole("button", { name: "Delete" }).click();
    await confirm();
    await page.waitForURL(/\/recurring$/);
    const left = await api<{ recurringRuns?: unknown[] }>(weft.apiUrl, "/apis/v2beta1/recurringruns");
    expect(left.recurringRuns ?? []).toHaveLength(0);
    // the runs it created stay
    await page.goto(`${weft.url}${href}`);
    await page.locator("h1 .badge").waitFor();
  });

  it("shows cron and time-range errors at their fields, as the server's parser words them", async () => {
    await page.goto(`${weft.url}/recurring`);
    await page.getByRole("button", { name: "New recurring run" }).click();
    await page.getByLabel("Name", { exact: true }).fill("weekdays");
    await page.getByLabel("Pipeline").selectOption({ label: "ticker" });
    await page.getByLabel(/^lines/).waitFor();
    const cron = page.getByLabel(/^Cron/);
    await cron.fill("0 30 9 * * FUNDAY");
    await page.getByRole("button", { name: "Create recurring run" }).click();
    const error = page.getByTestId("cron-error");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^recurring_run\.trigger\.cron_schedule\.cron: /);
    expect(await cron.getAttribute("aria-invalid")).toBe("true");
    // names and @every are accepted as on the server; a range ending before it starts is not
    await cron.fill("0 30 9 * * MON-FRI");
    await page.getByLabel(/^Start/).fill("2030-02-01T00:00");
    await page.getByLabel(/^End/).fill("2030-01-01T00:00");
    await page.getByRole("button", { name: "Create recurring run" }).click();
    await page.getByText("recurring_run.trigger: end_time must be later than start_time.").waitFor();
    expect(await page.getByTestId("cron-error").count()).toBe(0);
    await page.getByLabel(/^End/).fill("2030-03-01T00:00");
    await page.getByLabel(/^Max concurrency/).fill("3");
    await page.getByLabel(/^Experiment/).selectOption({ label: "scheduled" });
    await page.getByRole("button", { name: "Create recurring run" }).click();
    const row = page.getByRole("row", { name: /weekdays/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("cron 0 30 9 * * MON-FRI");
    const made = await api<{
      recurringRuns: Array<{ display_name: string; max_concurrency: string; experiment_id: string; trigger: unknown }>;
    }>(weft.apiUrl, "/apis/v2beta1/recurringruns");
    const weekdays = made.recurringRuns.find((r) => r.display_name === "weekdays");
    expect(weekdays?.max_concurrency).toBe("3");
    expect(weekdays?.trigger).toMatchObject({
      cron_schedule: { start_time: "2030-02-01T00:00:00.000Z", end_time: "2030-03-01T00:00:00.000Z" },
    });
  });

  it("edits a run's description and tags, clones it, archives and deletes it", async () => {
    const p = await uploadPipeline(weft.apiUrl, "talker", loggerPipeline(2, 0));
    const run = await api<{ run_id: string }>(weft.apiUrl, "/apis/v2beta1/runs", {
      display_name: "tagged run",
      description: "first look",
      tags: { team: "fraud" },
      pipeline_version_reference: { pipeline_id: p.pipelineId, pipeline_version_id: p.versionId },
      runtime_config: { parameters: { lines: 4 } },
    });
    expect(await waitRun(weft.apiUrl, run.run_id)).toBe("SUCCEEDED");
    await page.goto(`${weft.url}/runs/${run.run_id}`);
    const about = page.getByTestId("run-about");
    await about.waitFor();
    expect(await about.textContent()).toContain("first look");
    expect(await page.getByTestId("run-tag").allTextContents()).toEqual(["team=fraud"]);
    await page.getByRole("button", { name: "Edit description and tags" }).click();
    await page.getByLabel("Description", { exact: true }).fill("the baseline");
    await page.getByLabel(/^Tags/).fill("team=fraud\nstage dev");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText(/"stage dev" is not key=value/).waitFor();
    await page.getByLabel(/^Tags/).fill("team=fraud\nstage=dev");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByTestId("run-tag").allTextContents()).toEqual(["team=fraud", "stage=dev"]);
    expect(await about.textContent()).toContain("the baseline");
    await screenshot(page, "run-manage");

    // clone: the form opens with the run's version and parameters; change one and start
    await page.getByTestId("clone-run").click();
    await page.waitForURL(/\/clone$/);
    const lines = page.getByLabel(/^lines/);
    await lines.waitFor();
    expect(await lines.inputValue()).toBe("4");
    expect(await page.getByLabel("Run name").inputValue()).toBe("Clone of tagged run");
    expect(await page.getByLabel(/^Tags/).inputValue()).toBe("team=fraud, stage=dev");
    await lines.fill("1");
    await page.getByRole("button", { name: "Start run" }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const cloneId = new URL(page.url()).pathname.split("/").pop() ?? "";
    expect(cloneId).not.toBe(run.run_id);
    const clone = await api<{
      runtime_config: { parameters: Record<string, unknown> };
      pipeline_version_reference: { pipeline_version_id: string };
      tags: Record<string, string>;
    }>(weft.apiUrl, `/apis/v2beta1/runs/${cloneId}`);
    expect(clone.runtime_config.parameters).toEqual({ lines: 1 });
    expect(clone.pipeline_version_reference.pipeline_version_id).toBe(p.versionId);
    expect(clone.tags).toEqual({ team: "fraud", stage: "dev" });

    // archive: the run leaves the list and shows under "Archived runs"
    await page.goto(`${weft.url}/runs/${run.run_id}`);
    await page.getByRole("button", { name: "Archive" }).click();
    await confirm();
    await page.getByTestId("archived-banner").waitFor();
    await page.goto(`${weft.url}/`);
    await page.locator(`[data-run-id="${cloneId}"]`).waitFor();
    expect(await page.locator(`[data-run-id="${run.run_id}"]`).count()).toBe(0);
    await page.getByTestId("runs-storage").selectOption("archived");
    await page.locator(`[data-run-id="${run.run_id}"]`).waitFor();
    await page.getByTestId("runs-storage").selectOption("available");
    await page.getByLabel("Filter runs by tag (key=value)").fill("stage=dev");
    await page.locator(`[data-run-id="${cloneId}"]`).waitFor();

    // delete, confirmed: the run is gone
    await page.goto(`${weft.url}/runs/${run.run_id}`);
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog").getByText("Artifact files stay on disk").waitFor();
    await confirm();
    await page.waitForURL(`${weft.url}/`);
    const gone = await fetch(`${weft.apiUrl}/apis/v2beta1/runs/${run.run_id}`);
    expect(gone.status).toBe(404);
  });
});
