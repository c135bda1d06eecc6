/**
 * The Artifacts page, a directory artifact's file tree and downloads, and the multi-hop
 * lineage graph, end to end in Chromium against a real `weft server` after a real run of
 * a four-step chain (load → features → train → evaluate).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineageChainPipeline } from "../../test/server/lineage-chain.ts";
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
if (reason) console.log(`artifacts e2e skipped: ${reason}`);

describe.skipIf(reason !== undefined)("artifacts page, file tree and lineage graph", () => {
  let weft: Weft;
  let browser: Browser;
  let page: Page;
  let runId = "";

  beforeAll(async () => {
    buildUi();
    weft = await startWeft();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const v = await uploadPipeline(weft.apiUrl, "fraud-chain", lineageChainPipeline().pipelineSpec);
    runId = await startRun(weft.apiUrl, "chain run", v);
    expect(await waitRun(weft.apiUrl, runId)).toBe("SUCCEEDED");
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await weft?.stop();
  });

  const rows = () => page.getByTestId("artifacts-table").locator("tbody tr");

  it("lists artifacts with type, run, producer task and size, and filters them", async () => {
    await page.goto(`${weft.url}/artifacts`);
    await page.getByTestId("artifacts-table").waitFor();
    expect(await rows().count()).toBe(5);
    const model = page.locator('tr[data-artifact-row="model"]');
    expect(await model.textContent()).toMatch(/model.*Model.*chain run.*train.*\d+ B/);
    await screenshot(page, "artifacts-page");

    await page.getByLabel("Type").selectOption("system.Model");
    await expect.poll(() => rows().count()).toBe(1);
    expect(page.url()).toContain("type=system.Model");
    await page.getByRole("button", { name: "Clear" }).click();
    await expect.poll(() => rows().count()).toBe(5);

    await page.getByLabel("Name contains").fill("feat");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect.poll(() => rows().count()).toBe(1);
    await page.getByLabel("Run ID").fill("no-such-run");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.getByText("No artifacts match").waitFor();
    await page.getByLabel("Run ID").fill(runId);
    await page.getByRole("button", { name: "Filter" }).click();
    await expect.poll(() => rows().count()).toBe(1);

    const features = page.locator('tr[data-artifact-row="features"]');
    await features.getByRole("link", { name: "features", exact: true }).first().waitFor();
    expect(await features.getByRole("link", { name: "chain run" }).getAttribute("href")).toBe(`/runs/${runId}`);
    expect(await features.getByRole("link", { name: "features" }).nth(1).getAttribute("href")).toMatch(
      new RegExp(`^/runs/${runId}\\?task=`),
    );
  });

  it("opens a run's artifacts from the run page", async () => {
    await page.goto(`${weft.url}/runs/${runId}`);
    await page.getByRole("tab", { name: "Parameters & metrics" }).click();
    await page.getByRole("link", { name: "Open in Artifacts" }).click();
    await page.waitForURL(new RegExp(`/artifacts\\?run=${runId}$`));
    await expect.poll(() => rows().count()).toBe(5);
    expect(await page.getByLabel("Run ID").inputValue()).toBe(runId);
  });

  it("browses a directory artifact as a file tree, previews a file and downloads folders as tar", async () => {
    await page.goto(`${weft.url}/artifacts?name=features`);
    await page.locator('tr[data-artifact-row="features"]').getByRole("link", { name: "features" }).first().click();
    await page.waitForURL(/\/artifacts\/[^/?]+$/);
    const tree = page.getByTestId("file-tree");
    await tree.waitFor();
    await tree.getByRole("button", { name: /meta\// }).click();
    await tree.locator('li[data-path="meta/schema.json"]').waitFor();
    await tree.getByRole("button", { name: "part-0.csv" }).click();
    const preview = tree.getByTestId("file-preview");
    await preview.waitFor();
    expect(await preview.textContent()).toContain("amount,label");
    await screenshot(page, "artifact-file-tree");

    const all = await tree.getByRole("link", { name: "Download all (.tar)" }).getAttribute("href");
    const tar = await page.request.get(`${weft.url}${all}`);
    expect(tar.status()).toBe(200);
    expect(tar.headers()["content-disposition"]).toBe('attachment; filename="features.tar"');
    const body = await tar.body();
    expect(body.subarray(257, 262).toString("latin1")).toBe("ustar");
    const file = await tree
      .locator('li[data-path="part-0.csv"]')
      .getByRole("link", { name: "Download" })
      .getAttribute("href");
    const csv = await page.request.get(`${weft.url}${file}`);
    expect(csv.headers()["content-disposition"]).toBe('attachment; filename="part-0.csv"');
    const top = await page
      .getByTestId("artifact-actions")
      .getByRole("link", { name: "Download (.tar)" })
      .getAttribute("href");
    expect((await page.request.get(`${weft.url}${top}`)).headers()["content-type"]).toBe("application/x-tar");
  });

  it("finds an artifact by name and walks its lineage several steps upstream and downstream", async () => {
    await page.goto(`${weft.url}/lineage`);
    await page.getByLabel("Search artifacts by name, ID or URI").fill("report");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByTestId("lineage-search-results").getByRole("link", { name: "report" }).click();
    const graph = page.getByTestId("lineage-graph");
    await graph.waitFor();
    const labels = async () =>
      (await graph.locator("g[data-node]").evaluateAll((gs) => gs.map((g) => g.getAttribute("aria-label")))).sort();
    // two executions upstream: evaluate, then train and features; load is one more step
    expect(await labels()).toEqual(
      [
        "artifact report",
        "execution evaluate",
        "artifact model",
        "artifact features",
        "execution train",
        "execution features",
        "artifact transactions",
      ].sort(),
    );
    expect(await graph.locator('g[aria-label="artifact transactions"] .lineage-more').count()).toBe(1);
    await screenshot(page, "lineage-graph");

    await page.getByRole("button", { name: "← Expand upstream" }).click();
    await expect.poll(labels).toContain("execution load");
    expect(page.url()).toContain("up=3");

    await graph.locator('g[aria-label="artifact model"]').click();
    const details = page.getByTestId("lineage-details");
    expect(await details.textContent()).toContain("system.Model");
    await details.getByRole("link", { name: "Show lineage from here" }).click();
    await expect.poll(() => page.url()).toMatch(/artifact=[^&]+&up=3&down=2/);
    await expect.poll(labels).toContain("artifact report");
    const hops = await graph
      .locator("g[data-node]")
      .evaluateAll((gs) =>
        Object.fromEntries(gs.map((g) => [g.getAttribute("aria-label"), g.getAttribute("data-hop")])),
      );
    expect(hops).toMatchObject({
      "artifact model": "0",
      "execution train": "-1",
      "execution load": "-3",
      "execution evaluate": "1",
      "artifact report": "1",
    });
  });
});
