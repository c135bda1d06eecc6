import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../db.ts";
import { MIGRATIONS } from "../migrations/migration.ts";
import { openStore } from "../store.ts";
import { TABLES } from "./index.ts";

const home = mkdtempSync(join(tmpdir(), "weft-tables-"));
const db = openDatabase(home, MIGRATIONS);

afterAll(() => {
  db.close();
  rmSync(home, { recursive: true, force: true });
});

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
}

describe("table declarations", () => {
  for (const decl of TABLES) {
    it(`${decl.table}: the declaration has the migrated schema's columns, types and nullability`, () => {
      const live = db.prepare(`PRAGMA table_info(${decl.table})`).all() as unknown as ColumnInfo[];
      expect(live.length, `table ${decl.table} exists after all migrations`).toBeGreaterThan(0);
      const actual = Object.fromEntries(live.map((c) => [c.name, { sql: c.type, nullable: c.notnull === 0 }]));
      const declared = Object.fromEntries(
        Object.entries(decl.columns).map(([name, c]) => [
          name,
          // a primary key is NOT NULL by rule even where the DDL does not say so
          { sql: c.sql, nullable: c.nullable === true || (name === "id" && actual.id?.nullable === true) },
        ]),
      );
      expect(declared).toEqual(actual);
    });
  }

  it("every list field maps to a declared column of its table", () => {
    for (const decl of TABLES) {
      for (const [column, c] of Object.entries(decl.columns)) {
        if (c.list !== undefined)
          expect(c.field, `${decl.table}.${column} is listable, so it has a field`).toBeDefined();
      }
    }
  });
});

describe("rows written by the previous schema", () => {
  it("read through the declarations after the upgrade, every entity with its fields", () => {
    const old = mkdtempSync(join(tmpdir(), "weft-tables-prev-"));
    try {
      const spec = { pipelineInfo: { name: "p" }, schemaVersion: "2.1.0", root: {} };
      const io = JSON.stringify({ parameters: { n: 1 }, artifacts: {} });
      const prev = openDatabase(old, MIGRATIONS.slice(0, -1));
      prev.exec(`
        INSERT INTO experiments (id, name, display_name, created_at) VALUES ('e1', 'exp', 'Exp', 1);
        INSERT INTO pipelines (id, name, display_name, created_at, tags) VALUES ('p1', 'pipe', 'Pipe', 2, '{"team":"ml"}');
        INSERT INTO pipeline_specs (digest, spec) VALUES ('d1', '${JSON.stringify(spec)}');
        INSERT INTO pipeline_versions (id, pipeline_id, name, display_name, created_at, spec, spec_digest, code_source_url)
          VALUES ('v1', 'p1', 'v', 'V', 3, '', 'd1', 'https://example.com/src');
        INSERT INTO recurring_runs (id, display_name, experiment_id, pipeline_version_id, trigger, mode, status, created_at, updated_at, next_fire_at)
          VALUES ('rr1', 'nightly', 'e1', 'v1', '{"periodic":{"intervalSeconds":60}}', 'ENABLE', 'ENABLED', 4, 4, 100);
        INSERT INTO runs (id, experiment_id, display_name, pipeline_spec, parameters, state, state_history, created_at, scheduled_at, finished_at, error, enable_cache, recurring_run_id)
          VALUES ('r1', 'e1', 'run', '${JSON.stringify(spec)}', '{"n":1}', 'FAILED', '[{"state":"FAILED","at":5}]', 5, 5, 6, '{"code":"X","message":"boom"}', 0, 'rr1');
        INSERT INTO tasks (id, run_id, name, display_name, path, kind, state, inputs, outputs, created_at, updated_at, exit_code, iteration_index)
          VALUES ('t1', 'r1', 'a', 'A', 'root/a', 'container', 'FAILED', '${io}', '{"parameters":{}}', 5, 6, 2, 0);
        INSERT INTO artifacts (id, run_id, task_id, name, uri, schema_title, schema_version, metadata, created_at, size_bytes)
          VALUES ('a1', 'r1', 't1', 'out', 'file:///x', 'system.Dataset', '0.0.1', '{"rows":3}', 6, 10);
        INSERT INTO events (id, run_id, task_id, artifact_id, type, name, created_at) VALUES ('ev1', 'r1', 't1', 'a1', 'OUTPUT', 'out', 6);
        INSERT INTO metrics (run_id, task_id, artifact_id, name, value, created_at) VALUES ('r1', 't1', NULL, 'acc', 0.5, 6);
      `);
      prev.close();

      const store = openStore(old);
      try {
        expect(store.experiments.get("e1")).toMatchObject({
          name: "exp",
          displayName: "Exp",
          storageState: "AVAILABLE",
        });
        expect(store.pipelines.get("p1")).toEqual({
          id: "p1",
          name: "pipe",
          displayName: "Pipe",
          description: "",
          namespace: "",
          createdAt: 2,
          tags: { team: "ml" },
        });
        expect(store.pipelines.getVersion("v1")).toMatchObject({
          spec,
          codeSourceUrl: "https://example.com/src",
          tags: {},
        });
        expect(store.recurringRuns.get("rr1")).toMatchObject({
          trigger: { periodic: { intervalSeconds: 60 } },
          noCatchup: false,
          maxConcurrency: 1,
          nextFireAt: 100,
        });
        const run = store.runs.get("r1");
        expect(run).toMatchObject({
          pipelineSpec: spec,
          parameters: { n: 1 },
          state: "FAILED",
          finishedAt: 6,
          error: { code: "X", message: "boom" },
          enableCache: false,
          cancelRequested: false,
          recurringRunId: "rr1",
        });
        expect(run).not.toHaveProperty("ownerInstance");
        expect(run).not.toHaveProperty("startedAt");
        expect(store.tasks.get("t1")).toMatchObject({
          exitCode: 2,
          iterationIndex: 0,
          inputs: { parameters: { n: 1 } },
        });
        expect(store.artifacts.get("a1")).toMatchObject({ metadata: { rows: 3 }, sizeBytes: 10 });
        expect(store.events.listByRun("r1")).toEqual([
          { id: "ev1", runId: "r1", taskId: "t1", artifactId: "a1", type: "OUTPUT", name: "out", createdAt: 6 },
        ]);
        expect(store.metrics.listByRun("r1")).toEqual([
          { runId: "r1", taskId: "t1", name: "acc", value: 0.5, createdAt: 6 },
        ]);
      } finally {
        store.close();
      }
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
  });
});
