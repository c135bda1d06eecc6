/**
 * Layout of every page at a phone width (390×844) and a desktop width (1440×900): the page
 * itself never scrolls sideways, and at 1,440 px every table fits its box, no table header is
 * cut off, and a cell cut off (an ellipsis) has a tooltip with the whole text. Also the
 * requests a list page makes: one round, no duplicates, nothing per row.
 *
 * Pages are a list of routes ({@link ROUTES}); a new page adds one entry.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.ts";
import { seedTuning } from "../../test/server/tuning-seed.ts";
import { loggerPipeline, viewersPipeline } from "./fixtures.ts";
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
import { seedRegistry } from "./model-fixtures.ts";

const reason = skipReason();

/** What the routes need: ids of real, finished things recorded by the server under test. */
interface Ids {
  runId: string;
  otherRunId: string;
  experimentId: string;
  pipelineId: string;
  artifactId: string;
  recurringRunId: string;
}

/** A page to check: its path, and what to wait for before measuring (the page's content, drawn). */
interface Route {
  name: string;
  path: (ids: Ids) => string;
  ready: (page: Page) => Promise<unknown>;
  /** Optional steps after `ready` (open a tab, a panel) before measuring. */
  open?: (page: Page) => Promise<unknown>;
}

const LONG_NAME = `a run with a very long name that says what it tried ${"and then some more ".repeat(6)}end`;

const ROUTES: Route[] = [
  { name: "runs", path: () => "/", ready: (p) => p.locator("[data-run-id]").first().waitFor() },
  {
    name: "run details (graph)",
    path: (ids) => `/runs/${ids.runId}`,
    ready: (p) => p.locator('[data-task="evaluate"]').waitFor(),
  },
  {
    name: "run details (parameters & metrics)",
    path: (ids) => `/runs/${ids.runId}`,
    ready: (p) => p.locator('[data-task="evaluate"]').waitFor(),
    open: async (p) => {
      await p.getByRole("tab", { name: "Parameters & metrics" }).click();
      await p
        .getByRole("cell", { name: "seed" })
        .or(p.getByRole("rowheader", { name: "seed" }))
        .first()
        .waitFor();
    },
  },
  {
    name: "run details (task panel)",
    path: (ids) => `/runs/${ids.runId}`,
    ready: (p) => p.locator('[data-task="evaluate"]').waitFor(),
    open: async (p) => {
      await p.locator('[data-task="evaluate"]').click();
      await p.getByTestId("task-panel").waitFor();
    },
  },
  {
    name: "compare",
    path: (ids) => `/compare?runs=${ids.runId},${ids.otherRunId}`,
    ready: (p) => p.locator("table").first().waitFor(),
  },
  {
    name: "experiments",
    path: () => "/experiments",
    ready: (p) => p.getByRole("link", { name: "layout-experiment" }).waitFor(),
  },
  {
    name: "experiment details",
    path: (ids) => `/experiments/${ids.experimentId}`,
    ready: (p) => p.locator("[data-run-id]").first().waitFor(),
  },
  {
    name: "pipelines",
    path: () => "/pipelines",
    ready: (p) => p.getByRole("link", { name: "viewers-demo" }).first().waitFor(),
  },
  {
    name: "pipeline details",
    path: (ids) => `/pipelines/${ids.pipelineId}`,
    ready: (p) => p.getByRole("heading", { name: "viewers-demo" }).waitFor(),
  },
  {
    name: "recurring runs",
    path: () => "/recurring",
    ready: (p) => p.getByRole("row", { name: /layout-nightly/ }).waitFor(),
  },
  {
    name: "recurring run details",
    path: (ids) => `/recurring/${ids.recurringRunId}`,
    ready: (p) => p.getByTestId("recurring-settings").waitFor(),
  },
  {
    name: "clone run",
    path: (ids) => `/runs/${ids.runId}/clone`,
    ready: (p) => p.getByRole("heading", { name: /Clone of/ }).waitFor(),
  },
  { name: "artifacts", path: () => "/artifacts", ready: (p) => p.getByTestId("artifacts-table").waitFor() },
  {
    name: "lineage graph",
    path: (ids) => `/lineage?artifact=${ids.artifactId}`,
    ready: (p) => p.getByTestId("lineage-graph").waitFor(),
  },
  {
    name: "run details (training)",
    path: (ids) => `/runs/${ids.runId}`,
    ready: (p) => p.locator('[data-task="evaluate"]').waitFor(),
    open: async (p) => {
      await p.getByRole("tab", { name: "Training" }).click();
      await p.getByTestId("training-empty").waitFor();
    },
  },
  { name: "models", path: () => "/models", ready: (p) => p.getByTestId("models-table").waitFor() },
  {
    name: "model",
    path: () => "/models/fraud-detector",
    ready: (p) => p.locator('[data-version-row="2"] [data-metric="roc_auc"]').waitFor(),
  },
  {
    name: "model version",
    path: () => "/models/fraud-detector/versions/2",
    ready: (p) => p.getByTestId("version-datasets").waitFor(),
  },
  { name: "tuning", path: () => "/tuning", ready: (p) => p.getByTestId("tuning-table").waitFor() },
  {
    name: "tuning experiment",
    path: () => "/tuning/lr-search",
    ready: (p) => p.getByTestId("parallel-coordinates").waitFor(),
  },
  {
    name: "tuning Pareto front",
    path: () => "/tuning/mo-search",
    ready: (p) => p.getByTestId("pareto-front").waitFor(),
  },
  {
    name: "artifact viewer",
    path: (ids) => `/artifacts/${ids.artifactId}`,
    ready: (p) => p.getByTestId("lineage").waitFor(),
  },
  { name: "API docs", path: () => "/docs", ready: (p) => p.locator("body").waitFor() },
  { name: "not found", path: () => "/no/such/page", ready: (p) => p.getByText("Page not found").waitFor() },
];

