/**
 * Text formatting shared by the commands: durations, times, tables, state symbols and
 * ANSI colours (only when the stream is a terminal and `NO_COLOR` is unset).
 */

/** ANSI colour helpers; identity functions when colour is off. */
export interface Colors {
  enabled: boolean;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  cyan(s: string): string;
  gray(s: string): string;
  bold(s: string): string;
}

/** Colours for `stream`: on for a TTY unless `NO_COLOR` is set, or when `FORCE_COLOR` is set. */
export function colorsFor(stream: { isTTY?: boolean }): Colors {
  const force = process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== "0";
  const enabled = force || (stream.isTTY === true && process.env.NO_COLOR === undefined);
  const wrap = (open: number, close: number) => (s: string) => (enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return {
    enabled,
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    blue: wrap(34, 39),
    cyan: wrap(36, 39),
    gray: wrap(90, 39),
    bold: wrap(1, 22),
  };
}

/** `1.2s`, `850ms`, `3m04s`, `1h02m`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return "-";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Local time as `YYYY-MM-DD HH:MM:SS`, or `-`. */
export function formatTime(at: number | undefined): string {
  if (at === undefined || !Number.isFinite(at)) return "-";
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Duration between two instants; a running one counts up to `now`. */
export function elapsed(
  startedAt: number | undefined,
  finishedAt: number | undefined,
  now = Date.now(),
): number | undefined {
  if (startedAt === undefined) return undefined;
  return (finishedAt ?? now) - startedAt;
}

/** Removes ANSI escape sequences (for width computation). */
export function stripAnsi(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
  return s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
}

/** Renders rows as an aligned text table with a header line. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(stripAnsi(h).length, ...rows.map((r) => stripAnsi(r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + " ".repeat((widths[i] ?? 0) - stripAnsi(c).length)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

const SYMBOLS: Record<string, string> = {
  PENDING: "○",
  RUNNING: "◐",
  SUCCEEDED: "✔",
  CACHED: "✔",
  SKIPPED: "⤼",
  FAILED: "✖",
  CANCELING: "⊘",
  CANCELED: "⊘",
  PAUSED: "‖",
};

/** The symbol of a run or task state, coloured. */
export function stateSymbol(state: string, c: Colors): string {
  const sym = SYMBOLS[state] ?? "?";
  return colorState(state, sym, c);
}

/** Colours `text` the way `state` is shown. */
export function colorState(state: string, text: string, c: Colors): string {
  switch (state) {
    case "SUCCEEDED":
      return c.green(text);
    case "CACHED":
      return c.cyan(text);
    case "FAILED":
      return c.red(text);
    case "RUNNING":
      return c.blue(text);
    case "CANCELED":
    case "CANCELING":
    case "SKIPPED":
      return c.yellow(text);
    default:
      return c.gray(text);
  }
}

/** A metric value with up to 6 significant digits. */
export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

/** True for the states a run or task never leaves (declared in `ir/states.ts`). */
export { isTerminalState } from "../ir/states.ts";
