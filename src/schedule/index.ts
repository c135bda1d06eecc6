/**
 * Recurring runs: cron expressions (KFP's 6-field form with seconds, the 5-field crontab
 * form, `@daily`-style shortcuts and `@every <duration>`), periodic intervals, fire-time
 * computation, the `[[ScheduledTime]]`-style parameter macros and the {@link Scheduler}
 * that fires due runs exactly once.
 */
export { type CronExpression, type CronFormat, isCronDescriptor, nextCronTime, parseCron } from "./cron.ts";
export { ScheduleError, type ScheduleErrorCode } from "./errors.ts";
export { formatGoTime, type MacroContext, substituteMacros, substituteParameterMacros } from "./macros.ts";
export {
  type FiredRun,
  firstFireTime,
  nextFireAfter,
  Scheduler,
  type SchedulerOptions,
} from "./scheduler.ts";
export {
  buildTrigger,
  type CompiledTrigger,
  compileTrigger,
  latestDueFireTime,
  nextFireTime,
  parseDuration,
  type Trigger,
  type TriggerInput,
} from "./trigger.ts";
