/**
 * Next fire times of a recurring run's trigger, shown before the server has fired it:
 * periodic intervals, and cron expressions of 5 fields (crontab) or 6 (KFP, with
 * seconds first), with `*`, lists, ranges and steps, evaluated in UTC as the scheduler does.
 */
import type { RecurringRun } from "../api/index.ts";

interface Cron {
  sec: boolean[];
  min: boolean[];
  hour: boolean[];
  dom: boolean[];
  mon: boolean[];
  dow: boolean[];
  domAny: boolean;
  dowAny: boolean;
}

const MACROS: Record<string, string> = {
  "@yearly": "0 0 0 1 1 *",
  "@annually": "0 0 0 1 1 *",
  "@monthly": "0 0 0 1 * *",
  "@weekly": "0 0 0 * * 0",
  "@daily": "0 0 0 * * *",
  "@midnight": "0 0 0 * * *",
  "@hourly": "0 0 * * * *",
};

function field(text: string, lo: number, hi: number): boolean[] {
  const set = new Array<boolean>(hi + 1).fill(false);
  for (const part of text.split(",")) {
    const [range = "*", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    let a = lo;
    let b = hi;
    if (range !== "*" && range !== "?") {
      const [x, y] = range.split("-");
      a = Number(x);
      b = y === undefined ? (stepText === undefined ? a : hi) : Number(y);
    }
    if (!Number.isInteger(a) || !Number.isInteger(b) || !Number.isInteger(step) || step < 1 || a < lo || b > hi) {
      throw new Error(`"${part}" is not a valid cron field (${lo}-${hi})`);
    }
    for (let v = a; v <= b; v += step) set[v] = true;
  }
  return set;
}

/** Parses a 5- or 6-field cron expression (or a macro such as `@daily`). */
export function parseCron(expr: string): Cron {
  const text = MACROS[expr.trim()] ?? expr.trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) throw new Error(`cron "${expr}" must have 5 or 6 fields`);
  const f = parts.length === 5 ? ["0", ...parts] : parts;
  const [s, mi, h, dom, mon, dow] = f as [string, string, string, string, string, string];
  const dowSet = field(dow.replace(/7/g, "0"), 0, 6);
  return {
    sec: field(s, 0, 59),
    min: field(mi, 0, 59),
    hour: field(h, 0, 23),
    dom: field(dom, 1, 31),
    mon: field(mon, 1, 12),
    dow: dowSet,
    domAny: dom === "*" || dom === "?",
    dowAny: dow === "*" || dow === "?",
  };
}

function dayMatches(c: Cron, d: Date): boolean {
  const dom = c.dom[d.getUTCDate()] === true;
  const dow = c.dow[d.getUTCDay()] === true;
  if (c.domAny) return dow;
  if (c.dowAny) return dom;
  return dom || dow;
}

/** The next `n` fire times (epoch ms) strictly after `after`. */
export function nextCronTimes(expr: string, after: number, n: number): number[] {
  const c = parseCron(expr);
  const out: number[] = [];
  const d = new Date(Math.floor(after / 1000) * 1000 + 1000);
  const limit = after + 5 * 366 * 86400_000;
  while (out.length < n && d.getTime() < limit) {
    if (!c.mon[d.getUTCMonth() + 1]) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(c, d)) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
    } else if (!c.hour[d.getUTCHours()]) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
    } else if (!c.min[d.getUTCMinutes()]) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
    } else if (!c.sec[d.getUTCSeconds()]) {
      d.setUTCSeconds(d.getUTCSeconds() + 1, 0);
    } else {
      out.push(d.getTime());
      d.setUTCSeconds(d.getUTCSeconds() + 1, 0);
    }
  }
  return out;
}

/** The next `n` fire times of a recurring run (none when disabled or past its end). */
export function nextFireTimes(rr: RecurringRun, now: number, n = 3): number[] {
  if (rr.mode === "DISABLE" || rr.status === "DISABLED") return [];
  if (rr.next_fire_times) return rr.next_fire_times.map((t) => Date.parse(t)).slice(0, n);
  const cron = rr.trigger?.cron_schedule;
  const periodic = rr.trigger?.periodic_schedule;
  const window = cron ?? periodic;
  const start = window?.start_time ? Date.parse(window.start_time) : undefined;
  const end = window?.end_time ? Date.parse(window.end_time) : undefined;
  const from = Math.max(now, start ?? now);
  let times: number[] = [];
  if (cron?.cron) {
    try {
      times = nextCronTimes(cron.cron, from - 1, n);
    } catch {
      return [];
    }
  } else if (periodic?.interval_second) {
    const step = Number(periodic.interval_second) * 1000;
    if (!(step > 0)) return [];
    const created = Date.parse(rr.created_at ?? "");
    const origin = start ?? (Number.isNaN(created) ? now : created);
    const k = Math.max(0, Math.ceil((from - origin) / step));
    times = Array.from({ length: n }, (_, i) => origin + (k + i) * step);
  }
  return end === undefined ? times : times.filter((t) => t <= end);
}
