/**
 * Cron expressions in the two forms users meet:
 *
 * - **6-field** (Kubeflow Pipelines, robfig/cron with seconds): `sec min hour dom month dow`,
 *   e.g. `0 0 * * * *` fires at the top of every hour.
 * - **5-field** (Unix crontab): `min hour dom month dow`, e.g. `0 * * * *` fires at the
 *   top of every hour.
 *
 * The form is decided by the number of fields, never guessed: any other count is an error
 * that shows both forms. A caller that knows which form it expects passes `format` and
 * gets an error when the expression has the other shape. All times are UTC.
 */
import { ScheduleError } from "./errors.ts";

/** Which cron dialect an expression is written in. */
export type CronFormat = "6-field" | "5-field";

/** A parsed cron expression: the allowed values of each field. */
export interface CronExpression {
  source: string;
  format: CronFormat;
  seconds: readonly boolean[];
  minutes: readonly boolean[];
  hours: readonly boolean[];
  daysOfMonth: readonly boolean[];
  months: readonly boolean[];
  daysOfWeek: readonly boolean[];
  /** Whether the day-of-month field was `*` or `?` (crontab's OR rule for days). */
  domStar: boolean;
  /** Whether the day-of-week field was `*` or `?`. */
  dowStar: boolean;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesBase?: number;
}

const FIELDS: Record<string, FieldDef> = {
  second: { name: "second", min: 0, max: 59 },
  minute: { name: "minute", min: 0, max: 59 },
  hour: { name: "hour", min: 0, max: 23 },
  dom: { name: "day of month", min: 1, max: 31 },
  month: { name: "month", min: 1, max: 12, names: MONTHS, namesBase: 1 },
  dow: { name: "day of week", min: 0, max: 7, names: DAYS, namesBase: 0 },
};

const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 0 1 1 *",
  "@annually": "0 0 0 1 1 *",
  "@monthly": "0 0 0 1 * *",
  "@weekly": "0 0 0 * * 0",
  "@daily": "0 0 0 * * *",
  "@midnight": "0 0 0 * * *",
  "@hourly": "0 0 * * * *",
};

/** Whether `expr` is one of the named shortcuts (`@daily`, `@hourly`, ...), not `@every`. */
export function isCronDescriptor(expr: string): boolean {
  return expr.trim().toLowerCase() in DESCRIPTORS;
}

function parseValue(token: string, def: FieldDef, field: string, expr: string): number {
  const upper = token.toUpperCase();
  if (def.names) {
    const idx = def.names.indexOf(upper);
    if (idx >= 0) return idx + (def.namesBase ?? 0);
  }
  if (!/^\d+$/.test(token)) {
    throw new ScheduleError(
      "SCHEDULE_BAD_CRON",
      field,
      `"${token}" in the ${def.name} field of cron "${expr}" is not a number${def.names ? ` or a name (${def.names.join(", ")})` : ""}.`,
    );
  }
  const n = Number(token);
  if (n < def.min || n > def.max) {
    throw new ScheduleError(
      "SCHEDULE_BAD_CRON",
      field,
      `${n} in the ${def.name} field of cron "${expr}" is out of range; use ${def.min}-${def.max}.`,
    );
  }
  return n;
}

function parseField(text: string, def: FieldDef, field: string, expr: string): boolean[] {
  const allowed: boolean[] = new Array(def.max + 1).fill(false);
  for (const part of text.split(",")) {
    const [rangeText = "", stepText, extra] = part.split("/");
    if (extra !== undefined || rangeText === "") {
      throw new ScheduleError(
        "SCHEDULE_BAD_CRON",
        field,
        `"${part}" in the ${def.name} field of cron "${expr}" is malformed.`,
      );
    }
    let lo: number;
    let hi: number;
    if (rangeText === "*" || rangeText === "?") {
      lo = def.min;
      hi = def.max;
    } else if (rangeText.includes("-")) {
      const [a = "", b = ""] = rangeText.split("-");
      lo = parseValue(a, def, field, expr);
      hi = parseValue(b, def, field, expr);
      if (hi < lo) {
        throw new ScheduleError(
          "SCHEDULE_BAD_CRON",
          field,
          `range "${rangeText}" in the ${def.name} field of cron "${expr}" runs backwards.`,
        );
      }
    } else {
      lo = parseValue(rangeText, def, field, expr);
      hi = stepText === undefined ? lo : def.max;
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) {
        throw new ScheduleError(
          "SCHEDULE_BAD_CRON",
          field,
          `step "/${stepText}" in the ${def.name} field of cron "${expr}" must be a positive integer.`,
        );
      }
      step = Number(stepText);
    }
    for (let v = lo; v <= hi; v += step) allowed[v] = true;
  }
  return allowed;
}

