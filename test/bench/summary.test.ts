/**
 * The bench runner's verdicts on canned output: which goals are met, not met, skipped or
 * missing, and when the runner exits non-zero. No benchmark runs and nothing is timed.
 */
import { describe, expect, it } from "vitest";
import { GoalError, judge, parseGoal } from "../../bench/report.ts";
import { exitCode, formatSummary, parseResults, summarize } from "../../bench/summary.ts";

const line = (o: unknown) => JSON.stringify(o);

const engineOut = [
  "scenario  measured  baseline",
  "--------  --------  --------",
  line({
    bench: "engine.node-chain",
    value: 61.2,
    unit: "ms",
    baseline: 52.4,
    ratio: 1.17,
    goal: "<= 1.25x",
    met: true,
  }),
  line({
    bench: "engine.parallel-for",
    value: 412,
    unit: "MB",
    baseline: 90,
    ratio: 4.58,
    goal: "< 300 MB",
    met: false,
    failed: ["1000 tasks succeeded"],
  }),
  line({ bench: "engine", totalSeconds: 81.3 }),
  "{ not json",
].join("\n");

describe("parseResults", () => {
  it("reads met and not met goal lines and ignores tables, details lines and broken JSON", () => {
    const rows = parseResults("bench/engine/engine.bench.ts", engineOut);
    expect(rows.map((r) => [r.bench, r.status])).toEqual([
      ["engine.node-chain", "met"],
      ["engine.parallel-for", "not met"],
    ]);
    expect(rows[0]).toMatchObject({ value: 61.2, unit: "ms", baseline: 52.4, ratio: 1.17, goal: "<= 1.25x" });
    expect(rows[1]?.note).toBe("failed: 1000 tasks succeeded");
  });

  it("reads a skip line as skipped with its reason", () => {
    const rows = parseResults("bench/ui/ui.bench.ts", line({ bench: "ui", skipped: "no /usr/bin/chromium" }));
    expect(rows).toEqual([
      { file: "bench/ui/ui.bench.ts", bench: "ui", status: "skipped", note: "no /usr/bin/chromium" },
    ]);
  });

  it("marks a result line whose met is not a boolean, or that has no goal, as invalid", () => {
    const rows = parseResults(
      "b",
      [line({ bench: "a", value: 1, goal: "<= 2", met: "yes" }), line({ bench: "c", value: 1, met: true })].join("\n"),
    );
    expect(rows.map((r) => r.status)).toEqual(["invalid", "invalid"]);
    expect(rows[0]?.note).toContain('"yes"');
  });
});

describe("summarize and exitCode", () => {
  const processes = [
    { file: "bench/engine/engine.bench.ts", code: 0, seconds: 80, stdout: engineOut },
    { file: "bench/ui/ui.bench.ts", code: 0, seconds: 1, stdout: line({ bench: "ui", skipped: "no chromium" }) },
    { file: "bench/store/list-runs.bench.ts", code: 0, seconds: 9, stdout: '| query | p50 |\n{"bench":"store"}' },
  ];

  it("lists the goals not met and the benches that state no goal; skips are not misses", () => {
    const s = summarize(processes);
    expect(s.unmet.map((r) => r.bench)).toEqual(["engine.parallel-for", "bench/store/list-runs.bench.ts"]);
    expect(s.failed).toEqual([]);
    const text = formatSummary(s);
    expect(text).toContain("1 of 2 goals met");
    expect(text).toContain("not met: engine.parallel-for (< 300 MB), bench/store/list-runs.bench.ts");
    expect(text).toContain("skipped: ui");
  });

  it("exits 0 with unmet goals unless strict, and 1 when a process failed either way", () => {
    const s = summarize(processes);
    expect(exitCode(s, false)).toBe(0);
    expect(exitCode(s, true)).toBe(1);
    const allMet = summarize(
      [processes[0] as (typeof processes)[0]].map((p) => ({ ...p, stdout: engineOut.split("\n")[2] ?? "" })),
    );
    expect(allMet.unmet).toEqual([]);
    expect(exitCode(allMet, true)).toBe(0);
    const crashed = summarize([{ file: "bench/x.bench.ts", code: 2, seconds: 1, stdout: "" }]);
    expect(crashed.failed.map((r) => r.note)).toEqual(["exited 2"]);
    expect(exitCode(crashed, false)).toBe(1);
    expect(formatSummary(crashed)).toContain("failed: bench/x.bench.ts (exited 2)");
  });
});

describe("judge", () => {
  it("compares a ratio goal with value / baseline", () => {
    expect(judge({ name: "a", value: 60, unit: "ms", baseline: 50, goal: "<= 1.25x" })).toMatchObject({
      ratio: 1.2,
      met: true,
    });
    expect(judge({ name: "a", value: 65, unit: "ms", baseline: 50, goal: "<= 1.25x" }).met).toBe(false);
  });

  it("compares a percent goal with the ratio x 100 and a unit goal with the value", () => {
    expect(judge({ name: "c", value: 30, unit: "ms", baseline: 2000, goal: "<= 2 %" }).met).toBe(true);
    expect(judge({ name: "c", value: 50, unit: "ms", baseline: 2000, goal: "<= 2 %" }).met).toBe(false);
    expect(judge({ name: "m", value: 299, unit: "MB", goal: "< 300 MB" }).met).toBe(true);
    expect(judge({ name: "m", value: 300, unit: "MB", goal: "< 300 MB" }).met).toBe(false);
  });

  it("fails the goal when a required condition does not hold, naming it", () => {
    const r = judge({
      name: "l",
      value: 120,
      unit: "MB",
      goal: "< 300 MB",
      require: { "1000 tasks succeeded": false },
    });
    expect(r).toMatchObject({ met: false, failed: ["1000 tasks succeeded"] });
    expect(judge({ name: "l", goal: "completes", require: { completes: true } }).met).toBe(true);
  });

  it("never meets a goal on a value that is not a number", () => {
    expect(judge({ name: "n", value: Number.NaN, unit: "ms", goal: "<= 20 ms" }).met).toBe(false);
  });

  it("refuses goals written wrongly", () => {
    expect(() => parseGoal("fast")).toThrow(GoalError);
    expect(() => judge({ name: "u", value: 1, unit: "s", goal: "<= 20 ms" })).toThrow(/in ms but the value is in s/);
    expect(() => judge({ name: "b", value: 1, unit: "ms", goal: "<= 1.25x" })).toThrow(/no baseline/);
    expect(parseGoal(">= 100 tasks/s")).toEqual({ op: ">=", target: 100, subject: "value", unit: "tasks/s" });
  });
});

describe("judge on a broken baseline", () => {
  it("does not meet a ratio goal when the baseline measured zero or NaN", () => {
    expect(judge({ name: "z", value: 1, unit: "ms", baseline: 0, goal: "<= 1.25x" }).met).toBe(false);
    expect(judge({ name: "z", value: 1, unit: "ms", baseline: Number.NaN, goal: "<= 2 %" }).met).toBe(false);
  });

  it("prints keys in reading order: what, against what, goal, verdict", () => {
    const r = judge({ name: "k", value: 2, unit: "ms", baseline: 1, goal: "<= 3x" });
    expect(Object.keys(r)).toEqual(["bench", "value", "unit", "baseline", "ratio", "goal", "met"]);
  });
});
