/**
 * Training curves from a real run: a TypeScript component logs step metrics with
 * `ctx.log.metric` while `weft server` runs it; the run's Training tab draws them while the
 * task still runs (and the run is RUNNING), picks up the points logged later, stops asking
 * once the run ended, and Compare overlays the curves of two runs, one line per run. The
 * model the run wrote, registered through MLflow's REST API, links back to the run, its
 * task, its dataset and its pipeline version.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AnyPipeline, compilePipeline } from "../../src/compiler/index.ts";
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
const SDK = JSON.stringify(join(ROOT, "src/index.ts"));

/**
 * `train` logs `loss` (and `val_loss` on every second step) for steps 0..steps-1; with a
 * gate, it sends the first half, waits for the gate file, then logs the second half.
 */
const SOURCE = `import { existsSync } from "node:fs";
import { artifact, component, param, pipeline } from ${SDK};

export const makeData = component({
  name: "make-data",
  outputs: { data: artifact.Dataset },
  async run(_inputs, { data }) {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(data.path, "x,y\\n1,0\\n2,1\\n");
  },
});

export const train = component({
  name: "train",
  inputs: {
    data: artifact.Dataset,
    steps: param.int(),
    scale: param.float({ default: 1 }),
    gate: param.string({ default: "" }),
  },
  outputs: { final: param.float(), model: artifact.Model },
  run: async ({ steps, scale, gate }, { model }, ctx) => {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(model.path, "weights");
    let loss = 1;
    for (let step = 0; step < steps; step++) {
      loss = scale / (1 + step * 0.2);
      ctx.log.metric("loss", loss, { step });
      if (step % 2 === 0) ctx.log.metric("val_loss", loss * 1.1, { step });
      if (gate !== "" && step === Math.floor(steps / 2) - 1) {
        await ctx.log.flush();
        for (let i = 0; i < 2400 && !existsSync(gate); i++) await new Promise((r) => setTimeout(r, 50));
        if (!existsSync(gate)) throw new Error("the gate file never came");
      }
    }
    return { final: loss };
  },
});

export const curves = pipeline({ name: "curves", params: { steps: param.int(), scale: param.float(), gate: param.string() } }, (p) => {
  const data = makeData();
  train({ data: data.outputs.data, steps: p.steps, scale: p.scale, gate: p.gate });
});
`;