const FORMS_HELP =
  'Use KFP\'s 6-field form "sec min hour day-of-month month day-of-week" (e.g. "0 0 * * * *" = hourly), ' +
  'the 5-field crontab form "min hour day-of-month month day-of-week" (e.g. "0 * * * *" = hourly), ' +
  'a shortcut (@hourly, @daily, @weekly, @monthly, @yearly) or "@every <duration>".';

/**
 * Parses a cron expression. The form follows from the field count (6 = KFP, seconds first;
 * 5 = crontab, minutes first). When `expected` is given, the other form is rejected.
 *
 * @example parseCron("0 30 2 * * *").format === "6-field" // 02:30:00 every day
 */
export function parseCron(expr: string, options: { expected?: CronFormat; field?: string } = {}): CronExpression {
  const field = options.field ?? "cron";
  const trimmed = expr.trim();
  const descriptor = DESCRIPTORS[trimmed.toLowerCase()];
  const text = descriptor ?? trimmed;
  const parts = text.split(/\s+/).filter((p) => p !== "");
  let format: CronFormat;
  if (parts.length === 6) format = "6-field";
  else if (parts.length === 5) format = "5-field";
  else {
    throw new ScheduleError("SCHEDULE_BAD_CRON", field, `cron "${expr}" has ${parts.length} fields. ${FORMS_HELP}`);
  }
  if (descriptor) format = options.expected ?? "6-field";
  else if (options.expected && options.expected !== format) {
    throw new ScheduleError(
      "SCHEDULE_BAD_CRON",
      field,
      `cron "${expr}" is in the ${format} form but the ${options.expected} form was requested. ${FORMS_HELP}`,
    );
  }
  const full = parts.length === 6 ? parts : ["0", ...parts];
  const [sec = "", min = "", hour = "", dom = "", month = "", dow = ""] = full;
  const dowAllowed = parseField(dow, FIELDS.dow as FieldDef, field, expr);
  if (dowAllowed[7]) dowAllowed[0] = true;
  return {
    source: trimmed,
    format,
    seconds: parseField(sec, FIELDS.second as FieldDef, field, expr),
    minutes: parseField(min, FIELDS.minute as FieldDef, field, expr),
    hours: parseField(hour, FIELDS.hour as FieldDef, field, expr),
    daysOfMonth: parseField(dom, FIELDS.dom as FieldDef, field, expr),
    months: parseField(month, FIELDS.month as FieldDef, field, expr),
    daysOfWeek: dowAllowed.slice(0, 7),
    domStar: dom === "*" || dom === "?",
    dowStar: dow === "*" || dow === "?",
  };
}

function dayMatches(c: CronExpression, d: Date): boolean {
  const dom = c.daysOfMonth[d.getUTCDate()] === true;
  const dow = c.daysOfWeek[d.getUTCDay()] === true;
  if (c.domStar || c.dowStar) return dom && dow;
  return dom || dow;
}

/** Five years of search: an expression such as "0 0 0 30 2 *" (Feb 30th) never fires. */
const SEARCH_LIMIT_MS = 5 * 366 * 24 * 3600 * 1000;

/**
 * The first fire time strictly after `afterMs` (epoch ms, UTC), or `undefined` when the
 * expression never fires within five years.
 */
export function nextCronTime(c: CronExpression, afterMs: number): number | undefined {
  const d = new Date(Math.floor(afterMs / 1000) * 1000 + 1000);
  const limit = afterMs + SEARCH_LIMIT_MS;
  while (d.getTime() <= limit) {
    if (!c.months[d.getUTCMonth() + 1]) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(c, d)) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!c.hours[d.getUTCHours()]) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!c.minutes[d.getUTCMinutes()]) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    if (!c.seconds[d.getUTCSeconds()]) {
      d.setUTCSeconds(d.getUTCSeconds() + 1, 0);
      continue;
    }
    return d.getTime();
  }
  return undefined;
}
