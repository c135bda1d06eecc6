import { describe, expect, it } from "vitest";
import { nextCronTime, parseCron } from "./cron.ts";
import { ScheduleError } from "./errors.ts";
import { formatGoTime, substituteParameterMacros } from "./macros.ts";
import { buildTrigger, compileTrigger, latestDueFireTime, nextFireTime, parseDuration } from "./trigger.ts";

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

describe("parseCron", () => {
  it("tells the 6-field KFP form from the 5-field crontab form by field count", () => {
    expect(parseCron("0 0 * * * *").format).toBe("6-field");
    expect(parseCron("0 * * * *").format).toBe("5-field");
  });

  it("rejects other field counts and shows both forms", () => {
    expect(() => parseCron("* * * *")).toThrow(/has 4 fields.*6-field form.*5-field crontab form/);
    expect(() => parseCron("")).toThrow(ScheduleError);
  });

  it("rejects the other form when one is expected instead of guessing", () => {
    expect(() => parseCron("0 * * * *", { expected: "6-field" })).toThrow(
      /5-field form but the 6-field form was requested/,
    );
  });

  it("names the field and the range of a bad value", () => {
    expect(() => parseCron("0 61 * * * *", { field: "trigger.cron_schedule.cron" })).toThrow(
      /^trigger\.cron_schedule\.cron: 61 in the minute field .* use 0-59/,
    );
    expect(() => parseCron("0 0 * * * FOO")).toThrow(/"FOO" in the day of week field/);
    expect(() => parseCron("0 0 * * */0 *")).toThrow(/step "\/0"/);
    expect(() => parseCron("0 0 5-2 * * *")).toThrow(/runs backwards/);
  });
});

describe("nextCronTime", () => {
  it("computes hourly fires in both forms alike", () => {
    const six = parseCron("0 0 * * * *");
    const five = parseCron("0 * * * *");
    const from = at("2026-03-01T10:15:30Z");
    expect(iso(nextCronTime(six, from))).toBe("2026-03-01T11:00:00.000Z");
    expect(iso(nextCronTime(five, from))).toBe("2026-03-01T11:00:00.000Z");
  });

  it("is strictly after the given time", () => {
    const c = parseCron("*/15 * * * * *");
    expect(iso(nextCronTime(c, at("2026-01-01T00:00:15Z")))).toBe("2026-01-01T00:00:30.000Z");
  });

  it("handles steps, lists, names and the day-of-month/day-of-week OR rule", () => {
    const weekdays = parseCron("0 30 9 * * MON-FRI");
    // 2026-01-03 is a Saturday
    expect(iso(nextCronTime(weekdays, at("2026-01-03T00:00:00Z")))).toBe("2026-01-05T09:30:00.000Z");
    const either = parseCron("0 0 1 * 0"); // 1st of month OR Sunday, 5-field
    expect(iso(nextCronTime(either, at("2026-01-02T00:00:00Z")))).toBe("2026-01-04T00:00:00.000Z");
    const months = parseCron("0 0 0 1 JAN,JUL *");
    expect(iso(nextCronTime(months, at("2026-02-01T00:00:00Z")))).toBe("2026-07-01T00:00:00.000Z");
    const sunday7 = parseCron("0 12 * * 7");
    expect(iso(nextCronTime(sunday7, at("2026-01-01T00:00:00Z")))).toBe("2026-01-04T12:00:00.000Z");
  });

  it("expands shortcuts and finds leap days; never-firing expressions give undefined", () => {
    expect(iso(nextCronTime(parseCron("@daily"), at("2026-05-05T05:05:05Z")))).toBe("2026-05-06T00:00:00.000Z");
    expect(iso(nextCronTime(parseCron("0 0 0 29 2 *"), at("2026-01-01T00:00:00Z")))).toBe("2028-02-29T00:00:00.000Z");
    expect(nextCronTime(parseCron("0 0 0 30 2 *"), at("2026-01-01T00:00:00Z"))).toBeUndefined();
  });
});

