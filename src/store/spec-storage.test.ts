import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PipelineSpec } from "../ir/index.ts";
import { DATABASE_FILE, openDatabase, schemaVersion } from "./db.ts";
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from "./migrations/migration.ts";
import { openStore } from "./store.ts";

const freshHome = () => mkdtempSync(join(tmpdir(), "weft-specs-"));
const MB = 1024 * 1024;

function bigSpec(name: string, bytes: number): PipelineSpec {
  return {
    pipelineInfo: { name, description: "s".repeat(bytes) },
    root: { dag: { tasks: {} } },
    schemaVersion: "2.1.0",
  } as unknown as PipelineSpec;
}

/** Bytes of spec text in every column that can hold one. */
function specBytes(db: { prepare(sql: string): { get(): unknown } }): number {
  const sum = (sql: string) => (db.prepare(sql).get() as { n: number | null }).n ?? 0;
  return (
    sum("SELECT sum(length(spec)) AS n FROM pipeline_specs") +
    sum("SELECT sum(length(spec)) AS n FROM pipeline_versions") +
    sum("SELECT sum(length(pipeline_spec)) AS n FROM runs")
  );
}

describe("pipeline specs stored once", () => {
  it("keeps one copy of a large spec for its version, the version's runs and runs of the same inline spec", () => {
    const home = freshHome();
    const store = openStore(home);
    const spec = bigSpec("big", 8 * MB);
    const pipeline = store.pipelines.create({ name: "p" });
    const version = store.pipelines.createVersion({ pipelineId: pipeline.id, name: "v1", spec });
    const runs = [
      ...[1, 2, 3].map((i) =>
        store.runs.create({ displayName: `r${i}`, pipelineVersionId: version.id, pipelineSpec: version.spec }),
      ),
      ...[4, 5].map((i) => store.runs.create({ displayName: `inline${i}`, pipelineSpec: spec })),
    ];
    expect(specBytes(store.db)).toBeLessThan(9 * MB);
    for (const r of runs) expect(store.runs.get(r.id)?.pipelineSpec).toEqual(spec);
    expect(store.pipelines.getVersion(version.id)?.spec).toEqual(spec);
    expect(store.runs.list().items.map((r) => r.pipelineSpec.pipelineInfo.name)).toEqual(Array(5).fill("big"));
    store.close();
    // Five runs and a version of an 8 MB spec: one copy on disk, the WAL checkpointed away.
    expect(statSync(join(home, DATABASE_FILE)).size).toBeLessThan(10 * MB);

    const again = openStore(home);
    try {
      // Deleting the version keeps the spec for its runs; deleting the last reference drops it.
      again.pipelines.deleteVersion(version.id);
      expect(again.runs.get(runs[0]?.id ?? "")?.pipelineSpec).toEqual(spec);
      for (const r of runs) again.runs.delete(r.id);
      expect((again.db.prepare("SELECT count(*) AS n FROM pipeline_specs").get() as { n: number }).n).toBe(0);
    } finally {
      again.close();
    }
  });

  it("upgrades a store written by schema 2: a version's runs refer to its spec, other runs keep theirs", () => {
    const home = freshHome();
    const old = openDatabase(home, MIGRATIONS.slice(0, 2));
    const spec = JSON.stringify(bigSpec("old", 2 * MB));
    const other = JSON.stringify(bigSpec("other", 1000));
    old.exec(`
      INSERT INTO pipelines (id, name, display_name, created_at) VALUES ('p1', 'p', 'p', 1);
      INSERT INTO experiments (id, name, display_name, created_at) VALUES ('e1', 'Default', 'Default', 1);
    `);
    old
      .prepare(
        "INSERT INTO pipeline_versions (id, pipeline_id, name, display_name, created_at, spec) VALUES ('v1', 'p1', 'v1', 'v1', 1, ?)",
      )
      .run(spec);
    const insertRun = old.prepare(
      "INSERT INTO runs (id, experiment_id, display_name, pipeline_version_id, pipeline_spec, state, created_at, scheduled_at) VALUES (?, 'e1', ?, ?, ?, 'SUCCEEDED', 1, 1)",
    );
    insertRun.run("r1", "of version", "v1", spec);
    insertRun.run("r2", "of version too", "v1", spec);
    insertRun.run("r3", "inline", null, other);
    const before = old.prepare(
      "SELECT (SELECT sum(length(spec)) FROM pipeline_versions) + (SELECT sum(length(pipeline_spec)) FROM runs) AS n",
    );
    expect((before.get() as { n: number }).n).toBe(3 * spec.length + other.length);
    old.close();

    const store = openStore(home);
    try {
      expect(schemaVersion(store.db)).toBe(LATEST_SCHEMA_VERSION);
      expect(specBytes(store.db)).toBe(spec.length + other.length);
      expect(store.pipelines.getVersion("v1")?.spec).toEqual(JSON.parse(spec));
      expect(store.runs.get("r1")?.pipelineSpec).toEqual(JSON.parse(spec));
      expect(store.runs.get("r3")?.pipelineSpec).toEqual(JSON.parse(other));
      expect(store.runs.get("r2")?.displayName).toBe("of version too");
      // A run written now refers to the same content by digest.
      const r4 = store.runs.create({ displayName: "new", pipelineVersionId: "v1", pipelineSpec: JSON.parse(spec) });
      expect(store.runs.get(r4.id)?.pipelineSpec).toEqual(JSON.parse(spec));
      store.pipelines.deleteVersion("v1");
      expect(store.runs.get("r1")?.pipelineSpec).toEqual(JSON.parse(spec));
    } finally {
      store.close();
    }
  });
});

describe("run summaries", () => {
  it("lists runs without reading their specs: a run whose spec text is unreadable still lists", () => {
    const store = openStore(freshHome());
    try {
      const kept = store.runs.create({
        displayName: "kept",
        pipelineSpec: bigSpec("kept", 1024),
        parameters: { n: 1 },
      });
      const legacy = store.runs.create({ displayName: "legacy", pipelineSpec: bigSpec("legacy", 1024) });
      // a row that holds its own copy (written before schema 3), here not even JSON
      store.db.prepare("UPDATE runs SET pipeline_spec = 'not json', spec_digest = NULL WHERE id = ?").run(legacy.id);
      expect(() => store.runs.list()).toThrow(/pipeline_spec/);
      const page = store.runs.listSummaries({ sort: { field: "createdAt", desc: false } });
      expect(page.totalSize).toBe(2);
      expect(page.items.map((r) => r.displayName).sort()).toEqual(["kept", "legacy"]);
      const summary = page.items.find((r) => r.id === kept.id);
      expect(summary).not.toHaveProperty("pipelineSpec");
      const { pipelineSpec: _spec, platformSpec: _platform, ...rest } = store.runs.get(kept.id) ?? kept;
      expect(summary).toEqual(rest);
    } finally {
      store.close();
    }
  });
});
