import { WeftError } from "../ir/weft-error.ts";

/**
 * Errors of the recurring-run scheduler. Every error carries a stable `code` and a
 * message that names the offending field and says how to fix it.
 */

/** Stable codes of {@link ScheduleError}. */
export type ScheduleErrorCode =
  | "SCHEDULE_BAD_CRON"
  | "SCHEDULE_BAD_INTERVAL"
  | "SCHEDULE_BAD_TRIGGER"
  | "SCHEDULE_BAD_TIME_RANGE";

/**
 * Raised for an invalid trigger: a malformed cron expression, an interval that is not a
 * positive duration or an end time before the start time.
 */
export class ScheduleError extends WeftError {
  declare readonly code: ScheduleErrorCode;
  /** The field the error is about, e.g. `trigger.cron_schedule.cron`. */
  readonly field: string;

  constructor(code: ScheduleErrorCode, field: string, message: string, options?: { cause?: unknown }) {
    super(code, `${field}: ${message}`, options);
    this.field = field;
  }
}
