/**
 * The runs table at scale: 10,000 recorded runs, paged by the server and virtualized in
 * the browser; also keyboard use and a narrow (phone) layout.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.ts";
import { widePipeline } from "./fixtures.ts";
import { buildUi, launchBrowser, screenshot, skipReason, startWeft, type Weft } from "./harness.ts";

const RUNS = 10_000;
const reason = skipReason();

function seed(home: string): void {
  const store = openStore(home);
  try {
    const spec = widePipeline(3, 3) as never;
    const t0 = Date.parse("2026-01-01T00:00:00Z");
    const states = ["SUCCEEDED", "SUCCEEDED", "FAILED", "CANCELED"] as const;
    store.transaction(() => {
      for (let i = 0; i < RUNS; i++) {
        store.runs.create({
          displayName: `seeded-${String(i).padStart(5, "0")}`,
          pipelineSpec: spec,
          parameters: { i },
          state: states[i % states.length],
          createdAt: t0 + i * 1000,
          scheduledAt: t0 + i * 1000,
        });
      }
    });
  } finally {
    store.close();
  }
}

describe.skipIf(reason !== undefined)("runs table with 10,000 runs", () => {
  let weft: Weft;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    buildUi();
    weft = await startWeft({ seed });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await weft?.stop();
  });

  it("shows the total, keeps few rows in the DOM, and pages in more while scrolling", async () => {
    await page.goto(`${weft.url}/`);
    await page.getByText("10,000 runs").waitFor();
    await page.getByRole("link", { name: "seeded-09999" }).waitFor();
    const rows = () => page.locator("[data-run-id]").count();
    expect(await rows()).toBeLessThan(60);
    const scroller = page.getByTestId("runs-scroller");
    for (let i = 0; i < 6; i++) {
      await scroller.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await page.waitForTimeout(150);
    }
    await expect
      .poll(() => page.locator("[data-run-id] a").last().textContent(), { timeout: 20_000 })
      .not.toMatch(/seeded-09[89]\d\d/);
    const aria = Number(await page.locator("[data-run-id]").last().getAttribute("aria-rowindex"));
    expect(aria).toBeGreaterThan(200);
    expect(await rows()).toBeLessThan(60);
    await screenshot(page, "runs-10k-scrolled");
  });

  it("filters on the server by state and sorts by name", async () => {
    await page.goto(`${weft.url}/`);
    await page.getByLabel("Filter by state").selectOption("FAILED");
    await page.getByText("2,500 runs").waitFor();
    await page.getByRole("button", { name: /^Run/ }).click();
    await expect.poll(() => page.locator("[data-run-id] a").first().textContent()).toBe("seeded-00002");
  });

  it("works from the keyboard", async () => {
    await page.goto(`${weft.url}/`);
    await page.getByRole("link", { name: "seeded-09999" }).waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.getByLabel("Select seeded-09999").focus();
    await page.keyboard.press("Space");
    expect(await page.getByLabel("Select seeded-09999").isChecked()).toBe(true);
    await page.getByRole("link", { name: "seeded-09999" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/runs\//);
    await page.getByRole("heading", { name: /seeded-09999/ }).waitFor();
  });

  it("lays out for a phone screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${weft.url}/`);
    await page.getByRole("link", { name: "seeded-09999" }).waitFor();
    const nav = await page.getByRole("navigation", { name: "Main" }).boundingBox();
    expect(nav && nav.width <= 390 && nav.height < 120).toBe(true);
    await screenshot(page, "runs-phone");
  });
});
