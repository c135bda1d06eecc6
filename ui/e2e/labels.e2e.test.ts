/**
 * Loop iterations and conditions carry their meaning in the graph: the pipeline preview
 * counts a loop's items and labels a condition by its expression before anything runs;
 * a run's graph titles each iteration by its item and each condition by its expression.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controlFlowPipeline } from "./fixtures.ts";
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

const reason = skipReason();

/** The control-flow fixture looping over model names. */
function modelsPipeline(): Record<string, unknown> {
  const p = structuredClone(controlFlowPipeline()) as {
    root: { dag: { tasks: Record<string, { parameterIterator?: { items: { raw: string } } }> } };
    components: Record<string, { inputDefinitions?: { parameters: Record<string, { parameterType: string }> } }>;
  };
  const loop = p.root.dag.tasks["for-loop-1"];
  if (loop?.parameterIterator) loop.parameterIterator.items.raw = '["mlp", "tree", "linear"]';
  const defs = p.components["comp-for-loop-1"]?.inputDefinitions?.parameters ?? {};
  for (const d of Object.values(defs)) d.parameterType = "STRING";
  return p as unknown as Record<string, unknown>;
}

describe.skipIf(reason !== undefined)("labels in the graph", () => {
  let weft: Weft;
  let browser: Browser;
  let page: Page;
  let models: { pipelineId: string; versionId: string };

  beforeAll(async () => {
    buildUi();
    weft = await startWeft();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    models = await uploadPipeline(weft.apiUrl, "models", modelsPipeline());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await weft?.stop();
  });

  it("previews a loop by its item count and a condition by its expression", async () => {
    await page.goto(`${weft.url}/pipelines/${models.pipelineId}`);
    await page.getByRole("heading", { name: "models" }).waitFor();
    await page.getByRole("tab", { name: "Graph" }).click();
    const loop = page.locator('[data-task="for-loop-1"]');
    await loop.waitFor();
    expect(await loop.textContent()).toContain("Loop · × 3 items");
    expect(await page.locator('[data-group="condition-2"]').textContent()).toContain("If · n > 5");
    await screenshot(page, "labels-preview");
  });

  it("titles a run's iterations by their items and its condition by its expression", async () => {
    const runId = await startRun(weft.apiUrl, "labelled run", models, { n: 9 });
    expect(await waitRun(weft.apiUrl, runId)).toBe("SUCCEEDED");
    await page.goto(`${weft.url}/runs/${runId}`);
    const loop = page.locator('[data-task="for-loop-1"]');
    await loop.waitFor();
    expect(await loop.textContent()).toContain("Loop · 3 iterations");
    expect(await page.locator('[data-group="condition-2"]').textContent()).toContain("If · n > 5");
    await loop.focus();
    await page.keyboard.press("Enter");
    const iterations = page.locator('[data-group^="iteration-"], [data-task^="iteration-"]');
    await expect.poll(() => iterations.count()).toBe(3);
    const titles = (await iterations.allTextContents()).join(" ");
    for (const item of ["mlp", "tree", "linear"]) expect(titles).toContain(`Iteration · ${item}`);
    // a task inside an iteration says where it ran, by the iteration's item
    const square = page.locator('[data-group="iteration-0"] [data-task="square"]');
    await square.focus();
    await page.keyboard.press("Enter");
    const panel = page.getByTestId("task-panel");
    await expect.poll(() => panel.textContent()).toContain("for-loop-1[mlp]/square");
    await screenshot(page, "labels-run-graph");
  });
});