const VIEWPORTS = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1440, height: 900 },
] as const;

/** Runs in the page: how far the page scrolls sideways, and which table headers are cut off. */
const MEASURE = `(() => {
  const root = document.documentElement;
  const clipped = [];
  for (const th of document.querySelectorAll("th")) {
    const r = th.getBoundingClientRect();
    if (r.width === 0) continue;
    const text = (th.textContent || "").trim();
    if (!text) continue;
    if (th.scrollWidth > th.clientWidth + 1) clipped.push(text + " (" + th.scrollWidth + " > " + th.clientWidth + " px)");
  }
  const cut = [];
  for (const td of document.querySelectorAll("td")) {
    if (td.getBoundingClientRect().width === 0 || td.scrollWidth <= td.clientWidth + 1) continue;
    if (td.title || td.querySelector("[title]")) continue;
    cut.push((td.textContent || "").trim().slice(0, 40) + " (" + td.scrollWidth + " > " + td.clientWidth + " px)");
  }
  const scrolled = [];
  for (const el of document.querySelectorAll("table")) {
    let box = el.parentElement;
    while (box && box !== document.body) {
      const o = getComputedStyle(box).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden") break;
      box = box.parentElement;
    }
    if (box && box !== document.body && box.scrollWidth > box.clientWidth + 1) {
      scrolled.push((el.getAttribute("aria-label") || el.querySelector("th")?.textContent || "table") + " (" + box.scrollWidth + " > " + box.clientWidth + " px)");
    }
  }
  return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, clipped, cut, scrolled };
})()`;

interface Measured {
  scrollWidth: number;
  clientWidth: number;
  clipped: string[];
  cut: string[];
  scrolled: string[];
}

