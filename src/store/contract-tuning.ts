/** Contract: tuning experiments, their owner, trials and intermediate values. */
import { type ContractFixture, storeErrorOf } from "./contract-fixture.ts";
import type { TuningOwner } from "./types.ts";

const OWNER: TuningOwner = { pid: 4242, host: "host-a", identity: { instance: "i-1", bootId: "b-1", startTime: "77" } };

/** Registers the tuning tests. */
export function tuningContract(f: ContractFixture): void {
  const { describe, it, expect } = f.api;

  function experiment(name = "lr-search", createdAt = 1) {
    return f.store.tuning.createExperiment({
      name,
      source: "kind: Experiment",
      sourceDigest: `sha256:${name}`,
      spec: { parallelTrialCount: 2, objective: { metrics: [{ name: "loss", goal: "minimize" }] } },
      algorithm: "random",
      createdAt,
    });
  }

  describe("tuning", () => {
    it("creates experiments keyed by a unique, Kubernetes-style name; gets them by id and name", () => {
      const e = experiment();
      expect(e).toMatchObject({
        name: "lr-search",
        source: "kind: Experiment",
        sourceDigest: "sha256:lr-search",
        algorithm: "random",
        state: "RUNNING",
        createdAt: 1,
        spec: { parallelTrialCount: 2 },
      });
      expect(e).not.toHaveProperty("ownerPid");
      expect(f.store.tuning.getExperiment(e.id)).toEqual(e);
      expect(f.store.tuning.getExperimentByName("lr-search")).toEqual(e);
      expect(f.store.tuning.getExperimentByName("nope")).toBeUndefined();
      const dup = storeErrorOf(f, () => experiment());
      expect(dup.code).toBe("ALREADY_EXISTS");
      expect(dup.message).toContain("'lr-search'");
      const bad = storeErrorOf(f, () => experiment("Bad_Name"));
      expect(bad.code).toBe("INVALID_INPUT");
      expect(bad.message).toContain("Bad_Name");
    });

    it("lists experiments newest first in pages, filters by state", () => {
      for (let i = 0; i < 5; i++) experiment(`e-${i}`, 10 + i);
      const first = f.store.tuning.listExperiments({ pageSize: 2 });
      expect(first.items.map((e) => e.name)).toEqual(["e-4", "e-3"]);
      expect(first.totalSize).toBe(5);
      const second = f.store.tuning.listExperiments({ pageSize: 2, pageToken: first.nextPageToken });
      expect(second.items.map((e) => e.name)).toEqual(["e-2", "e-1"]);
      const third = f.store.tuning.listExperiments({ pageSize: 2, pageToken: second.nextPageToken });
      expect(third.items.map((e) => e.name)).toEqual(["e-0"]);
      expect(third.nextPageToken).toBeUndefined();
      const e2 = f.store.tuning.getExperimentByName("e-2");
      f.store.tuning.finishExperiment(e2?.id ?? "", { state: "SUCCEEDED", reason: "MaxTrialsReached" });
      const done = f.store.tuning.listExperiments({ filter: [{ field: "state", op: "EQUALS", value: "SUCCEEDED" }] });
      expect(done.items.map((e) => e.name)).toEqual(["e-2"]);
      const asc = f.store.tuning.listExperiments({ sort: { field: "name", desc: false }, pageSize: 1 });
      expect(asc.items[0]?.name).toBe("e-0");
    });

    it("records an owner as runs do; a claim succeeds only over the owner it expects; finishing clears it", () => {
      const e = experiment();
      expect(f.store.tuning.claimExperiment(e.id, OWNER, null, 100)).toBe(true);
      expect(f.store.tuning.getExperiment(e.id)).toMatchObject({
        ownerPid: 4242,
        ownerHost: "host-a",
        ownerInstance: "i-1",
        ownerBootId: "b-1",
        ownerStartTime: "77",
        heartbeatAt: 100,
      });
      // a second process expecting no owner loses
      const other: TuningOwner = { pid: 7, host: "host-a", identity: { instance: "i-2" } };
      expect(f.store.tuning.claimExperiment(e.id, other, null)).toBe(false);
      expect(f.store.tuning.heartbeatExperiment(e.id, "i-2", 200)).toBe(false);
      expect(f.store.tuning.heartbeatExperiment(e.id, "i-1", 200)).toBe(true);
      expect(f.store.tuning.getExperiment(e.id)?.heartbeatAt).toBe(200);
      const done = f.store.tuning.finishExperiment(e.id, {
        state: "FAILED",
        reason: "MaxFailedTrialsReached",
        message: "3 trials failed",
        bestTrial: 1,
        at: 300,
      });
      expect(done).toMatchObject({ state: "FAILED", reason: "MaxFailedTrialsReached", bestTrial: 1, finishedAt: 300 });
      expect(done).not.toHaveProperty("ownerInstance");
      expect(done).not.toHaveProperty("heartbeatAt");
      // a resume claims it again: RUNNING, the end forgotten, the best trial kept
      expect(f.store.tuning.claimExperiment(e.id, other, null, 400)).toBe(true);
      const resumed = f.store.tuning.getExperiment(e.id);
      expect(resumed).toMatchObject({ state: "RUNNING", ownerInstance: "i-2", bestTrial: 1 });
      expect(resumed).not.toHaveProperty("reason");
      expect(resumed).not.toHaveProperty("finishedAt");
      expect(storeErrorOf(f, () => f.store.tuning.claimExperiment("missing", OWNER, null)).code).toBe("NOT_FOUND");
      expect(storeErrorOf(f, () => f.store.tuning.finishExperiment(e.id, { state: "RUNNING", reason: "x" })).code).toBe(
        "INVALID_INPUT",
      );
    });

    it("creates numbered trials named after the experiment, updates and lists them, counts them by state", () => {
      const e = experiment();
      const t0 = f.store.tuning.createTrial({ experimentId: e.id, number: 0, params: { lr: 0.01, opt: "adam" } });
      expect(t0).toMatchObject({
        experimentId: e.id,
        number: 0,
        name: "lr-search-0",
        params: { lr: 0.01, opt: "adam" },
        meta: {},
        state: "PENDING",
        metrics: {},
      });
      f.store.tuning.createTrial({ experimentId: e.id, number: 1, params: { lr: 0.1 }, meta: { rung: 0 } });
      const dup = storeErrorOf(f, () => f.store.tuning.createTrial({ experimentId: e.id, number: 1, params: {} }));
      expect(dup.code).toBe("ALREADY_EXISTS");
      expect(storeErrorOf(f, () => f.store.tuning.createTrial({ experimentId: "x", number: 0, params: {} })).code).toBe(
        "NOT_FOUND",
      );
      f.store.tuning.updateTrial(e.id, 0, { state: "RUNNING", startedAt: 5 });
      const done = f.store.tuning.updateTrial(e.id, 0, {
        state: "SUCCEEDED",
        values: [0.25],
        metrics: { loss: 0.25, acc: 0.9 },
        runId: "run-1",
      });
      expect(done).toMatchObject({
        state: "SUCCEEDED",
        values: [0.25],
        metrics: { loss: 0.25, acc: 0.9 },
        runId: "run-1",
      });
      expect(done.finishedAt).toBeGreaterThan(0);
      const failed = f.store.tuning.updateTrial(e.id, 1, {
        state: "FAILED",
        reason: "METRICS_UNAVAILABLE",
        message: "no loss",
        finishedAt: 9,
      });
      expect(failed).toMatchObject({
        reason: "METRICS_UNAVAILABLE",
        message: "no loss",
        finishedAt: 9,
        meta: { rung: 0 },
      });
      // a rerun clears what the earlier attempt recorded
      const again = f.store.tuning.updateTrial(e.id, 1, {
        state: "PENDING",
        reason: null,
        message: null,
        finishedAt: null,
      });
      expect(again).not.toHaveProperty("reason");
      expect(again).not.toHaveProperty("finishedAt");
      expect(f.store.tuning.listTrials(e.id).map((t) => [t.number, t.state])).toEqual([
        [0, "SUCCEEDED"],
        [1, "PENDING"],
      ]);
      expect(f.store.tuning.countTrials(e.id)).toEqual({ SUCCEEDED: 1, PENDING: 1 });
      expect(storeErrorOf(f, () => f.store.tuning.updateTrial(e.id, 7, { state: "RUNNING" })).code).toBe("NOT_FOUND");
      expect(storeErrorOf(f, () => f.store.tuning.updateTrial(e.id, 0, { values: [Number.NaN] })).code).toBe(
        "INVALID_INPUT",
      );
    });

    it("appends and reads intermediate values in arrival order (NaN kept); deleting the experiment removes everything", () => {
      const e = experiment();
      f.store.tuning.createTrial({ experimentId: e.id, number: 0, params: {} });
      f.store.tuning.appendObservations(e.id, 0, [
        { metric: "loss", step: 0, value: 1, timestamp: 10 },
        { metric: "acc", step: 0, value: 0.5, timestamp: 10 },
        { metric: "loss", step: 1, value: Number.NaN, timestamp: 11 },
      ]);
      f.store.tuning.appendObservations(e.id, 0, [{ metric: "loss", step: 2, value: 0.5, timestamp: 12 }]);
      const loss = f.store.tuning.listObservations(e.id, 0, "loss");
      expect(loss.map((o) => [o.step, o.value, o.timestamp])).toEqual([
        [0, 1, 10],
        [1, Number.NaN, 11],
        [2, 0.5, 12],
      ]);
      expect(loss[0]?.seq).toBeLessThan(loss[1]?.seq ?? 0);
      expect(f.store.tuning.listObservations(e.id, 0)).toHaveLength(4);
      f.store.tuning.clearObservations(e.id, 0);
      expect(f.store.tuning.listObservations(e.id, 0)).toEqual([]);
      f.store.tuning.appendObservations(e.id, 0, [{ metric: "loss", step: 0, value: 2 }]);
      expect(
        storeErrorOf(f, () => f.store.tuning.appendObservations(e.id, 3, [{ metric: "x", step: 0, value: 1 }])).code,
      ).toBe("NOT_FOUND");
      f.store.tuning.deleteExperiment(e.id);
      expect(f.store.tuning.getExperiment(e.id)).toBeUndefined();
      expect(f.store.tuning.listTrials(e.id)).toEqual([]);
      expect(f.store.tuning.listObservations(e.id, 0)).toEqual([]);
      expect(storeErrorOf(f, () => f.store.tuning.deleteExperiment(e.id)).code).toBe("NOT_FOUND");
    });
  });
}
