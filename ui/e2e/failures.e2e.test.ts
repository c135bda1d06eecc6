/**
 * A run that did not succeed shows why where the user looks: the run banner (failed, with
 * the failing task's code, message, action and stderr tail, never a server path; canceled,
 * in a neutral style), the task overview, and a log opened at its first error line. A
 * running task's log shows its first line while the task is still running.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

/** A pipeline of one `sh -c` task named `name`. */
function shPipeline(name: string, script: string): Record<string, unknown> {
  return {
    pipelineInfo: { name },
    schemaVersion: "2.1.0",
    sdkVersion: "weft-e2e",
    root: { dag: { tasks: { [name]: { taskInfo: { name }, componentRef: { name: `comp-${name}` } } } } },
    components: { [`comp-${name}`]: { executorLabel: `exec-${name}` } },
    deploymentSpec: {
      executors: { [`exec-${name}`]: { container: { image: "alpine", command: ["sh", "-c", script] } } },
    },
  };
}

describe.skipIf(reason !== undefined)("failures and live logs in the web UI", () => {
  let weft: Weft;
  let browser: Browser;
  let page: Page;
  let release = "";

  beforeAll(async () => {
    buildUi();
    weft = await startWeft();
    release = join(weft.home, "release");
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  }, 120_000);

  afterAll(async () => {
    writeFileSync(release, "");
    await browser?.close();
    await weft?.stop();
  });

  it("shows a failed run's error, code, action and stderr tail in the banner and the task overview", async () => {
    const script = [
      'i=1; while [ $i -le 120 ]; do echo "step $i ok"; i=$((i+1)); done',
      // pauses keep the two streams' lines in order in the log
      "sleep 0.3",
      'echo "Error: the input table has no label column" >&2',
      "sleep 0.3",
      'i=1; while [ $i -le 120 ]; do echo "cleanup $i"; i=$((i+1)); done',
      "sleep 0.3",
      'echo "giving up" >&2',
      "exit 3",
    ].join("\n");
    const ref = await uploadPipeline(weft.apiUrl, "breaks", shPipeline("breaks", script));
    const runId = await startRun(weft.apiUrl, "a failing run", ref);
    expect(await waitRun(weft.apiUrl, runId)).toBe("FAILED");
    await page.goto(`${weft.url}/runs/${runId}`);
    const banner = page.getByTestId("run-banner");
    await banner.getByTestId("stderr-tail").waitFor();
    expect(await banner.getAttribute("data-kind")).toBe("failed");
    const text = (await banner.textContent()) ?? "";
    expect(text).toContain("The run failed");
    expect(await banner.getByTestId("error-code").textContent()).toBe("EXIT_NONZERO");
    expect(text).toContain("task 'root/breaks' exited with 3");
    expect(await banner.getByTestId("error-action").textContent()).toContain("weft runs retry");
    expect(await banner.getByTestId("stderr-tail").textContent()).toContain(
      "Error: the input table has no label column\ngiving up",
    );
    // no server file path: the browser cannot open one
    expect(text).not.toContain(weft.home);
    expect(text).not.toMatch(/\/logs\//);
    await screenshot(page, "run-failed-banner");

    await banner.getByRole("link", { name: "breaks" }).click();
    const panel = page.getByTestId("task-panel");
    const taskError = panel.getByTestId("task-error");
    await taskError.getByTestId("stderr-tail").waitFor();
    expect(await taskError.getByTestId("error-code").textContent()).toBe("EXIT_NONZERO");
    expect(await taskError.textContent()).toContain("exited with 3");
    expect(await taskError.getByTestId("error-action").textContent()).toContain("weft runs logs");
    expect(await taskError.getByTestId("stderr-tail").textContent()).toContain("giving up");
    await screenshot(page, "task-failed-overview");

    await panel.getByRole("tab", { name: "Logs" }).click();
    const log = panel.getByTestId("task-log");
    const first = log.getByTestId("first-error-line");
    await first.waitFor();
    expect(await first.textContent()).toBe("Error: the input table has no label column");
    // opened at that line, not at the end (240 more lines) nor the top (120 lines above)
    await expect
      .poll(async () =>
        log.evaluate((box) => {
          const line = box.querySelector("mark")?.getBoundingClientRect();
          const view = box.getBoundingClientRect();
          return line !== undefined && line.top >= view.top && line.bottom <= view.bottom;
        }),
      )
      .toBe(true);
    expect(await log.evaluate((box) => box.scrollTop)).toBeGreaterThan(0);
    expect(await log.evaluate((box) => box.scrollHeight - box.scrollTop - box.clientHeight)).toBeGreaterThan(100);
    await screenshot(page, "task-log-first-error");
  });

  it("shows a running task's first log line while it runs, and a canceled run as canceled", async () => {
    const script = `echo "first line"; while [ ! -e '${release}' ]; do sleep 0.1; done; echo "last line"`;
    const ref = await uploadPipeline(weft.apiUrl, "waits", shPipeline("waits", script));
    const runId = await startRun(weft.apiUrl, "a waiting run", ref);
    await page.goto(`${weft.url}/runs/${runId}`);
    await page.locator('[data-task="waits"][data-state="RUNNING"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-task="waits"]').click();
    const panel = page.getByTestId("task-panel");
    await panel.getByRole("tab", { name: "Logs" }).click();
    const log = panel.getByTestId("task-log");
    await expect.poll(() => log.textContent(), { timeout: 20_000 }).toContain("first line");
    // the task cannot have finished: it waits for a file nobody has written
    const task = await api<{ run_details?: { task_details?: Array<{ display_name?: string; state?: string }> } }>(
      weft.apiUrl,
      `/apis/v2beta1/runs/${runId}`,
    );
    expect(task.run_details?.task_details?.find((t) => t.display_name === "waits")?.state).toBe("RUNNING");
    await panel.getByText("Live").waitFor();

    await api(weft.apiUrl, `/apis/v2beta1/runs/${runId}:terminate`, {});
    expect(await waitRun(weft.apiUrl, runId)).toBe("CANCELED");
    const banner = page.getByTestId("run-banner");
    await expect.poll(() => banner.getAttribute("data-kind"), { timeout: 20_000 }).toBe("canceled");
    const text = (await banner.textContent()) ?? "";
    expect(text).toContain("The run was canceled");
    expect(text).not.toContain("failed");
    expect(await banner.getAttribute("class")).toContain("info");
    await screenshot(page, "run-canceled-banner");
  });
});
