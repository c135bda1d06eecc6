import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sharedPath } from "../../test/shared-dir.ts";
import { parsePipelineYaml } from "../ir/index.ts";
import { openStore, type Store } from "../store/index.ts";
import { buildTrigger, type FiredRun, firstFireTime, Scheduler } from "./index.ts";

const ADD_NUMBERS = sharedPath("kfp-conformance/valid/critical/add_numbers.yaml");
const spec = () => parsePipelineYaml(readFileSync(ADD_NUMBERS.path, "utf8")).pipelineSpec;
const T0 = Date.parse("2026-01-01T00:00:00Z");

let home: string;
let store: Store;
let now: number;
const clock = () => now;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "weft-schedule-"));
  store = openStore(home);
  now = T0;
});
afterEach(() => {
  store.close();
  rmSync(home, { recursive: true, force: true });
});

function createSchedule(opts: {
  interval?: number;
  cron?: string;
  maxConcurrency?: number;
  noCatchup?: boolean;
  start?: number;
}) {
  const trigger = buildTrigger({
    ...(opts.cron ? { cron: opts.cron } : { intervalSeconds: opts.interval ?? 60 }),
    ...(opts.start !== undefined ? { startTime: opts.start } : {}),
  });
  const next = firstFireTime(trigger, now);
  return store.recurringRuns.create({
    displayName: "nightly",
    pipelineSpec: spec(),
    parameters: { a: 1, b: 2, note: "run [[Index]] at [[ScheduledTime]] id [[RunUUID]]" },
    trigger,
    maxConcurrency: opts.maxConcurrency ?? 10,
    noCatchup: opts.noCatchup ?? false,
    mode: "ENABLE",
    ...(next !== undefined ? { nextFireAt: next } : {}),
    createdAt: now,
  });
}

const finishAll = (s: Store) => {
  for (const r of s.runs.list({ pageSize: 1000 }).items) {
    if (r.state === "PENDING") s.runs.updateState(r.id, "SUCCEEDED");
  }
};

describe.skipIf(!ADD_NUMBERS.present)("Scheduler", () => {
  it("fires when due, substitutes macros, and records the run PENDING", () => {
    const rr = createSchedule({ interval: 60 });
    const fired: string[] = [];
    const s = new Scheduler({ store, clock, onFired: (id) => fired.push(id) });
    now = T0 + 59_000;
    expect(s.tick()).toEqual([]);
    now = T0 + 60_000;
    const [f] = s.tick();
    expect(f).toMatchObject({ recurringRunId: rr.id, scheduledAt: T0 + 60_000, index: 1 });
    expect(fired).toEqual([f?.runId]);
    const run = store.runs.get(f?.runId ?? "");
    expect(run).toMatchObject({ state: "PENDING", recurringRunId: rr.id, scheduledAt: T0 + 60_000 });
    expect(run?.parameters.note).toBe(`run 1 at 20260101000100 id ${f?.runId}`);
    expect(store.recurringRuns.get(rr.id)?.nextFireAt).toBe(T0 + 120_000);
  });

  it("never fires twice across a restart and never loses a due fire", () => {
    const rr = createSchedule({ interval: 60 });
    now = T0 + 60_000;
    expect(new Scheduler({ store, clock }).tick()).toHaveLength(1);
    // restart: a new process opens the same home at the same instant
    store.close();
    store = openStore(home);
    expect(new Scheduler({ store, clock }).tick()).toEqual([]);
    // down for a while: the missed fires are caught up after the restart
    store.close();
    store = openStore(home);
    now = T0 + 185_000;
    const caught = new Scheduler({ store, clock }).tick();
    expect(caught.map((f) => f.scheduledAt)).toEqual([T0 + 120_000, T0 + 180_000]);
    expect(caught.map((f) => f.index)).toEqual([2, 3]);
    expect(store.runs.list({ filter: [{ field: "recurringRunId", op: "EQUALS", value: rr.id }] }).totalSize).toBe(3);
  });

  it("gives each fire to exactly one of two schedulers sharing the store", () => {
    createSchedule({ interval: 10 });
    const other = openStore(home);
    try {
      const a = new Scheduler({ store, clock });
      const b = new Scheduler({ store: other, clock });
      const all: FiredRun[] = [];
      for (let step = 1; step <= 20; step++) {
        now = T0 + step * 5_000;
        all.push(...(step % 2 ? a.tick() : b.tick()), ...(step % 2 ? b.tick() : a.tick()));
      }
      const times = all.map((f) => f.scheduledAt);
      expect(new Set(times).size).toBe(times.length);
      expect(times.length).toBe(10);
    } finally {
      other.close();
    }
  });

  it("only starts the latest missed fire with no_catchup", () => {
    createSchedule({ cron: "0 0 * * * *", noCatchup: true });
    now = T0 + 5.5 * 3600_000;
    const fired = new Scheduler({ store, clock }).tick();
    expect(fired.map((f) => new Date(f.scheduledAt).toISOString())).toEqual(["2026-01-01T05:00:00.000Z"]);
  });

  it("holds fires while max_concurrency runs are active, then catches up", () => {
    createSchedule({ interval: 60, maxConcurrency: 1 });
    const s = new Scheduler({ store, clock });
    now = T0 + 180_000;
    expect(s.tick()).toHaveLength(1);
    expect(s.tick()).toHaveLength(0);
    finishAll(store);
    expect(s.tick().map((f) => f.scheduledAt)).toEqual([T0 + 120_000]);
  });

  it("does not fire disabled schedules and stops at the end time", () => {
    const rr = createSchedule({ interval: 60 });
    store.recurringRuns.update(rr.id, { mode: "DISABLE", status: "DISABLED" });
    now = T0 + 600_000;
    expect(new Scheduler({ store, clock }).tick()).toEqual([]);
    const bounded = store.recurringRuns.create({
      displayName: "bounded",
      pipelineSpec: spec(),
      parameters: { a: 1, b: 2 },
      trigger: buildTrigger({ intervalSeconds: 60, endTime: T0 + 150_000 }),
      maxConcurrency: 10,
      mode: "ENABLE",
      nextFireAt: T0 + 60_000,
      createdAt: T0,
    });
    const fired = new Scheduler({ store, clock }).tick();
    expect(fired.map((f) => f.scheduledAt)).toEqual([T0 + 60_000, T0 + 120_000]);
    expect(store.recurringRuns.get(bounded.id)?.nextFireAt).toBeUndefined();
  });
});
