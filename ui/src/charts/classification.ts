/**
 * Reading KFP ClassificationMetrics metadata: the `confidenceMetrics` rows (a threshold with
 * its confusion counts, or its recall, false positive rate and precision), the ROC and
 * precision-recall curves drawn from them, the areas under the whole curves, and the
 * confusion matrix.
 */
import type { Json } from "../api/index.ts";

/** A curve as the chart draws it (the chart's `Series`; declared here so this file loads without JSX). */
export interface Series {
  name: string;
  points: Array<{ x: number; y: number; t?: number }>;
}

/** A confusion matrix with its category names. */
export interface Confusion {
  categories: string[];
  rows: number[][];
}

/** One `confidenceMetrics` row: a threshold and the point of each curve there. */
export interface CurveRow {
  threshold: number;
  fpr: number;
  tpr: number;
  /** Undefined where nothing is predicted positive (no true or false positives). */
  precision?: number;
}

const num = (v: Json | undefined): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const rate = (n: number, d: number): number => (d === 0 ? 0 : n / d);

/**
 * One row of `confidenceMetrics`: from its confusion counts (KFP's `truePositiveCount`,
 * `falsePositiveCount`, `trueNegativeCount`, `falseNegativeCount`) when all four are there,
 * else from its `recall` and `falsePositiveRate` (and `precision` if logged).
 */
function readRow(item: Record<string, Json>): CurveRow | undefined {
  const threshold = num(item.confidenceThreshold) ?? Number.NaN;
  const [tp, fp, tn, fn] = [
    item.truePositiveCount,
    item.falsePositiveCount,
    item.trueNegativeCount,
    item.falseNegativeCount,
  ].map((v) => num(typeof v === "string" && v.trim() !== "" ? Number(v) : v));
  if (tp !== undefined && fp !== undefined && tn !== undefined && fn !== undefined) {
    const row: CurveRow = { threshold, fpr: rate(fp, fp + tn), tpr: rate(tp, tp + fn) };
    if (tp + fp > 0) row.precision = tp / (tp + fp);
    return row;
  }
  const fpr = num(item.falsePositiveRate);
  const tpr = num(item.recall) ?? num(item.truePositiveRate);
  if (fpr === undefined || tpr === undefined) return undefined;
  const row: CurveRow = { threshold, fpr, tpr };
  const precision = num(item.precision);
  if (precision !== undefined) row.precision = precision;
  return row;
}

/**
 * The rows of `confidenceMetrics`, in curve order: thresholds from high to low (rows
 * without a threshold by false positive rate, then recall).
 */
export function curveRows(metadata: Record<string, Json> | undefined): CurveRow[] {
  const list = metadata?.confidenceMetrics;
  if (!Array.isArray(list)) return [];
  const out: CurveRow[] = [];
  for (const item of list) {
    if (!item || typeof item !== "object" || Array.isArray(item)) continue;
    const row = readRow(item);
    if (row) out.push(row);
  }
  const thresholds = out.every((r) => !Number.isNaN(r.threshold));
  return out.sort((a, b) => (thresholds ? b.threshold - a.threshold : 0) || a.fpr - b.fpr || a.tpr - b.tpr);
}

const EPS = 1e-9;

/**
 * Whether the rows cover the whole curve: a row where nothing is predicted positive
 * (recall and false positive rate 0) and one where everything is (both 1). Only then is an
 * area under the curve the metric of the model, and not of the part that was logged.
 */
export function isWholeCurve(rows: CurveRow[]): boolean {
  return rows.some((r) => r.fpr <= EPS && r.tpr <= EPS) && rows.some((r) => r.fpr >= 1 - EPS && r.tpr >= 1 - EPS);
}

/** ROC-AUC: the trapezoid area under the ROC curve of the rows; undefined unless the curve is whole. */
export function rocArea(rows: CurveRow[]): number | undefined {
  if (!isWholeCurve(rows)) return undefined;
  let area = 0;
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1] as CurveRow;
    const b = rows[i] as CurveRow;
    area += ((b.fpr - a.fpr) * (a.tpr + b.tpr)) / 2;
  }
  return area;
}

