/**
 * The tuning pages against a real `weft server` over a store filled through
 * `store.tuning` (test/server/tuning-seed.ts): the list (one request), an experiment's
 * trials table sorted by a parameter and a metric, its charts drawn with one mark per
 * observed trial, a trial's link to its run, and a multi-objective experiment's Pareto front.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.ts";
import { type SeededTuning, seedTuning } from "../../test/server/tuning-seed.ts";
import { buildUi, launchBrowser, screenshot, skipReason, startWeft, type Weft } from "./harness.ts";

const reason = skipReason();

describe.skipIf(reason !== undefined)("tuning pages", () => {
  let weft: Weft;
  let browser: Browser;
  let page: Page;
  let seeded: SeededTuning;

  beforeAll(async () => {
    buildUi();
    weft = await startWeft({
      seed: (home) => {
        const store = openStore(home);
        try {
          seeded = seedTuning(store);
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

  /** The trial numbers of the table's rows, top to bottom. */
  const rowNumbers = async (): Promise<number[]> =>
    (await page
      .locator("[data-testid=trials-table] tbody tr")
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute("data-trial"))))) as number[];

  it("lists the experiments with state, algorithm, objective, trials by state and best value, in one request", async () => {
    const sent: string[] = [];
    page.on("request", (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith("/apis")) sent.push(`${u.pathname}${u.search}`);
    });
    await page.goto(`${weft.url}/tuning`);
    const row = page.locator('[data-experiment-row="lr-search"]');
    await row.waitFor();
    page.removeAllListeners("request");
    expect(sent).toEqual(["/apis/weft/v1/tuning/experiments?page_size=50"]);
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe("Tuning");
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("Running");
    expect(text).toContain("tpe");
    expect(text).toContain("min loss");
    expect(await row.getByTestId("trial-counts").textContent()).toBe("30 / 30 1 running · 28 succeeded · 1 failed");
    expect(Number(await row.getByTestId("best-value").textContent())).toBeCloseTo(seeded.best.value, 5);
    const mo = page.locator('[data-experiment-row="mo-search"]');
    expect(await mo.textContent()).toContain("max accuracy, min seconds");
    await screenshot(page, "tuning-list");
  });

  it("sorts the trials table by a parameter and by a metric, missing values last", async () => {
    await page.goto(`${weft.url}/tuning/lr-search`);
    await page.locator("[data-testid=trials-table] tbody tr").nth(29).waitFor();
    expect(await rowNumbers()).toEqual([...Array(30).keys()]);
    const trials = (await (await fetch(`${weft.url}/apis/weft/v1/tuning/experiments/lr-search/trials`)).json()) as {
      trials: Array<{ number: number; params: { lr: number } }>;
    };
    const byLr = [...trials.trials]
      .sort((a, b) => a.params.lr - b.params.lr || a.number - b.number)
      .map((t) => t.number);
    await page.locator('th[data-column="param:lr"] button').click();
    expect(await rowNumbers()).toEqual(byLr);
    expect(await page.locator('th[data-column="param:lr"]').getAttribute("aria-sort")).toBe("ascending");
    await page.locator('th[data-column="param:lr"] button').click();
    expect(await rowNumbers()).toEqual([...byLr].reverse());
    await page.locator('th[data-column="metric:loss"] button').click();
    const byLoss = [...seeded.loss].sort((a, b) => a[1] - b[1] || a[0] - b[0]).map(([n]) => n);
    expect(await rowNumbers()).toEqual([...byLoss, 3, 29]);
    // the best trial is starred, the failed one has its badge
    expect(await page.locator(`tr[data-trial="${seeded.best.number}"] [data-testid=best-trial]`).count()).toBe(1);
    expect(await page.locator('tr[data-trial="3"] [data-state="FAILED"]').count()).toBe(1);
  });

  it("draws the history, the parallel coordinates and the importance with one mark per trial and parameter", async () => {
    const history = page.getByTestId("history-loss");
    await history.waitFor();
    expect(await history.getByTestId("history-point").count()).toBe(28);
    expect(await history.getByTestId("history-best").count()).toBe(1);
    const pc = page.getByTestId("parallel-coordinates");
    expect(await pc.getByTestId("pc-axis").count()).toBe(4);
    expect(await pc.locator("[data-testid=pc-axis] .chart-label").allTextContents()).toEqual([
      "lr",
      "units",
      "optimizer",
      "loss",
    ]);
    expect(await pc.getByTestId("pc-line").count()).toBe(28);
    // the categorical axis labels its categories
    const opt = pc.locator('[data-axis="optimizer"] .chart-tick');
    expect(await opt.allTextContents()).toEqual(["sgd", "adam", "rmsprop"]);
    const bars = page.getByTestId("importance-loss").getByTestId("importance-bar");
    expect(await bars.count()).toBe(3);
    expect(await bars.first().getAttribute("data-parameter")).toBe("lr");
    expect(await page.getByTestId("pareto-front").count()).toBe(0);
    await screenshot(page, "tuning-experiment");
  });

  it("shows a chosen trial's intermediate values, one curve per metric", async () => {
    const sent: string[] = [];
    page.on("request", (r) => {
      const u = new URL(r.url());
      if (u.pathname.includes("/observations")) sent.push(u.pathname);
    });
    await page.getByTestId("observations-trial").selectOption("lr-search-0");
    const chart = page.locator('[data-observation-metric="loss"]');
    await chart.waitFor();
    page.removeAllListeners("request");
    expect(sent).toEqual(["/apis/weft/v1/tuning/experiments/lr-search/trials/lr-search-0/observations"]);
    const points = (await chart.locator('polyline[data-series="loss"]').getAttribute("points")) ?? "";
    expect(points.trim().split(/\s+/)).toHaveLength(3);
    await page.getByTestId("observations-trial").selectOption("lr-search-1");
    await page.getByText("This trial reported no intermediate values.").waitFor();
  });

  it("links a trial to its run", async () => {
    await page.locator('th[data-column="number"] button').click();
    const link = page.locator('tr[data-trial="1"] [data-testid=trial-run]');
    expect(await link.getAttribute("href")).toBe(`/runs/${seeded.runs[1]}`);
    expect(await page.locator('tr[data-trial="10"] [data-testid=trial-run]').count()).toBe(0);
    await link.click();
    await page.waitForURL(`${weft.url}/runs/${seeded.runs[1]}`);
    await page.getByRole("heading", { name: "lr-search-1" }).waitFor();
  });

  it("shows a multi-objective experiment's Pareto front with the chosen best marked", async () => {
    await page.goto(`${weft.url}/tuning/mo-search`);
    const front = page.getByTestId("pareto-front");
    await front.waitFor();
    expect(await front.getByTestId("pareto-point").count()).toBe(12);
    expect(await front.locator('[data-front="true"]').count()).toBe(4);
    expect(await front.getByTestId("pareto-best").count()).toBe(1);
    expect(await front.locator("title").first().textContent()).toContain("Pareto front");
    expect(await page.getByTestId("history-accuracy").getByTestId("history-point").count()).toBe(12);
    expect(await page.getByTestId("history-seconds").getByTestId("history-point").count()).toBe(12);
    expect(await page.getByTestId("parallel-coordinates").getByTestId("pc-axis").count()).toBe(4);
    // the chosen best is starred, the rest of the front marked as such
    expect(await page.locator('tr[data-trial="2"] [data-testid=best-trial]').count()).toBe(1);
    expect(await page.locator("[data-testid=best-trial]").count()).toBe(1);
    expect(await page.locator("[data-testid=front-trial]").count()).toBe(3);
    await screenshot(page, "tuning-pareto");
  });
});
