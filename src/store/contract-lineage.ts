/** Contract: tasks, artifacts, lineage events, metrics and the execution cache. */

import { type ContractFixture, sampleSpec, storeErrorOf } from "./contract-fixture.ts";
import { walkLineage } from "./lineage-graph.ts";
import type { CacheEntryInput, Task } from "./types.ts";

/** Registers the tasks / lineage / cache tests. */
export function lineageContract(f: ContractFixture): void {
  const { describe, it, expect } = f.api;
  const newRun = () => f.store.runs.create({ displayName: "run", pipelineSpec: sampleSpec() });
  const newTask = (
    runId: string,
    path: string,
    extra: Partial<Parameters<typeof f.store.tasks.upsert>[0]> = {},
  ): Task => f.store.tasks.upsert({ runId, path, name: path.split("/").pop() ?? path, kind: "container", ...extra });

  describe("tasks", () => {
    it("upserts by (run, path): the second call updates the same task", () => {
      const run = newRun();
      const root = newTask(run.id, "root", { kind: "dag" });
      const t = newTask(run.id, "root/train", {
        parentId: root.id,
        inputs: { parameters: { lr: 0.1 }, artifacts: { data: ["a1"] } },
      });
      expect(t).toMatchObject({
        state: "PENDING",
        attempt: 1,
        attempts: [],
        outputs: { parameters: {} },
        displayName: "train",
      });
      const again = newTask(run.id, "root/train", { state: "RUNNING", startedAt: 5, pid: 42 });
      expect(again.id).toBe(t.id);
      expect(again).toMatchObject({ state: "RUNNING", startedAt: 5, pid: 42, parentId: root.id });
      expect(again.inputs.artifacts).toEqual({ data: ["a1"] });
      expect(f.store.tasks.getByPath(run.id, "root/train")?.id).toBe(t.id);
      expect(f.store.tasks.listByRun(run.id).map((x) => x.path)).toEqual(["root", "root/train"]);
      const other = newRun();
      expect(newTask(other.id, "root/train").id).not.toBe(t.id);
    });

    it("updates partially, clears with null, appends attempts and names missing references", () => {
      const run = newRun();
      const t = newTask(run.id, "root/t", { pid: 7, logPath: "/logs/t.log" });
      const updated = f.store.tasks.update(t.id, {
        state: "FAILED",
        exitCode: 2,
        error: { message: "boom", stderrTail: "Traceback" },
        pid: null,
        cache: { key: "k", hit: false, explanation: "no previous execution of this component" },
      });
      expect(updated).toMatchObject({ state: "FAILED", exitCode: 2, logPath: "/logs/t.log" });
      expect(updated.pid).toBeUndefined();
      expect(updated.cache?.explanation).toContain("no previous");
      f.store.tasks.appendAttempt(t.id, {
        attempt: 1,
        startedAt: 1,
        finishedAt: 2,
        exitCode: 2,
        error: { message: "boom" },
      });
      const two = f.store.tasks.appendAttempt(t.id, { attempt: 2, startedAt: 3 });
      expect(two.attempts.map((a) => a.attempt)).toEqual([1, 2]);
      expect(storeErrorOf(f, () => f.store.tasks.update(t.id, { state: null })).code).toBe("INVALID_INPUT");
      const badInputs = { parameters: {} } as unknown as Task["inputs"];
      const shape = storeErrorOf(f, () => f.store.tasks.update(t.id, { inputs: badInputs }));
      expect(shape.code).toBe("INVALID_INPUT");
      expect(shape.message).toContain("inputs.artifacts");
      expect(storeErrorOf(f, () => f.store.tasks.update("missing", { state: "RUNNING" })).code).toBe("NOT_FOUND");
      const orphan = storeErrorOf(f, () => newTask("no-such-run", "root/x"));
      expect(orphan.code).toBe("INTEGRITY");
      expect(orphan.message).toContain("runId 'no-such-run'");
    });

    it("marks the unfinished tasks of a run in one step", () => {
      const run = newRun();
      newTask(run.id, "root/a", { state: "SUCCEEDED" });
      newTask(run.id, "root/b", { state: "RUNNING" });
      newTask(run.id, "root/c", { state: "PENDING" });
      expect(f.store.tasks.markUnfinishedAs(run.id, ["RUNNING", "PENDING"], "CANCELED", 99)).toBe(2);
      const states = Object.fromEntries(f.store.tasks.listByRun(run.id).map((t) => [t.path, [t.state, t.finishedAt]]));
      expect(states).toEqual({
        "root/a": ["SUCCEEDED", undefined],
        "root/b": ["CANCELED", 99],
        "root/c": ["CANCELED", 99],
      });
    });
  });

  describe("artifacts, events and metrics", () => {
    it("records lineage: the producer, its inputs, and what consumed the artifact", () => {
      const run = newRun();
      const prep = newTask(run.id, "root/prep");
      const train = newTask(run.id, "root/train");
      const data = f.store.artifacts.create({
        runId: run.id,
        taskId: prep.id,
        name: "train",
        uri: "file:///a/train",
        schemaTitle: "system.Dataset",
        metadata: { rows: 10 },
        digest: "sha256:x",
        sizeBytes: 12,
      });
      expect(f.store.artifacts.get(data.id)).toEqual(data);
      expect(f.store.artifacts.getByUri("file:///a/train")?.id).toBe(data.id);
      const out = f.store.events.record({
        runId: run.id,
        taskId: prep.id,
        artifactId: data.id,
        type: "OUTPUT",
        name: "train",
      });
      const dup = f.store.events.record({
        runId: run.id,
        taskId: prep.id,
        artifactId: data.id,
        type: "OUTPUT",
        name: "train",
      });
      expect(dup.id).toBe(out.id);
      f.store.events.record({ runId: run.id, taskId: train.id, artifactId: data.id, type: "INPUT", name: "data" });
      const edges = f.store.events.listByArtifact(data.id);
      expect(edges.map((e) => [e.type, e.taskId])).toEqual([
        ["OUTPUT", prep.id],
        ["INPUT", train.id],
      ]);
      expect(f.store.events.listByTask(train.id).map((e) => e.name)).toEqual(["data"]);
      expect(f.store.artifacts.listByRun(run.id).map((a) => a.id)).toEqual([data.id]);
      expect(f.store.artifacts.updateMetadata(data.id, { cols: 3 }, { merge: true }).metadata).toEqual({
        rows: 10,
        cols: 3,
      });
      expect(f.store.artifacts.updateMetadata(data.id, { only: true }).metadata).toEqual({ only: true });
      const bad = storeErrorOf(f, () =>
        f.store.events.record({ runId: run.id, taskId: train.id, artifactId: "ghost", type: "INPUT", name: "x" }),
      );
      expect(bad.message).toContain("artifactId 'ghost'");
    });

    it("lists artifacts a page at a time, filtered by run, type and name in SQL, and finds them by id, uri or name", () => {
      const r1 = newRun();
      const r2 = newRun();
      const t1 = newTask(r1.id, "root/train");
      const t2 = newTask(r2.id, "root/prep");
      const make = (runId: string, taskId: string, name: string, schemaTitle: string, createdAt: number) =>
        f.store.artifacts.create({
          runId,
          taskId,
          name,
          uri: `file:///store/${runId}/${name}`,
          schemaTitle,
          createdAt,
          sizeBytes: createdAt,
        });
      const made = [
        make(r1.id, t1.id, "model", "system.Model", 10),
        make(r1.id, t1.id, "onnx_model", "system.Model", 20),
        make(r1.id, t1.id, "metrics", "system.Metrics", 30),
        make(r2.id, t2.id, "train_data", "system.Dataset", 40),
        make(r2.id, t2.id, "model", "system.Model", 50),
      ];
      const all = f.store.artifacts.list();
      expect(all.totalSize).toBe(5);
      expect(all.items.map((a) => a.createdAt)).toEqual([50, 40, 30, 20, 10]);
      const first = f.store.artifacts.list({ pageSize: 2 });
      expect(first.items.map((a) => a.createdAt)).toEqual([50, 40]);
      const second = f.store.artifacts.list({ pageSize: 2, pageToken: first.nextPageToken as string });
      const third = f.store.artifacts.list({ pageSize: 2, pageToken: second.nextPageToken as string });
      expect([...second.items, ...third.items].map((a) => a.createdAt)).toEqual([30, 20, 10]);
      expect(third.nextPageToken).toBeUndefined();
      const models = f.store.artifacts.list({
        filter: [{ field: "schemaTitle", op: "EQUALS", value: "system.Model" }],
      });
      expect(models.totalSize).toBe(3);
      const ofRun = f.store.artifacts.list({
        filter: [
          { field: "runId", op: "EQUALS", value: r1.id },
          { field: "name", op: "IS_SUBSTRING", value: "model" },
        ],
        sort: { field: "createdAt", desc: false },
      });
      expect(ofRun.items.map((a) => a.name)).toEqual(["model", "onnx_model"]);
      expect(
        storeErrorOf(f, () => f.store.artifacts.list({ filter: [{ field: "metadata", op: "EQUALS", value: "x" }] }))
          .code,
      ).toBe("INVALID_QUERY");
      const byId = made[2]!.id;
      expect(f.store.artifacts.search(byId).map((a) => a.id)).toEqual([byId]);
      expect(f.store.artifacts.search(byId.slice(0, 8)).map((a) => a.id)).toContain(byId);
      expect(f.store.artifacts.search(made[3]!.uri).map((a) => a.id)).toEqual([made[3]!.id]);
      expect(f.store.artifacts.search("MODEL").map((a) => a.createdAt)).toEqual([50, 10, 20]);
      expect(f.store.artifacts.search("50%")).toEqual([]);
      expect(f.store.artifacts.search("  ")).toEqual([]);
    });

    it("walks lineage across runs a number of executions each way, and stops at the node limit", () => {
      // a → t1 → b → t2 (run 2) → c
      const r1 = newRun();
      const r2 = newRun();
      const t0 = newTask(r1.id, "root/load");
      const t1 = newTask(r1.id, "root/prep");
      const t2 = newTask(r2.id, "root/train");
      const art = (runId: string, taskId: string, name: string) => {
        const a = f.store.artifacts.create({
          runId,
          taskId,
          name,
          uri: `file:///${runId}/${name}`,
          schemaTitle: "system.Dataset",
        });
        f.store.events.record({ runId, taskId, artifactId: a.id, type: "OUTPUT", name });
        return a;
      };
      const a = art(r1.id, t0.id, "a");
      f.store.events.record({ runId: r1.id, taskId: t1.id, artifactId: a.id, type: "INPUT", name: "in" });
      const b = art(r1.id, t1.id, "b");
      f.store.events.record({ runId: r2.id, taskId: t2.id, artifactId: b.id, type: "INPUT", name: "in" });
      const c = art(r2.id, t2.id, "c");
      const label = (n: { hop: number; artifact?: { name: string }; task?: { path: string } }) =>
        `${n.hop} ${n.artifact?.name ?? n.task?.path}`;
      const up = walkLineage(f.store, { artifact: c }, { upstream: 2, downstream: 0 });
      expect(up.nodes.map(label)).toEqual(["0 c", "-1 root/train", "-1 b", "-2 root/prep", "-2 a"]);
      expect(up.nodes.find((n) => n.artifact?.name === "a")?.more).toBe(true);
      expect(up.truncated).toBe(false);
      const down = walkLineage(f.store, { artifact: a }, { upstream: 0, downstream: 5 });
      expect(down.nodes.map(label)).toEqual(["0 a", "1 root/prep", "1 b", "2 root/train", "2 c"]);
      expect(down.nodes[0]?.more).toBe(true);
      expect(down.edges.map((e) => `${e.from.split(":")[0]}-${e.type}`)).toEqual([
        "artifact-INPUT",
        "execution-OUTPUT",
        "artifact-INPUT",
        "execution-OUTPUT",
      ]);
      const fromTask = walkLineage(f.store, { task: t1 }, { upstream: 0, downstream: 0 });
      expect(fromTask.nodes.map(label)).toEqual(["0 root/prep", "0 a", "0 b"]);
      const small = walkLineage(f.store, { artifact: c }, { upstream: 10, downstream: 10, maxNodes: 3 });
      expect(small.nodes).toHaveLength(3);
      expect(small.truncated).toBe(true);
    });

    it("keeps every metric value, and one value per run metric name", () => {
      const r1 = newRun();
      const r2 = newRun();
      const t1 = newTask(r1.id, "root/train");
      f.store.metrics.recordMany(
        [
          { runId: r1.id, taskId: t1.id, name: "auc", value: 0.8 },
          { runId: r1.id, taskId: t1.id, name: "loss", value: 0.5 },
        ],
        [{ runId: r1.id, taskId: t1.id, name: "train.auc", value: 0.8 }],
      );
      f.store.metrics.recordMany(
        [{ runId: r1.id, taskId: t1.id, name: "auc", value: 0.9 }],
        [{ runId: r1.id, taskId: t1.id, name: "train.auc", value: 0.9 }],
      );
      expect(f.store.metrics.listByRun(r1.id).map((m) => m.value)).toEqual([0.8, 0.5, 0.9]);
      const runMetrics = f.store.metrics.runMetricsOf([r1.id, r2.id]);
      expect(runMetrics[r1.id]).toEqual([{ name: "train.auc", value: 0.9 }]);
      expect(runMetrics[r2.id]).toEqual([]);
      const err = storeErrorOf(f, () =>
        f.store.metrics.recordMany([{ runId: r1.id, taskId: t1.id, name: "nan", value: Number.NaN }]),
      );
      expect(err.code).toBe("INVALID_INPUT");
      // a bad run metric records nothing of the call, metric rows included
      const bad = storeErrorOf(f, () =>
        f.store.metrics.recordMany(
          [{ runId: r1.id, taskId: t1.id, name: "extra", value: 1 }],
          [{ runId: r1.id, taskId: "ghost", name: "x", value: 1 }],
        ),
      );
      expect(bad.message).toContain("taskId 'ghost'");
      expect(f.store.metrics.listByRun(r1.id).map((m) => m.name)).not.toContain("extra");
    });

    it("sorts and filters runs by a run metric in SQL, runs without it last", () => {
      const runs = [0.7, 0.9, undefined, 0.8, -2].map((v, i) => {
        const r = newRun();
        const t = newTask(r.id, "root/evaluate");
        const rm = v === undefined ? [] : [{ runId: r.id, taskId: t.id, name: "evaluate.f1", value: v }];
        f.store.metrics.recordMany([], [...rm, { runId: r.id, taskId: t.id, name: "it's", value: i }]);
        return { id: r.id, v };
      });
      const ids = new Set(runs.map((r) => r.id));
      const mine = (q: Parameters<typeof f.store.runs.listSummaries>[0]) =>
        f.store.runs
          .listSummaries({ pageSize: 1000, ...q })
          .items.filter((r) => ids.has(r.id))
          .map((r) => runs.find((x) => x.id === r.id)?.v);
      expect(mine({ sort: { field: "metric:evaluate.f1", desc: true } })).toEqual([0.9, 0.8, 0.7, -2, undefined]);
      expect(mine({ sort: { field: "metric:evaluate.f1", desc: false } })).toEqual([undefined, -2, 0.7, 0.8, 0.9]);
      const filter = [{ field: "metric:evaluate.f1", op: "GREATER_THAN_EQUALS" as const, value: 0.75 }];
      expect(mine({ filter, sort: { field: "metric:evaluate.f1", desc: false } })).toEqual([0.8, 0.9]);
      // the count comes from SQL with the same predicate
      const own = f.store.runs.listSummaries({ filter: [...filter, { field: "id", op: "IN", value: [...ids] }] });
      expect(own.totalSize).toBe(2);
      // keyset pages follow the metric order
      const first = f.store.runs.listSummaries({
        filter: [{ field: "id", op: "IN", value: [...ids] }],
        sort: { field: "metric:evaluate.f1", desc: true },
        pageSize: 2,
      });
      const second = f.store.runs.listSummaries({
        filter: [{ field: "id", op: "IN", value: [...ids] }],
        sort: { field: "metric:evaluate.f1", desc: true },
        pageSize: 10,
        pageToken: first.nextPageToken as string,
      });
      expect([...first.items, ...second.items].map((r) => runs.find((x) => x.id === r.id)?.v)).toEqual([
        0.9,
        0.8,
        0.7,
        -2,
        undefined,
      ]);
      // a quote in a metric name is data
      expect(mine({ filter: [{ field: "metric:it's", op: "EQUALS", value: 3 }] })).toEqual([0.8]);
      expect(storeErrorOf(f, () => f.store.runs.listSummaries({ sort: { field: "metric:", desc: true } })).code).toBe(
        "INVALID_QUERY",
      );
    });
  });

  describe("cache", () => {
    function entry(runId: string, taskId: string, key: string, createdAt: number, rows: string): CacheEntryInput {
      return {
        key,
        componentDigest: "comp-1",
        parts: { image: "i1", command: "c1", "param:rows": rows },
        taskId,
        runId,
        outputs: {
          parameters: { n: 3 },
          artifacts: {
            model: [
              { uri: "file:///m", schemaTitle: "system.Model", schemaVersion: "0.0.1", metadata: {}, digest: "d" },
            ],
          },
        },
        createdAt,
      };
    }

    it("hits by key, honours max staleness, and finds the closest entry of a component", () => {
      const run = newRun();
      const task = newTask(run.id, "root/train");
      const old = f.store.cache.put(entry(run.id, task.id, "key-old", 1000, "r1"));
      f.store.cache.put(entry(run.id, task.id, "key-new", 2000, "r2"));
      expect(f.store.cache.get("key-old")).toEqual(old);
      expect(f.store.cache.get("key-old", { maxStalenessMs: 500, now: 1400 })?.key).toBe("key-old");
      expect(f.store.cache.get("key-old", { maxStalenessMs: 500, now: 1600 })).toBeUndefined();
      expect(f.store.cache.get("absent")).toBeUndefined();
      expect(f.store.cache.closest("comp-1")?.parts["param:rows"]).toBe("r2");
      expect(f.store.cache.closest("other")).toBeUndefined();
      expect(f.store.cache.recent("comp-1", 5).map((e) => e.key)).toEqual(["key-new", "key-old"]);
      expect(f.store.cache.recent("comp-1", 1).map((e) => e.key)).toEqual(["key-new"]);
      expect(f.store.cache.recent("other", 5)).toEqual([]);
      expect(f.store.cache.delete("key-new")).toBe(true);
      expect(f.store.cache.delete("key-new")).toBe(false);
      expect(f.store.cache.closest("comp-1")?.key).toBe("key-old");
      const replaced = f.store.cache.put({ ...entry(run.id, task.id, "key-old", 3000, "r3") });
      expect(f.store.cache.get("key-old")).toEqual(replaced);
    });
  });
}