/**
 * Average precision (PR-AUC as scikit-learn and KFP's `auPrc` define it): the sum of each
 * step in recall times the precision where it is reached, from recall 0 to 1, without
 * interpolation. Undefined unless the curve is whole and has precision at every step.
 */
export function averagePrecision(rows: CurveRow[]): number | undefined {
  if (!isWholeCurve(rows)) return undefined;
  let ap = 0;
  let prev = 0;
  for (const r of rows) {
    if (r.tpr > prev + EPS) {
      if (r.precision === undefined) return undefined;
      ap += (r.tpr - prev) * r.precision;
      prev = r.tpr;
    }
  }
  return ap;
}

/** The confusion matrix of the metadata, if any. */
export function confusionOf(metadata: Record<string, Json> | undefined): Confusion | undefined {
  const cm = metadata?.confusionMatrix;
  if (!cm || typeof cm !== "object" || Array.isArray(cm)) return undefined;
  const specs = Array.isArray(cm.annotationSpecs) ? cm.annotationSpecs : [];
  const categories = specs.map((s, i) =>
    s && typeof s === "object" && !Array.isArray(s) && typeof s.displayName === "string" ? s.displayName : `class ${i}`,
  );
  const rows = (Array.isArray(cm.rows) ? cm.rows : []).map((r) => {
    const row = r && typeof r === "object" && !Array.isArray(r) ? r.row : r;
    return Array.isArray(row) ? row.map((v) => num(v) ?? 0) : [];
  });
  if (rows.length === 0) return undefined;
  return { categories: categories.length === rows.length ? categories : rows.map((_, i) => `class ${i}`), rows };
}

/** The ROC curve as a chart series. */
export function rocSeries(name: string, rows: CurveRow[]): Series {
  return { name, points: rows.map((p) => ({ x: p.fpr, y: p.tpr, t: p.threshold })) };
}

/**
 * The precision-recall curve: logged precision (or counts) when every row where something
 * is predicted positive has it; otherwise, for two classes, precision follows exactly from
 * recall, the false positive rate and the class totals of the confusion matrix
 * (precision = TPR·P / (TPR·P + FPR·N)). Rows where nothing is predicted positive have no
 * precision and no point.
 */
export function prSeries(name: string, rows: CurveRow[], confusion: Confusion | undefined): Series | undefined {
  const predicted = rows.filter((r) => r.fpr > 0 || r.tpr > 0);
  if (predicted.length === 0) return undefined;
  if (predicted.every((r) => r.precision !== undefined)) {
    return { name, points: predicted.map((r) => ({ x: r.tpr, y: r.precision as number, t: r.threshold })) };
  }
  const totals = classTotals(confusion);
  if (!totals) return undefined;
  const { P, N } = totals;
  return {
    name,
    points: predicted.map((r) => ({ x: r.tpr, y: (r.tpr * P) / (r.tpr * P + r.fpr * N), t: r.threshold })),
  };
}

/** Rows with precision filled in from the class totals of a two-class confusion matrix, where it is missing. */
export function withPrecision(rows: CurveRow[], confusion: Confusion | undefined): CurveRow[] {
  const totals = classTotals(confusion);
  if (!totals) return rows;
  const { P, N } = totals;
  return rows.map((r) =>
    r.precision !== undefined || (r.tpr === 0 && r.fpr === 0)
      ? r
      : { ...r, precision: (r.tpr * P) / (r.tpr * P + r.fpr * N) },
  );
}

function classTotals(confusion: Confusion | undefined): { P: number; N: number } | undefined {
  if (confusion?.rows.length !== 2) return undefined;
  const [neg, pos] = confusion.rows as [number[], number[]];
  const N = (neg[0] ?? 0) + (neg[1] ?? 0);
  const P = (pos[0] ?? 0) + (pos[1] ?? 0);
  return P === 0 ? undefined : { P, N };
}
