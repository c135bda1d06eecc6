/** The store contract for MLflow tracking: runs, metric history, params, tags, search, Weft runs. */
import { type ContractFixture, sampleSpec, storeErrorOf } from "./contract-fixture.ts";
import type { TrackingMetric } from "./types.ts";

/** Registers the tracking contract tests. */
export function trackingContract(f: ContractFixture): void {
  const { describe, it, expect } = f.api;

  function experiment(name = "tracking") {
    return f.store.experiments.create({ name });
  }

  describe("tracking", () => {
    it("creates a run with its name tag, reads it back and updates status, end time and name", () => {
      const e = experiment();
      const run = f.store.tracking.createRun({ experimentId: e.id, runName: "first", startTime: 1000, userId: "ana" });
      expect(run).toMatchObject({
        experimentId: e.id,
        runName: "first",
        status: "RUNNING",
        startTime: 1000,
        userId: "ana",
        lifecycleStage: "active",
      });
      expect(run.runId).toMatch(/^[0-9a-f]{32}$/);
      expect(f.store.tracking.tags(run.runId)).toEqual([{ key: "mlflow.runName", value: "first" }]);
      const updated = f.store.tracking.updateRun(run.runId, { status: "FINISHED", endTime: 2000, runName: "renamed" });
      expect(updated).toMatchObject({ status: "FINISHED", endTime: 2000, runName: "renamed" });
      expect(f.store.tracking.tags(run.runId)).toEqual([{ key: "mlflow.runName", value: "renamed" }]);
      f.store.tracking.deleteRun(run.runId);
      expect(f.store.tracking.getRun(run.runId)?.lifecycleStage).toBe("deleted");
      f.store.tracking.restoreRun(run.runId);
      expect(f.store.tracking.getRun(run.runId)?.lifecycleStage).toBe("active");
    });

    it("refuses a run in an unknown experiment and updates of an unknown run", () => {
      expect(storeErrorOf(f, () => f.store.tracking.createRun({ experimentId: "nope" })).code).toBe("NOT_FOUND");
      expect(storeErrorOf(f, () => f.store.tracking.updateRun("nope", { status: "FINISHED" })).code).toBe("NOT_FOUND");
      expect(
        storeErrorOf(f, () => f.store.tracking.logBatch("nope", { params: [{ key: "a", value: "1" }] })).code,
      ).toBe("NOT_FOUND");
    });

    it("logs a batch in one transaction: history in step order, the latest value per key, params and tags", () => {
      const run = f.store.tracking.createRun({ experimentId: experiment().id });
      f.store.tracking.logBatch(run.runId, {
        metrics: [
          { key: "loss", value: 0.9, timestamp: 10, step: 0 },
          { key: "loss", value: 0.5, timestamp: 12, step: 2 },
          { key: "loss", value: 0.7, timestamp: 11, step: 1 },
          { key: "acc", value: Number.NaN, timestamp: 10, step: 0 },
        ],
        params: [{ key: "lr", value: "0.1" }],
        tags: [{ key: "team", value: "fraud" }],
      });
      const history = f.store.tracking.metricHistory(run.runId, "loss");
      expect(history.items.map((m) => [m.step, m.value])).toEqual([
        [0, 0.9],
        [1, 0.7],
        [2, 0.5],
      ]);
      const latest = f.store.tracking.latestMetrics(run.runId);
      expect(latest.find((m) => m.key === "loss")).toEqual({ key: "loss", value: 0.5, timestamp: 12, step: 2 });
      expect(Number.isNaN(latest.find((m) => m.key === "acc")?.value)).toBe(true);
      expect(f.store.tracking.params(run.runId)).toEqual([{ key: "lr", value: "0.1" }]);
      expect(f.store.tracking.tags(run.runId)).toContainEqual({ key: "team", value: "fraud" });
      // an older step does not replace the latest value
      f.store.tracking.logBatch(run.runId, { metrics: [{ key: "loss", value: 5, timestamp: 99, step: 1 }] });
      expect(f.store.tracking.latestMetrics(run.runId).find((m) => m.key === "loss")?.value).toBe(0.5);
    });

    it("refuses a changed param and leaves the whole batch unwritten", () => {
      const run = f.store.tracking.createRun({ experimentId: experiment().id });
      f.store.tracking.logBatch(run.runId, { params: [{ key: "lr", value: "0.1" }] });
      // the same value again is fine, as in MLflow
      f.store.tracking.logBatch(run.runId, { params: [{ key: "lr", value: "0.1" }] });
      const err = storeErrorOf(f, () =>
        f.store.tracking.logBatch(run.runId, {
          metrics: [{ key: "loss", value: 1, timestamp: 1, step: 0 }],
          params: [{ key: "lr", value: "0.2" }],
        }),
      );
      expect(err.code).toBe("INVALID_INPUT");
      expect(err.message).toMatch(/param 'lr' was already logged with value '0.1'/);
      expect(f.store.tracking.latestMetrics(run.runId)).toEqual([]);
    });

    it("pages a metric history with tokens", () => {
      const run = f.store.tracking.createRun({ experimentId: experiment().id });
      const metrics = Array.from({ length: 25 }, (_, i) => ({ key: "x", value: i, timestamp: i, step: i }));
      f.store.tracking.logBatch(run.runId, { metrics });
      const seen: number[] = [];
      let token: string | undefined;
      do {
        const page = f.store.tracking.metricHistory(run.runId, "x", {
          maxResults: 10,
          ...(token ? { pageToken: token } : {}),
        });
        seen.push(...page.items.map((m) => m.value));
        token = page.nextPageToken;
      } while (token);
      expect(seen).toEqual(metrics.map((m) => m.value));
      expect(
        storeErrorOf(f, () => f.store.tracking.metricHistory(run.runId, "x", { pageToken: "garbage!" })).code,
      ).toBe("INVALID_QUERY");
    });

    it("searches runs by metrics, params, tags and attributes, ordered by a metric, in pages", () => {
      const e = experiment();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const run = f.store.tracking.createRun({ experimentId: e.id, runName: `r${i}`, startTime: 100 + i });
        ids.push(run.runId);
        f.store.tracking.logBatch(run.runId, {
          metrics: [{ key: "auc", value: i / 10, timestamp: 1, step: 0 }],
          params: [{ key: "depth", value: String(i % 2) }],
          tags: [{ key: "kind", value: i < 3 ? "small" : "big" }],
        });
      }
      f.store.tracking.updateRun(ids[4] as string, { status: "FINISHED" });
      const names = (filter: string, orderBy?: string[]) =>
        f.store.tracking
          .searchRuns({ experimentIds: [e.id], filter, ...(orderBy ? { orderBy } : {}) })
          .items.map((d) => d.info.runName);
      expect(names("metrics.auc > 0.15", ["metrics.auc DESC"])).toEqual(["r4", "r3", "r2"]);
      expect(names("params.depth = '1' AND tags.kind = 'small'")).toEqual(["r1"]);
      expect(names("attributes.status = 'FINISHED'")).toEqual(["r4"]);
      expect(names("attributes.run_name LIKE 'r%' AND metrics.auc <= 0.1", ["start_time"])).toEqual(["r0", "r1"]);
      expect(names("tags.kind ILIKE 'BIG'", ["attributes.run_name ASC"])).toEqual(["r3", "r4"]);
      // default order: newest start first
      expect(names("")).toEqual(["r4", "r3", "r2", "r1", "r0"]);
      const first = f.store.tracking.searchRuns({ experimentIds: [e.id], maxResults: 2, orderBy: ["start_time"] });
      expect(first.items.map((d) => d.info.runName)).toEqual(["r0", "r1"]);
      const second = f.store.tracking.searchRuns({
        experimentIds: [e.id],
        maxResults: 2,
        orderBy: ["start_time"],
        pageToken: first.nextPageToken as string,
      });
      expect(second.items.map((d) => d.info.runName)).toEqual(["r2", "r3"]);
      f.store.tracking.deleteRun(ids[0] as string);
      expect(names("")).not.toContain("r0");
      expect(
        f.store.tracking
          .searchRuns({ experimentIds: [e.id], viewType: "DELETED_ONLY" })
          .items.map((d) => d.info.runName),
      ).toEqual(["r0"]);
      expect(storeErrorOf(f, () => names("metrics.auc > 'x'")).code).toBe("INVALID_QUERY");
      expect(storeErrorOf(f, () => names("attributes.color = 'red'")).message).toMatch(/unknown attribute 'color'/);
      expect(storeErrorOf(f, () => names("params.a = '1' OR params.b = '2'")).message).toMatch(/AND/);
    });

    it("makes a Weft task's run under its Weft run's run on first need, with MLflow's parent tag", () => {
      const run = f.store.runs.create({ displayName: "pipeline run", pipelineSpec: sampleSpec() });
      const task = f.store.tasks.upsert({ runId: run.id, path: "root/train", name: "train", kind: "container" });
      expect(f.store.tracking.ensureWeftRun("no-such-id")).toBe(false);
      expect(f.store.tracking.ensureWeftRun(task.id)).toBe(true);
      expect(f.store.tracking.ensureWeftRun(task.id)).toBe(true);
      const child = f.store.tracking.getRun(task.id);
      expect(child).toMatchObject({
        experimentId: run.experimentId,
        runName: "train",
        weftRunId: run.id,
        weftTaskId: task.id,
        parentRunId: run.id,
      });
      expect(f.store.tracking.tags(task.id)).toEqual([
        { key: "mlflow.parentRunId", value: run.id },
        { key: "mlflow.runName", value: "train" },
        { key: "weft.task", value: "train" },
      ]);
      expect(f.store.tracking.getRun(run.id)).toMatchObject({ runName: "pipeline run", weftRunId: run.id });
      // the task's run takes the task's end
      f.store.tasks.update(task.id, { state: "SUCCEEDED", finishedAt: 5000 });
      expect(f.store.tracking.getRun(task.id)).toMatchObject({ status: "FINISHED", endTime: 5000 });
    });

    it("reads a Weft run's step metrics per task and key after a cursor", () => {
      const run = f.store.runs.create({ displayName: "p", pipelineSpec: sampleSpec() });
      const task = f.store.tasks.upsert({ runId: run.id, path: "root/train", name: "train", kind: "container" });
      f.store.tracking.ensureWeftRun(task.id);
      f.store.tracking.logBatch(task.id, {
        metrics: [
          { key: "loss", value: 1, timestamp: 1, step: 0 },
          { key: "loss", value: 0.5, timestamp: 2, step: 1 },
          { key: "acc", value: 0.2, timestamp: 2, step: 1 },
        ],
      });
      const page = f.store.tracking.stepMetrics(run.id);
      expect(page.more).toBe(false);
      // series by run, then key
      expect(page.series).toEqual([
        {
          runId: task.id,
          taskId: task.id,
          taskName: "train",
          key: "acc",
          points: [{ step: 1, value: 0.2, timestamp: 2 }],
        },
        {
          runId: task.id,
          taskId: task.id,
          taskName: "train",
          key: "loss",
          points: [
            { step: 0, value: 1, timestamp: 1 },
            { step: 1, value: 0.5, timestamp: 2 },
          ],
        },
      ]);
      expect(f.store.tracking.stepMetrics(run.id, page.cursor).series).toEqual([]);
      f.store.tracking.logBatch(task.id, { metrics: [{ key: "loss", value: 0.25, timestamp: 3, step: 2 }] });
      const next = f.store.tracking.stepMetrics(run.id, page.cursor);
      expect(next.series.map((s) => [s.key, s.points.map((p) => p.value)])).toEqual([["loss", [0.25]]]);
      // a full page stops at a cursor that loses nothing: the rest comes after it
      const limited = f.store.tracking.stepMetrics(run.id, 0, 2);
      expect(limited.more).toBe(true);
      expect(limited.series.map((x) => [x.key, x.points.map((p) => p.value)])).toEqual([["loss", [1, 0.5]]]);
      const rest = f.store.tracking.stepMetrics(run.id, limited.cursor, 2);
      expect(rest.series.map((x) => [x.key, x.points.map((p) => p.value)])).toEqual([
        ["acc", [0.2]],
        ["loss", [0.25]],
      ]);
      expect(rest.more).toBe(false);
    });

    it("keeps NaN and both infinities through history, latest values and step metrics, as objects or columns", () => {
      const run = f.store.runs.create({ displayName: "p", pipelineSpec: sampleSpec() });
      const task = f.store.tasks.upsert({ runId: run.id, path: "root/train", name: "train", kind: "container" });
      f.store.tracking.ensureWeftRun(task.id);
      const odd = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.5, Number.MAX_VALUE];
      f.store.tracking.logBatch(task.id, {
        metrics: odd.map((value, step) => ({ key: "objects", value, timestamp: 100 + step, step })),
      });
      f.store.tracking.logMetricColumns(task.id, {
        keys: ["columns"],
        count: odd.length,
        value: Float64Array.from(odd),
        timestamp: Float64Array.from(odd, (_, i) => 100 + i),
        step: Float64Array.from(odd, (_, i) => i),
        key: new Uint32Array(odd.length),
      });
      for (const key of ["objects", "columns"]) {
        const history = f.store.tracking.metricHistory(task.id, key).items;
        expect(history.map((m) => m.value)).toEqual(odd);
        expect(history.map((m) => m.step)).toEqual([0, 1, 2, 3, 4]);
      }
      const page = f.store.tracking.stepMetrics(run.id);
      expect(page.series.map((x) => [x.key, x.points.map((p) => p.value)])).toEqual([
        ["columns", odd],
        ["objects", odd],
      ]);
      // the latest value is the greatest step's
      expect(f.store.tracking.latestMetrics(task.id).map((m) => [m.key, m.value])).toEqual([
        ["columns", Number.MAX_VALUE],
        ["objects", Number.MAX_VALUE],
      ]);
      f.store.tracking.logBatch(task.id, { metrics: [{ key: "objects", value: Number.NaN, timestamp: 1, step: 9 }] });
      f.store.tracking.logBatch(task.id, {
        metrics: [{ key: "columns", value: Number.NEGATIVE_INFINITY, timestamp: 1, step: 9 }],
      });
      expect(f.store.tracking.latestMetrics(task.id).map((m) => [m.key, m.value])).toEqual([
        ["columns", Number.NEGATIVE_INFINITY],
        ["objects", Number.NaN],
      ]);
    });

    it("gives every point its own increasing sequence number across batches and keys: a cursor walks each exactly once", () => {
      const run = f.store.runs.create({ displayName: "p", pipelineSpec: sampleSpec() });
      const task = f.store.tasks.upsert({ runId: run.id, path: "root/train", name: "train", kind: "container" });
      f.store.tracking.ensureWeftRun(task.id);
      // five batches of 7 points, keys interleaved within a batch, through both write paths
      let step = 0;
      for (let b = 0; b < 5; b++) {
        const keys = ["a", "b", "c"];
        const n = 7;
        const key = Uint32Array.from({ length: n }, (_, i) => i % 3);
        const steps = Float64Array.from({ length: n }, () => step++);
        const columns = {
          keys,
          count: n,
          value: Float64Array.from(steps, (s) => s / 10),
          timestamp: steps,
          step: steps,
          key,
        };
        if (b % 2 === 0) f.store.tracking.logMetricColumns(task.id, columns);
        else {
          f.store.tracking.logBatch(task.id, {
            metrics: Array.from(steps, (s, i) => ({
              key: keys[key[i] as number] as string,
              value: s / 10,
              timestamp: s,
              step: s,
            })),
          });
        }
      }
      const all = f.store.tracking.stepMetrics(run.id);
      expect(all.more).toBe(false);
      const expected: Array<[string, number[]]> = all.series.map((x) => [x.key, x.points.map((p) => p.step)]);
      expect(expected.map(([k]) => k)).toEqual(["a", "b", "c"]);
      expect(expected.flatMap(([, steps]) => steps).length).toBe(35);
      for (const [k, steps] of expected) {
        const r = ["a", "b", "c"].indexOf(k);
        expect(steps).toEqual(Array.from({ length: 35 }, (_, i) => i).filter((i) => (i % 7) % 3 === r));
      }
      // pages of every size cut chunks in the middle and still lose and repeat nothing
      for (const limit of [1, 2, 3, 5, 8]) {
        const seen = new Map<string, number[]>();
        let cursor = 0;
        let more = true;
        let pages = 0;
        while (more) {
          const page = f.store.tracking.stepMetrics(run.id, cursor, limit);
          expect(page.cursor).toBeGreaterThan(cursor);
          const count = page.series.reduce((n, x) => n + x.points.length, 0);
          expect(count).toBeLessThanOrEqual(limit);
          for (const x of page.series) seen.set(x.key, [...(seen.get(x.key) ?? []), ...x.points.map((p) => p.step)]);
          cursor = page.cursor;
          more = page.more;
          pages++;
          expect(pages).toBeLessThanOrEqual(35);
        }
        expect([...seen].sort()).toEqual(expected);
        expect(f.store.tracking.stepMetrics(run.id, cursor, limit)).toEqual({ series: [], cursor, more: false });
      }
    });

    it("orders a history across chunks by step, timestamp, then arrival, and pages it", () => {
      const run = f.store.tracking.createRun({ experimentId: experiment().id });
      const log = (points: Array<[number, number, number]>) =>
        f.store.tracking.logBatch(run.runId, {
          metrics: points.map(([step, timestamp, value]) => ({ key: "loss", value, timestamp, step })),
        });
      log([
        [0, 5, 1],
        [2, 5, 2],
        [4, 5, 3],
      ]);
      log([
        [1, 5, 4],
        [3, 5, 5],
        [2, 4, 6],
      ]);
      log([
        [2, 5, 7],
        [0, 5, 8],
      ]);
      const order = [
        [0, 5, 1],
        [0, 5, 8],
        [1, 5, 4],
        [2, 4, 6],
        [2, 5, 2],
        [2, 5, 7],
        [3, 5, 5],
        [4, 5, 3],
      ];
      const triple = (m: { step: number; timestamp: number; value: number }) => [m.step, m.timestamp, m.value];
      expect(f.store.tracking.metricHistory(run.runId, "loss").items.map(triple)).toEqual(order);
      const pages: number[][] = [];
      let token: string | undefined;
      do {
        const page = f.store.tracking.metricHistory(run.runId, "loss", {
          maxResults: 3,
          ...(token ? { pageToken: token } : {}),
        });
        pages.push(...page.items.map(triple));
        token = page.nextPageToken;
      } while (token !== undefined);
      expect(pages).toEqual(order);
      expect(f.store.tracking.metricHistory(run.runId, "other").items).toEqual([]);
    });

    it("refuses metric columns with a bad key, a key index out of range or a fractional step, writing nothing", () => {
      const run = f.store.tracking.createRun({ experimentId: experiment().id });
      const columns = (over: Partial<Parameters<typeof f.store.tracking.logMetricColumns>[1]>) => ({
        keys: ["loss"],
        count: 2,
        value: Float64Array.of(1, 2),
        timestamp: Float64Array.of(1, 2),
        step: Float64Array.of(0, 1),
        key: Uint32Array.of(0, 0),
        ...over,
      });
      const bad = [
        columns({ keys: [""] }),
        columns({ key: Uint32Array.of(0, 1) }),
        columns({ step: Float64Array.of(0, 1.5) }),
        columns({ timestamp: Float64Array.of(Number.NaN, 2) }),
        columns({ count: 3 }),
      ];
      for (const c of bad) {
        expect(storeErrorOf(f, () => f.store.tracking.logMetricColumns(run.runId, c)).code).toBe("INVALID_INPUT");
      }
      // objects: a step or timestamp that is not a number is refused, not converted
      for (const odd of [{ timestamp: "5" }, { step: null }, { step: true }]) {
        const metric = { key: "loss", value: 1, timestamp: 5, step: 0, ...odd } as unknown as TrackingMetric;
        expect(storeErrorOf(f, () => f.store.tracking.logBatch(run.runId, { metrics: [metric] })).code).toBe(
          "INVALID_INPUT",
        );
      }
      expect(f.store.tracking.metricHistory(run.runId, "loss").items).toEqual([]);
      expect(f.store.tracking.latestMetrics(run.runId)).toEqual([]);
      expect(storeErrorOf(f, () => f.store.tracking.logMetricColumns("nope", columns({}))).code).toBe("NOT_FOUND");
      f.store.tracking.logMetricColumns(run.runId, columns({}));
      expect(f.store.tracking.metricHistory(run.runId, "loss").items.map((m) => m.value)).toEqual([1, 2]);
    });

    it("reads, searches, renames and tags experiments", () => {
      const a = experiment("fraud-a");
      experiment("other");
      f.store.tracking.setExperimentTag(a.id, "owner", "ana");
      expect(f.store.tracking.getExperimentByName("fraud-a")).toMatchObject({
        experimentId: a.id,
        lifecycleStage: "active",
        tags: [{ key: "owner", value: "ana" }],
      });
      const names = (filter: string) => f.store.tracking.searchExperiments({ filter }).items.map((e) => e.name);
      expect(names("name LIKE 'fraud%'")).toEqual(["fraud-a"]);
      expect(names("tags.owner = 'ana'")).toEqual(["fraud-a"]);
      f.store.tracking.renameExperiment(a.id, "fraud-b");
      expect(f.store.tracking.getExperiment(a.id)?.name).toBe("fraud-b");
      expect(storeErrorOf(f, () => f.store.tracking.renameExperiment(a.id, "other")).code).toBe("ALREADY_EXISTS");
      f.store.experiments.archive(a.id);
      expect(f.store.tracking.getExperiment(a.id)?.lifecycleStage).toBe("deleted");
      expect(names("name LIKE 'fraud%'")).toEqual([]);
      expect(f.store.tracking.searchExperiments({ viewType: "DELETED_ONLY" }).items.map((e) => e.name)).toEqual([
        "fraud-b",
      ]);
    });
  });
}