describe.skipIf(reason !== undefined)("layout at phone and desktop widths, and the requests of list pages", () => {
  let weft: Weft;
  let browser: Browser;
  let ids: Ids;

  beforeAll(async () => {
    buildUi();
    weft = await startWeft({
      seed: (home) => {
        const store = openStore(home);
        try {
          seedRegistry(store);
          seedTuning(store);
        } finally {
          store.close();
        }
      },
    });
    browser = await launchBrowser();
    const base = weft.apiUrl;
    const viewers = await uploadPipeline(base, "viewers-demo", viewersPipeline());
    const logger = await uploadPipeline(
      base,
      "a-pipeline-with-a-long-name-for-the-runs-table-column",
      loggerPipeline(1, 0),
    );
    const exp = await api<{ experiment_id: string }>(base, "/apis/v2beta1/experiments", {
      display_name: "layout-experiment",
      description: "Runs of the layout test, with a description long enough to wrap on a phone screen.",
    });
    const runId = await api<{ run_id: string }>(base, "/apis/v2beta1/runs", {
      display_name: LONG_NAME,
      experiment_id: exp.experiment_id,
      pipeline_version_reference: { pipeline_id: viewers.pipelineId, pipeline_version_id: viewers.versionId },
      runtime_config: { parameters: { seed: 3 } },
    }).then((r) => r.run_id);
    const otherRunId = await startRun(base, "second", logger, { lines: 1 });
    for (const id of [runId, otherRunId]) expect(await waitRun(base, id)).toBe("SUCCEEDED");
    const recurring = await api<{ recurring_run_id: string }>(base, "/apis/v2beta1/recurringruns", {
      display_name: "layout-nightly",
      pipeline_version_reference: { pipeline_id: viewers.pipelineId, pipeline_version_id: viewers.versionId },
      runtime_config: { parameters: {} },
      trigger: { cron_schedule: { cron: "0 30 2 * * *" } },
      max_concurrency: "1",
      mode: "DISABLE",
    });
    const { artifacts } = await api<{ artifacts: Array<{ artifact_id: string; name: string }> }>(
      base,
      `/apis/weft/v1/runs/${runId}/artifacts`,
    );
    const artifactId = artifacts.find((a) => a.name === "table")?.artifact_id ?? "";
    expect(artifactId).not.toBe("");
    ids = {
      runId,
      otherRunId,
      experimentId: exp.experiment_id,
      pipelineId: viewers.pipelineId,
      artifactId,
      recurringRunId: recurring.recurring_run_id,
    };
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await weft?.stop();
  });

  for (const vp of VIEWPORTS) {
    it(`no page overflows sideways at ${vp.width} px${vp.width >= 1440 ? ", and no table header is cut off" : ""}`, async () => {
      const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height } });
      const page = await context.newPage();
      const problems: string[] = [];
      try {
        for (const route of ROUTES) {
          await page.goto(`${weft.url}${route.path(ids)}`);
          await route.ready(page);
          await route.open?.(page);
          await page.evaluate("document.fonts.ready");
          const m = (await page.evaluate(MEASURE)) as Measured;
          await screenshot(page, `layout-${vp.name}-${route.name.replace(/[^a-z0-9]+/gi, "-")}`);
          if (m.scrollWidth > m.clientWidth) {
            problems.push(`${route.name}: the page scrolls sideways (${m.scrollWidth} > ${m.clientWidth} px)`);
          }
          if (vp.width >= 1440) {
            for (const c of m.clipped) problems.push(`${route.name}: header "${c}" is cut off`);
            for (const c of m.cut) problems.push(`${route.name}: cell "${c}" is cut off and has no tooltip`);
            for (const s of m.scrolled) problems.push(`${route.name}: table ${s} does not fit`);
          }
        }
      } finally {
        await context.close();
      }
      expect(problems).toEqual([]);
    });
  }

  it("the phone layout has a menu button that opens the navigation", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    try {
      await page.goto(`${weft.url}/`);
      await page.locator("[data-run-id]").first().waitFor();
      const menu = page.getByRole("button", { name: "Menu" });
      expect(await menu.getAttribute("aria-expanded")).toBe("false");
      const experiments = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Experiments" });
      expect(await experiments.isVisible()).toBe(false);
      await menu.click();
      expect(await menu.getAttribute("aria-expanded")).toBe("true");
      await experiments.waitFor({ state: "visible" });
      await screenshot(page, "layout-phone-menu-open");
      await experiments.click();
      await page.waitForURL(/\/experiments$/);
      // navigating closes the menu
      await expect.poll(() => experiments.isVisible()).toBe(false);
      expect(await menu.getAttribute("aria-expanded")).toBe("false");
    } finally {
      await context.close();
    }
  });

  it("at 1,440 px the menu button is hidden and the navigation shows", async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(`${weft.url}/`);
      await page.locator("[data-run-id]").first().waitFor();
      expect(await page.getByRole("button", { name: "Menu" }).isVisible()).toBe(false);
      expect(
        await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Experiments" }).isVisible(),
      ).toBe(true);
    } finally {
      await context.close();
    }
  });

  it("a long experiment name is cut with an ellipsis and shown whole in its tooltip", async () => {
    const long = `an experiment named at length ${"for the sake of the layout ".repeat(5)}end`;
    await api(weft.apiUrl, "/apis/v2beta1/experiments", { display_name: long });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(`${weft.url}/experiments`);
      const link = page.getByRole("link", { name: long });
      await link.waitFor();
      expect(await link.getAttribute("title")).toBe(long);
      const cell = link.locator("xpath=ancestor::td[1]");
      const fit = await cell.evaluate((td) => ({
        ellipsis: getComputedStyle(td).textOverflow,
        cut: td.scrollWidth > td.clientWidth,
        tableFits: (td.closest(".table-wrap")?.scrollWidth ?? 0) <= (td.closest(".table-wrap")?.clientWidth ?? 0),
      }));
      expect(fit).toEqual({ ellipsis: "ellipsis", cut: true, tableFits: true });
    } finally {
      await context.close();
    }
  });

  it("a long run name is cut with an ellipsis and shown whole in its tooltip", async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(`${weft.url}/`);
      const link = page.getByRole("link", { name: LONG_NAME });
      await link.waitFor();
      expect(await link.getAttribute("title")).toBe(LONG_NAME);
      const cell = link.locator("xpath=ancestor::td[1]");
      const style = await cell.evaluate((td) => {
        const s = getComputedStyle(td);
        return { overflow: s.overflowX, ellipsis: s.textOverflow, wrap: s.whiteSpace };
      });
      expect(style).toEqual({ overflow: "hidden", ellipsis: "ellipsis", wrap: "nowrap" });
    } finally {
      await context.close();
    }
  });

  /**
   * The API requests `path` makes until its list shows, in the order they were sent and
   * answered: `send <url>` and `done <url>`.
   */
  async function recordRequests(path: string, ready: (page: Page) => Promise<unknown>): Promise<string[]> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const events: string[] = [];
    const short = (url: string): string => {
      const u = new URL(url);
      return `${u.pathname}${u.search}`;
    };
    page.on("request", (r) => {
      if (r.url().includes("/apis/")) events.push(`send ${short(r.url())}`);
    });
    page.on("requestfinished", (r) => {
      if (r.url().includes("/apis/")) events.push(`done ${short(r.url())}`);
    });
    try {
      await page.goto(`${weft.url}${path}`);
      await ready(page);
      await page.waitForLoadState("networkidle");
      // what index.html sent ahead and the app has not taken (`none` when it sent nothing)
      const left = await page.evaluate(
        "window.__weftPrefetched ? Object.keys(window.__weftPrefetched).join(',') || 'all taken' : 'none'",
      );
      events.push(`ahead ${left}`);
      return events;
    } finally {
      await context.close();
    }
  }

  /** Every request sent before the first answer arrived: one round. */
  function oneRound(events: string[]): { rounds: string[]; late: string[] } {
    const firstDone = events.findIndex((e) => e.startsWith("done "));
    const sends = events.filter((e) => e.startsWith("send "));
    const late = events.slice(firstDone).filter((e) => e.startsWith("send "));
    return { rounds: sends, late };
  }

  it("the runs page loads in one round: runs, experiments and pipelines at once, no duplicates, nothing per row", async () => {
    const events = await recordRequests("/", (p) => p.locator("[data-run-id]").first().waitFor());
    const { rounds, late } = oneRound(events);
    expect(late, `sent after the first answer:\n${events.join("\n")}`).toEqual([]);
    const paths = rounds.map((s) => s.slice("send ".length).split("?")[0]);
    expect(paths.sort()).toEqual(["/apis/v2beta1/experiments", "/apis/v2beta1/pipelines", "/apis/v2beta1/runs"]);
    // a request's "done" may be reported after the page was read, so look the entry up
    expect(events.find((e) => e.startsWith("ahead "))).toBe("ahead all taken");
  });

  it("an experiment's page loads in one round", async () => {
    const events = await recordRequests(`/experiments/${ids.experimentId}`, (p) =>
      p.locator("[data-run-id]").first().waitFor(),
    );
    const { rounds, late } = oneRound(events);
    expect(late, `sent after the first answer:\n${events.join("\n")}`).toEqual([]);
    const paths = rounds.map((s) => s.slice("send ".length).split("?")[0]);
    expect(paths.sort()).toEqual([
      "/apis/v2beta1/experiments",
      `/apis/v2beta1/experiments/${ids.experimentId}`,
      "/apis/v2beta1/pipelines",
      "/apis/v2beta1/runs",
    ]);
  });

  it("the tuning pages load in one round: the list, and an experiment with its trials and analysis", async () => {
    const list = await recordRequests("/tuning", (p) => p.getByTestId("tuning-table").waitFor());
    expect(oneRound(list).late, list.join("\n")).toEqual([]);
    expect(oneRound(list).rounds).toEqual(["send /apis/weft/v1/tuning/experiments?page_size=50"]);
    const events = await recordRequests("/tuning/mo-search", (p) => p.getByTestId("pareto-front").waitFor());
    const { rounds, late } = oneRound(events);
    expect(late, `sent after the first answer:\n${events.join("\n")}`).toEqual([]);
    expect(rounds.map((r) => r.slice("send ".length)).sort()).toEqual([
      "/apis/weft/v1/tuning/experiments/mo-search",
      "/apis/weft/v1/tuning/experiments/mo-search/analysis",
      "/apis/weft/v1/tuning/experiments/mo-search/trials",
    ]);
  });

  it("a run's page asks for the run and its graph once each (sent ahead by index.html, taken by the app)", async () => {
    const events = await recordRequests(`/runs/${ids.runId}`, (p) => p.locator('[data-task="evaluate"]').waitFor());
    const sends = events.filter((e) => e.startsWith("send ")).map((s) => s.slice("send ".length));
    expect(
      sends.filter((u) => u === `/apis/v2beta1/runs/${ids.runId}`),
      sends.join("\n"),
    ).toHaveLength(1);
    expect(
      sends.filter((u) => u === `/apis/weft/v1/runs/${ids.runId}/graph`),
      sends.join("\n"),
    ).toHaveLength(1);
    // a request's "done" may be reported after the page was read, so look the entry up
    expect(events.find((e) => e.startsWith("ahead "))).toBe("ahead all taken");
  });

  it("the experiments and pipelines pages make one request each", async () => {
    for (const [path, ready, expected] of [
      ["/experiments", (p: Page) => p.getByRole("link", { name: "layout-experiment" }).waitFor(), "experiments"],
      ["/pipelines", (p: Page) => p.getByRole("link", { name: "viewers-demo" }).first().waitFor(), "pipelines"],
    ] as const) {
      const events = await recordRequests(path, ready);
      const sends = events.filter((e) => e.startsWith("send ")).map((s) => s.slice("send ".length).split("?")[0]);
      expect(sends, path).toEqual([`/apis/v2beta1/${expected}`]);
    }
  });
});
