import { describe, expect, it } from "vitest";
import { parseCron } from "../../../src/schedule/cron.ts";
import { cronError, nextCronTimes, nextFireTimes, triggerFieldOf, triggerProblem } from "./fire-times.ts";

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number[]): string[] => ms.map((m) => new Date(m).toISOString());

describe("next fire times", () => {
  it("evaluates 6-field KFP cron with seconds, in UTC", () => {
    expect(iso(nextCronTimes("0 */15 * * * *", at("2026-01-01T10:07:00Z"), 3))).toEqual([
      "2026-01-01T10:15:00.000Z",
      "2026-01-01T10:30:00.000Z",
      "2026-01-01T10:45:00.000Z",
    ]);
  });

  it("evaluates 5-field crontab with ranges, lists and weekdays", () => {
    // 09:30 on weekdays; 2026-01-02 is a Friday
    expect(iso(nextCronTimes("30 9 * * 1-5", at("2026-01-02T10:00:00Z"), 2))).toEqual([
      "2026-01-05T09:30:00.000Z",
      "2026-01-06T09:30:00.000Z",
    ]);
    expect(iso(nextCronTimes("0 0 1,15 * *", at("2026-02-10T00:00:00Z"), 2))).toEqual([
      "2026-02-15T00:00:00.000Z",
      "2026-03-01T00:00:00.000Z",
    ]);
    expect(iso(nextCronTimes("@daily", at("2026-03-01T12:00:00Z"), 1))).toEqual(["2026-03-02T00:00:00.000Z"]);
  });

  it("accepts what the server accepts: names, shortcuts and @every", () => {
    // 2026-01-02 is a Friday
    expect(iso(nextCronTimes("0 30 9 * * MON-FRI", at("2026-01-02T10:00:00Z"), 1))).toEqual([
      "2026-01-05T09:30:00.000Z",
    ]);
    expect(iso(nextCronTimes("0 0 1 JAN *", at("2026-03-01T00:00:00Z"), 1))).toEqual(["2027-01-01T00:00:00.000Z"]);
    expect(iso(nextCronTimes("@every 90m", at("2026-01-01T00:00:00Z"), 2))).toEqual([
      "2026-01-01T01:30:00.000Z",
      "2026-01-01T03:00:00.000Z",
    ]);
    for (const expr of ["0 30 9 * * MON-FRI", "@every 1h", "@every 2d", "@Daily", "0 0 * * SUN"]) {
      expect(cronError(expr), expr).toBeUndefined();
    }
  });

  it("gives the server's error text for what the server rejects", () => {
    expect(cronError("* * *")).toMatch(/^recurring_run\.trigger\.cron_schedule\.cron: cron "\* \* \*" has 3 fields\./);
    expect(cronError("0 61 * * * *")).toBe(
      'recurring_run.trigger.cron_schedule.cron: 61 in the minute field of cron "0 61 * * * *" is out of range; use 0-59.',
    );
    expect(cronError("@every 10ms")).toMatch(/shorter than one second/);
    expect(cronError("")).toMatch(/set exactly one of cron_schedule\.cron/);
    // the very text the server's parser throws
    expect(() => parseCron("0 0 * * * FUNDAY", { field: "recurring_run.trigger.cron_schedule.cron" })).toThrow(
      cronError("0 0 * * * FUNDAY"),
    );
  });

  it("steps periodic triggers from their start, and shows none when disabled or past the end", () => {
    const base = {
      recurring_run_id: "r",
      created_at: "2026-01-01T00:00:00Z",
      trigger: { periodic_schedule: { interval_second: "3600" } },
    };
    expect(iso(nextFireTimes(base, at("2026-01-01T05:10:00Z"), 2))).toEqual([
      "2026-01-01T06:00:00.000Z",
      "2026-01-01T07:00:00.000Z",
    ]);
    expect(nextFireTimes({ ...base, mode: "DISABLE" }, at("2026-01-01T05:10:00Z"))).toEqual([]);
    const ended = {
      ...base,
      trigger: { periodic_schedule: { interval_second: "3600", end_time: "2026-01-01T06:30:00Z" } },
    };
    expect(iso(nextFireTimes(ended, at("2026-01-01T05:10:00Z"), 3))).toEqual(["2026-01-01T06:00:00.000Z"]);
  });
});

describe("trigger problems by form field", () => {
  it("accepts what the server accepts, and puts a time range error on start/end, a cron error on cron", () => {
    expect(triggerProblem({ cron: "0 30 9 * * MON-FRI" })).toBeUndefined();
    expect(triggerProblem({ cron: "@every 5m", startTime: at("2026-01-01T00:00:00Z") })).toBeUndefined();
    expect(triggerProblem({ cron: "0 0 * * * FUNDAY" })).toMatchObject({
      field: "cron",
      message: expect.stringMatching(/^recurring_run\.trigger\.cron_schedule\.cron: /),
    });
    expect(
      triggerProblem({ cron: "@daily", startTime: at("2026-02-01T00:00:00Z"), endTime: at("2026-01-01T00:00:00Z") }),
    ).toEqual({ field: "window", message: "recurring_run.trigger: end_time must be later than start_time." });
  });

  it("maps the server's reason codes to the same fields", () => {
    expect(triggerFieldOf("SCHEDULE_BAD_TIME_RANGE", "cron")).toBe("window");
    expect(triggerFieldOf("SCHEDULE_BAD_CRON", "cron")).toBe("cron");
    expect(triggerFieldOf("SCHEDULE_BAD_INTERVAL", "periodic")).toBe("interval");
    expect(triggerFieldOf("API_INVALID_ARGUMENT", "cron")).toBeUndefined();
  });
});
