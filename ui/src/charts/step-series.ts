/**
 * Training curves as data: step metrics merged page by page as a live run logs them, grouped
 * into one chart per task and key (a run's page) or per key across runs (compare), and the
 * axes that fit them.
 */
import type { StepSeries } from "../api/models.ts";
import type { Axis, Series } from "./curve-chart.tsx";

const id = (s: { taskId: string; key: string }): string => `${s.taskId}\u0000${s.key}`;

/**
 * `prev` with the points of `page` appended to their series (new series at the end), each
 * series kept in step order; the arrays of series that gained nothing are reused, so a poll
 * that brought nothing new changes nothing.
 */
export function mergeStepSeries(prev: StepSeries[], page: StepSeries[]): StepSeries[] {
  if (page.every((s) => s.points.length === 0) && page.every((s) => prev.some((p) => id(p) === id(s)))) return prev;
  const out = prev.slice();
  const index = new Map(out.map((s, i) => [id(s), i]));
  for (const s of page) {
    const at = index.get(id(s));
    if (at === undefined) {
      index.set(id(s), out.length);
      out.push({ ...s, points: sortedByStep(s.points) });
      continue;
    }
    if (s.points.length === 0) continue;
    const old = out[at] as StepSeries;
    out[at] = { ...old, points: sortedByStep([...old.points, ...s.points]) };
  }
  return out;
}

/** A stable sort by step (points logged at one step keep the order they were logged in). */
function sortedByStep<T extends { step: number }>(points: T[]): T[] {
  for (let i = 1; i < points.length; i++) {
    if ((points[i] as T).step < (points[i - 1] as T).step) return points.slice().sort((a, b) => a.step - b.step);
  }
  return points;
}

/** One chart: a title and its lines. */
export interface StepChart {
  title: string;
  /** The metric key. */
  key: string;
  series: Series[];
}

/** The most points a line draws; a longer history keeps each bucket's lowest and highest value. */
export const MAX_DRAWN_POINTS = 2000;

const toPoints = (s: StepSeries): Series["points"] =>
  thin(
    s.points.filter((p) => Number.isFinite(p.value)).map((p) => ({ x: p.step, y: p.value })),
    MAX_DRAWN_POINTS,
  );

/**
 * At most about `max` points of a line: the points of each bucket of consecutive points
 * reduced to its lowest and highest (in their order), so spikes stay visible.
 */
export function thin<T extends { y: number }>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const size = Math.ceil(points.length / Math.max(1, Math.floor(max / 2)));
  const out: T[] = [];
  for (let i = 0; i < points.length; i += size) {
    let lo = i;
    let hi = i;
    const end = Math.min(points.length, i + size);
    for (let j = i + 1; j < end; j++) {
      if ((points[j] as T).y < (points[lo] as T).y) lo = j;
      if ((points[j] as T).y > (points[hi] as T).y) hi = j;
    }
    out.push(points[Math.min(lo, hi)] as T);
    if (lo !== hi) out.push(points[Math.max(lo, hi)] as T);
  }
  const last = points[points.length - 1] as T;
  if (out[out.length - 1] !== last) out.push(last);
  return out;
}

function range(values: number[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** One chart per metric key of a run, one line per task that logged it; keys in name order. */
export function chartsOfRun(series: StepSeries[]): StepChart[] {
  const byKey = new Map<string, StepSeries[]>();
  for (const s of series) byKey.set(s.key, [...(byKey.get(s.key) ?? []), s]);
  return [...byKey.keys()].sort().map((key) => {
    const ss = byKey.get(key) ?? [];
    return { title: key, key, series: uniqueNames(ss.map((s) => ({ name: s.taskName, points: toPoints(s) }))) };
  });
}

/**
 * One chart per metric key logged by any of `runs`, one line per run (named by the run, and
 * by the task too where a run logged the key from several tasks); keys in name order.
 */
export function chartsAcrossRuns(runs: Array<{ name: string; series: StepSeries[] }>): StepChart[] {
  const keys = [...new Set(runs.flatMap((r) => r.series.map((s) => s.key)))].sort();
  return keys.map((key) => {
    const lines: Series[] = [];
    for (const r of runs) {
      const ss = r.series.filter((s) => s.key === key);
      for (const s of ss)
        lines.push({ name: ss.length > 1 ? `${r.name} · ${s.taskName}` : r.name, points: toPoints(s) });
    }
    return { title: key, key, series: uniqueNames(lines) };
  });
}

/** Series names made unique (`name (2)`), since a chart tells its lines apart by name. */
function uniqueNames(series: Series[]): Series[] {
  const seen = new Map<string, number>();
  return series.map((s) => {
    const n = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, n);
    return n === 1 ? s : { ...s, name: `${s.name} (${n})` };
  });
}

/** About `count` round tick values (1, 2 or 5 times a power of ten apart) covering `[min, max]`. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max === min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(raw));
  let step = pow;
  for (const m of [2, 5, 10])
    if (Math.abs(Math.log(m * pow) - Math.log(raw)) < Math.abs(Math.log(step) - Math.log(raw))) step = m * pow;
  const first = Math.ceil(min / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = first; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** A short tick label: `1.5k`, `0.25`, `3e-5`. */
export function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return "0";
  if (a >= 1e6 || a < 1e-3) return v.toExponential(0);
  if (a >= 1e4) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(4)));
}

/**
 * The axes of a chart: steps from the first to the last logged, values from the lowest to
 * the highest with a little room (a flat line gets a band around it), with round ticks.
 */
export function stepAxes(series: Series[]): { x: Axis; y: Axis } {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  if (xs.length === 0) {
    return {
      x: { min: 0, max: 1, ticks: [0, 1], format: tickLabel },
      y: { min: 0, max: 1, ticks: [0, 1], format: tickLabel },
    };
  }
  let [x0, x1] = range(xs);
  if (x0 === x1) {
    x0 -= 1;
    x1 += 1;
  }
  let [y0, y1] = range(ys);
  if (y0 === y1) {
    const pad = Math.abs(y0) * 0.1 || 1;
    y0 -= pad;
    y1 += pad;
  } else {
    const pad = (y1 - y0) * 0.05;
    y0 -= pad;
    y1 += pad;
  }
  const yt = niceTicks(y0, y1, 5);
  const xt = niceTicks(x0, x1, 5).filter((t) => Number.isInteger(t) || x1 - x0 < 5);
  return {
    x: { min: x0, max: x1, ticks: xt, format: tickLabel },
    y: { min: y0, max: y1, ticks: yt, format: tickLabel },
  };
}
