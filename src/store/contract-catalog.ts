/** Contract: pipelines, versions, experiments and recurring runs. */
import { type ContractFixture, sampleSpec, storeErrorOf } from "./contract-fixture.ts";

/** Registers the catalog tests. */
export function catalogContract(f: ContractFixture): void {
  const { describe, it, expect } = f.api;

  describe("pipelines", () => {
    it("creates, gets by id and by name, and keeps names unique per namespace", () => {
      const p = f.store.pipelines.create({ name: "fraud", description: "detects fraud" });
      expect(p.displayName).toBe("fraud");
      expect(f.store.pipelines.get(p.id)).toEqual(p);
      expect(f.store.pipelines.getByName("fraud")).toEqual(p);
      expect(f.store.pipelines.get("missing")).toBeUndefined();
      const dup = storeErrorOf(f, () => f.store.pipelines.create({ name: "fraud" }));
      expect(dup.code).toBe("ALREADY_EXISTS");
      expect(dup.message).toContain("'fraud'");
      const other = f.store.pipelines.create({ name: "fraud", namespace: "team-a" });
      expect(f.store.pipelines.getByName("fraud", "team-a")?.id).toBe(other.id);
      expect(storeErrorOf(f, () => f.store.pipelines.create({ name: " " })).code).toBe("INVALID_INPUT");
    });

    it("stores versions with their spec and refuses a version of a missing pipeline", () => {
      const p = f.store.pipelines.create({ name: "p" });
      const platformSpec = { platforms: { kubernetes: { deploymentSpec: {} } } };
      const v = f.store.pipelines.createVersion({ pipelineId: p.id, name: "v1", spec: sampleSpec(), platformSpec });
      expect(f.store.pipelines.getVersion(v.id)).toEqual(v);
      expect(f.store.pipelines.getVersionByName(p.id, "v1")?.spec).toEqual(sampleSpec());
      expect(v.platformSpec).toEqual(platformSpec);
      expect(
        storeErrorOf(f, () => f.store.pipelines.createVersion({ pipelineId: p.id, name: "v1", spec: sampleSpec() }))
          .code,
      ).toBe("ALREADY_EXISTS");
      const missing = storeErrorOf(f, () =>
        f.store.pipelines.createVersion({ pipelineId: "nope", name: "v1", spec: sampleSpec() }),
      );
      expect(missing.code).toBe("INTEGRITY");
      expect(missing.message).toContain("pipelineId 'nope'");
    });

    it("refuses to delete a pipeline with versions unless cascading; runs keep their spec", () => {
      const p = f.store.pipelines.create({ name: "p" });
      const v = f.store.pipelines.createVersion({ pipelineId: p.id, name: "v1", spec: sampleSpec() });
      const run = f.store.runs.create({ displayName: "r", pipelineVersionId: v.id, pipelineSpec: v.spec });
      const err = storeErrorOf(f, () => f.store.pipelines.delete(p.id));
      expect(err.code).toBe("INTEGRITY");
      expect(err.message).toContain("1 version");
      f.store.pipelines.delete(p.id, { cascade: true });
      expect(f.store.pipelines.get(p.id)).toBeUndefined();
      expect(f.store.pipelines.getVersion(v.id)).toBeUndefined();
      const kept = f.store.runs.get(run.id);
      expect(kept?.pipelineVersionId).toBeUndefined();
      expect(kept?.pipelineSpec).toEqual(sampleSpec());
      expect(storeErrorOf(f, () => f.store.pipelines.delete(p.id)).code).toBe("NOT_FOUND");
    });

    it("lists versions of one pipeline, newest first, in pages", () => {
      const p = f.store.pipelines.create({ name: "p" });
      const q = f.store.pipelines.create({ name: "q" });
      for (let i = 0; i < 5; i++) {
        f.store.pipelines.createVersion({ pipelineId: p.id, name: `v${i}`, spec: sampleSpec(), createdAt: 1000 + i });
      }
      f.store.pipelines.createVersion({ pipelineId: q.id, name: "other", spec: sampleSpec() });
      const filter = [{ field: "pipelineId", op: "EQUALS" as const, value: p.id }];
      const first = f.store.pipelines.listVersions({ filter, pageSize: 3 });
      expect(first.totalSize).toBe(5);
      expect(first.items.map((v) => v.name)).toEqual(["v4", "v3", "v2"]);
      const second = f.store.pipelines.listVersions({ filter, pageSize: 3, pageToken: first.nextPageToken });
      expect(second.items.map((v) => v.name)).toEqual(["v1", "v0"]);
      expect(second.nextPageToken).toBeUndefined();
    });
  });

  describe("experiments", () => {
    it("creates on demand, including the Default experiment, once per name", () => {
      const a = f.store.experiments.getOrCreateByName("tuning");
      expect(f.store.experiments.getOrCreateByName("tuning").id).toBe(a.id);
      const d = f.store.experiments.getDefault();
      expect(d.name).toBe("Default");
      expect(f.store.experiments.getDefault().id).toBe(d.id);
      expect(f.store.experiments.getDefault("team-a").id).not.toBe(d.id);
      expect(storeErrorOf(f, () => f.store.experiments.create({ name: "tuning" })).code).toBe("ALREADY_EXISTS");
    });

    it("archives an experiment with its runs and schedules; restoring leaves them archived", () => {
      const e = f.store.experiments.create({ name: "e" });
      const run = f.store.runs.create({ displayName: "r", experimentId: e.id, pipelineSpec: sampleSpec() });
      const rr = f.store.recurringRuns.create({
        displayName: "s",
        experimentId: e.id,
        pipelineSpec: sampleSpec(),
        trigger: { periodic: { intervalSeconds: 60 } },
      });
      expect(f.store.experiments.archive(e.id).storageState).toBe("ARCHIVED");
      expect(f.store.runs.get(run.id)?.storageState).toBe("ARCHIVED");
      expect(f.store.recurringRuns.get(rr.id)).toMatchObject({ mode: "DISABLE", status: "DISABLED" });
      const archived = f.store.experiments.list({
        filter: [{ field: "storage_state", op: "EQUALS", value: "ARCHIVED" }],
      });
      expect(archived.items.map((x) => x.id)).toEqual([e.id]);
      expect(f.store.experiments.unarchive(e.id).storageState).toBe("AVAILABLE");
      expect(f.store.runs.get(run.id)?.storageState).toBe("ARCHIVED");
      expect(storeErrorOf(f, () => f.store.experiments.archive("missing")).code).toBe("NOT_FOUND");
    });

    it("records when its last run was created and refuses to delete it while runs exist", () => {
      const e = f.store.experiments.create({ name: "e" });
      f.store.runs.create({ displayName: "r", experimentId: e.id, pipelineSpec: sampleSpec(), createdAt: 5000 });
      expect(f.store.experiments.get(e.id)?.lastRunCreatedAt).toBe(5000);
      const err = storeErrorOf(f, () => f.store.experiments.delete(e.id));
      expect(err.code).toBe("INTEGRITY");
      expect(err.message).toContain("1 run(s)");
      f.store.experiments.delete(e.id, { cascade: true });
      expect(f.store.runs.list().totalSize).toBe(0);
    });

    it("sorts and filters by whitelisted fields and rejects others", () => {
      for (const name of ["beta", "alpha", "gamma"]) f.store.experiments.create({ name });
      const sorted = f.store.experiments.list({ sort: { field: "name", desc: false } });
      expect(sorted.items.map((e) => e.name)).toEqual(["alpha", "beta", "gamma"]);
      const sub = f.store.experiments.list({ filter: [{ field: "name", op: "IS_SUBSTRING", value: "mm" }] });
      expect(sub.items.map((e) => e.name)).toEqual(["gamma"]);
      const err = storeErrorOf(f, () =>
        f.store.experiments.list({ filter: [{ field: "secret", op: "EQUALS", value: 1 }] }),
      );
      expect(err.code).toBe("INVALID_QUERY");
      expect(err.message).toContain("'secret'");
    });
  });

  describe("recurring runs", () => {
    const trigger = { cron: { expression: "0 0 * * * *", format: "6-field" as const } };

    it("creates, updates and lists schedules; mode drives status", () => {
      const rr = f.store.recurringRuns.create({ displayName: "nightly", pipelineSpec: sampleSpec(), trigger });
      expect(rr.status).toBe("ENABLED");
      expect(rr.experimentId).toBe(f.store.experiments.getDefault().id);
      const off = f.store.recurringRuns.update(rr.id, { mode: "DISABLE", parameters: { rows: 10 } });
      expect(off.status).toBe("DISABLED");
      expect(off.parameters).toEqual({ rows: 10 });
      const listed = f.store.recurringRuns.list({ filter: [{ field: "mode", op: "EQUALS", value: "DISABLE" }] });
      expect(listed.items.map((x) => x.id)).toEqual([rr.id]);
      const bad = storeErrorOf(f, () =>
        f.store.recurringRuns.create({ displayName: "x", pipelineSpec: sampleSpec(), trigger: {} }),
      );
      expect(bad.code).toBe("INVALID_INPUT");
      expect(bad.message).toContain("exactly one of cron or periodic");
    });

    it("claims a due firing exactly once (compare-and-set)", () => {
      const rr = f.store.recurringRuns.create({
        displayName: "hourly",
        pipelineSpec: sampleSpec(),
        trigger: { periodic: { intervalSeconds: 3600 } },
        nextFireAt: 10_000,
      });
      expect(f.store.recurringRuns.claimDue(9_000, rr.id, 10_000, 13_600_000)).toBe(false); // not due yet
      expect(f.store.recurringRuns.claimDue(10_500, rr.id, 10_000, 3_610_000)).toBe(true);
      expect(f.store.recurringRuns.claimDue(10_600, rr.id, 10_000, 3_610_000)).toBe(false); // already claimed
      const after = f.store.recurringRuns.get(rr.id);
      expect(after?.lastFiredAt).toBe(10_500);
      expect(after?.nextFireAt).toBe(3_610_000);
      f.store.recurringRuns.update(rr.id, { mode: "DISABLE" });
      expect(f.store.recurringRuns.claimDue(4_000_000, rr.id, 3_610_000, 7_210_000)).toBe(false);
      const fresh = f.store.recurringRuns.create({ displayName: "first", pipelineSpec: sampleSpec(), trigger });
      expect(f.store.recurringRuns.claimDue(50, fresh.id, undefined, 3_600_000)).toBe(true);
      expect(f.store.recurringRuns.claimDue(60, fresh.id, undefined, 3_600_000)).toBe(false);
      expect(f.store.recurringRuns.claimDue(50, "missing", undefined, 1)).toBe(false);
    });

    it("deleting a schedule keeps the runs it created", () => {
      const rr = f.store.recurringRuns.create({ displayName: "s", pipelineSpec: sampleSpec(), trigger });
      const run = f.store.runs.create({ displayName: "r", pipelineSpec: sampleSpec(), recurringRunId: rr.id });
      f.store.recurringRuns.delete(rr.id);
      expect(f.store.recurringRuns.get(rr.id)).toBeUndefined();
      expect(f.store.runs.get(run.id)?.recurringRunId).toBeUndefined();
      expect(storeErrorOf(f, () => f.store.recurringRuns.delete(rr.id)).code).toBe("NOT_FOUND");
    });
  });
}
