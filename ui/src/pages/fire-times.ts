/**
 * Next fire times of a recurring run's trigger, shown before the server has fired it, and
 * the check of a cron expression before it is sent. Cron triggers (5 or 6 fields, `MON-FRI`
 * style names, shortcuts such as `@daily`, `@every 1h`) go through the server's own parser
 * and fire-time code in `src/schedule/`, so the UI accepts exactly what the server accepts,
 * shows the server's error text, and computes the same times (UTC).
 */
import { ScheduleError } from "../../../src/schedule/errors.ts";
import { buildTrigger, compileTrigger, nextFireTime, type TriggerInput } from "../../../src/schedule/trigger.ts";
import type { RecurringRun } from "../api/index.ts";

/** The field the server names in its errors about a new recurring run's trigger. */
const TRIGGER_FIELD = "recurring_run.trigger";

/**
 * The error the server gives for a cron expression (same parser, same text), or
 * `undefined` when the server accepts it.
 */
export function cronError(expr: string): string | undefined {
  try {
    buildTrigger({ cron: expr }, TRIGGER_FIELD);
    return undefined;
  } catch (err) {
    if (err instanceof ScheduleError) return err.message;
    throw err;
  }
}

/** Which field of the create form a trigger problem belongs to. */
export type TriggerField = "cron" | "interval" | "window";

/** The form field a server or parser error code is about (`SCHEDULE_BAD_TIME_RANGE`: start/end). */
export function triggerFieldOf(code: string | undefined, kind: "cron" | "periodic"): TriggerField | undefined {
  if (!code?.startsWith("SCHEDULE_")) return undefined;
  if (code === "SCHEDULE_BAD_TIME_RANGE") return "window";
  return kind === "cron" ? "cron" : "interval";
}

/**
 * The error the server would give for a whole trigger (expression or interval, start and
 * end), with the form field it belongs to, or `undefined` when the server accepts it.
 */
export function triggerProblem(input: TriggerInput): { field: TriggerField; message: string } | undefined {
  try {
    buildTrigger(input, TRIGGER_FIELD);
    return undefined;
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    const field = triggerFieldOf(err.code, input.cron !== undefined ? "cron" : "periodic") ?? "cron";
    return { field, message: err.message };
  }
}

/** The next `n` fire times (epoch ms) strictly after `after`, as the server's scheduler computes them. */
function fireTimes(input: TriggerInput, after: number, n: number, createdAt: number): number[] {
  const trigger = compileTrigger(buildTrigger(input, TRIGGER_FIELD));
  const out: number[] = [];
  for (let t = nextFireTime(trigger, after, createdAt); t !== undefined && out.length < n; ) {
    out.push(t);
    t = nextFireTime(trigger, t, createdAt);
  }
  return out;
}

/**
 * The next `n` fire times (epoch ms) strictly after `after` of a cron expression.
 * @throws ScheduleError when the server would reject the expression
 */
export function nextCronTimes(expr: string, after: number, n: number): number[] {
  return fireTimes({ cron: expr }, after, n, after);
}

/** The next `n` fire times of a recurring run (none when disabled, past its end or invalid). */
export function nextFireTimes(rr: RecurringRun, now: number, n = 3): number[] {
  if (rr.mode === "DISABLE" || rr.status === "DISABLED") return [];
  if (rr.next_fire_times) return rr.next_fire_times.map((t) => Date.parse(t)).slice(0, n);
  const cron = rr.trigger?.cron_schedule;
  const periodic = rr.trigger?.periodic_schedule;
  const window = cron ?? periodic;
  const input: TriggerInput = cron?.cron
    ? { cron: cron.cron }
    : { intervalSeconds: Number(periodic?.interval_second ?? Number.NaN) };
  if (window?.start_time) input.startTime = Date.parse(window.start_time);
  if (window?.end_time) input.endTime = Date.parse(window.end_time);
  const created = Date.parse(rr.created_at ?? "");
  try {
    return fireTimes(input, now, n, Number.isNaN(created) ? now : created);
  } catch {
    return [];
  }
}
