/**
 * The model pages against a real `weft server` over a store seeded with a registered model
 * (two versions from two runs, aliases moved with history, one version in Production): the
 * models list (one request, sent ahead by index.html), a model's versions with their metrics
 * side by side and its alias history, and a version's source, digest, signature, metrics
 * and lineage with links to the run that made it, and from the run back to its versions.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.ts";
import { buildUi, launchBrowser, screenshot, skipReason, startWeft, type Weft } from "./harness.ts";
import { type SeededRegistry, seedRegistry } from "./model-fixtures.ts";

const reason = skipReason();

describe.skipIf(reason !== undefined)("model pages", () => {
  let weft: Weft;
  let browser: Browser;
  let page: Page;
  let seeded: SeededRegistry;

  beforeAll(async () => {
    buildUi();
    weft = await startWeft({
      seed: (home) => {
        const store = openStore(home);
        try {
          seeded = seedRegistry(store);
        } finally {
          store.close();
        }
      },
    });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await weft?.stop();
  });

  it("lists the model with its latest version and alias badges, in one request sent ahead", async () => {
    const sent: string[] = [];
    page.on("request", (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith("/api")) sent.push(`${u.pathname}${u.search}`);
    });
    await page.goto(`${weft.url}/models`);
    const row = page.locator('[data-model-row="fraud-detector"]');
    await row.waitFor();
    await page.waitForLoadState("networkidle");
    page.removeAllListeners("request");
    expect(sent).toEqual([
      "/api/2.0/mlflow/registered-models/search?max_results=100&order_by=last_updated_timestamp+DESC",
    ]);
    expect(await page.evaluate("Object.keys(window.__weftPrefetched ?? {}).length")).toBe(0);
    expect(await row.getByTestId("latest-version").textContent()).toBe("Version 2");
    expect(await row.locator("[data-alias]").allTextContents()).toEqual(["@championv2", "@challengerv2"]);
    expect(await row.textContent()).toContain("Scores card transactions for fraud");
    await screenshot(page, "models-list");
  });

  it("filters the list by name on the server", async () => {
    await page.goto(`${weft.url}/models?name=nothing-like-it`);
    await page.getByTestId("models-empty").waitFor();
    await page.getByLabel("Name contains").fill("fraud");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.locator('[data-model-row="fraud-detector"]').waitFor();
  });

  it("a model's page: versions with metrics side by side, stages, aliases, and the alias history", async () => {
    await page.goto(`${weft.url}/models`);
    await page.getByRole("link", { name: "fraud-detector" }).click();
    await page.waitForURL(/\/models\/fraud-detector$/);
    const table = page.getByTestId("model-versions");
    await table.locator('[data-metric="roc_auc"]').first().waitFor();
    expect(await table.locator("th[data-metric-column]").allTextContents()).toEqual(["roc_auc", "val_loss"]);
    const v2 = table.locator('[data-version-row="2"]');
    const v1 = table.locator('[data-version-row="1"]');
    expect(await v2.locator('[data-metric="roc_auc"]').textContent()).toBe("0.95");
    expect(await v1.locator('[data-metric="roc_auc"]').textContent()).toBe("0.91");
    expect(await v1.locator('[data-metric="val_loss"]').textContent()).toBe("0.31");
    // the best value of each column is marked (higher AUC, lower loss)
    expect(await v2.locator('[data-metric="roc_auc"]').getAttribute("class")).toContain("best");
    expect(await v2.locator('[data-metric="val_loss"]').getAttribute("class")).toContain("best");
    expect(await v2.locator("[data-stage]").textContent()).toBe("Production");
    expect(await v1.locator("[data-stage]").textContent()).toBe("None");
    expect(await v2.locator("[data-alias]").allTextContents()).toEqual(["@champion", "@challenger"]);
    expect(await v1.locator("[data-alias]").count()).toBe(0);
    expect(await v2.getByRole("link", { name: "train seed 2" }).getAttribute("href")).toBe(`/runs/${seeded.runIds[1]}`);
    const history = page.getByTestId("alias-history");
    const rows = history.locator("tbody tr");
    expect(await rows.count()).toBe(3);
    // newest first: champion moved from 1 to 2 by bo
    expect(await rows.first().locator("td").allTextContents()).toEqual([
      expect.any(String),
      "@champion",
      "moved",
      "Version 1",
      "Version 2",
      "bo",
    ]);
    expect(await rows.last().locator("td").nth(2).textContent()).toBe("set");
    await screenshot(page, "model-page");
  });

  it("a version's page: source, digest, format, signature, metrics and lineage to its run", async () => {
    await page.goto(`${weft.url}/models/fraud-detector`);
    await page.locator('[data-version-row="2"]').getByRole("link", { name: "Version 2" }).click();
    await page.waitForURL(/\/models\/fraud-detector\/versions\/2$/);
    await page.getByTestId("version-lineage").waitFor();
    expect(await page.getByTestId("version-digest").textContent()).toBe(seeded.digests[1]);
    expect(await page.getByTestId("version-format").textContent()).toBe("onnx");
    expect(await page.getByTestId("version-source").textContent()).toContain(
      `${seeded.runIds[1]}/train/model/model.onnx`,
    );
    expect(await page.getByTestId("signature-inputs").locator("tbody td").allTextContents()).toEqual([
      "features",
      "float32",
      "[?, 12]",
    ]);
    expect(await page.getByTestId("version-metrics").locator("tr").allTextContents()).toEqual([
      "roc_auc0.95",
      "val_loss0.24",
    ]);
    const dataset = page.getByTestId("version-datasets").locator('[data-dataset="transactions"]');
    expect(await dataset.textContent()).toContain(`sha256:${"8".repeat(64)}`);
    expect(await dataset.textContent()).toContain("generate");
    const run = page.getByTestId("lineage-run");
    expect(await run.textContent()).toBe("train seed 2");
    await screenshot(page, "model-version-page");
    await run.click();
    await page.waitForURL(new RegExp(`/runs/${seeded.runIds[1]}$`));
    await page.getByRole("heading", { name: /train seed 2/ }).waitFor();
    // and back: the run's overview lists the version it registered
    await page.getByRole("tab", { name: "Parameters & metrics" }).click();
    const made = page.getByTestId("run-model-versions").locator("tbody tr");
    await made.first().waitFor();
    expect(await made.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-model-version")))).toEqual([
      "fraud-detector/2",
    ]);
    expect(await made.first().locator("[data-alias]").allTextContents()).toEqual(["@champion", "@challenger"]);
  });

  it("names what is missing: an unknown model and an unknown version", async () => {
    await page.goto(`${weft.url}/models/no-such-model`);
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toMatch(/no-such-model/);
    await page.goto(`${weft.url}/models/fraud-detector/versions/9`);
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toMatch(/9/);
  });
});
