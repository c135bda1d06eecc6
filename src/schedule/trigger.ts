/**
 * Triggers of recurring runs and their fire times. A trigger is either a cron expression
 * (6-field KFP form, 5-field crontab form, a shortcut such as `@daily`, or `@every 1h`) or
 * a periodic interval, optionally bounded by a start and an end time.
 *
 * Fire times follow Kubeflow Pipelines: a periodic trigger fires at `anchor + k * interval`
 * (k >= 1), where the anchor is the start time or else the creation time; a cron trigger
 * fires at each matching second at or after the start time. Nothing fires after the end time.
 */

import { parseDurationMs } from "../ir/units.ts";
import type { RecurringRun } from "../store/index.ts";
import { type CronExpression, isCronDescriptor, nextCronTime, parseCron } from "./cron.ts";
import { ScheduleError } from "./errors.ts";

/** A trigger as the store records it (`RecurringRun.trigger`). */
export type Trigger = RecurringRun["trigger"];

/** What a caller supplies to build a {@link Trigger}. */
export interface TriggerInput {
  cron?: string;
  intervalSeconds?: number;
  startTime?: number;
  endTime?: number;
}

/**
 * Parses a duration (`90s`, `1h30m`, `1.5h`, `500ms`, `2d`, or a bare number of seconds;
 * the grammar of `parseDurationMs` in `ir/units.ts`) to milliseconds.
 * @throws ScheduleError naming `field` when the text is not a duration.
 */
export function parseDuration(text: string, field = "duration"): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) {
    throw new ScheduleError(
      "SCHEDULE_BAD_INTERVAL",
      field,
      `"${text}" is not a duration; write it like "90s", "15m", "1h" or "1h30m".`,
    );
  }
  return ms;
}

function everyIntervalMs(expression: string, field: string): number | undefined {
  const m = /^@every\s+(.+)$/i.exec(expression.trim());
  if (!m) return undefined;
  const ms = parseDuration(m[1] ?? "", field);
  if (ms < 1000) {
    throw new ScheduleError(
      "SCHEDULE_BAD_INTERVAL",
      field,
      `"${expression}" is shorter than one second; use at least "@every 1s".`,
    );
  }
  return ms;
}

/**
 * Validates a trigger and returns it in the store's shape. Exactly one of `cron` and
 * `intervalSeconds` must be given; the end time must come after the start time.
 * @param field the API field the input came from, used in error messages
 */
export function buildTrigger(input: TriggerInput, field = "trigger"): Trigger {
  const hasCron = input.cron !== undefined && input.cron.trim() !== "";
  const hasInterval = input.intervalSeconds !== undefined;
  if (hasCron === hasInterval) {
    throw new ScheduleError(
      "SCHEDULE_BAD_TRIGGER",
      field,
      "set exactly one of cron_schedule.cron and periodic_schedule.interval_second.",
    );
  }
  if (input.startTime !== undefined && input.endTime !== undefined && input.endTime <= input.startTime) {
    throw new ScheduleError("SCHEDULE_BAD_TIME_RANGE", field, "end_time must be later than start_time.");
  }
  const trigger: Trigger = {};
  if (input.startTime !== undefined) trigger.startTime = input.startTime;
  if (input.endTime !== undefined) trigger.endTime = input.endTime;
  if (hasCron) {
    const expression = (input.cron ?? "").trim();
    const cronField = `${field}.cron_schedule.cron`;
    if (everyIntervalMs(expression, cronField) !== undefined || isCronDescriptor(expression)) {
      trigger.cron = { expression, format: "6-field" };
    } else {
      trigger.cron = { expression, format: parseCron(expression, { field: cronField }).format };
    }
  } else {
    const seconds = input.intervalSeconds ?? 0;
    if (!Number.isInteger(seconds) || seconds <= 0) {
      throw new ScheduleError(
        "SCHEDULE_BAD_INTERVAL",
        `${field}.periodic_schedule.interval_second`,
        `${seconds} is not a positive whole number of seconds.`,
      );
    }
    trigger.periodic = { intervalSeconds: seconds };
  }
  return trigger;
}

/** A trigger prepared for repeated fire-time computations. */
export interface CompiledTrigger {
  trigger: Trigger;
  /** Interval in ms for periodic and `@every` triggers. */
  intervalMs?: number;
  cron?: CronExpression;
}

/** Parses a stored trigger once so that fire times can be computed cheaply. */
export function compileTrigger(trigger: Trigger): CompiledTrigger {
  if (trigger.periodic) return { trigger, intervalMs: trigger.periodic.intervalSeconds * 1000 };
  if (!trigger.cron)
    throw new ScheduleError("SCHEDULE_BAD_TRIGGER", "trigger", "has neither a cron nor a periodic schedule.");
  const every = everyIntervalMs(trigger.cron.expression, "trigger.cron");
  if (every !== undefined) return { trigger, intervalMs: every };
  return {
    trigger,
    cron: parseCron(trigger.cron.expression, { field: "trigger.cron", expected: trigger.cron.format }),
  };
}

/**
 * The first fire time strictly after `afterMs`, or `undefined` when the trigger never
 * fires again (past its end time). `createdAt` anchors periodic triggers without a start time.
 */
export function nextFireTime(t: CompiledTrigger, afterMs: number, createdAt: number): number | undefined {
  const { startTime, endTime } = t.trigger;
  let next: number | undefined;
  if (t.intervalMs !== undefined) {
    const anchor = startTime ?? createdAt;
    const k = Math.max(1, Math.floor((afterMs - anchor) / t.intervalMs) + 1);
    next = anchor + k * t.intervalMs;
  } else if (t.cron) {
    const from = startTime !== undefined ? Math.max(afterMs, startTime - 1) : afterMs;
    next = nextCronTime(t.cron, from);
  }
  if (next === undefined || (endTime !== undefined && next > endTime)) return undefined;
  return next;
}

/**
 * The latest fire time at or before `now`, starting from the due fire time `due`
 * (used with `no_catchup`: only the newest missed run is started).
 */
export function latestDueFireTime(t: CompiledTrigger, due: number, now: number, createdAt: number): number {
  if (t.intervalMs !== undefined) {
    if (now <= due) return due;
    const steps = Math.floor((now - due) / t.intervalMs);
    const latest = due + steps * t.intervalMs;
    const end = t.trigger.endTime;
    return end !== undefined && latest > end
      ? latest - Math.ceil((latest - end) / t.intervalMs) * t.intervalMs
      : latest;
  }
  let cur = due;
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 2000; i++) {
      const n = nextFireTime(t, cur, createdAt);
      if (n === undefined || n > now) return cur;
      cur = n;
    }
    const n = nextFireTime(t, cur, createdAt);
    if (n === undefined) return cur;
    const probe = nextFireTime(t, Math.max(cur, now - 2 * (n - cur)), createdAt);
    if (probe !== undefined && probe <= now) cur = probe;
  }
  return cur;
}
