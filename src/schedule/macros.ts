/**
 * Parameter macros of recurring runs, as Kubeflow Pipelines defines them. In a parameter
 * value (strings, also nested in lists and structs):
 *
 * - `[[ScheduledTime]]` — the time the run was scheduled for, `20060102150405` layout (UTC);
 * - `[[CurrentTime]]` — the time the run was actually created;
 * - `[[ScheduledTime.<layout>]]` / `[[CurrentTime.<layout>]]` — the same with a Go time
 *   layout, e.g. `[[ScheduledTime.2006-01-02]]`;
 * - `[[Index]]` — the 1-based number of the run within its recurring run;
 * - `[[RunUUID]]` — the id of the run being created.
 *
 * Any other `[[...]]` text is left unchanged, as KFP does.
 */
import type { JsonValue } from "../ir/index.ts";

/** Values substituted for the macros of one fired run. */
export interface MacroContext {
  scheduledAt: number;
  currentAt: number;
  index: number;
  runId: string;
}

const DEFAULT_LAYOUT = "20060102150405";
const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** Formats `ms` (UTC) with a Go reference-time layout (`2006-01-02T15:04:05Z07:00`). */
export function formatGoTime(ms: number, layout: string = DEFAULT_LAYOUT): string {
  const d = new Date(ms);
  const tokens: [string, () => string][] = [
    ["2006", () => pad(d.getUTCFullYear(), 4)],
    ["Z07:00", () => "Z"],
    ["-07:00", () => "+00:00"],
    ["-0700", () => "+0000"],
    [".000", () => `.${pad(d.getUTCMilliseconds(), 3)}`],
    ["January", () => new Date(ms).toLocaleString("en-US", { month: "long", timeZone: "UTC" })],
    ["Monday", () => new Date(ms).toLocaleString("en-US", { weekday: "long", timeZone: "UTC" })],
    ["Jan", () => MONTH_NAMES[d.getUTCMonth()] ?? ""],
    ["Mon", () => DAY_NAMES[d.getUTCDay()] ?? ""],
    ["MST", () => "UTC"],
    ["01", () => pad(d.getUTCMonth() + 1)],
    ["02", () => pad(d.getUTCDate())],
    ["15", () => pad(d.getUTCHours())],
    ["03", () => pad(d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12)],
    ["04", () => pad(d.getUTCMinutes())],
    ["05", () => pad(d.getUTCSeconds())],
    ["06", () => pad(d.getUTCFullYear() % 100)],
    ["PM", () => (d.getUTCHours() < 12 ? "AM" : "PM")],
  ];
  let out = "";
  let i = 0;
  outer: while (i < layout.length) {
    for (const [token, render] of tokens) {
      if (layout.startsWith(token, i)) {
        out += render();
        i += token.length;
        continue outer;
      }
    }
    out += layout[i];
    i++;
  }
  return out;
}

const MACRO_RE = /\[\[(ScheduledTime|CurrentTime|Index|RunUUID)(?:\.([^\]]+))?\]\]/g;

/** Replaces the macros in one string. */
export function substituteMacros(text: string, ctx: MacroContext): string {
  return text.replace(MACRO_RE, (whole, name: string, layout: string | undefined) => {
    switch (name) {
      case "ScheduledTime":
        return formatGoTime(ctx.scheduledAt, layout);
      case "CurrentTime":
        return formatGoTime(ctx.currentAt, layout);
      case "Index":
        return layout === undefined ? String(ctx.index) : whole;
      case "RunUUID":
        return layout === undefined ? ctx.runId : whole;
      default:
        return whole;
    }
  });
}

/** Replaces the macros in every string of a parameter map (nested values included). */
export function substituteParameterMacros(
  parameters: Record<string, JsonValue>,
  ctx: MacroContext,
): Record<string, JsonValue> {
  const visit = (v: JsonValue): JsonValue => {
    if (typeof v === "string") return substituteMacros(v, ctx);
    if (Array.isArray(v)) return v.map(visit);
    if (v !== null && typeof v === "object") {
      const out: Record<string, JsonValue> = {};
      for (const [k, inner] of Object.entries(v)) out[k] = visit(inner);
      return out;
    }
    return v;
  };
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(parameters)) out[k] = visit(v);
  return out;
}