describe.skipIf(reason !== undefined)("training curves", () => {
  let weft: Weft;
  let browser: Browser;
  let page: Page;
  let dir = "";
  let ref = { pipelineId: "", versionId: "" };

  beforeAll(async () => {
    buildUi();
    dir = mkdtempSync(join(tmpdir(), "weft-ui-curves-"));
    mkdirSync(join(dir, "project"), { recursive: true });
    writeFileSync(join(dir, "project", "package.json"), JSON.stringify({ type: "module" }));
    const file = join(dir, "project", "pipeline.ts");
    writeFileSync(file, SOURCE);
    const mod = (await import(file)) as { curves: AnyPipeline };
    const pkg = compilePipeline(mod.curves);
    weft = await startWeft();
    ref = await uploadPipeline(weft.apiUrl, "curves", pkg.pipelineSpec);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await weft?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The legend text of the line named `series` on the chart of `key`. */
  const legend = (key: string, series: string) =>
    page.locator(`[data-step-chart="${key}"] .chart-legend li`).filter({ hasText: series });

  let firstRun = "";

  it("draws the curves while the task runs, adds later points, and stops asking once the run ended", async () => {
    const gate = join(dir, "gate");
    firstRun = await startRun(weft.apiUrl, "curves seed 1", ref, { steps: 40, scale: 1, gate });
    await page.goto(`${weft.url}/runs/${firstRun}`);
    await page.getByRole("tab", { name: "Training" }).click();
    const train = page.locator('[data-task-curves="train"]');
    // the first half, while the task waits at its gate: the run is live
    await expect.poll(() => legend("loss", "train").textContent(), { timeout: 90_000 }).toContain("at step 19");
    expect(await train.getByText("live").isVisible()).toBe(true);
    expect(await page.locator('[data-step-chart="val_loss"]').count()).toBe(1);
    const pointsBefore = await page
      .locator('[data-step-chart="loss"] polyline')
      .first()
      .evaluate((el) => (el.getAttribute("points") ?? "").split(" ").length);
    expect(pointsBefore).toBe(20);
    await screenshot(page, "training-live");
    // only what is new is asked for: later requests carry the cursor
    const asked: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/step-metrics")) asked.push(new URL(r.url()).search);
    });
    writeFileSync(gate, "go");
    await expect.poll(() => legend("loss", "train").textContent(), { timeout: 60_000 }).toContain("at step 39");
    expect(await waitRun(weft.apiUrl, firstRun)).toBe("SUCCEEDED");
    await expect.poll(() => train.getByText("live").count(), { timeout: 10_000 }).toBe(0);
    expect(asked.length).toBeGreaterThan(0);
    expect(
      asked.every((q) => /after=\d+/.test(q)),
      asked.join("\n"),
    ).toBe(true);
    const points = await page
      .locator('[data-step-chart="loss"] polyline')
      .first()
      .evaluate((el) => (el.getAttribute("points") ?? "").split(" ").length);
    expect(points).toBe(40);
    // the run ended: no more requests
    const before = asked.length;
    await page.waitForTimeout(2500);
    expect(asked.length).toBe(before);
    page.removeAllListeners("request");
    await screenshot(page, "training-done");
  });

  it("a model registered from the run: its version page links to the run, its task, its data and pipeline version", async () => {
    const arts = await api<{
      artifacts: Array<{ name: string; uri: string; artifact_id: string; task_id: string; digest?: string }>;
    }>(weft.apiUrl, `/apis/weft/v1/runs/${firstRun}/artifacts`);
    const model = arts.artifacts.find((a) => a.name === "model");
    const data = arts.artifacts.find((a) => a.name === "data");
    expect(model && data).toBeTruthy();
    await api(weft.apiUrl, "/api/2.0/mlflow/registered-models/create", { name: "curves-model" });
    const created = await api<{ model_version: { version: string; status: string } }>(
      weft.apiUrl,
      "/api/2.0/mlflow/model-versions/create",
      { name: "curves-model", source: model?.uri, run_id: firstRun },
    );
    expect(created.model_version.version).toBe("1");
    await page.goto(`${weft.url}/models/curves-model/versions/1`);
    await page.getByTestId("version-lineage").waitFor();
    expect(await page.getByTestId("lineage-run").textContent()).toBe("curves seed 1");
    const task = page.getByTestId("lineage-task");
    expect(await task.textContent()).toBe("train");
    expect(await task.getAttribute("href")).toMatch(new RegExp(`^/runs/${firstRun}\\?task=`));
    expect(await page.getByTestId("lineage-pipeline").getAttribute("href")).toBe(
      `/pipelines/${ref.pipelineId}?version=${ref.versionId}`,
    );
    const dataset = page.getByTestId("version-datasets").locator('[data-dataset="data"]');
    expect(await dataset.textContent()).toContain("make-data");
    if (data?.digest) expect(await dataset.textContent()).toContain(data.digest);
    expect(await dataset.getByRole("link", { name: "data" }).getAttribute("href")).toBe(
      `/artifacts/${data?.artifact_id}`,
    );
    expect(await page.getByTestId("version-artifact").getByRole("link", { name: "Open" }).getAttribute("href")).toBe(
      `/artifacts/${model?.artifact_id}`,
    );
    await screenshot(page, "model-version-from-run");
    // and the run names the version it produced
    await page.goto(`${weft.url}/runs/${firstRun}`);
    await page.getByRole("tab", { name: "Parameters & metrics" }).click();
    await page.locator('[data-model-version="curves-model/1"]').waitFor();
    // registered from inside the task (run_id is the task's MLflow run): the model's page links the Weft run
    const fromTask = await api<{ model_version: { version: string; run_id: string } }>(
      weft.apiUrl,
      "/api/2.0/mlflow/model-versions/create",
      { name: "curves-model", source: model?.uri, run_id: model?.task_id },
    );
    expect(fromTask.model_version).toMatchObject({ version: "2", run_id: model?.task_id });
    await page.goto(`${weft.url}/models/curves-model`);
    const runLink = page.locator('[data-version-row="2"]').getByRole("link", { name: "curves seed 1" });
    expect(await runLink.getAttribute("href")).toBe(`/runs/${firstRun}`);
  });

  it("a run that logged nothing says so", async () => {
    const runId = await startRun(weft.apiUrl, "curves none", ref, { steps: 0, scale: 1, gate: "" });
    expect(await waitRun(weft.apiUrl, runId)).toBe("SUCCEEDED");
    await page.goto(`${weft.url}/runs/${runId}`);
    await page.getByRole("tab", { name: "Training" }).click();
    expect(await page.getByTestId("training-empty").textContent()).toContain("logged no step metrics");
  });

  it("Compare overlays each key's curves, one line per run", async () => {
    const second = await startRun(weft.apiUrl, "curves seed 2", ref, { steps: 30, scale: 2, gate: "" });
    expect(await waitRun(weft.apiUrl, second)).toBe("SUCCEEDED");
    await page.goto(`${weft.url}/compare?runs=${firstRun},${second}`);
    const charts = page.getByTestId("compare-step-charts");
    await charts.locator('[data-step-chart="loss"]').waitFor();
    expect(
      await charts.locator("[data-step-chart]").evaluateAll((els) => els.map((e) => e.getAttribute("data-step-chart"))),
    ).toEqual(["loss", "val_loss"]);
    const lines = charts.locator('[data-step-chart="loss"] polyline');
    expect(await lines.evaluateAll((els) => els.map((e) => e.getAttribute("data-series")))).toEqual([
      "curves seed 1",
      "curves seed 2",
    ]);
    expect(await legend("loss", "curves seed 2").textContent()).toContain("at step 29");
    expect(await legend("loss", "curves seed 1").textContent()).toContain("at step 39");
    await screenshot(page, "compare-training-curves");
  });
});
