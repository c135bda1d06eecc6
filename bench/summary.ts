/**
 * The summary `bench/run.js` prints after running the benches: one row per goal each bench
 * reported (the JSON lines of `bench/report.ts`), which goals are not met, and the exit
 * status. Pure functions over the captured output, so they are tested without timing.
 */

/** One bench process as the runner saw it. */
export interface BenchProcess {
  /** The bench file, relative to the repository root. */
  file: string;
  /** Exit status of the process. */
  code: number;
  seconds: number;
  /** Everything it wrote to stdout. */
  stdout: string;
}

/** A row of the summary table. */
export interface SummaryRow {
  file: string;
  /** The `bench` name of the line, or the file when the bench reported nothing. */
  bench: string;
  /**
   * `met` / `not met`: a goal's verdict; `skipped`: the bench could not run here;
   * `failed`: the process exited non-zero; `no goal`: it exited 0 without reporting a goal;
   * `invalid`: a result line whose `met` is not true or false.
   */
  status: "met" | "not met" | "skipped" | "failed" | "no goal" | "invalid";
  value?: number;
  unit?: string;
  baseline?: number;
  ratio?: number;
  goal?: string;
  /** Why: the skip reason, the failed conditions, the exit status. */
  note?: string;
}

/** The summary of a whole bench run. */
export interface Summary {
  rows: SummaryRow[];
  /** Rows whose goal is not met, not stated or not readable. */
  unmet: SummaryRow[];
  /** Rows of processes that exited non-zero. */
  failed: SummaryRow[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The rows of one process's stdout: its goal lines and skip lines; other lines are ignored. */
export function parseResults(file: string, stdout: string): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const raw of stdout.split("\n")) {
    const line = raw.trim();
    if (!line.startsWith("{")) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isRecord(parsed) || typeof parsed.bench !== "string") continue;
    const bench = parsed.bench;
    if (typeof parsed.skipped === "string") {
      rows.push({ file, bench, status: "skipped", note: parsed.skipped });
      continue;
    }
    if (!("met" in parsed) && !("goal" in parsed)) continue; // a details line
    const row: SummaryRow = { file, bench, status: "invalid" };
    const value = num(parsed.value);
    const unit = str(parsed.unit);
    const baseline = num(parsed.baseline);
    const ratio = num(parsed.ratio);
    const goal = str(parsed.goal);
    if (value !== undefined) row.value = value;
    if (unit !== undefined) row.unit = unit;
    if (baseline !== undefined) row.baseline = baseline;
    if (ratio !== undefined) row.ratio = ratio;
    if (goal !== undefined) row.goal = goal;
    if (goal === undefined) row.note = "no goal in the result line";
    else if (parsed.met === true) row.status = "met";
    else if (parsed.met === false) {
      row.status = "not met";
      const failed = Array.isArray(parsed.failed) ? parsed.failed.filter((f) => typeof f === "string") : [];
      if (failed.length > 0) row.note = `failed: ${failed.join("; ")}`;
    } else row.note = `"met" is ${JSON.stringify(parsed.met)}, not true or false`;
    rows.push(row);
  }
  return rows;
}

/** Builds the summary of the processes the runner ran. */
export function summarize(processes: BenchProcess[]): Summary {
  const rows: SummaryRow[] = [];
  const failed: SummaryRow[] = [];
  for (const p of processes) {
    const own = parseResults(p.file, p.stdout);
    if (p.code !== 0) {
      const row: SummaryRow = { file: p.file, bench: p.file, status: "failed", note: `exited ${p.code}` };
      rows.push(row);
      failed.push(row);
    } else if (own.length === 0) {
      rows.push({ file: p.file, bench: p.file, status: "no goal", note: "reported no goal (see bench/report.ts)" });
    }
    rows.push(...own);
  }
  const unmet = rows.filter((r) => r.status === "not met" || r.status === "no goal" || r.status === "invalid");
  return { rows, unmet, failed };
}

/**
 * The runner's exit status: 1 when a bench process failed; with `strict`, also when a goal
 * is not met, not stated or not readable; otherwise 0.
 */
export function exitCode(summary: Summary, strict: boolean): number {
  if (summary.failed.length > 0) return 1;
  return strict && summary.unmet.length > 0 ? 1 : 0;
}

function fmt(v: number | undefined, unit?: string): string {
  if (v === undefined) return "-";
  return unit ? `${v} ${unit}` : String(v);
}

/** The summary table and the closing verdict, as printed. */
export function formatSummary(summary: Summary): string {
  const header = ["status", "bench", "value", "baseline", "ratio", "goal", "note"];
  const cells = summary.rows.map((r) => [
    r.status,
    r.bench,
    fmt(r.value, r.unit),
    fmt(r.baseline, r.unit),
    r.ratio === undefined ? "-" : `${r.ratio}x`,
    r.goal ?? "-",
    r.note ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const out = [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)];
  const met = summary.rows.filter((r) => r.status === "met").length;
  const goals = summary.rows.filter((r) => r.status === "met" || r.status === "not met").length;
  out.push("");
  out.push(`${met} of ${goals} goals met`);
  if (summary.unmet.length > 0) {
    out.push(`not met: ${summary.unmet.map((r) => `${r.bench}${r.goal ? ` (${r.goal})` : ""}`).join(", ")}`);
  }
  const skipped = summary.rows.filter((r) => r.status === "skipped");
  if (skipped.length > 0) out.push(`skipped: ${skipped.map((r) => r.bench).join(", ")}`);
  if (summary.failed.length > 0) out.push(`failed: ${summary.failed.map((r) => `${r.file} (${r.note})`).join(", ")}`);
  return out.join("\n");
}