describe("triggers", () => {
  it("parses Go-style durations", () => {
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("90s")).toBe(90_000);
    // one grammar with the engine and the SDK: days and bare seconds too
    expect(["2d", "45"].map((t) => parseDuration(t))).toEqual([172_800_000, 45_000]);
    expect(() => parseDuration("1 hour", "x")).toThrow(/^x: "1 hour" is not a duration/);
  });

  it("validates exactly one schedule and the time range", () => {
    expect(() => buildTrigger({})).toThrow(/exactly one of cron_schedule.cron and periodic_schedule.interval_second/);
    expect(() => buildTrigger({ intervalSeconds: 0 })).toThrow(/not a positive whole number/);
    expect(() => buildTrigger({ cron: "@every 10ms" })).toThrow(/shorter than one second/);
    expect(() => buildTrigger({ intervalSeconds: 60, startTime: 10, endTime: 5 })).toThrow(/end_time must be later/);
    expect(buildTrigger({ cron: "0 * * * *" }).cron).toEqual({ expression: "0 * * * *", format: "5-field" });
  });

  it("fires periodic triggers at anchor + k * interval and stops at the end time", () => {
    const created = at("2026-01-01T00:00:00Z");
    const t = compileTrigger(buildTrigger({ intervalSeconds: 3600, endTime: at("2026-01-01T03:00:00Z") }));
    expect(iso(nextFireTime(t, created, created))).toBe("2026-01-01T01:00:00.000Z");
    expect(iso(nextFireTime(t, at("2026-01-01T01:00:00Z"), created))).toBe("2026-01-01T02:00:00.000Z");
    expect(nextFireTime(t, at("2026-01-01T03:00:00Z"), created)).toBeUndefined();
  });

  it("treats @every like a periodic trigger and respects cron start times", () => {
    const created = at("2026-01-01T00:00:00Z");
    const every = compileTrigger(buildTrigger({ cron: "@every 1h" }));
    expect(iso(nextFireTime(every, created, created))).toBe("2026-01-01T01:00:00.000Z");
    const cron = compileTrigger(buildTrigger({ cron: "0 0 * * * *", startTime: at("2026-01-02T05:00:00Z") }));
    expect(iso(nextFireTime(cron, created, created))).toBe("2026-01-02T05:00:00.000Z");
  });

  it("finds the latest missed fire for no_catchup", () => {
    const created = at("2026-01-01T00:00:00Z");
    const hourly = compileTrigger(buildTrigger({ cron: "0 0 * * * *" }));
    const due = at("2026-01-01T01:00:00Z");
    expect(iso(latestDueFireTime(hourly, due, at("2026-01-03T07:30:00Z"), created))).toBe("2026-01-03T07:00:00.000Z");
    const perSecond = compileTrigger(buildTrigger({ cron: "* * * * * *" }));
    expect(iso(latestDueFireTime(perSecond, due, at("2026-01-03T07:30:00Z"), created))).toBe(
      "2026-01-03T07:30:00.000Z",
    );
    const periodic = compileTrigger(buildTrigger({ intervalSeconds: 600 }));
    expect(iso(latestDueFireTime(periodic, at("2026-01-01T00:10:00Z"), at("2026-01-01T01:05:00Z"), created))).toBe(
      "2026-01-01T01:00:00.000Z",
    );
  });
});

describe("macros", () => {
  it("substitutes KFP's macros in nested parameter values", () => {
    const ctx = {
      scheduledAt: at("2026-04-05T06:07:08Z"),
      currentAt: at("2026-04-05T06:07:09Z"),
      index: 3,
      runId: "r-1",
    };
    const out = substituteParameterMacros(
      {
        a: "[[ScheduledTime]]",
        b: ["run [[Index]] of [[RunUUID]]", 7],
        c: { day: "[[CurrentTime.2006-01-02 15:04:05]]" },
        d: "[[Unknown]] stays",
      },
      ctx,
    );
    expect(out).toEqual({
      a: "20260405060708",
      b: ["run 3 of r-1", 7],
      c: { day: "2026-04-05 06:07:09" },
      d: "[[Unknown]] stays",
    });
    expect(formatGoTime(at("2026-12-25T15:04:05Z"), "Mon Jan 02 03:04PM")).toBe("Fri Dec 25 03:04PM");
  });
});
