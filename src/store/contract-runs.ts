/** Contract: runs, their state history and ownership, list queries and transactions. */
import { type ContractFixture, sampleSpec, storeErrorOf } from "./contract-fixture.ts";
import type { Run } from "./types.ts";

/** Registers the runs tests. */
export function runsContract(f: ContractFixture): void {
  const { describe, it, expect } = f.api;
  const newRun = (extra: Partial<Parameters<typeof f.store.runs.create>[0]> = {}): Run =>
    f.store.runs.create({ displayName: "run", pipelineSpec: sampleSpec(), ...extra });

  describe("runs", () => {
    it("creates a run in the Default experiment with its spec, parameters and first state", () => {
      const run = newRun({
        parameters: { rows: 200, lr: 0.1, tags: ["a"] },
        pipelineRoot: "file:///tmp/r",
        createdAt: 100,
      });
      expect(run.experimentId).toBe(f.store.experiments.getDefault().id);
      expect(run.state).toBe("PENDING");
      expect(run.stateHistory).toEqual([{ state: "PENDING", at: 100 }]);
      expect(run.scheduledAt).toBe(100);
      expect(run.enableCache).toBe(true);
      expect(run.cancelRequested).toBe(false);
      expect(f.store.runs.get(run.id)).toEqual(run);
      const notSpec = storeErrorOf(f, () => newRun({ pipelineSpec: { name: "x" } as unknown as Run["pipelineSpec"] }));
      expect(notSpec.code).toBe("INVALID_INPUT");
      expect(notSpec.message).toContain("pipelineSpec is not a PipelineSpec");
      const missing = storeErrorOf(f, () => newRun({ experimentId: "nope" }));
      expect(missing.code).toBe("NOT_FOUND");
      expect(missing.message).toContain("experiment");
    });

    it("appends every state change to the history and stamps start, finish and error", () => {
      const run = newRun({ createdAt: 1 });
      f.store.runs.updateState(run.id, "RUNNING", { at: 2 });
      const failed = f.store.runs.updateState(run.id, "FAILED", {
        at: 3,
        error: { code: "TASK_FAILED", message: "train" },
      });
      expect(failed.stateHistory.map((s) => s.state)).toEqual(["PENDING", "RUNNING", "FAILED"]);
      expect([failed.startedAt, failed.finishedAt]).toEqual([2, 3]);
      expect(failed.error).toEqual({ code: "TASK_FAILED", message: "train" });
      const retried = f.store.runs.updateState(run.id, "RUNNING", { at: 4, error: null });
      expect(retried.error).toBeUndefined();
      expect(retried.startedAt).toBe(2);
      expect(retried.finishedAt).toBeUndefined();
      expect(retried.stateHistory.map((s) => s.at)).toEqual([1, 2, 3, 4]);
      expect(storeErrorOf(f, () => f.store.runs.updateState("missing", "RUNNING")).code).toBe("NOT_FOUND");
    });

    it("changes state only from the expected states (transitionState)", () => {
      const run = newRun();
      expect(f.store.runs.transitionState(run.id, ["RUNNING"], "SUCCEEDED")).toBeUndefined();
      expect(f.store.runs.transitionState(run.id, ["PENDING"], "RUNNING")?.state).toBe("RUNNING");
      expect(f.store.runs.get(run.id)?.stateHistory).toHaveLength(2);
    });

    it("records the owner, heartbeats, cancel requests and finds orphans", () => {
      const alive = newRun();
      const dead = newRun();
      const unowned = newRun();
      const queued = newRun();
      const done = newRun();
      f.store.runs.updateState(alive.id, "RUNNING");
      f.store.runs.updateState(dead.id, "RUNNING");
      f.store.runs.updateState(unowned.id, "RUNNING");
      f.store.runs.updateState(done.id, "SUCCEEDED");
      f.store.runs.setOwner(alive.id, 100, "host-a", 10);
      f.store.runs.setOwner(dead.id, 200, "host-a", 10);
      f.store.runs.setOwner(done.id, 200, "host-a", 10);
      f.store.runs.heartbeat(alive.id, 20);
      expect(f.store.runs.get(alive.id)).toMatchObject({ ownerPid: 100, ownerHost: "host-a", heartbeatAt: 20 });
      const seen: [number, string, number | undefined][] = [];
      const orphans = f.store.runs.findOrphans((pid, host, heartbeatAt) => {
        seen.push([pid, host, heartbeatAt]);
        return pid === 100;
      });
      expect(orphans.map((r) => r.id).sort()).toEqual([dead.id, unowned.id].sort());
      expect(seen).toContainEqual([100, "host-a", 20]);
      expect(orphans.map((r) => r.id)).not.toContain(queued.id);
      f.store.runs.clearOwner(alive.id);
      expect(f.store.runs.get(alive.id)?.ownerPid).toBeUndefined();
      expect(f.store.runs.requestCancel(alive.id).cancelRequested).toBe(true);
    });

    it("archives, restores and deletes a run with everything recorded under it", () => {
      const run = newRun();
      expect(f.store.runs.archive(run.id).storageState).toBe("ARCHIVED");
      expect(f.store.runs.unarchive(run.id).storageState).toBe("AVAILABLE");
      const task = f.store.tasks.upsert({ runId: run.id, path: "root/train", name: "train", kind: "container" });
      const art = f.store.artifacts.create({
        runId: run.id,
        taskId: task.id,
        name: "model",
        uri: "file:///m",
        schemaTitle: "system.Model",
      });
      f.store.events.record({ runId: run.id, taskId: task.id, artifactId: art.id, type: "OUTPUT", name: "model" });
      f.store.metrics.recordMany([{ runId: run.id, taskId: task.id, name: "auc", value: 0.9 }]);
      f.store.cache.put({
        key: "k1",
        componentDigest: "c1",
        parts: {},
        taskId: task.id,
        runId: run.id,
        outputs: { parameters: {}, artifacts: {} },
      });
      f.store.runs.delete(run.id);
      expect(f.store.runs.get(run.id)).toBeUndefined();
      expect(f.store.tasks.get(task.id)).toBeUndefined();
      expect(f.store.artifacts.get(art.id)).toBeUndefined();
      expect(f.store.events.listByArtifact(art.id)).toEqual([]);
      expect(f.store.metrics.listByRun(run.id)).toEqual([]);
      expect(f.store.cache.get("k1")).toBeUndefined();
      expect(storeErrorOf(f, () => f.store.runs.delete(run.id)).code).toBe("NOT_FOUND");
    });

    it("rolls a transaction back entirely when it throws", () => {
      expect(() =>
        f.store.transaction(() => {
          newRun({ displayName: "lost" });
          throw new Error("boom");
        }),
      ).toThrow("boom");
      expect(f.store.runs.list({ filter: [{ field: "displayName", op: "EQUALS", value: "lost" }] }).totalSize).toBe(0);
      const asyncFn = (async () => newRun({ displayName: "async" })) as unknown as () => Run;
      expect(storeErrorOf(f, () => f.store.transaction(asyncFn)).message).toContain("synchronous");
      const kept = f.store.transaction(() => newRun({ displayName: "kept" }));
      expect(f.store.runs.get(kept.id)?.displayName).toBe("kept");
    });
  });

  describe("run list queries", () => {
    function seed(): { a: string; b: string; runs: Run[] } {
      const a = f.store.experiments.create({ name: "a" }).id;
      const b = f.store.experiments.create({ name: "b" }).id;
      const states = ["SUCCEEDED", "FAILED", "RUNNING"] as const;
      const runs: Run[] = [];
      for (let i = 0; i < 12; i++) {
        // Pairs share a creation time, so pages must break ties by id.
        const run = newRun({
          displayName: `run-${String(i).padStart(2, "0")}`,
          experimentId: i % 2 ? b : a,
          createdAt: 1000 + Math.floor(i / 2),
        });
        runs.push(f.store.runs.updateState(run.id, states[i % 3] ?? "RUNNING"));
      }
      return { a, b, runs };
    }

    it("pages through every matching run exactly once, newest first", () => {
      const { runs } = seed();
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = f.store.runs.list({ pageSize: 5, pageToken: token });
        expect(page.totalSize).toBe(12);
        seen.push(...page.items.map((r) => r.id));
        token = page.nextPageToken;
        pages++;
      } while (token !== undefined);
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(12);
      const expected = [...runs].sort((x, y) => y.createdAt - x.createdAt || (y.id < x.id ? -1 : 1)).map((r) => r.id);
      expect(seen).toEqual(expected);
    });

    it("filters with every operator and sorts by a whitelisted field", () => {
      const { a } = seed();
      const list = (filter: Parameters<typeof f.store.runs.list>[0]) => f.store.runs.list({ pageSize: 100, ...filter });
      expect(list({ filter: [{ field: "experimentId", op: "EQUALS", value: a }] }).totalSize).toBe(6);
      expect(list({ filter: [{ field: "state", op: "NOT_EQUALS", value: "FAILED" }] }).totalSize).toBe(8);
      expect(list({ filter: [{ field: "state", op: "IN", value: ["FAILED", "RUNNING"] }] }).totalSize).toBe(8);
      expect(list({ filter: [{ field: "createdAt", op: "GREATER_THAN", value: 1003 }] }).totalSize).toBe(4);
      expect(
        list({ filter: [{ field: "created_at", op: "GREATER_THAN_EQUALS", value: new Date(1003).toISOString() }] })
          .totalSize,
      ).toBe(6);
      expect(list({ filter: [{ field: "createdAt", op: "LESS_THAN", value: 1001 }] }).totalSize).toBe(2);
      expect(list({ filter: [{ field: "createdAt", op: "LESS_THAN_EQUALS", value: 1001 }] }).totalSize).toBe(4);
      expect(list({ filter: [{ field: "displayName", op: "IS_SUBSTRING", value: "run-1" }] }).totalSize).toBe(2);
      const both = list({
        filter: [
          { field: "experimentId", op: "EQUALS", value: a },
          { field: "state", op: "EQUALS", value: "SUCCEEDED" },
        ],
      });
      expect(both.items.every((r) => r.experimentId === a && r.state === "SUCCEEDED")).toBe(true);
      expect(both.totalSize).toBe(both.items.length);
      const byName = list({ sort: { field: "displayName", desc: false } });
      expect(byName.items.map((r) => r.displayName)).toEqual([...byName.items.map((r) => r.displayName)].sort());
      const byFinish = f.store.runs.list({ sort: { field: "finishedAt", desc: true }, pageSize: 4 });
      const next = f.store.runs.list({
        sort: { field: "finishedAt", desc: true },
        pageSize: 4,
        pageToken: byFinish.nextPageToken,
      });
      expect(new Set([...byFinish.items, ...next.items].map((r) => r.id)).size).toBe(8);
    });

    it("rejects unknown fields, bad values, bad page sizes and foreign tokens with INVALID_QUERY", () => {
      seed();
      const cases: [() => unknown, string][] = [
        [() => f.store.runs.list({ filter: [{ field: "password", op: "EQUALS", value: "x" }] }), "'password'"],
        [() => f.store.runs.list({ sort: { field: "parameters", desc: true } }), "'parameters'"],
        [() => f.store.runs.list({ filter: [{ field: "state", op: "EQUALS", value: "DONE" }] }), "'DONE'"],
        [
          () => f.store.runs.list({ filter: [{ field: "createdAt", op: "LESS_THAN", value: "yesterday" }] }),
          "createdAt",
        ],
        [() => f.store.runs.list({ filter: [{ field: "state", op: "IN", value: [] }] }), "non-empty array"],
        [() => f.store.runs.list({ pageSize: -1 }), "pageSize"],
        [() => f.store.runs.list({ pageToken: "garbage" }), "pageToken"],
      ];
      for (const [call, fragment] of cases) {
        const err = storeErrorOf(f, call);
        expect(err.code).toBe("INVALID_QUERY");
        expect(err.message).toContain(fragment);
      }
      const token = f.store.runs.list({ pageSize: 2 }).nextPageToken;
      const other = storeErrorOf(f, () =>
        f.store.runs.list({ pageSize: 2, pageToken: token, sort: { field: "displayName", desc: false } }),
      );
      expect(other.message).toContain("different filter or sort");
    });
  });
}
