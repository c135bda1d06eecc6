/**
 * The metrics collector of command trials: an incremental parser of the lines a trial
 * prints (StdOut) or writes (File, TEXT or JSON), as Katib's collectors read them. Only
 * the metrics the experiment asks for (objectives and additional metrics) are kept; each
 * kept value is one step of its metric (0, 1, 2, ... in order, or a JSON line's `step`).
 * What was seen is counted, so that a missing metric can be explained (`describeMiss`).
 */

import { TuningError } from "../errors.ts";
import type { MetricsCollectorSpec } from "../types.ts";
import { compileFilters, filterSources, MAX_MATCHED_LINE } from "./filters.ts";

/** One value of a metric read from a line. */
export interface MetricPoint {
  readonly metric: string;
  readonly value: number;
  readonly step: number;
  /** RFC 3339, when the line carried one (a `timestamp` prefix, or a JSON line's `timestamp`). */
  readonly timestamp?: string;
}

export type LineFormat = "TEXT" | "JSON";

export interface LineCollectorOptions {
  /** The metrics kept, objective first (others a filter matches are only counted). */
  readonly metrics: readonly string[];
  readonly format?: LineFormat;
  /** TEXT only; none means Katib's default filter. */
  readonly filters?: readonly string[];
}

/** What a collector has seen so far. */
export interface CollectorStats {
  readonly format: LineFormat;
  readonly filters: readonly string[];
  /** Lines read, blank ones included. */
  readonly lines: number;
  /** Every name a filter matched (or a JSON key), asked for or not, with how often (first 50 names). */
  readonly names: ReadonlyMap<string, number>;
  /** Asked-for metrics matched without a number (`loss = nan`), with the first such line. */
  readonly withoutNumber: ReadonlyMap<string, { readonly count: number; readonly example: string }>;
  /** JSON lines that are not a JSON object. */
  readonly unparsable: number;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([Ee][+-]?\d+)?$/;
const MAX_NAMES = 50;

/** A finite number from a metric's text, or undefined (`""`, `nan`, `inf`, `1.2.3`). */
export function parseMetricValue(text: string): number | undefined {
  const t = text.trim();
  if (!NUMBER.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

export class LineCollector {
  readonly format: LineFormat;
  readonly metrics: readonly string[];
  private readonly filters: readonly string[];
  private readonly regexps: RegExp[];
  private readonly wanted: Set<string>;
  private readonly steps = new Map<string, number>();
  private readonly points = new Map<string, MetricPoint[]>();
  private readonly names = new Map<string, number>();
  private readonly withoutNumber = new Map<string, { count: number; example: string }>();
  private lines = 0;
  private unparsable = 0;
  private pending = "";

  constructor(options: LineCollectorOptions) {
    this.format = options.format ?? "TEXT";
    this.metrics = [...options.metrics];
    this.wanted = new Set(options.metrics);
    this.filters = this.format === "TEXT" ? filterSources(options.filters ?? []) : [];
    this.regexps = this.format === "TEXT" ? compileFilters(options.filters ?? []) : [];
    for (const m of this.metrics) this.points.set(m, []);
  }

  /** Parses one line (without its line break) and returns the asked-for values it held. */
  collectLine(line: string): MetricPoint[] {
    this.lines++;
    return this.format === "JSON" ? this.jsonLine(line) : this.textLine(line);
  }

  /**
   * Feeds a chunk of output: complete lines (ended by `\n`, `\r\n` or a lone `\r`, as
   * progress bars print) are parsed; the rest waits for the next chunk or `end()`.
   */
  feed(chunk: string): MetricPoint[] {
    let text = this.pending + chunk;
    // A chunk ending in "\r" may be the first half of "\r\n": hold it for the next chunk.
    const hold = text.endsWith("\r") ? "\r" : "";
    if (hold) text = text.slice(0, -1);
    const parts = text.split(/\r\n|\n|\r/);
    this.pending = (parts.pop() ?? "") + hold;
    return parts.flatMap((l) => this.collectLine(l));
  }

  /** Parses what `feed` still holds (the last line, without a line break). */
  end(): MetricPoint[] {
    if (this.pending === "") return [];
    const last = this.pending.endsWith("\r") ? this.pending.slice(0, -1) : this.pending;
    this.pending = "";
    return this.collectLine(last);
  }

  /** The values of a metric in the order read. */
  series(metric: string): readonly MetricPoint[] {
    return this.points.get(metric) ?? [];
  }

  stats(): CollectorStats {
    return {
      format: this.format,
      filters: this.filters,
      lines: this.lines,
      names: new Map(this.names),
      withoutNumber: new Map(this.withoutNumber),
      unparsable: this.unparsable,
    };
  }

  private textLine(raw: string): MetricPoint[] {
    const line = raw.length > MAX_MATCHED_LINE ? raw.slice(0, MAX_MATCHED_LINE) : raw;
    let timestamp: string | undefined;
    const space = line.indexOf(" ");
    if (space > 0 && RFC3339.test(line.slice(0, space))) timestamp = line.slice(0, space);
    const out: MetricPoint[] = [];
    for (const re of this.regexps) {
      re.lastIndex = 0;
      for (const m of line.matchAll(re)) {
        if (m[1] === undefined || m[2] === undefined) continue;
        const name = m[1].trim();
        this.countName(name);
        if (!this.wanted.has(name)) continue;
        const value = parseMetricValue(m[2]);
        if (value === undefined) this.noNumber(name, raw);
        else out.push(this.add(name, value, undefined, timestamp));
      }
    }
    return out;
  }

  private jsonLine(line: string): MetricPoint[] {
    if (line.trim() === "") return [];
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      obj = undefined;
    }
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
      this.unparsable++;
      return [];
    }
    const rec = obj as Record<string, unknown>;
    const timestamp = jsonTimestamp(rec.timestamp);
    const step = typeof rec.step === "number" && Number.isInteger(rec.step) && rec.step >= 0 ? rec.step : undefined;
    for (const key of Object.keys(rec)) if (key !== "timestamp" && key !== "step") this.countName(key);
    const out: MetricPoint[] = [];
    for (const name of this.metrics) {
      if (!(name in rec)) continue;
      const v = rec[name];
      const value =
        typeof v === "number"
          ? Number.isFinite(v)
            ? v
            : undefined
          : typeof v === "string"
            ? parseMetricValue(v)
            : undefined;
      if (value === undefined) this.noNumber(name, line);
      else out.push(this.add(name, value, step, timestamp));
    }
    return out;
  }

  private add(
    metric: string,
    value: number,
    explicitStep: number | undefined,
    timestamp: string | undefined,
  ): MetricPoint {
    const step = explicitStep ?? this.steps.get(metric) ?? 0;
    this.steps.set(metric, Math.max(this.steps.get(metric) ?? 0, step + 1));
    const point: MetricPoint = timestamp === undefined ? { metric, value, step } : { metric, value, step, timestamp };
    this.points.get(metric)?.push(point);
    return point;
  }

  private countName(name: string): void {
    const n = this.names.get(name);
    if (n !== undefined) this.names.set(name, n + 1);
    else if (this.names.size < MAX_NAMES) this.names.set(name, 1);
  }

  private noNumber(name: string, line: string): void {
    const seen = this.withoutNumber.get(name);
    if (seen) seen.count++;
    else this.withoutNumber.set(name, { count: 1, example: line.length > 200 ? `${line.slice(0, 200)}...` : line });
  }
}

/** Katib's JSON `timestamp`: an RFC 3339 string or Unix seconds. */
function jsonTimestamp(v: unknown): string | undefined {
  if (typeof v === "string") return RFC3339.test(v) ? v : undefined;
  if (typeof v === "number" && Number.isFinite(v)) {
    const d = new Date(v * 1000);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  return undefined;
}

/**
 * A collector for a command trial's collector spec (StdOut or File); `metrics` are the
 * objective metrics then the additional ones.
 */
export function createLineCollector(spec: MetricsCollectorSpec, metrics: readonly string[]): LineCollector {
  if (spec.kind === "StdOut") return new LineCollector({ metrics, format: "TEXT", filters: spec.filters });
  if (spec.kind === "File") return new LineCollector({ metrics, format: spec.format, filters: spec.filters });
  throw new TuningError("TUNING_SPEC_INVALID", `A ${spec.kind} metrics collector reads no lines; use StdOut or File.`);
}
